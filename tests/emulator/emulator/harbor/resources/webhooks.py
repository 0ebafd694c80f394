# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Project webhooks: policies, the events they send, and the delivery jobs with their executions and logs.

Harbor: src/server/v2.0/handler/webhook.go (validation, 404 shapes), src/pkg/notification (supported types,
GetRelatedPolices: the enabled policies of the project naming the event type), src/pkg/notification/policy
(model, the unique name per project), src/controller/event/handler/webhook/* (the payloads),
src/pkg/notifier/formats (Default and CloudEvents), src/pkg/notifier/handler/notification (the Authorization
header, slack), src/pkg/notification/hook (one execution and one task per target),
src/jobservice/job/impl/notification/webhook_job.go (the POST, 3 attempts, the job log).
Facts from REAL-HARBOR.md ("Project webhooks") and the payloads a real v2.15.2 sent (webhook-payloads/).

Events come from the core's event bus (``core.on_event``).  Once the request that caused an event is over, for
each enabled policy of the event's project that names its type, each target gets one execution (vendor
``WEBHOOK`` or ``SLACK``, trigger ``EVENT``) with one task, and a background thread POSTs the payload, so the
request is not slowed.
A delivery that fails (no answer, or a status outside 2xx) is tried again after ``RETRY_DELAYS`` seconds,
at most 3 attempts in all as Harbor's job service does (Harbor waits about 20 s then 100 s; the emulator
waits 1 s then 2 s so that tests stay quick).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import urllib.error
import urllib.request
import uuid

from ...http import Response
from .. import core

EVENT_TYPES = ["PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT", "QUOTA_EXCEED", "QUOTA_WARNING",
               "SCANNING_FAILED", "SCANNING_STOPPED", "SCANNING_COMPLETED", "REPLICATION", "TAG_RETENTION"]
NOTIFY_TYPES = ["http", "slack"]
PAYLOAD_FORMATS = ["Default", "CloudEvents"]
CLOUDEVENTS_TYPES = {
    "DELETE_ARTIFACT": "harbor.artifact.deleted", "PULL_ARTIFACT": "harbor.artifact.pulled",
    "PUSH_ARTIFACT": "harbor.artifact.pushed", "QUOTA_EXCEED": "harbor.quota.exceeded",
    "QUOTA_WARNING": "harbor.quota.warned", "REPLICATION": "harbor.replication.status.changed",
    "SCANNING_FAILED": "harbor.scan.failed", "SCANNING_COMPLETED": "harbor.scan.completed",
    "SCANNING_STOPPED": "harbor.scan.stopped", "TAG_RETENTION": "harbor.tag_retention.finished",
}
VENDOR_TYPES = {"http": "WEBHOOK", "slack": "SLACK"}
MAX_ATTEMPTS = 3  # webhook_job.go MaxFails
RETRY_DELAYS = (1.0, 2.0)
TIMEOUT = 3  # http_helper.go: the job's HTTP client timeout, in seconds
ZERO_TIME = "0001-01-01T00:00:00Z"

TARGET_SCHEMA = {"type": "object", "properties": {
    "type": {"type": "string"}, "address": {"type": "string"}, "auth_header": {"type": "string"},
    "skip_cert_verify": {"type": "boolean"}, "payload_format": {"type": "string"}}}
POLICY_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "description": {"type": "string"},
    "project_id": {"type": "integer"}, "targets": {"type": "array", "items": TARGET_SCHEMA},
    "event_types": {"type": "array", "items": {"type": "string"}}, "creator": {"type": "string"},
    "creation_time": {"type": "string"}, "update_time": {"type": "string"}, "enabled": {"type": "boolean"}}}
POLICY_FIELDS = {key: (lambda record, key=key: record.get(key)) for key in
                 ("id", "name", "description", "project_id", "creator", "creation_time", "update_time", "enabled")}

# The slack job's body: Block Kit text with the event data pretty-printed in a code block (raw tabs and newlines
# inside JSON strings, so not valid JSON), as the payload a real Harbor sent shows (PUSH_ARTIFACT-slack.json).
SLACK_TEMPLATE = (
    '{\n\t"blocks": [\n\t\t{\n            "type": "section",\n\t\t\t"text": {\n\t\t\t\t"type": "mrkdwn",\n'
    '\t\t\t\t"text": "*Harbor webhook events*"\n\t\t\t}\n        },\n        {\n            "type": "section",\n'
    '\t\t\t"text": {\n\t\t\t\t"type": "mrkdwn",\n\t\t\t\t"text": "*event_type:* %(type)s"\n\t\t\t}\n        },\n'
    '        {\n            "type": "section",\n\t\t\t"text": {\n\t\t\t\t"type": "mrkdwn",\n'
    '\t\t\t\t"text": "*occur_at:* <!date^%(occur_at)d^{date} at {time}|February 18th, 2014 at 6:39 AM PST>"\n'
    '\t\t\t}\n        },\n        {\t"type": "section",\n\t\t\t"text": {\n\t\t\t\t"type": "mrkdwn",\n'
    '\t\t\t\t"text": "*operator:* %(operator)s"\n\t\t\t}\n\t\t},\n        {\t"type": "section",\n'
    '\t\t\t"text": {\n\t\t\t\t"type": "mrkdwn",\n\t\t\t\t"text": "*event_data:*"\n\t\t\t}\n\t\t},\n'
    '\t\t{\t"type": "section",\n\t\t\t"text": {\n\t\t\t\t"type": "mrkdwn",\n\t\t\t\t"text": "```%(data)s```"\n'
    '\t\t\t}\n\t\t}\n    ]}')


# -- policies ------------------------------------------------------------------------------------------------

def _go_time(value):
    """time.Time.Format(time.RFC3339) of a stored timestamp (executions and tasks use it)."""
    return core.fmt_time(value)[:19] + "Z" if value and value != ZERO_TIME else ZERO_TIME


def target_to_json(target):
    body = {"type": target.get("type") or "", "address": target.get("address") or ""}
    if target.get("auth_header"):
        body["auth_header"] = target["auth_header"]
    if target.get("skip_cert_verify"):
        body["skip_cert_verify"] = True
    if target.get("payload_format"):
        body["payload_format"] = target["payload_format"]
    return {key: value for key, value in body.items() if value != ""}


def policy_to_json(policy):
    """ToSwagger: zero values omitted (enabled is always there), times in strfmt.DateTime."""
    body = {"id": policy["id"], "name": policy["name"], "description": policy["description"],
            "project_id": policy["project_id"], "targets": [target_to_json(t) for t in policy["targets"]],
            "event_types": list(policy["event_types"]), "creator": policy["creator"],
            "creation_time": policy["creation_time"], "update_time": policy["update_time"]}
    body = {key: value for key, value in body.items() if value not in ("", None, [], 0)}
    body["enabled"] = bool(policy["enabled"])
    return body


def parse_endpoint(address):
    """utils.ParseEndpoint: trimmed, no trailing slash, http(s) or no scheme (then http); errors as Harbor words them."""
    endpoint = (address or "").strip(" ").rstrip("/")
    if not endpoint:
        raise core.bad_request("empty URL")
    if "://" in endpoint:
        scheme = endpoint.split("://", 1)[0]
        if scheme not in ("http", "https"):
            raise core.bad_request("invalid scheme: %s" % scheme)
    else:
        endpoint = "http://" + endpoint
    if not endpoint.split("://", 1)[1]:
        raise core.bad_request('parse "%s": invalid URI for request' % endpoint)
    return endpoint


def policy_from_body(body):
    """validateEventTypes then validateTargets, in that order; the address is kept as sent."""
    body = body if isinstance(body, dict) else {}
    name = body.get("name") or ""
    event_types = [str(item) for item in body.get("event_types") or []]
    if not event_types:
        raise core.bad_request("empty event type")
    for event_type in event_types:
        if event_type not in EVENT_TYPES:
            raise core.bad_request("unsupported event type %s" % event_type)
    raw_targets = [item if isinstance(item, dict) else {} for item in body.get("targets") or []]
    if not raw_targets:
        raise core.bad_request("empty notification target with policy %s" % name)
    targets = []
    for raw in raw_targets:
        parse_endpoint(raw.get("address"))
        kind = raw.get("type") or ""
        if kind not in NOTIFY_TYPES:
            raise core.bad_request("unsupported target type %s with policy %s" % (kind, name))
        payload_format = raw.get("payload_format") or ""
        if payload_format and kind == "slack":
            raise core.bad_request("set payload format is not allowed for slack")
        if payload_format and payload_format not in PAYLOAD_FORMATS:
            raise core.bad_request("unsupported payload format type: %s" % payload_format)
        if not payload_format and kind == "http":
            payload_format = "Default"
        targets.append({"type": kind, "address": raw.get("address") or "", "auth_header": raw.get("auth_header") or "",
                        "skip_cert_verify": bool(raw.get("skip_cert_verify")), "payload_format": payload_format})
    return {"name": name, "description": body.get("description") or "", "targets": targets,
            "event_types": event_types, "creator": body.get("creator") or "", "enabled": bool(body.get("enabled"))}


def _duplicate(state, project_id, name, ignore=None):
    for other in state.rows("webhook_policies"):
        if other["project_id"] == project_id and other["name"] == name and other["id"] != ignore:
            raise core.conflict("notification policy named %s already exists" % name)


def _policy_in_project(req, project):
    """requirePolicyInProject: an unknown id, then a policy of another project, are 404s."""
    ident = core.path_int(req, "id")
    policy = req.state.get("webhook_policies", ident)
    if policy is None:
        raise core.not_found("notificationPolicy %d not found" % ident)
    if policy["project_id"] != project["project_id"]:
        raise core.not_found("resource not found: project id:%d, webhook policy id: %d not found" % (
            project["project_id"], ident))
    return policy


def _project(req):
    """getProjectID (404 for an unknown project) before the access check, as the GET handlers do."""
    ref = core.project_ref(req, req.params["project"])
    project = core.get_project(req.state, ref)
    core.require_project_access(req, project["project_id"], "read", "notification-policy")
    return project


POLICIES = r"/projects/(?P<project>[^/]+)/webhook/policies"


@core.route("GET", POLICIES, paged=True, query={"q": "string", "sort": "string"})
def list_policies(req):
    _ref, project = core.project_param(req, "list", "notification-policy")
    policies = [p for p in req.state.rows("webhook_policies") if p["project_id"] == project["project_id"]]
    policies = core.apply_filters(policies, core.parse_q(req.arg("q")), POLICY_FIELDS)
    # the model's default sort: creation_time descending (newest first)
    policies = core.apply_sort(policies, core.parse_sort(req.arg("sort")), POLICY_FIELDS,
                               default=[("creation_time", True), ("id", True)])
    return core.paginate(req, policies, render=policy_to_json)


@core.route("POST", POLICIES, body=POLICY_SCHEMA, body_name="policy")
def create_policy(req):
    _ref, project = core.project_param(req, "create", "notification-policy")
    policy = policy_from_body(req.body)
    _duplicate(req.state, project["project_id"], policy["name"])
    policy["project_id"] = project["project_id"]
    policy["creation_time"] = policy["update_time"] = core.now_iso()
    return core.created(req, req.state.insert("webhook_policies", policy))


@core.route("GET", POLICIES + r"/(?P<id>[^/]+)")
def get_policy(req):
    project = _project(req)
    return core.as_json(policy_to_json(_policy_in_project(req, project)))


@core.route("PUT", POLICIES + r"/(?P<id>[^/]+)", body=POLICY_SCHEMA, body_name="policy")
def update_policy(req):
    _ref, project = core.project_param(req, "update", "notification-policy")
    policy = _policy_in_project(req, project)
    changed = policy_from_body(req.body)
    _duplicate(req.state, project["project_id"], changed["name"], ignore=policy["id"])
    # PUT replaces the whole row: a creation time not sent is the zero time (REAL-HARBOR.md)
    policy.update(changed, creation_time=(req.body or {}).get("creation_time") or "0001-01-01T00:00:00.000Z",
                  update_time=core.now_iso())
    return core.ok()


@core.route("DELETE", POLICIES + r"/(?P<id>[^/]+)")
def delete_policy(req):
    _ref, project = core.project_param(req, "delete", "notification-policy")
    policy = _policy_in_project(req, project)
    drop_policy(req.state, policy["id"])
    return core.ok()


def drop_policy(state, ident):
    """DeletePolicy: its executions and their tasks go with it."""
    executions = {e["id"] for e in state.rows("webhook_executions") if e["vendor_id"] == ident}
    state.delete_where("webhook_tasks", lambda task: task["execution_id"] in executions)
    state.delete_where("webhook_executions", lambda execution: execution["id"] in executions)
    state.delete("webhook_policies", ident)


@core.on_project_delete
def delete_project_policies(req, project):
    for policy in req.state.rows("webhook_policies"):
        if policy["project_id"] == project["project_id"]:
            drop_policy(req.state, policy["id"])


@core.route("GET", r"/projects/(?P<project>[^/]+)/webhook/events")
def supported_events(req):
    core.project_param(req, "read", "notification-policy")
    return core.as_json({"event_type": list(EVENT_TYPES), "notify_type": list(NOTIFY_TYPES),
                         "payload_formats": [{"notify_type": "http", "formats": list(PAYLOAD_FORMATS)}]})


@core.route("GET", r"/projects/(?P<project>[^/]+)/webhook/lasttrigger")
def last_trigger(req):
    """Deprecated but served: one row per policy and event type, with the start of its latest execution."""
    _ref, project = core.project_param(req, "read", "notification-policy")
    rows = []
    policies = [p for p in req.state.rows("webhook_policies") if p["project_id"] == project["project_id"]]
    for policy in sorted(policies, key=lambda p: (p["creation_time"], p["id"]), reverse=True):
        for event_type in policy["event_types"]:
            row = {"policy_name": policy["name"], "event_type": event_type, "enabled": policy["enabled"],
                   "creation_time": policy["creation_time"]}
            starts = [e["start_time"] for e in req.state.rows("webhook_executions")
                      if e["vendor_id"] == policy["id"] and e["extra_attrs"]["event_type"] == event_type]
            if starts:
                row["last_trigger_time"] = max(starts)
            rows.append({key: value for key, value in row.items() if value not in ("", None)})
    return core.as_json(rows)


# -- executions, tasks and logs -------------------------------------------------------------------------------

def execution_to_json(state, execution):
    tasks = [task for task in state.rows("webhook_tasks") if task["execution_id"] == execution["id"]]
    metrics = {"task_count": len(tasks)}
    for status in ("Success", "Error", "Pending", "Running", "Scheduled", "Stopped"):
        count = sum(1 for task in tasks if task["status"] == status)
        if count:
            metrics["%s_task_count" % status.lower()] = count
    return {"id": execution["id"], "vendor_type": execution["vendor_type"], "vendor_id": execution["vendor_id"],
            "status": execution_status(tasks), "metrics": metrics, "trigger": "EVENT",
            "extra_attrs": dict(execution["extra_attrs"]), "start_time": _go_time(execution["start_time"]),
            "end_time": _go_time(execution.get("end_time"))}


def execution_status(tasks):
    """The execution's status follows its one task: Error while a retry is pending, then Success (REAL-HARBOR.md)."""
    return tasks[0]["status"] if tasks else "Success"


def task_to_json(task):
    return {"id": task["id"], "execution_id": task["execution_id"], "status": task["status"],
            "status_message": task.get("status_message") or "", "run_count": task["run_count"], "extra_attrs": {},
            "creation_time": _go_time(task["creation_time"]), "update_time": _go_time(task["update_time"]),
            "start_time": _go_time(task.get("start_time")), "end_time": _go_time(task.get("end_time"))}


def _execution_in_policy(req, policy):
    ident = core.path_int(req, "eid")
    execution = req.state.get("webhook_executions", ident)
    if execution is None:
        raise core.not_found("execution %d not found" % ident)
    if execution["vendor_id"] != policy["id"]:
        raise core.not_found("execution %d not found in policy %d" % (ident, policy["id"]))
    return execution


def _task_in_execution(req, execution):
    ident = core.path_int(req, "tid")
    task = req.state.get("webhook_tasks", ident)
    if task is None:
        raise core.not_found("task %d not found" % ident)
    if task["execution_id"] != execution["id"]:
        raise core.not_found("task %d not found in execution %d" % (ident, execution["id"]))
    return task


EXECUTIONS = POLICIES + r"/(?P<id>[^/]+)/executions"


@core.route("GET", EXECUTIONS, paged=True, query={"q": "string", "sort": "string"})
def list_executions(req):
    policy = _policy_in_project(req, _project(req))
    executions = [e for e in req.state.rows("webhook_executions") if e["vendor_id"] == policy["id"]]
    executions.sort(key=lambda e: e["id"], reverse=True)
    return core.paginate(req, executions, render=lambda e: execution_to_json(req.state, e))


@core.route("GET", EXECUTIONS + r"/(?P<eid>[^/]+)/tasks", paged=True, query={"q": "string", "sort": "string"})
def list_tasks(req):
    policy = _policy_in_project(req, _project(req))
    execution = _execution_in_policy(req, policy)
    tasks = [task for task in req.state.rows("webhook_tasks") if task["execution_id"] == execution["id"]]
    return core.paginate(req, tasks, render=task_to_json)


@core.route("GET", EXECUTIONS + r"/(?P<eid>[^/]+)/tasks/(?P<tid>[^/]+)/log")
def task_log(req):
    policy = _policy_in_project(req, _project(req))
    task = _task_in_execution(req, _execution_in_policy(req, policy))
    return Response(200, "".join(task["log"]), content_type="text/plain")


# -- payloads (src/controller/event/handler/webhook/*, src/pkg/notifier/formats) ---------------------------------

def external_host(state):
    """config.ExtURL: the external URL without its scheme (resource_url's host)."""
    url = state.config.get("external_url") or ""
    return url.split("://", 1)[-1].rstrip("/")


def _repository(state, project, full_name, with_date=True):
    body = {"name": full_name.split("/", 1)[-1], "namespace": project["name"], "repo_full_name": full_name,
            "repo_type": "public" if core.is_public(project) else "private"}
    repo = state.repository_by_name(full_name) if with_date else None
    if repo is not None:
        # Go's field order: date_created first; absent once the repository is gone (a repository deletion)
        body = dict({"date_created": int(core.parse_time(repo["creation_time"]).timestamp())}, **body)
    return body


def event_data(state, project, event):
    """The payload's event_data for the event, in the field order of Harbor's Go structs."""
    kind = event["type"]
    if kind in ("REPLICATION", "TAG_RETENTION"):
        key = "replication" if kind == "REPLICATION" else "retention"
        section = dict(event[key])
        if "harbor_hostname" not in section:
            host = external_host(state).split(":")[0]
            # retention: total and retained come first (evtModel.Retention); replication: the hostname first
            order = list(section)
            position = 2 if kind == "TAG_RETENTION" else 0
            order.insert(position, "harbor_hostname")
            section = {name: host if name == "harbor_hostname" else section[name] for name in order}
        return {key: section}
    reference = event.get("tag") or event.get("digest")
    if kind.startswith("QUOTA_"):
        data = {}
        if event.get("digest"):
            data["resources"] = [{key: event[key] for key in ("digest", "tag") if event.get(key)}]
        data["repository"] = _repository(state, project, event["repository"], with_date=False)
        data["custom_attributes"] = {"Details": event["message"]}
        return data
    separator = "@" if reference and reference.startswith("sha256:") else ":"
    resource = {"digest": event["digest"], "tag": reference,
                "resource_url": "%s/%s%s%s" % (external_host(state), event["repository"], separator, reference)}
    if kind.startswith("SCANNING_"):
        resource["tag"] = event.get("tag") or ""
        resource = {key: value for key, value in resource.items() if value}
        for key in ("scan_overview", "sbom_overview"):
            if event.get(key):
                resource[key] = event[key]
        return {"resources": [resource], "repository": _repository(state, project, event["repository"], False),
                "scan": {"scan_type": event.get("scan_type") or "vulnerability"}}
    return {"resources": [resource], "repository": _repository(state, project, event["repository"])}


def default_payload(event, data):
    return {"type": event["type"], "occur_at": event["occur_at"], "operator": event["operator"], "event_data": data}


def format_body(target, policy, event, data):
    """(content type, body bytes) of the delivery to ``target`` (formats/default.go, cloudevents.go, slack)."""
    if target["type"] == "slack":
        text = json.dumps(data, indent="\t").replace('"', '\\"')
        body = SLACK_TEMPLATE % {"type": event["type"], "occur_at": event["occur_at"], "operator": event["operator"],
                                 "data": text}
        return "application/json", body.encode("utf-8")
    if target.get("payload_format") == "CloudEvents":
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(event["occur_at"]))
        body = {"specversion": "1.0", "id": str(uuid.uuid4()),
                "source": "/projects/%d/webhook/policies/%d" % (policy["project_id"], policy["id"]),
                "type": CLOUDEVENTS_TYPES[event["type"]], "datacontenttype": "application/json", "time": stamp,
                "data": data, "operator": event["operator"], "requestid": event["request_id"]}
        return "application/cloudevents+json", json.dumps(body, separators=(",", ":")).encode("utf-8")
    return "application/json", json.dumps(default_payload(event, data), separators=(",", ":")).encode("utf-8")


# -- delivery (hook.StartHook, the job service's webhook and slack jobs) -------------------------------------------

def related_policies(state, project_id, event_type):
    """GetRelatedPolices: the enabled policies of the project that name the event type."""
    return [policy for policy in state.rows("webhook_policies") if policy["project_id"] == project_id
            and policy["enabled"] and event_type in policy["event_types"]]


@core.on_event
def dispatch(state, event):
    """The notifier hands the event to a handler goroutine: the payload is built once the request that caused the
    event is over (a repository deleted with its artifacts is gone by then, as in Harbor)."""
    if not state.config.get("notification_enable", True):
        return
    if related_policies(state, event["project_id"], event["type"]):
        threading.Thread(target=start_hooks, args=(state, event), name="webhook-event", daemon=True).start()


def start_hooks(state, event):
    """SendHookWithPolicies + StartHook: per target of each related policy, an execution, its task and the job."""
    jobs = []
    with state.lock:
        project = state.projects().get(event["project_id"])
        policies = related_policies(state, event["project_id"], event["type"]) if project is not None else []
        data = event_data(state, project, event) if policies else None
        for policy in policies:
            for target in policy["targets"]:
                content_type, body = format_body(target, policy, event, data)
                stamp = core.now_iso()
                execution_id = state.insert("webhook_executions", {
                    "vendor_type": VENDOR_TYPES[target["type"]], "vendor_id": policy["id"], "start_time": stamp,
                    "end_time": None, "extra_attrs": {"event_type": event["type"], "payload": body.decode("utf-8")}})
                task_id = state.insert("webhook_tasks", {
                    "execution_id": execution_id, "status": "Pending", "run_count": 0, "creation_time": stamp,
                    "update_time": stamp, "start_time": None, "end_time": None, "log": []})
                headers = {"Content-Type": content_type, "User-Agent": "Go-http-client/1.1"}
                if target["type"] == "http" and target.get("auth_header"):
                    headers["Authorization"] = target["auth_header"]
                jobs.append((task_id, execution_id, target["address"], bool(target.get("skip_cert_verify")),
                             headers, body))
    for job in jobs:
        threading.Thread(target=_deliver, args=(state,) + job, name="webhook-job-%d" % job[0], daemon=True).start()


def _log(task, level, text):
    """The job service's log line (the Authorization header is never logged, as in webhook_job.go)."""
    task["log"].append("%s [%s] [/jobservice/job/impl/notification/webhook_job.go]: %s\n" % (
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), level, text))


def _post(address, skip_cert_verify, headers, body):
    """One attempt; None when the target answered 2xx, else the error as the job words it."""
    context = ssl.create_default_context()
    if skip_cert_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(address, data=body, headers=headers, method="POST")
    # Straight to the target: a test's receiver is local, and a proxy from the environment would stand between.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(request, timeout=TIMEOUT) as answer:
            answer.read()
            return None
    except urllib.error.HTTPError as exc:
        text = exc.read(500).decode("utf-8", "replace")
        return "abnormal response code: %d, body: %s" % (exc.code, text)
    except (OSError, ValueError) as exc:
        return "error to send request: %s" % exc


def _deliver(state, task_id, execution_id, address, skip_cert_verify, headers, body):
    for attempt in range(MAX_ATTEMPTS):
        with state.lock:
            task = state.get("webhook_tasks", task_id)
            if task is None:
                return  # the policy went (or the emulator was reset)
            task.update(status="Running", run_count=task["run_count"] + 1, update_time=core.now_iso(),
                        start_time=task["start_time"] or core.now_iso())
            _log(task, "INFO", "start to run webhook job")
            _log(task, "INFO", "send request to remote endpoint, body: %s" % body.decode("utf-8", "replace"))
        error = _post(address, skip_cert_verify, headers, body)
        with state.lock:
            task = state.get("webhook_tasks", task_id)
            if task is None:
                return
            stamp = core.now_iso()
            if error is None:
                _log(task, "INFO", "success to run webhook job")
                task.update(status="Success", status_message="", update_time=stamp, end_time=stamp)
                _end_execution(state, execution_id, stamp)
                return
            _log(task, "ERROR", "exit webhook job, error: %s" % error)
            task.update(status="Error", status_message=error, update_time=stamp, end_time=stamp)
            _end_execution(state, execution_id, stamp)
        if attempt < len(RETRY_DELAYS):
            time.sleep(RETRY_DELAYS[attempt])


def _end_execution(state, execution_id, stamp):
    execution = state.get("webhook_executions", execution_id)
    if execution is not None:
        execution["end_time"] = stamp
