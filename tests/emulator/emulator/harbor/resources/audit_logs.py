# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit log (``/auditlog-exts``, ``/projects/{p}/auditlog-exts``, ``/audit-logs``, ``/auditlog-exts/events``).

Harbor: src/server/v2.0/handler/auditlog.go, src/pkg/auditext (the log since 2.13), the event resolvers of
src/controller/event/topic.go (project, repository, artifact, tag, robot events: recorded only when they
happen) and src/pkg/auditext/event/{user,member,config} (request resolvers: the outcome is recorded,
``operation_result`` false for a refused or failed request).  REAL-HARBOR.md ("Scanners, audit logs"):
``/audit-logs`` answers ``[]`` (it reads the log of Harbor before 2.13); rows are
``{id, op_time, operation, operation_description, operation_result, resource, resource_type, username}``,
newest first; ``q`` filters ``operation``, ``resource_type``, ``username``, ``resource=~`` and ``op_time``
ranges; unknown keys are ignored; a user who administers no project reads ``[]``.

The emulator records the writes it serves through the API (``core.on_api_write``) and the artifact pushes,
pulls and deletions it announces (``core.on_event``), as Harbor's event resolvers do.
"""

from __future__ import annotations

import re

from .. import core

API = re.escape(core.API_BASE)
EVENT_TYPES = ["create_artifact", "delete_artifact", "pull_artifact", "create_project", "delete_project",
               "delete_repository", "create_tag", "delete_tag", "create_robot", "delete_robot", "create_user",
               "update_user", "delete_user", "create_member", "update_member", "delete_member",
               "update_configuration", "other"]
OPERATIONS = {"POST": "create", "PUT": "update", "DELETE": "delete"}


def record(state, username, operation, resource_type, resource, description, succeeded=True, project_id=0):
    state.insert("audit_logs", {
        "op_time": core.now_iso(), "username": username, "operation": operation, "resource_type": resource_type,
        "resource": resource, "operation_description": description, "operation_result": succeeded,
        "project_id": project_id,
    })


def _project_of(req, raw):
    try:
        return core.lookup_project(req.state, core.project_ref(req, raw))
    except core.HarborError:
        return None


def _id_from(location):
    found = re.search(r"/(\d+)$", location or "")
    return int(found.group(1)) if found else None


def _robot_name(state, robot):
    return state.config["robot_name_prefix"] + robot["name"] if robot else ""


# Each recorder: (method, path pattern) -> before(req, match) returning finish(status, location) or None.

def _projects(req, match):
    if req.method == "POST" and match.group("rest") is None:
        def created(status, _location):
            name = (req.body or {}).get("project_name") if isinstance(req.body, dict) else None
            project = req.state.project_by_name(name) if name else None
            if status == 201 and project:
                record(req.state, req.security.username(), "create", "project", name, "create project: %s" % name,
                       project_id=project["project_id"])
        return created
    if req.method == "DELETE" and match.group("rest") is None:
        project = _project_of(req, match.group("project"))
        if project is None:
            return None
        # Harbor renames a deleted project (name#id): the log keeps the name it had.
        name, project_id = project["name"], project["project_id"]

        def deleted(status, _location):
            if status == 200:
                record(req.state, req.security.username(), "delete", "project", name, "delete project: %s" % name,
                       project_id=project_id)
        return deleted
    return None


def _robots(req, match):
    if req.method == "POST" and match.group("id") is None:
        def created(status, location):
            robot = req.state.get("robots", _id_from(location)) if status == 201 else None
            if robot:
                name = _robot_name(req.state, robot)
                record(req.state, req.security.username(), "create", "robot", name, "create robot: %s" % name)
        return created
    if req.method == "DELETE" and match.group("id") is not None and match.group("id").isdigit():
        robot = req.state.get("robots", int(match.group("id")))
        if robot is None:
            return None

        def deleted(status, _location):
            if status == 200:
                name = _robot_name(req.state, robot)
                record(req.state, req.security.username(), "delete", "robot", name, "delete robot: %s" % name)
        return deleted
    return None


def _users(req, match):
    """Every create, update and delete of a user, failed ones too, named after the user when Harbor can."""
    ident = match.group("id")
    if (req.method == "POST") != (ident is None):
        return None
    known = req.state.get("users", int(ident)) if ident and ident.isdigit() else None
    operation = OPERATIONS.get(req.method)

    def finish(status, location):
        user = known or (req.state.get("users", _id_from(location)) if location else None)
        name = user["username"] if user else (ident or "")
        record(req.state, req.security.username(), operation, "user", name,
               "%s user with name: %s" % (operation, name), succeeded=status in (200, 201))
    return finish if operation else None


def _members(req, match):
    project = _project_of(req, match.group("project"))
    member_id = match.group("mid")
    operation = OPERATIONS.get(req.method)
    if project is None or operation is None:
        return None

    def describe(member):
        if member is None:
            return "", "member"
        table, field, label = (("users", "username", "user") if member["entity_type"] == "u"
                               else ("usergroups", "group_name", "group"))
        entity = req.state.get(table, member["entity_id"])
        return (entity or {}).get(field, ""), label + " member"

    known = req.state.get("members", int(member_id)) if member_id and member_id.isdigit() else None
    before = describe(known)

    def finish(status, location):
        member = known if operation != "create" else req.state.get("members", _id_from(location) or 0)
        name, target = before if operation == "delete" else describe(member)
        record(req.state, req.security.username(), operation, "member", name,
               "%s %s%s %s project %s" % (operation, target, " " + name if name else "",
                                          "from" if operation == "delete" else "in", project["name"]),
               succeeded=status == (201 if operation == "create" else 200), project_id=project["project_id"])
    return finish


def _configuration(req, _match):
    def finish(status, _location):
        record(req.state, req.security.username(), "update", "configuration", "", "update configuration",
               succeeded=status == 200)
    return finish if req.method == "PUT" else None


RECORDERS = [
    (re.compile(API + r"/projects(?:/(?P<project>[^/]+))?(?P<rest>/.*)?$"), _projects),
    (re.compile(API + r"/robots(?:/(?P<id>[^/]+))?$"), _robots),
    (re.compile(API + r"/users(?:/(?P<id>\d+)(?:/password|/sysadmin)?)?$"), _users),
    (re.compile(API + r"/projects/(?P<project>[^/]+)/members(?:/(?P<mid>[^/]+))?$"), _members),
    (re.compile(API + r"/configurations$"), _configuration),
]


@core.on_api_write
def audit(req):
    finishers = []
    for pattern, recorder in RECORDERS:
        match = pattern.match(req.path)
        if match:
            finish = recorder(req, match)
            if finish is not None:
                finishers.append(finish)
    if not finishers:
        return None

    def finish_all(status, location):
        for finish in finishers:
            finish(status, location)
    return finish_all


ARTIFACT_EVENTS = {"PUSH_ARTIFACT": ("create", "push"), "PULL_ARTIFACT": ("pull", "pull"),
                   "DELETE_ARTIFACT": ("delete", "delete")}


@core.on_event
def audit_artifact_event(state, event):
    """Push, pull and delete artifact events: the resource is repository:tag, or repository@digest untagged (a
    deletion is always by digest)."""
    if event["type"] not in ARTIFACT_EVENTS:
        return
    operation, verb = ARTIFACT_EVENTS[event["type"]]
    by_digest = "%s@%s" % (event.get("repository"), event.get("digest"))
    tag = event.get("tag")
    resource = "%s:%s" % (event.get("repository"), tag) if tag and operation != "delete" else by_digest
    record(state, event.get("operator") or "", operation, "artifact", resource,
           "%s artifact: %s" % (verb, by_digest), project_id=event.get("project_id") or 0)


FIELDS = {
    "id": lambda row: row["id"], "op_time": lambda row: row["op_time"], "username": lambda row: row["username"],
    "operation": lambda row: row["operation"], "resource_type": lambda row: row["resource_type"],
    "resource": lambda row: row["resource"], "project_id": lambda row: row["project_id"],
}


def row_to_json(row):
    return {key: row[key] for key in ("id", "op_time", "username", "operation", "resource_type", "resource",
                                      "operation_description", "operation_result")}


def _visible(req, rows):
    """System administrators see everything; others the rows of the projects they administer."""
    if req.security.is_sysadmin():
        return rows
    user = req.security.user()
    if user is None:
        return []
    administered = set(project_id for project_id in req.state.member_project_ids(user["user_id"])
                       if core.ROLE_PROJECT_ADMIN in req.state.member_roles(project_id, user["user_id"]))
    return [row for row in rows if row["project_id"] in administered]


def _listing(req, rows):
    rows = core.apply_filters(rows, core.parse_q(req.arg("q")), FIELDS)
    rows = core.apply_sort(rows, core.parse_sort(req.arg("sort")), FIELDS, default=[("op_time", True), ("id", True)])
    return core.paginate(req, rows, render=row_to_json)


@core.route("GET", r"/auditlog-exts", paged=True, query={"q": "string", "sort": "string"})
def list_audit_logs(req):
    core.require_authenticated(req)
    return _listing(req, _visible(req, req.state.rows("audit_logs")))


@core.route("GET", r"/projects/(?P<project>[^/]+)/auditlog-exts", paged=True, query={"q": "string", "sort": "string"})
def list_project_audit_logs(req):
    _ref, project = core.project_param(req, "list", "log")
    return _listing(req, [row for row in req.state.rows("audit_logs") if row["project_id"] == project["project_id"]])


@core.route("GET", r"/audit-logs", paged=True, query={"q": "string", "sort": "string"})
def list_legacy_audit_logs(req):
    core.require_authenticated(req)
    return core.paginate(req, [])


@core.route("GET", r"/auditlog-exts/events")
def list_event_types(req):
    core.require_authenticated(req)
    return core.as_json([{"event_type": name} for name in EVENT_TYPES])
