# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replication policies, executions and tasks (``/replication/...``).

Harbor: src/server/v2.0/handler/replication.go (the body read field by field, convertReplicationPolicy,
convertExecution), src/controller/replication/model/model.go (Policy.Validate), src/controller/replication/
policy.go (registries looked up after validation), execution.go (Start: a disabled policy is 412),
src/pkg/reg/model/policy.go (Filter.Validate), src/pkg/replication/dao (409 on a duplicate name).
Facts from REAL-HARBOR.md ("Replication"): this Harbor shows as registry id 0 named "Local"; omitted
booleans and strings are left out of GET; no filters read as ``null``; ``speed:-1`` is stored as 0.

The emulator has no job service and copies nothing: an execution is ``InProgress`` for
``EXECUTION_SECONDS``, then ``Succeed`` with zero tasks (unless stopped before).
"""

from __future__ import annotations

import datetime
import re

from .. import core, cron
from .registries import ADAPTER_INFOS, registry_to_json

EXECUTION_SECONDS = 0.5
FILTER_TYPES = ("name", "tag", "label", "resource")
RESOURCE_TYPES = ("image", "artifact")
TRIGGER_TYPES = ("manual", "scheduled", "event_based")
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*"
_DOMAIN = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*" \
          r"(?::[0-9]+)?"
# lib.RepositoryNameRe: distribution's reference.NameRegexp.
NAMESPACE_RE = re.compile(r"^(?:%s/)?%s(?:/%s)*$" % (_DOMAIN, _COMPONENT, _COMPONENT))

REGISTRY_REF = {"type": "object", "properties": {"id": {"type": "integer"}}}
FILTER_SCHEMA = {"type": "object", "properties": {"type": {"type": "string"}, "decoration": {"type": "string"}}}
POLICY_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "description": {"type": "string"},
    "src_registry": REGISTRY_REF, "dest_registry": REGISTRY_REF, "dest_namespace": {"type": "string"},
    "dest_namespace_replace_count": {"type": "integer"},
    "trigger": {"type": "object", "properties": {
        "type": {"type": "string"},
        "trigger_settings": {"type": "object", "properties": {"cron": {"type": "string"}}}}},
    "filters": {"type": "array", "items": FILTER_SCHEMA},
    "replicate_deletion": {"type": "boolean"}, "deletion": {"type": "boolean"}, "override": {"type": "boolean"},
    "enabled": {"type": "boolean"}, "speed": {"type": "integer"}, "copy_by_chunk": {"type": "boolean"},
    "single_active_replication": {"type": "boolean"},
}}
EXECUTION_SCHEMA = {"type": "object", "properties": {"policy_id": {"type": "integer"}}}
POLICY_FIELDS = {key: (lambda record, key=key: record.get(key)) for key in
                 ("id", "name", "creation_time", "update_time")}
EXECUTION_QUERY = {"sort": "string", "policy_id": "int", "status": "string", "trigger": "string"}
STATUS_NAMES = {"Running": "InProgress", "Success": "Succeed", "Stopped": "Stopped", "Error": "Failed"}


# --------------------------------------------------------------------------
# Policies
# --------------------------------------------------------------------------

def local_registry(req):
    """This Harbor, as a policy shows it on its local side."""
    external = req.state.config.get("external_url") or "http://%s" % (req.header("Host") or "127.0.0.1")
    return {"id": 0, "name": "Local", "type": "harbor", "url": external, "status": "healthy",
            "credential": {"type": "secret", "access_secret": "*****"},
            "creation_time": "0001-01-01T00:00:00.000Z", "update_time": "0001-01-01T00:00:00.000Z"}


def _registry_id(body, key):
    ref = body.get(key)
    return int(ref.get("id") or 0) if isinstance(ref, dict) else 0


def policy_from_body(body, ident=None):
    """The handler's copy of the body: only the fields it reads, with its defaults."""
    trigger = body.get("trigger")
    policy = {
        "id": ident, "name": body.get("name") or "", "description": body.get("description") or "",
        "dest_namespace": body.get("dest_namespace") or "",
        "dest_namespace_replace_count": body.get("dest_namespace_replace_count", -1),
        "src_registry_id": _registry_id(body, "src_registry"), "dest_registry_id": _registry_id(body, "dest_registry"),
        "filters": [{"type": f.get("type") or "", "value": f.get("value"), "decoration": f.get("decoration") or ""}
                    for f in body.get("filters") or []],
        "trigger": None, "replicate_deletion": bool(body.get("deletion")), "override": bool(body.get("override")),
        "enabled": bool(body.get("enabled")), "speed": max(int(body.get("speed") or 0), 0),
        "copy_by_chunk": bool(body.get("copy_by_chunk")),
        "single_active_replication": bool(body.get("single_active_replication")),
    }
    if policy["dest_namespace_replace_count"] is None:
        policy["dest_namespace_replace_count"] = -1
    if isinstance(trigger, dict):
        settings = trigger.get("trigger_settings")
        policy["trigger"] = {"type": trigger.get("type") or "",
                             "cron": settings.get("cron") or "" if isinstance(settings, dict) else None}
        if policy["single_active_replication"] and policy["trigger"]["type"] == "event_based":
            # A plain error in the handler: masked 500.
            raise core.internal_error()
    return policy


