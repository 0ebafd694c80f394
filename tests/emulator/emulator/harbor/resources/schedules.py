# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The system jobs' schedules: garbage collection, audit-log purge, scan all.

Harbor: src/server/v2.0/handler/gc.go, purge.go, scan_all.go,
src/controller/gc/controller.go, src/controller/jobservice/schedule.go,
src/pkg/scheduler/scheduler.go, handler/model/gc.go and schedule.go.

Shared traps: ``GET .../schedule`` answers 200 with an empty body when
nothing is scheduled; every periodic type (Hourly, Daily, Weekly, Custom)
needs a valid six-field cron whose first field is 0, even though the type
already says how often; GC and purge replace their schedule on every
POST or PUT, scan all refuses a POST while a schedule exists (412) and a
PUT of ``Manual`` (400).  The emulator behaves as if a default scanner
(Trivy) is installed; seed ``{"default_scanner": false}`` to remove it.
"""

from __future__ import annotations

import json

from ...http import Response
from .. import core, cron

SCHEDULE_TYPES = ["Hourly", "Daily", "Weekly", "Custom", "Manual", "None", "Schedule"]
PERIODIC_TYPES = ("Hourly", "Daily", "Weekly", "Custom")
SCHEDULE_SCHEMA = {"type": "object", "properties": {
    "schedule": {"type": "object", "properties": {
        "type": {"type": "string", "enum": SCHEDULE_TYPES}, "cron": {"type": "string"},
        "next_scheduled_time": {"type": "string"}}},
    "parameters": {"type": "object"},
}}
GC = "GARBAGE_COLLECTION"
PURGE = "PURGE_AUDIT_LOG"
SCAN_ALL = "SCAN_ALL"
MAX_AUDIT_RETENTION_HOUR = 240000
MIN_WORKERS, MAX_WORKERS = 1, 10


def go_json(value):
    """encoding/json: compact, map keys sorted."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def current_schedule(state, vendor_type):
    for schedule in state.rows("schedules"):
        if schedule["vendor_type"] == vendor_type:
            return schedule
    return None


def unschedule(state, vendor_type):
    state.delete_where("schedules", lambda schedule: schedule["vendor_type"] == vendor_type)


def add_schedule(state, vendor_type, cron_type, cron_text, extra_attrs):
    stamp = core.now_iso()
    return state.insert("schedules", {
        "vendor_type": vendor_type, "cron_type": cron_type, "cron": cron_text, "extra_attrs": extra_attrs,
        "status": "Scheduled", "creation_time": stamp, "update_time": stamp,
    })


def start_execution(state, vendor_type, trigger, extra_attrs):
    """A manual run; the emulator has no job service, so it is over at once."""
    stamp = core.now_iso()
    return state.insert("system_executions", {
        "vendor_type": vendor_type, "trigger": trigger, "status": "Success", "extra_attrs": extra_attrs,
        "start_time": stamp, "update_time": stamp,
    })


def next_scheduled_time(cron_text):
    moment = cron.next_run(cron_text, core.now())
    return core.fmt_time(moment) if moment is not None else "0001-01-01T00:00:00.000Z"


def schedule_body(req):
    """The bound ``Schedule`` body; a missing ``schedule`` object is a nil dereference in Harbor (500)."""
    body = req.body if isinstance(req.body, dict) else {}
    if not isinstance(body.get("schedule"), dict):
        raise core.internal_error()
    return body["schedule"].get("type") or "", body["schedule"].get("cron") or "", body.get("parameters")


def history_json(schedule, parameters):
    """GCHistory / ExecHistory of a schedule; empty strings and false are omitted (omitempty)."""
    body = {
        "id": schedule["id"], "job_kind": schedule["cron"], "job_parameters": parameters,
        "job_status": schedule["status"],
        "schedule": {"type": schedule["cron_type"], "cron": schedule["cron"],
                     "next_scheduled_time": next_scheduled_time(schedule["cron"])},
        "creation_time": schedule["creation_time"], "update_time": schedule["update_time"],
    }
    return {key: value for key, value in body.items() if value not in ("", None)}


def empty_ok():
    """200 with no body at all: what Harbor answers when nothing is scheduled."""
    return Response(200)


@core.seed_handler("default_scanner", order=12)
def seed_default_scanner(emulator, value):
    if not isinstance(value, bool):
        raise core.bad_request("default_scanner must be true or false")
    emulator.state.config["default_scanner"] = value
    return value


# -- garbage collection --------------------------------------------------------------------------------------

