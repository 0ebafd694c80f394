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
PUT of ``Manual`` (400).  Scan all needs a default scanner registration
(``run.py --scanner`` makes one); a manual run is started by scans.py.
"""

from __future__ import annotations

import json

from ...http import Response
from .. import core, cron
from .scanners import default_registration

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


# -- garbage collection and audit-log purge -------------------------------------------------------------------
# Both jobs answer GET with a GCHistory/ExecHistory, replace their schedule on every POST or PUT (same
# handling, 201 and a Location for POST, 200 for PUT) and start a run now for "Manual".

def kick(req, vendor_type, cron_label, extras_of):
    """Manual runs now, None unschedules, a periodic type replaces the schedule once its cron passes.

    ``extras_of(schedule_type, parameters)`` checks the parameters and returns what is stored; it is not
    called for None.  Returns the id of a manual run, else 0.
    """
    state = req.state
    schedule_type, cron_text, parameters = schedule_body(req)
    parameters = dict(parameters or {})
    if schedule_type == "Manual":
        return start_execution(state, vendor_type, "MANUAL", extras_of(schedule_type, parameters))
    if schedule_type == "None":
        unschedule(state, vendor_type)
    elif schedule_type in PERIODIC_TYPES:
        extras = extras_of(schedule_type, parameters)
        problem = cron.validation_error(cron_text)
        if problem:
            raise core.bad_request("invalid cron string for scheduled %s: %s, error: %s" % (cron_label, cron_text, problem))
        unschedule(state, vendor_type)
        add_schedule(state, vendor_type, schedule_type, cron_text, extras)
    return 0


def history_schedule_routes(path, vendor_type, rbac_resource, cron_label, extras_of, verify=None):
    """Register GET, POST and PUT of ``path`` for a job whose schedule reads back as a history entry."""
    def read(req):
        core.require_system_access(req, rbac_resource, "read")
        schedule = current_schedule(req.state, vendor_type)
        if schedule is None:
            return empty_ok()
        return core.as_json(history_json(schedule, go_json(schedule["extra_attrs"])))

    def write(req, action):
        core.require_system_access(req, rbac_resource, action)
        if verify is not None:
            verify(req)
        return kick(req, vendor_type, cron_label, extras_of)

    def create(req):
        # The Location replaces "schedule" with the run id, which is 0 for anything but Manual.
        execution_id = write(req, "create")
        return Response(201, headers=[("Location", "%s/%d" % (req.path.rsplit("/", 1)[0], execution_id))])

    def update(req):
        write(req, "update")
        return core.ok()

    core.route("GET", path)(read)
    core.route("POST", path, body=SCHEDULE_SCHEMA, body_name="schedule")(create)
    core.route("PUT", path, body=SCHEDULE_SCHEMA, body_name="schedule")(update)


def gc_extras(schedule_type, parameters):
    """The typed fields gc.Policy reads; workers must be 1..10 when it is a number.  A manual run keeps all."""
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
    return dict(parameters, **policy) if schedule_type == "Manual" else policy


def _retention_hour(parameters):
    value = parameters.get("audit_retention_hour")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise core.bad_request(cause="audit_retention_hour should be integer format")
        if int(value) > MAX_AUDIT_RETENTION_HOUR:
            raise core.bad_request(cause="audit_retention_hour should be less than %d" % MAX_AUDIT_RETENTION_HOUR)


def purge_extras(_schedule_type, parameters):
    """The purge keeps its parameters exactly as sent."""
    _retention_hour(parameters)
    return parameters


def verify_purge_request(req):
    """verifyCreateRequest / verifyUpdateRequest: even None needs both parameters."""
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


history_schedule_routes(r"/system/gc/schedule", GC, "garbage-collection", "gc", gc_extras)
history_schedule_routes(r"/system/purgeaudit/schedule", PURGE, "purge-audit", "log rotation purge", purge_extras,
                        verify=verify_purge_request)


def history_routes(path, vendor_type, rbac_resource):
    """GET of a job's runs (getGCHistory / getPurgeHistory): newest first, paged, ``schedule.type`` the trigger."""
    def list_runs(req):
        core.require_system_access(req, rbac_resource, "list")
        runs = [run for run in req.state.rows("system_executions") if run["vendor_type"] == vendor_type]
        runs.sort(key=lambda run: (run["start_time"], run["id"]), reverse=True)
        return core.paginate(req, runs, render=lambda run: {
            "id": run["id"], "job_name": vendor_type, "job_kind": run["trigger"],
            "job_parameters": go_json({key: value for key, value in run["extra_attrs"].items() if key != "redis_url_reg"}),
            "schedule": {"type": run["trigger"]}, "job_status": run["status"],
            "creation_time": run["start_time"], "update_time": run["update_time"]})

    core.route("GET", path, paged=True, query={"q": "string", "sort": "string"})(list_runs)


history_routes(r"/system/gc", GC, "garbage-collection")
history_routes(r"/system/purgeaudit", PURGE, "purge-audit")


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


# -- scan all ------------------------------------------------------------------------------------------------

def _require_scan_all(req, action):
    core.require_system_access(req, "scan-all", action)
    if default_registration(req.state) is None:
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
        from .scans import start_scan_all  # pylint: disable=import-outside-toplevel  # scans imports this module
        start_scan_all(req, "MANUAL")
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