def _check_filter(item):
    kind, value, decoration = item["type"], item["value"], item["decoration"]
    if kind in ("resource", "name", "tag"):
        if not isinstance(value, str):
            raise core.bad_request("the type of filter value isn't string")
        if kind == "resource" and value not in RESOURCE_TYPES:
            raise core.bad_request("invalid resource filter: %s" % value)
        if kind in ("name", "resource") and decoration:
            raise core.bad_request("only tag and label filter support decoration")
    elif kind == "label":
        if not isinstance(value, list) or not all(isinstance(label, str) for label in value):
            raise core.bad_request("the type of label filter value isn't string slice")
    else:
        raise core.bad_request("invalid filter type")
    if decoration not in ("", "matches", "excludes"):
        raise core.bad_request("invalid filter decoration, :%s" % decoration)


def _check_trigger(trigger):
    if trigger is None or trigger["type"] in ("manual", "event_based"):
        return
    if trigger["type"] != "scheduled":
        raise core.bad_request("invalid trigger type")
    text = trigger["cron"] or ""
    if not text:
        raise core.bad_request("the cron string cannot be empty when the trigger type is scheduled")
    try:
        cron.parse(text)
    except cron.CronError as exc:
        raise core.bad_request("invalid cron string for scheduled trigger: %s" % text) from exc
    parts = text.split(" ")
    if parts[0] != "0":
        raise core.bad_request("the 1st field (indicating Seconds of time) of the cron setting must be 0")
    if parts[1] == "*":
        raise core.bad_request("* is not allowed for the Minutes field of the cron setting of replication policy")


def validate_policy(state, policy):
    """Policy.Validate, then the registries, then the unique name (the DAO's 409)."""
    if not policy["name"]:
        raise core.bad_request("empty name")
    if bool(policy["src_registry_id"]) == bool(policy["dest_registry_id"]):
        raise core.bad_request("either src_registry or dest_registry should be empty and the other one shouldn't be "
                               "empty")
    for item in policy["filters"]:
        _check_filter(item)
    if policy["dest_namespace"] and not NAMESPACE_RE.match(policy["dest_namespace"]):
        raise core.bad_request("invalid destination namespace: %s" % policy["dest_namespace"])
    _check_trigger(policy["trigger"])
    for key in ("src_registry_id", "dest_registry_id"):
        if policy[key] and state.get("registries", policy[key]) is None:
            raise core.not_found("registry %d not found" % policy[key])
    for other in state.rows("replication_policies"):
        if other["name"] == policy["name"] and other["id"] != policy["id"]:
            raise core.conflict("replication policy %s already exists" % policy["name"])