def _gc_policy(parameters):
    """The typed fields gc.Policy reads from the parameters; workers must be 1..10 when it is a number."""
    policy = {"delete_untagged": False, "delete_tag": False, "workers": 0}
    for key in ("delete_untagged", "delete_tag"):
        if isinstance(parameters.get(key), bool):
            policy[key] = parameters[key]
    workers = parameters.get("workers")
    if isinstance(workers, (int, float)) and not isinstance(workers, bool):
        if isinstance(workers, float) and not workers.is_integer():
            raise core.bad_request(cause="workers should be integer format")
        if not MIN_WORKERS <= int(workers) <= MAX_WORKERS:
            raise core.bad_request("Error: Invalid number of workers:%s. Workers must be greater than 0 and less "
                                   "than or equal to 10." % json.dumps(workers))
        policy["workers"] = int(workers)
    return policy


def _gc_kick(req):
    state = req.state
    schedule_type, cron_text, parameters = schedule_body(req)
    parameters = dict(parameters or {})
    if schedule_type == "Manual":
        policy = _gc_policy(parameters)
        return start_execution(state, GC, "MANUAL", dict(parameters, **policy))
    if schedule_type == "None":
        unschedule(state, GC)
    elif schedule_type in PERIODIC_TYPES:
        policy = _gc_policy(parameters)
        problem = cron.validation_error(cron_text)
        if problem:
            raise core.bad_request("invalid cron string for scheduled gc: %s, error: %s" % (cron_text, problem))
        unschedule(state, GC)
        add_schedule(state, GC, schedule_type, cron_text, policy)
    return 0


@core.route("GET", r"/system/gc/schedule")
def get_gc_schedule(req):
    core.require_system_access(req, "garbage-collection", "read")
    schedule = current_schedule(req.state, GC)
    if schedule is None:
        return empty_ok()
    return core.as_json(history_json(schedule, go_json(schedule["extra_attrs"])))


@core.route("POST", r"/system/gc/schedule", body=SCHEDULE_SCHEMA, body_name="schedule")
def create_gc_schedule(req):
    core.require_system_access(req, "garbage-collection", "create")
    execution_id = _gc_kick(req)
    # The Location replaces "schedule" with the execution id, which is 0 for anything but Manual.
    location = "%s/%d" % (req.path.rsplit("/", 1)[0], execution_id)
    return Response(201, headers=[("Location", location)])


@core.route("PUT", r"/system/gc/schedule", body=SCHEDULE_SCHEMA, body_name="schedule")
def update_gc_schedule(req):
    core.require_system_access(req, "garbage-collection", "update")
    _gc_kick(req)
    return core.ok()


@core.route("GET", r"/system/gc/(?P<id>[^/]+)")
def get_gc_execution(req):
    core.require_system_access(req, "garbage-collection", "read")
    ident = core.path_int(req, "id")
    execution = req.state.get("system_executions", ident)
    if execution is None or execution["vendor_type"] != GC:
        raise core.not_found("execution %d not found" % ident)
    attrs = {key: value for key, value in execution["extra_attrs"].items() if key != "redis_url_reg"}
    return core.as_json({
        "id": ident, "job_name": GC, "job_kind": execution["trigger"], "job_parameters": go_json(attrs),
        "schedule": {"type": execution["trigger"].title(), "cron": "",
                     "next_scheduled_time": "0001-01-01T00:00:00.000Z"},
        "job_status": execution["status"], "creation_time": execution["start_time"],
        "update_time": execution["update_time"],
    })


# -- audit-log purge -----------------------------------------------------------------------------------------

def _retention_hour(parameters):
    value = parameters.get("audit_retention_hour")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise core.bad_request(cause="audit_retention_hour should be integer format")
        if int(value) > MAX_AUDIT_RETENTION_HOUR:
            raise core.bad_request(cause="audit_retention_hour should be less than %d" % MAX_AUDIT_RETENTION_HOUR)


def _verify_purge_request(req):
    body = req.body if isinstance(req.body, dict) else {}
    if not isinstance(body.get("schedule"), dict):
        raise core.bad_request(cause="schedule cann't be empty")
    parameters = body.get("parameters") or {}
    if not parameters:
        raise core.bad_request(cause="schedule parameter cann't be empty")
    if "audit_retention_hour" not in parameters:
        raise core.bad_request(cause="audit_retention_hour should provide")
    _retention_hour(parameters)
    if "include_event_types" not in parameters:
        raise core.bad_request(cause="include_event_types should provide")


