# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tag retention: policies, executions (dry run or real) and their tasks.

Harbor: src/server/v2.0/handler/retention.go, src/controller/retention/controller.go,
src/pkg/retention/{manager,launcher,job}.go, src/pkg/retention/policy/{models,builder}.go,
src/pkg/retention/policy/alg/or/processor.go, src/pkg/retention/policy/action/performer.go,
src/pkg/retention/policy/rule/*/evaluator.go, src/pkg/retention/dep/client.go.

The API side keeps Harbor's traps: one policy per project, linked by the
project's ``retention_id`` metadata; 201 with only a Location; PUT needs
``scope`` and the linked id; GET of an unknown id is a masked 500 while
DELETE of one is a 400; at most 15 rules, and two rules identical but
for their id are a 409; templates, parameters and selectors are not
checked when stored (a bad one fails the execution instead).

Executions really evaluate the rules over the seeded artifacts, as the
job service would: per repository chosen by a rule's repository
selectors, the candidates are the artifacts with their tags, push time
and pull time (the latest of the artifact's and its tags'); each enabled
rule narrows them with its tag selectors and keeps what its template
keeps; an artifact no rule keeps is deleted, unless an immutable rule
protects it (counted as retained).  A dry run deletes nothing.  Ties in
push or pull time, which Go's unstable sort leaves to chance, go to the
newer artifact.  An execution reports "Running" for a moment after it
is triggered, then its final status.
"""

from __future__ import annotations

import datetime
import json
import secrets

from ...http import Response
from .. import core, cron, doublestar
from ..state import ZERO_TIME
from .immutable import artifact_is_immutable
from .repositories import drop_artifact, short_name, touch

MAX_RULES = 15
RUNNING_SECONDS = 0.3
SELECTOR_SCHEMA = {"type": "object", "properties": {
    "kind": {"type": "string"}, "decoration": {"type": "string"}, "pattern": {"type": "string"},
    "extras": {"type": "string"}}}
POLICY_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "algorithm": {"type": "string"},
    "rules": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "priority": {"type": "integer"}, "disabled": {"type": "boolean"},
        "action": {"type": "string"}, "template": {"type": "string"}, "params": {"type": "object"},
        "tag_selectors": {"type": "array", "items": SELECTOR_SCHEMA},
        "scope_selectors": {"type": "object", "additionalProperties": {"type": "array", "items": SELECTOR_SCHEMA}},
    }}},
    "trigger": {"type": "object", "properties": {
        "kind": {"type": "string"}, "settings": {"type": "object"}, "references": {"type": "object"}}},
    "scope": {"type": "object", "properties": {"level": {"type": "string"}, "ref": {"type": "integer"}}},
}}
EXECUTION_SCHEMA = {"type": "object", "properties": {"dry_run": {"type": "boolean"}}}
OPERATION_SCHEMA = {"type": "object", "properties": {"action": {"type": "string"}}}


def _template(rule_template, display, unit):
    params = [{"type": "int", "unit": unit, "required": True}] if unit else []
    return {"rule_template": rule_template, "display_text": display, "action": "retain", "params": params}


METADATA = {
    "templates": [
        _template("latestPushedK", "the most recently pushed # artifacts", "COUNT"),
        _template("latestPulledN", "the most recently pulled # artifacts", "COUNT"),
        _template("nDaysSinceLastPush", "pushed within the last # days", "DAYS"),
        _template("nDaysSinceLastPull", "pulled within the last # days", "DAYS"),
        _template("always", "always", None),
    ],
    "scope_selectors": [{"display_text": "Repositories", "kind": "doublestar",
                         "decorations": ["repoMatches", "repoExcludes"]}],
    "tag_selectors": [{"display_text": "Tags", "kind": "doublestar", "decorations": ["matches", "excludes"]}],
}


# -- the stored model ----------------------------------------------------------------------------------------

def _selector_model(selector):
    selector = selector if isinstance(selector, dict) else {}
    return {key: selector.get(key) or "" for key in ("kind", "decoration", "pattern", "extras")}


def rule_model(rule):
    """rule.Metadata as Harbor decodes the request, in Go's field order."""
    rule = rule if isinstance(rule, dict) else {}
    tag_selectors = rule.get("tag_selectors")
    scope_selectors = rule.get("scope_selectors")
    return {
        "id": rule.get("id") or 0, "priority": rule.get("priority") or 0, "disabled": bool(rule.get("disabled")),
        "action": rule.get("action") or "", "template": rule.get("template") or "",
        "params": rule.get("params"),
        "tag_selectors": None if tag_selectors is None else [_selector_model(s) for s in tag_selectors],
        "scope_selectors": None if scope_selectors is None else {
            key: None if value is None else [_selector_model(s) for s in value]
            for key, value in sorted(scope_selectors.items())},
    }


def policy_model(body):
    """policy.Metadata (without id): algorithm, rules, trigger (kind, settings), scope; nil parts stay None."""
    trigger = body.get("trigger")
    scope = body.get("scope")
    return {
        "algorithm": body.get("algorithm") or "",
        "rules": [rule_model(rule) for rule in body.get("rules") or []],
        "trigger": None if trigger is None else {"kind": trigger.get("kind") or "", "settings": trigger.get("settings")},
        "scope": None if scope is None else {"level": scope.get("level") or "", "ref": scope.get("ref") or 0},
    }


def _omit_empty(mapping):
    return {key: value for key, value in mapping.items() if value not in (None, "", 0, False, [], {})}


def policy_to_json(ident, model):
    """GetPolicy + ToSwagger: zero values omitted, next_scheduled_time added to a scheduled cron."""
    rules = []
    for rule in model["rules"]:
        rendered = dict(rule)
        rendered["tag_selectors"] = [_omit_empty(s) for s in rule["tag_selectors"] or []]
        rendered["scope_selectors"] = {key: [_omit_empty(s) for s in value or []]
                                       for key, value in (rule["scope_selectors"] or {}).items()}
        rules.append(_omit_empty(rendered))
    body = {"id": ident, "algorithm": model["algorithm"], "rules": rules}
    trigger = model["trigger"]
    if trigger is not None:
        settings = dict(trigger["settings"] or {})
        cron_text = settings.get("cron")
        if trigger["kind"] == "Schedule" and isinstance(cron_text, str) and cron_text:
            moment = cron.next_run(cron_text, core.now())
            settings["next_scheduled_time"] = core.fmt_time(moment) if moment else ZERO_TIME
        body["trigger"] = _omit_empty({"kind": trigger["kind"], "settings": settings})
    if model["scope"] is not None:
        body["scope"] = _omit_empty(model["scope"])
    return _omit_empty(body)


def _check_rules(model):
    if len(model["rules"]) > MAX_RULES:
        raise core.bad_request(cause="only %d rules are allowed at most" % MAX_RULES)
    seen = {}
    for index, rule in enumerate(model["rules"]):
        key = json.dumps(dict(rule, id=0), sort_keys=True)
        if key in seen:
            raise core.conflict("resource conflict: rule %d is conflict with rule %d" % (index, seen[key]))
        seen[key] = index


def _check_cron(model):
    """ValidateRetentionPolicy; a missing trigger or scope is a nil dereference later on (500)."""
    trigger = model["trigger"]
    if trigger is None or model["scope"] is None:
        raise core.internal_error()
    settings = trigger["settings"]
    if trigger["kind"] != "Schedule" or not isinstance(settings, dict) or "cron" not in settings:
        return
    value = settings["cron"]
    if not isinstance(value, str):
        raise core.bad_request("invalid cron type for scheduled tag retention: must be a string")
    problem = cron.validation_error(value) if value else None
    if problem:
        raise core.bad_request("invalid cron string for scheduled tag retention: %s, error: %s" % (value, problem))


def _require_access(req, model, action):
    """requireAccess: project scope -> tag-retention on that project, anything else -> system."""
    if model["scope"] is None:
        raise core.internal_error()
    if model["scope"]["level"] == "project":
        core.require_project_access(req, model["scope"]["ref"], action, "tag-retention")
    else:
        core.require_system_access(req, "tag-retention", action)


def _require_policy_access(req, ident, model):
    project = req.state.projects().get(model["scope"]["ref"])
    linked = (project or {}).get("metadata", {}).get("retention_id")
    if not linked or linked != str(ident):
        raise core.not_found("resource not found: the retention policy id %d does not match" % ident)


def _policy_or(req, ident, error):
    policy = req.state.get("retention_policies", ident)
    if policy is None:
        raise error
    return policy


def _policy_id(req):
    """The bound ``{id}`` (422 first, as go-swagger binds before Prepare), then Prepare's 401."""
    ident = core.path_int(req, "id")
    core.require_authenticated(req)
    return ident


def create_policy(state, model, project):
    stamp = core.now_iso()
    ident = state.insert("retention_policies", {"model": model, "creation_time": stamp, "update_time": stamp})
    project["metadata"]["retention_id"] = str(ident)
    return ident


def delete_policy(state, ident, project):
    for execution in [e for e in state.rows("retention_executions") if e["policy_id"] == ident]:
        state.delete_where("retention_tasks", lambda task, eid=execution["id"]: task["execution_id"] == eid)
        state.delete("retention_executions", execution["id"])
    state.delete("retention_policies", ident)
    if project is not None:
        project["metadata"].pop("retention_id", None)


@core.on_project_create
def proxy_cache_policy(req, project, _body):
    """Proxy-cache projects get a policy: keep what was pulled in the last 7 days, checked daily."""
    if not project.get("registry_id"):
        return
    selector = {"kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": ""}
    model = {
        "algorithm": "or",
        "rules": [{"id": 1, "priority": 1, "disabled": False, "action": "retain", "template": "nDaysSinceLastPull",
                   "params": {"nDaysSinceLastPull": 7}, "tag_selectors": [selector],
                   "scope_selectors": {"repository": [dict(selector, decoration="repoMatches")]}}],
        "trigger": {"kind": "Schedule", "settings": {"cron": "0 0 0 * * *"}},
        "scope": {"level": "project", "ref": project["project_id"]},
    }
    create_policy(req.state, model, project)


@core.on_project_delete
def delete_project_policies(req, project):
    for policy in req.state.rows("retention_policies"):
        scope = policy["model"]["scope"] or {}
        if scope.get("level") == "project" and scope.get("ref") == project["project_id"]:
            delete_policy(req.state, policy["id"], project)


# -- policy endpoints ----------------------------------------------------------------------------------------

@core.route("GET", r"/retentions/metadatas")
def get_metadatas(req):
    core.require_authenticated(req)
    return core.as_json(METADATA)


@core.route("POST", r"/retentions", body=POLICY_SCHEMA, body_name="policy")
def create_retention(req):
    core.require_authenticated(req)
    state = req.state
    model = policy_model(req.body if isinstance(req.body, dict) else {})
    _check_rules(model)
    _require_access(req, model, "create")
    scope = model["scope"]
    if scope["level"] != "project":
        raise core.bad_request(cause="scope %s is not support" % scope["level"])
    project = state.projects().get(scope["ref"]) if scope["ref"] > 0 else None
    if project is None:
        raise core.bad_request(cause="invalid Project id %d" % scope["ref"])
    if project["metadata"].get("retention_id"):
        raise core.bad_request(cause="project %d already has retention policy %s" % (
            scope["ref"], project["metadata"]["retention_id"]))
    _check_cron(model)
    return core.created(req, create_policy(state, model, project))


@core.route("GET", r"/retentions/(?P<id>[^/]+)")
def get_retention(req):
    ident = _policy_id(req)
    # GetPolicy's "no such Retention policy" is a plain error: a masked 500.
    policy = _policy_or(req, ident, core.internal_error())
    _require_access(req, policy["model"], "read")
    return core.as_json(policy_to_json(ident, policy["model"]))


@core.route("PUT", r"/retentions/(?P<id>[^/]+)", body=POLICY_SCHEMA, body_name="policy")
def update_retention(req):
    ident = _policy_id(req)
    model = policy_model(req.body if isinstance(req.body, dict) else {})
    _check_rules(model)
    _require_access(req, model, "update")
    _require_policy_access(req, ident, model)
    _check_cron(model)
    policy = _policy_or(req, ident, core.internal_error())
    old_kind = (policy["model"]["trigger"] or {}).get("kind")
    if old_kind == model["trigger"]["kind"] and old_kind not in ("Schedule", ""):
        raise core.internal_error()  # "not support Trigger <kind>" is a plain error
    policy["model"] = model
    policy["update_time"] = core.now_iso()
    return core.ok()


@core.route("DELETE", r"/retentions/(?P<id>[^/]+)")
def delete_retention(req):
    ident = _policy_id(req)
    policy = _policy_or(req, ident, core.bad_request(cause="no such Retention policy with id %d" % ident))
    _require_access(req, policy["model"], "delete")
    delete_policy(req.state, ident, req.state.projects().get(policy["model"]["scope"]["ref"]))
    return core.ok()


# -- evaluation ----------------------------------------------------------------------------------------------

class JobError(Exception):
    """The retention job of one repository failed (unknown template, selector or action)."""


def _unix(text):
    if not text:
        return core.parse_time(ZERO_TIME).timestamp()
    return core.parse_time(text).timestamp()


def candidates_of(state, repo):
    """dep.GetCandidates: one candidate per artifact, with the latest push/pull of the artifact and its tags."""
    candidates = []
    for artifact in state.artifacts_of(repo["id"]):
        tags = state.tags_of(artifact["id"])
        candidates.append({
            "artifact": artifact, "digest": artifact["digest"], "tags": [tag["name"] for tag in tags],
            "pushed": max([_unix(artifact["push_time"])] + [_unix(tag["push_time"]) for tag in tags]),
            "pulled": max([_unix(artifact["pull_time"])] + [_unix(tag["pull_time"]) for tag in tags]),
        })
    return candidates


def _json_int(value):
    """utils.ParseJSONInt: JSON numbers (floats truncated); anything else is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def _param(rule, default):
    value = _json_int((rule["params"] or {}).get(rule["template"]))
    return value if value is not None and value >= 0 else default


def _latest(candidates, key, count):
    ordered = sorted(candidates, key=lambda c: (key(c), c["artifact"]["id"]), reverse=True)
    return ordered[:count]


def _within_days(candidates, field, days):
    cutoff = core.now().timestamp() - days * 24 * 3600
    return [c for c in candidates if c[field] >= cutoff]


EVALUATORS = {
    "latestPushedK": lambda rule, cands: _latest(cands, lambda c: c["pushed"], _param(rule, 10)),
    "latestPulledN": lambda rule, cands: _latest(cands, lambda c: c["pulled"], _param(rule, 10)),
    "latestActiveK": lambda rule, cands: _latest(cands, lambda c: max(c["pushed"], c["pulled"]), _param(rule, 10)),
    "nDaysSinceLastPush": lambda rule, cands: _within_days(cands, "pushed", _param(rule, 30)),
    "nDaysSinceLastPull": lambda rule, cands: _within_days(cands, "pulled", _param(rule, 30)),
    "lastXDays": lambda rule, cands: [c for c in cands if c["pushed"] > core.now().timestamp() - _param(rule, 10) * 86400],
    "always": lambda rule, cands: list(cands),
}


def _select_tags(rule, candidates):
    for selector in rule["tag_selectors"]:
        if selector["kind"] != "doublestar":
            raise JobError("selector %s is not registered" % selector["kind"])
        untagged = doublestar.untagged_of(selector["decoration"], selector["extras"])
        try:
            candidates = [c for c in candidates if doublestar.tag_selected(
                selector["decoration"], selector["pattern"], untagged, c["tags"])]
        except doublestar.PatternError as exc:
            raise JobError(str(exc)) from exc
    return candidates


def evaluate(state, project, repo, rules, dry_run):
    """Run one repository's job; returns (total, retained, rows of the log table)."""
    candidates = candidates_of(state, repo)
    kept = set()
    for rule in rules:
        if rule["template"] not in EVALUATORS:
            raise JobError("rule evaluator %s is not registered" % rule["template"])
        if rule["action"] != "retain":
            raise JobError("action performer %s is not registered" % rule["action"])
        if not rule["tag_selectors"]:
            continue  # the OR processor ignores rules without tag selectors
        kept.update(c["digest"] for c in EVALUATORS[rule["template"]](rule, _select_tags(rule, candidates)))
    acted = any(rule["tag_selectors"] for rule in rules)
    repository = short_name(project, repo)
    rows = []
    deleted = 0
    for candidate in candidates:
        if not acted or candidate["digest"] in kept:
            mark = "RETAIN"
        elif artifact_is_immutable(state, project["project_id"], repository, candidate["tags"]):
            mark = "IMMUTABLE"
        else:
            mark = "DEL"
            deleted += 1
        rows.append((candidate, mark))
    if not dry_run:
        for candidate, mark in rows:
            if mark == "DEL":
                # with its accessories, and out of the real registry (the delete hooks); the job deletes, so
                # the DELETE_ARTIFACT events name the job service as their operator
                with core.acting_as("harbor-jobservice"):
                    drop_artifact(state, project, repo, candidate["artifact"])
        if deleted:
            touch(repo)
    return len(candidates), len(candidates) - deleted, rows


def _log_time(seconds):
    if seconds <= 0:
        return ""
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y/%m/%d %H:%M:%S")


def render_table(rows):
    """The tablewriter table the job logs: side borders, '|' at the joints, no top or bottom line."""
    header = ["Digest", "Tag", "Kind", "Labels", "PushedTime", "PulledTime", "CreatedTime", "Retention"]
    data = [[c["digest"], ",".join(c["tags"]), "image", "", _log_time(c["pushed"]), _log_time(c["pulled"]),
             _log_time(_unix(c["artifact"]["push_time"])), mark] for c, mark in rows]
    widths = [max([len(header[i])] + [len(row[i]) for row in data]) for i in range(len(header))]
    lines = ["| " + " | ".join(header[i].center(widths[i]) for i in range(len(header))) + " |",
             "|" + "|".join("-" * (width + 2) for width in widths) + "|"]
    lines.extend("| " + " | ".join(row[i].ljust(widths[i]) for i in range(len(row))) + " |" for row in data)
    return "\n".join(lines)


def _log(lines, level, text):
    lines.append("%s [%s] [/pkg/retention/job.go]: %s" % (core.fmt_time(core.now()).replace(".000Z", "Z"), level, text))


def launch(state, policy, project, dry_run):
    """The launcher: repositories each enabled rule selects, then one task per repository."""
    model = policy["model"]
    per_repository = {}
    for rule in model["rules"]:
        if rule["disabled"]:
            continue
        repositories = state.repositories_of(project["project_id"])
        for selector in (rule["scope_selectors"] or {}).get("repository") or []:
            if selector["kind"] != "doublestar":
                raise JobError("selector %s is not registered" % selector["kind"])
            try:
                repositories = [repo for repo in repositories if doublestar.repository_selected(
                    selector["decoration"], selector["pattern"], short_name(project, repo))]
            except doublestar.PatternError as exc:
                raise JobError(str(exc)) from exc
        for repo in repositories:
            per_repository.setdefault(repo["id"], (repo, []))[1].append(rule)
    tasks = []
    for repo, rules in sorted(per_repository.values(), key=lambda item: item[0]["name"]):
        lines = []
        _log(lines, "INFO", "Run retention process.\n Repository: %s \n Rule Algorithm: %s \n Dry Run: %s" % (
            repo["name"], model["algorithm"], "true" if dry_run else "false"))
        try:
            total, retained, rows = evaluate(state, project, repo, rules, dry_run)
        except JobError as exc:
            _log(lines, "ERROR", "retention job: %s" % exc)
            tasks.append({"repository": short_name(project, repo), "status": "Error", "total": 0, "retained": 0,
                          "log": "\n".join(lines) + "\n"})
            continue
        _log(lines, "INFO", "Load %d candidates from repository %s" % (total, repo["name"]))
        _log(lines, "INFO", "\n" + render_table(rows))
        tasks.append({"repository": short_name(project, repo), "status": "Success", "total": total,
                      "retained": retained, "log": "\n".join(lines) + "\n",
                      "deleted": [{"repository": short_name(project, repo), "tags": c["tags"], "digest": c["digest"]}
                                  for c, mark in rows if mark == "DEL"]})
    return tasks


def announce(state, project, ident, model, task, deleted):
    """The task's check-in (retention/callback.go): a TAG_RETENTION event per task that deleted something, never
    for a dry run, in the shape of Harbor's payload (webhook/artifact/retention.go)."""
    rules = [{key: value for key, value in (("template", rule["template"]), ("params", rule["params"]),
                                            ("tag_selectors", rule["tag_selectors"]),
                                            ("scope_selectors", rule["scope_selectors"])) if value}
             for rule in model["rules"]]
    core.publish_event(state, "TAG_RETENTION", project["project_id"], retention={
        "total": task["total"], "retained": task["retained"], "project_name": project["name"],
        "retention_policy_id": ident, "retention_rule": rules, "result": "SUCCESS",
        "deleted_artifact": [{"type": "image", "status": "SUCCESS", "references": None,
                              "name_tag": "%s:%s" % (item["repository"], item["tags"][0]) if item["tags"]
                              else "%s@%s" % (item["repository"], item["digest"])} for item in deleted]})


# -- executions ----------------------------------------------------------------------------------------------

def _execution_status(execution):
    if execution["status"] == "Running" and core.now() >= core.parse_time(execution["end_time"]):
        return execution["final_status"]
    return execution["status"]


def execution_to_json(execution):
    status = _execution_status(execution)
    body = {"id": execution["id"], "policy_id": execution["policy_id"], "start_time": execution["start_time"],
            "end_time": execution["end_time"] if status != "Running" else ZERO_TIME, "status": status,
            "trigger": execution["trigger"], "dry_run": execution["dry_run"]}
    return _omit_empty(body)


def task_to_json(task, execution):
    status = task["status"] if _execution_status(execution) != "Running" else "Running"
    body = {"id": task["id"], "execution_id": task["execution_id"], "repository": task["repository"],
            "job_id": task["job_id"], "status": status, "status_revision": task["status_revision"],
            "start_time": task["start_time"], "end_time": task["end_time"] if status != "Running" else ZERO_TIME}
    body = _omit_empty(body)
    # status_code, total and retained are always present (x-omitempty: false).
    body.update(status_code={"Running": 2}.get(status, 3), total=task["total"], retained=task["retained"])
    return body


def _execution_of(req, ident, model, eid):
    """requireExecutionInProject."""
    execution = req.state.get("retention_executions", eid)
    if execution is None:
        raise core.not_found("execution %d not found" % eid)
    if execution["policy_id"] != ident:
        raise core.not_found("project: %d, execution id %d not found" % (model["scope"]["ref"], eid))
    return execution


def _existing_policy(req, ident):
    return _policy_or(req, ident, core.bad_request(cause="no such Retention policy with id %d" % ident))


@core.route("POST", r"/retentions/(?P<id>[^/]+)/executions", body=EXECUTION_SCHEMA, body_name="body")
def trigger_execution(req):
    state = req.state
    ident = _policy_id(req)
    policy = _existing_policy(req, ident)
    _require_access(req, policy["model"], "update")
    dry_run = bool(req.body.get("dry_run")) if isinstance(req.body, dict) else False
    project = state.projects().get(policy["model"]["scope"]["ref"])
    start = core.now()
    execution = {"policy_id": ident, "trigger": "MANUAL", "dry_run": dry_run, "status": "Running",
                 "start_time": core.fmt_time(start),
                 "end_time": core.fmt_time(start + datetime.timedelta(seconds=RUNNING_SECONDS))}
    eid = state.insert("retention_executions", execution)
    try:
        tasks = launch(state, policy, project, dry_run) if project is not None and policy["model"]["rules"] else []
    except JobError:
        execution["final_status"] = "Error"
        tasks = []
    else:
        execution["final_status"] = "Error" if any(task["status"] == "Error" for task in tasks) else "Success"
    for task in tasks:
        deleted = task.pop("deleted", [])
        state.insert("retention_tasks", dict(task, execution_id=eid, job_id=secrets.token_hex(12),
                                             status_revision=int(start.timestamp()),
                                             start_time=execution["start_time"], end_time=execution["end_time"]))
        if deleted and not dry_run:
            announce(state, project, ident, policy["model"], task, deleted)
    response = Response(201, headers=[("Location", "%s/%d" % (req.path.rstrip("/"), eid))])
    response.set_header("Content-Type", "text/plain")
    return response


@core.route("GET", r"/retentions/(?P<id>[^/]+)/executions", paged=True)
def list_executions(req):
    ident = _policy_id(req)
    policy = _existing_policy(req, ident)
    _require_access(req, policy["model"], "list")
    executions = [e for e in req.state.rows("retention_executions") if e["policy_id"] == ident]
    executions.sort(key=lambda e: (e["start_time"], e["id"]), reverse=True)
    return core.paginate(req, executions, render=execution_to_json)


@core.route("PATCH", r"/retentions/(?P<id>[^/]+)/executions/(?P<eid>[^/]+)", body=OPERATION_SCHEMA, body_name="body")
def operate_execution(req):
    ident = _policy_id(req)
    eid = core.path_int(req, "eid")
    if (req.body or {}).get("action") != "stop":
        raise core.bad_request(cause="action should be 'stop'")
    policy = _existing_policy(req, ident)
    _require_access(req, policy["model"], "update")
    _require_policy_access(req, ident, policy["model"])
    execution = _execution_of(req, ident, policy["model"], eid)
    if _execution_status(execution) == "Running":
        execution.update(status="Stopped", end_time=core.now_iso())
    return core.ok()


@core.route("GET", r"/retentions/(?P<id>[^/]+)/executions/(?P<eid>[^/]+)/tasks", paged=True)
def list_tasks(req):
    ident = _policy_id(req)
    eid = core.path_int(req, "eid")
    policy = _existing_policy(req, ident)
    _require_access(req, policy["model"], "list")
    _require_policy_access(req, ident, policy["model"])
    execution = _execution_of(req, ident, policy["model"], eid)
    tasks = [task for task in req.state.rows("retention_tasks") if task["execution_id"] == eid]
    return core.paginate(req, tasks, render=lambda task: task_to_json(task, execution))


@core.route("GET", r"/retentions/(?P<id>[^/]+)/executions/(?P<eid>[^/]+)/tasks/(?P<tid>[^/]+)")
def get_task_log(req):
    ident = _policy_id(req)
    eid = core.path_int(req, "eid")
    tid = core.path_int(req, "tid")
    policy = _existing_policy(req, ident)
    _require_access(req, policy["model"], "read")
    _require_policy_access(req, ident, policy["model"])
    _execution_of(req, ident, policy["model"], eid)
    task = req.state.get("retention_tasks", tid)
    if task is None or task["execution_id"] != eid:
        raise core.not_found("project: %d, execution id %d not found" % (policy["model"]["scope"]["ref"], eid))
    return Response(200, task["log"], content_type="text/plain")