def policy_to_json(req, policy):
    """convertReplicationPolicy, with the omitempty of the model: false and empty fields are left out."""
    body = {"id": policy["id"], "name": policy["name"], "creation_time": policy["creation_time"],
            "update_time": policy["update_time"], "dest_namespace_replace_count": policy["dest_namespace_replace_count"],
            "speed": policy["speed"], "copy_by_chunk": policy["copy_by_chunk"],
            "single_active_replication": policy["single_active_replication"],
            "filters": [dict((key, value) for key, value in item.items() if key != "decoration" or value)
                        for item in policy["filters"]] or None}
    for key in ("description", "dest_namespace", "override", "enabled"):
        if policy[key]:
            body[key] = policy[key]
    if policy["replicate_deletion"]:
        body["deletion"] = body["replicate_deletion"] = True
    for key, field in (("src_registry", "src_registry_id"), ("dest_registry", "dest_registry_id")):
        if policy[field]:
            registry = req.state.get("registries", policy[field])
            body[key] = registry_to_json(registry) if registry else {"id": policy[field]}
        else:
            body[key] = local_registry(req)
    trigger = policy["trigger"]
    if trigger is not None:
        body["trigger"] = {"type": trigger["type"]}
        if trigger["cron"] is not None:
            body["trigger"]["trigger_settings"] = {"cron": trigger["cron"]}
    return body


def get_policy(state, ident):
    policy = state.get("replication_policies", ident)
    if policy is None:
        raise core.not_found("replication policy %d not found" % ident)
    return policy


@core.route("POST", r"/replication/policies", body=POLICY_SCHEMA, body_name="policy")
def create_policy(req):
    core.require_system_access(req, "replication-policy", "create")
    policy = policy_from_body(req.body if isinstance(req.body, dict) else {})
    validate_policy(req.state, policy)
    policy["creation_time"] = policy["update_time"] = core.now_iso()
    policy["creator"] = req.security.username()
    del policy["id"]
    return core.created(req, req.state.insert("replication_policies", policy))


@core.route("GET", r"/replication/policies", paged=True, query={"q": "string", "sort": "string", "name": "string"})
def list_policies(req):
    core.require_system_access(req, "replication-policy", "list")
    keywords = core.parse_q(req.arg("q"))
    if req.args.get("name") is not None:
        keywords["Name"] = core.Fuzzy(req.args["name"])
    selected = core.apply_filters(req.state.rows("replication_policies"), keywords, POLICY_FIELDS)
    selected = core.apply_sort(selected, core.parse_sort(req.arg("sort")), POLICY_FIELDS, default=[("id", False)])
    return core.paginate(req, selected, render=lambda policy: policy_to_json(req, policy))


@core.route("GET", r"/replication/policies/(?P<id>[^/]+)")
def read_policy(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "replication-policy", "read")
    return core.as_json(policy_to_json(req, get_policy(req.state, ident)))


@core.route("PUT", r"/replication/policies/(?P<id>[^/]+)", body=POLICY_SCHEMA, body_name="policy")
def update_policy(req):
    """Harbor replaces the whole policy with the body."""
    ident = core.path_int(req, "id")
    core.require_system_access(req, "replication-policy", "update")
    stored = get_policy(req.state, ident)
    policy = policy_from_body(req.body if isinstance(req.body, dict) else {}, ident)
    validate_policy(req.state, policy)
    policy.update(creation_time=stored["creation_time"], creator=stored.get("creator"), update_time=core.now_iso())
    stored.clear()
    stored.update(policy)
    return core.ok()


@core.route("DELETE", r"/replication/policies/(?P<id>[^/]+)")
def delete_policy(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "replication-policy", "delete")
    get_policy(req.state, ident)
    req.state.delete_where("replication_executions", lambda execution: execution["policy_id"] == ident)
    req.state.delete("replication_policies", ident)
    return core.ok()


# --------------------------------------------------------------------------
# Executions
# --------------------------------------------------------------------------