def _purge_kick(req):
    state = req.state
    schedule_type, cron_text, parameters = schedule_body(req)
    parameters = dict(parameters or {})
    _retention_hour(parameters)
    if schedule_type == "Manual":
        return start_execution(state, PURGE, "MANUAL", parameters)
    if schedule_type == "None":
        unschedule(state, PURGE)
    elif schedule_type in PERIODIC_TYPES:
        problem = cron.validation_error(cron_text)
        if problem:
            raise core.bad_request("invalid cron string for scheduled log rotation purge: %s, error: %s" % (
                cron_text, problem))
        unschedule(state, PURGE)
        # The parameters are kept exactly as sent.
        add_schedule(state, PURGE, schedule_type, cron_text, parameters)
    return 0


@core.route("GET", r"/system/purgeaudit/schedule")
def get_purge_schedule(req):
    core.require_system_access(req, "purge-audit", "read")
    schedule = current_schedule(req.state, PURGE)
    if schedule is None:
        return empty_ok()
    return core.as_json(history_json(schedule, go_json(schedule["extra_attrs"])))


@core.route("POST", r"/system/purgeaudit/schedule", body=SCHEDULE_SCHEMA, body_name="schedule")
def create_purge_schedule(req):
    core.require_system_access(req, "purge-audit", "create")
    _verify_purge_request(req)
    execution_id = _purge_kick(req)
    location = "%s/%d" % (req.path.rsplit("/", 1)[0], execution_id)
    return Response(201, headers=[("Location", location)])


@core.route("PUT", r"/system/purgeaudit/schedule", body=SCHEDULE_SCHEMA, body_name="schedule")
def update_purge_schedule(req):
    core.require_system_access(req, "purge-audit", "update")
    _verify_purge_request(req)
    _purge_kick(req)
    return core.ok()


# -- scan all ------------------------------------------------------------------------------------------------

def _require_scan_all(req, action):
    core.require_system_access(req, "scan-all", action)
    if not req.state.config.get("default_scanner", True):
        raise core.precondition("no scanner is configured, it's not possible to scan")


def _scan_all_schedule_or_update(req, schedule_type, cron_text, previous):
    problem = cron.validation_error(cron_text)
    if problem:
        raise core.bad_request("invalid cron string for scheduled scan all: %s, error: %s" % (cron_text, problem))
    if previous is not None:
        if previous["cron_type"] == schedule_type and previous["cron"] == cron_text:
            return
        unschedule(req.state, SCAN_ALL)
    add_schedule(req.state, SCAN_ALL, schedule_type, cron_text, None)


@core.route("GET", r"/system/scanAll/schedule")
def get_scan_all_schedule(req):
    _require_scan_all(req, "read")
    schedule = current_schedule(req.state, SCAN_ALL)
    if schedule is None:
        return empty_ok()
    body = {"id": schedule["id"], "status": schedule["status"],
            "schedule": {"type": schedule["cron_type"], "cron": schedule["cron"]},
            "creation_time": schedule["creation_time"], "update_time": schedule["update_time"]}
    return core.as_json(body)


@core.route("POST", r"/system/scanAll/schedule", body=SCHEDULE_SCHEMA, body_name="schedule")
def create_scan_all_schedule(req):
    _require_scan_all(req, "create")
    schedule_type, cron_text, _parameters = schedule_body(req)
    if schedule_type == "None":
        return core.ok(201)
    if schedule_type == "Manual":
        start_execution(req.state, SCAN_ALL, "MANUAL", {})
        return core.ok(201)
    if current_schedule(req.state, SCAN_ALL) is not None:
        raise core.precondition("fail to set schedule for scan all as always had one, please delete it firstly "
                                "then to re-schedule")
    _scan_all_schedule_or_update(req, schedule_type, cron_text, None)
    return core.ok(201)


@core.route("PUT", r"/system/scanAll/schedule", body=SCHEDULE_SCHEMA, body_name="schedule")
def update_scan_all_schedule(req):
    _require_scan_all(req, "update")
    schedule_type, cron_text, _parameters = schedule_body(req)
    if schedule_type == "Manual":
        raise core.bad_request("fail to update scan all schedule as wrong schedule type: Manual")
    previous = current_schedule(req.state, SCAN_ALL)
    if schedule_type == "None":
        if previous is not None:
            unschedule(req.state, SCAN_ALL)
    else:
        _scan_all_schedule_or_update(req, schedule_type, cron_text, previous)
    return core.ok()