def settle(execution):
    """The end of an execution once its time has passed: success, with no task (nothing is copied)."""
    if execution["status"] == "Running":
        started = core.parse_time(execution["start_time"])
        if core.now() - started >= datetime.timedelta(seconds=EXECUTION_SECONDS):
            execution.update(status="Success", end_time=core.now_iso())
    return execution


def execution_to_json(execution):
    settle(execution)
    running = execution["status"] == "Running"
    return {"id": execution["id"], "policy_id": execution["policy_id"], "status": STATUS_NAMES[execution["status"]],
            "status_text": execution.get("status_text", ""), "trigger": execution["trigger"],
            "total": 0, "succeed": 0, "failed": 0, "in_progress": 0, "stopped": 0,
            "start_time": execution["start_time"],
            "end_time": "0001-01-01T00:00:00.000Z" if running else execution["end_time"]}


def get_execution(state, ident):
    execution = state.get("replication_executions", ident)
    if execution is None:
        raise core.not_found("execution %d not found" % ident)
    return execution


@core.route("POST", r"/replication/executions", body=EXECUTION_SCHEMA, body_name="execution")
def start_execution(req):
    core.require_system_access(req, "replication", "create")
    ident = int((req.body or {}).get("policy_id") or 0) if isinstance(req.body, dict) else 0
    policy = get_policy(req.state, ident)
    if not policy["enabled"]:
        raise core.precondition("the policy %d is disabled" % ident)
    trigger = "scheduled" if req.arg("trigger") == "scheduled" else "manual"
    stamp = core.now_iso()
    execution = {"policy_id": ident, "status": "Running", "trigger": trigger, "start_time": stamp, "end_time": stamp}
    return core.created(req, req.state.insert("replication_executions", execution))


@core.route("GET", r"/replication/executions", paged=True, query=EXECUTION_QUERY)
def list_executions(req):
    core.require_system_access(req, "replication", "list")
    rows = [settle(execution) for execution in req.state.rows("replication_executions")]
    if req.args.get("policy_id") is not None:
        rows = [execution for execution in rows if execution["policy_id"] == req.args["policy_id"]]
    if req.args.get("status"):
        rows = [execution for execution in rows if STATUS_NAMES[execution["status"]] == req.args["status"]]
    if req.args.get("trigger"):
        rows = [execution for execution in rows if execution["trigger"] == req.args["trigger"]]
    # The task manager lists the newest first.
    rows.sort(key=lambda execution: execution["id"], reverse=True)
    return core.paginate(req, rows, render=execution_to_json)


@core.route("GET", r"/replication/executions/(?P<id>[^/]+)")
def read_execution(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "replication", "read")
    return core.as_json(execution_to_json(get_execution(req.state, ident)))


@core.route("PUT", r"/replication/executions/(?P<id>[^/]+)")
def stop_execution(req):
    """Stopping a finished execution is a no-op 200."""
    ident = core.path_int(req, "id")
    core.require_system_access(req, "replication", "create")
    execution = settle(get_execution(req.state, ident))
    if execution["status"] == "Running":
        execution.update(status="Stopped", end_time=core.now_iso())
    return core.ok()


@core.route("GET", r"/replication/executions/(?P<id>[^/]+)/tasks", paged=True,
            query={"sort": "string", "status": "string", "resource_type": "string"})
def list_tasks(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "replication", "list")
    get_execution(req.state, ident)
    return core.paginate(req, [])


@core.route("GET", r"/replication/executions/(?P<id>[^/]+)/tasks/(?P<task_id>[^/]+)/log")
def read_task_log(req):
    ident = core.path_int(req, "id")
    task_id = core.path_int(req, "task_id")
    core.require_system_access(req, "replication", "read")
    get_execution(req.state, ident)
    raise core.not_found("execution %d contains no task with ID %d" % (ident, task_id))


@core.route("GET", r"/replication/adapterinfos")
def adapter_infos(req):
    """The adapters that register UI hints; the emulator knows none of their patterns."""
    core.require_system_access(req, "replication-adapter", "list")
    return core.as_json(dict((kind, {"endpoint_pattern": None, "credential_pattern": None}) for kind in ADAPTER_INFOS))
