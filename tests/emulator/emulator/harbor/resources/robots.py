# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Robot accounts (v2): ``/robots``, ``/permissions``, robot basic auth and robot permissions.

Harbor: src/server/v2.0/handler/robot.go, src/server/v2.0/handler/permissions.go,
src/controller/robot/controller.go, src/controller/robot/model.go, src/pkg/robot/dao/dao.go,
src/pkg/robot/model/model.go, src/server/middleware/security/robot.go,
src/common/security/robot/context.go, src/common/rbac/const.go.

Stored robots keep Harbor's stored name (``<project>+<name>`` or ``<name>``);
the API shows it behind ``robot_name_prefix``.  Permissions are stored per
scope (``/system``, ``/project/*``, ``/project/<id>``) and rendered back with
the project's current name, in an order that changes from call to call, as
Harbor builds it from a Go map.
"""

from __future__ import annotations

import datetime
import hmac
import random
import re
import secrets
import string

from .. import core
from ..state import hash_password

LEVEL_SYSTEM = "system"
LEVEL_PROJECT = "project"
SCOPE_SYSTEM = "/system"
SCOPE_ALL_PROJECTS = "/project/*"
NAME_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")
MAX_DURATION = 2 ** 31 - 1  # exclusive (math.MaxInt32)
SECONDS_PER_DAY = 86400


def _catalogue(table):
    return tuple((resource, action) for resource, actions in table for action in actions.split())


# rbac.PoliciesMap plus what NolimitProvider appends, in Harbor's order (GET /permissions shows it so).
SYSTEM_CATALOGUE = _catalogue((
    ("audit-log", "list"), ("preheat-instance", "read create delete list update"), ("project", "list create"),
    ("replication-policy", "read create delete list update"), ("replication", "read create list"),
    ("replication-adapter", "list"), ("registry", "read create delete list update"),
    ("scan-all", "read update stop create"), ("system-volumes", "read"),
    ("garbage-collection", "read create list update stop"), ("purge-audit", "read create list update stop"),
    ("jobservice-monitor", "list stop"), ("scanner", "read create delete list update"),
    ("label", "read create delete update"), ("security-hub", "read list"), ("catalog", "read"),
    ("quota", "read list"), ("robot", "create read list delete"), ("user", "create read update list delete"),
    ("ldap-user", "create list"), ("quota", "update"), ("user-group", "create read update list delete"),
))
PROJECT_CATALOGUE = _catalogue((
    ("log", "list"), ("project", "read delete update"), ("metadata", "read create delete list update"),
    ("repository", "read update delete list pull push"), ("artifact", "read create list delete"),
    ("scan", "create read stop"), ("sbom", "create stop read"), ("tag", "create list delete"),
    ("accessory", "list"), ("artifact-addition", "read"), ("artifact-label", "create delete"),
    ("scanner", "create read"), ("preheat-policy", "read create delete list update"),
    ("immutable-tag", "create delete list update"), ("notification-policy", "read create delete list update"),
    ("tag-retention", "read create delete list update"), ("label", "read create delete list update"),
    ("quota", "read"), ("robot", "create read list delete"), ("export-cve", "create read"),
    ("member", "create read update list delete"),
))
CATALOGUE = {LEVEL_SYSTEM: SYSTEM_CATALOGUE, LEVEL_PROJECT: PROJECT_CATALOGUE}

ACCESS_SCHEMA = {"type": "object", "properties": {
    "resource": {"type": "string"}, "action": {"type": "string"}, "effect": {"type": "string"}}}
PERMISSION_SCHEMA = {"type": "object", "properties": {
    "kind": {"type": "string"}, "namespace": {"type": "string"},
    "access": {"type": "array", "items": ACCESS_SCHEMA}}}
ROBOT_CREATE_SCHEMA = {"type": "object", "properties": {
    "name": {"type": "string"}, "description": {"type": "string"}, "secret": {"type": "string"},
    "level": {"type": "string"}, "disable": {"type": "boolean"}, "duration": {"type": "integer"},
    "permissions": {"type": "array", "items": PERMISSION_SCHEMA}}}
ROBOT_SCHEMA = {"type": "object", "properties": dict(ROBOT_CREATE_SCHEMA["properties"], **{
    "id": {"type": "integer"}, "expires_at": {"type": "integer"}, "editable": {"type": "boolean"},
    "creator_type": {"type": "string"}, "creator_ref": {"type": "integer"},
    "creation_time": {"type": "string"}, "update_time": {"type": "string"}})}
ROBOT_SEC_SCHEMA = {"type": "object", "properties": {"secret": {"type": "string"}}}

# q/sort keys (columns of the robot table); Level is read by the handler, not filtered on.
ROBOT_FIELDS = {
    "id": lambda r: r["id"], "name": lambda r: r["name"], "description": lambda r: r["description"],
    "duration": lambda r: r["duration"], "project_id": lambda r: r["project_id"],
    "expiresat": lambda r: r["expires_at"], "disabled": lambda r: r["disabled"], "visible": lambda r: r["visible"],
    "creator_ref": lambda r: r["creator_ref"], "creator_type": lambda r: r["creator_type"],
    "creation_time": lambda r: r["creation_time"], "update_time": lambda r: r["update_time"],
}

SECRET_RULE = ("the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, "
               "1 lowercase letter and 1 number")


# --------------------------------------------------------------------------
# Secrets (utils.Encrypt = pbkdf2-sha256, the same hash as user passwords)
# --------------------------------------------------------------------------

def is_valid_secret(secret):
    return (8 <= len(secret) <= 128 and re.search(r"[a-z]", secret) is not None
            and re.search(r"[A-Z]", secret) is not None and re.search(r"\d", secret) is not None)


def generate_secret():
    """utils.GenerateRandomString (32 alphanumerics), retried until it meets the secret policy."""
    alphabet = string.ascii_letters + string.digits
    while True:
        secret = "".join(secrets.choice(alphabet) for _index in range(32))
        if is_valid_secret(secret):
            return secret


def set_secret(robot, secret):
    robot["secret"] = hash_password(secret, robot["salt"])


def secret_matches(robot, secret):
    return hmac.compare_digest(robot["secret"], hash_password(secret, robot["salt"]))


# --------------------------------------------------------------------------
# Lookups and rendering
# --------------------------------------------------------------------------

def prefix_of(state):
    return state.config["robot_name_prefix"]


def level_of(robot):
    return LEVEL_SYSTEM if robot["project_id"] == 0 else LEVEL_PROJECT


def get_robot(state, ident):
    robot = state.get("robots", ident)
    if robot is None:
        raise core.not_found("robot %d not found" % ident)
    return robot


def expired(robot, at=None):
    moment = int((at or core.now()).timestamp())
    return robot["expires_at"] != -1 and robot["expires_at"] <= moment


def scope_to_namespace(state, scope):
    """(kind, namespace) of a stored scope; None when its project is gone (convertScope)."""
    if scope == SCOPE_SYSTEM:
        return LEVEL_SYSTEM, "/"
    if scope == SCOPE_ALL_PROJECTS:
        return LEVEL_PROJECT, "*"
    project = state.projects().get(int(scope.rsplit("/", 1)[1]))
    if project is None:
        return None
    return LEVEL_PROJECT, project["name"]


def robot_permissions(state, robot):
    """Permission entries grouped by scope, in a random order like Harbor's map iteration."""
    rendered = []
    for entry in robot["permissions"]:
        located = scope_to_namespace(state, entry["scope"])
        if located is None:
            continue  # the project was deleted: Harbor silently drops the entry
        rendered.append({"kind": located[0], "namespace": located[1],
                         "access": [_access_to_json(access) for access in entry["access"]]})
    random.shuffle(rendered)
    return rendered


def _access_to_json(access):
    body = {"resource": access["resource"], "action": access["action"]}
    if access.get("effect"):
        body["effect"] = access["effect"]  # omitempty: stored verbatim, never defaulted
    return body


def robot_to_json(state, robot):
    """models.Robot: omitempty drops an empty description, creator_ref 0 and an empty permission list."""
    body = {
        "id": robot["id"], "name": prefix_of(state) + robot["name"], "expires_at": robot["expires_at"],
        "duration": robot["duration"], "level": level_of(robot), "disable": robot["disabled"], "editable": True,
        "creator_type": robot["creator_type"], "creation_time": robot["creation_time"],
        "update_time": robot["update_time"],
    }
    if robot["description"]:
        body["description"] = robot["description"]
    if robot["creator_ref"]:
        body["creator_ref"] = robot["creator_ref"]
    permissions = robot_permissions(state, robot)
    if permissions:
        body["permissions"] = permissions
    return body


# --------------------------------------------------------------------------
# The robot security context (src/common/security/robot/context.go)
# --------------------------------------------------------------------------

def _policies(robot):
    """(scope, resource, action, effect) of every stored access."""
    return [(entry["scope"], access["resource"], access["action"], access.get("effect") or "allow")
            for entry in robot["permissions"] for access in entry["access"]]


def _allowed(policies, resource, action):
    """Casbin's allow-and-no-deny over already matching (resource, action, effect) triples."""
    matching = [effect for policy_resource, policy_action, effect in policies
                if policy_resource == resource and policy_action == action]
    return "allow" in matching and "deny" not in matching


class RobotContext(core.SecurityContext):
    """A robot logged in with basic auth; it can do exactly what its permissions say."""

    name = "robot"

    def __init__(self, state, robot):
        self.robot = robot
        self._username = prefix_of(state) + robot["name"]

    def is_authenticated(self):
        return True

    def username(self):
        return self._username

    def is_system_level(self):
        return self.robot["project_id"] == 0

    def can_project(self, state, project, resource, action):
        if project is None:
            return False  # Harbor's evaluator cannot load the empty project
        scopes = (SCOPE_ALL_PROJECTS, "/project/%d" % project["project_id"])
        project_policies = [policy for policy in _policies(self.robot) if policy[0].startswith("/project")]
        if self.is_system_level() and not project_policies:
            return False  # no project evaluator at all, not even for public projects
        policies = []
        for scope, policy_resource, policy_action, effect in project_policies:
            if scope not in scopes:
                continue
            # A "project" access is the project itself (getPolicyResource).
            policy_resource = "" if policy_resource == "project" else policy_resource
            policies.append((policy_resource, policy_action, effect))
            if not self.is_system_level() and policy_action == "push":
                policies.append((policy_resource, "pull", "allow"))  # filterRobotPolicies
        if core.is_public(project):
            policies.extend((public_resource, public_action, "allow")
                            for public_resource, actions in core.PUBLIC_PROJECT_POLICIES.items()
                            for public_action in actions)
        return _allowed(policies, resource, action)

    def can_system(self, resource, action):
        policies = [(policy[1], policy[2], policy[3]) for policy in _policies(self.robot) if policy[0] == SCOPE_SYSTEM]
        return _allowed(policies, resource, action)

    def project_creation_error(self):
        if not self.is_system_level():
            return "Only system level robot can create project"
        return None

    def listable_project_ids(self, state, include_public=True):
        scopes = set(entry["scope"] for entry in self.robot["permissions"])
        if SCOPE_ALL_PROJECTS in scopes:
            return None  # a robot covering every project lists like an administrator
        ids = {int(scope.rsplit("/", 1)[1]) for scope in scopes if scope.startswith("/project/")}
        ids &= set(state.projects())
        if include_public:
            ids |= super().listable_project_ids(state, True)
        return ids


@core.security_generator("robot", order=50)
def robot_generator(req):
    """Prefixed basic-auth names are robots: right secret, enabled and not expired, else anonymous."""
    creds = core.parse_basic_auth(req)
    prefix = prefix_of(req.state)
    if creds is None or not creds[0].startswith(prefix):
        return None
    stored_name = creds[0][len(prefix):]
    candidates = sorted((robot for robot in req.state.rows("robots") if robot["name"] == stored_name),
                        key=lambda robot: robot["name"])
    if not candidates:
        return None
    robot = candidates[0]
    if not secret_matches(robot, creds[1]) or robot["disabled"] or expired(robot):
        return None
    return RobotContext(req.state, robot)


# --------------------------------------------------------------------------
# Validation shared by create and update (robot.go validate, controller toScope)
# --------------------------------------------------------------------------

def _list(value):
    return value if isinstance(value, list) else []


def validate_robot(duration, level, permissions):
    if not (duration == -1 or 0 < duration < MAX_DURATION):
        raise core.bad_request("bad request error duration input: %d, duration must be either -1(Never) or a "
                               "positive integer" % duration)
    if level not in (LEVEL_SYSTEM, LEVEL_PROJECT):
        raise core.bad_request("bad request error level input: %s" % level)
    if not permissions:
        raise core.bad_request("bad request empty permission")
    for permission in permissions:
        if not isinstance(permission, dict):
            raise core.bad_request("bad request empty permission")
        accesses = _list(permission.get("access"))
        if not accesses or not all(isinstance(access, dict) for access in accesses):
            raise core.bad_request("bad request empty access")
    if level == LEVEL_PROJECT and len(permissions) > 1:
        raise core.bad_request("bad request permission")
    for permission in permissions:
        kind = permission.get("kind") or ""
        if kind not in CATALOGUE:
            raise core.bad_request("bad request permission level: %s" % kind)
        for access in permission["access"]:
            pair = (access.get("resource") or "", access.get("action") or "")
            if pair not in CATALOGUE[kind]:
                raise core.bad_request("bad request permission: %s:%s" % pair)


def to_scopes(state, permissions):
    """Stored form of the requested permissions, merged by scope; 400/404 like toScope."""
    merged = {}
    for permission in permissions:
        kind, namespace = permission["kind"], permission.get("namespace") or ""
        if kind == LEVEL_SYSTEM:
            if namespace != "/":
                raise core.bad_request("unknown namespace")
            scope = SCOPE_SYSTEM
        elif namespace == "*":
            scope = SCOPE_ALL_PROJECTS
        else:
            scope = "/project/%d" % core.get_project(state, namespace)["project_id"]
        accesses = merged.setdefault(scope, [])
        for access in permission["access"]:
            stored = {"resource": access.get("resource") or "", "action": access.get("action") or "",
                      "effect": access.get("effect") or ""}
            if stored not in accesses:
                accesses.append(stored)
    return [{"scope": scope, "access": accesses} for scope, accesses in merged.items()]


def require_robot_access(req, level, project_ref, action):
    """robotAPI.requireAccess: system robots need system rights, project robots rights on the project."""
    if level == LEVEL_SYSTEM:
        core.require_system_access(req, "robot", action)
    elif level == LEVEL_PROJECT:
        core.require_project_access(req, project_ref, action, "robot")
    else:
        raise core.forbidden()


def _within_creator_scope(creating, creator_permissions):
    """isValidPermissionScope: same kind:namespace (or the creator's kind:*) and same resource:action:effect."""
    creator = {"%s:%s" % (entry["kind"], entry["namespace"]): entry for entry in creator_permissions}
    for permission in creating:
        kind = permission.get("kind") or ""
        entry = creator.get("%s:%s" % (kind, permission.get("namespace") or "")) or creator.get("%s:*" % kind)
        if entry is None:
            return False
        granted = {(access["resource"], access["action"], access.get("effect") or "") for access in entry["access"]}
        for access in permission["access"]:
            if (access.get("resource") or "", access.get("action") or "", access.get("effect") or "") not in granted:
                return False
    return True


def new_robot(state, name, project_id, description, duration, creator_type, creator_ref, created_at=None):
    created_at = created_at or core.now()
    expires_at = -1 if duration == -1 else int(created_at.timestamp()) + duration * SECONDS_PER_DAY
    stamp = core.fmt_time(created_at)
    return {
        "name": name, "project_id": project_id, "description": description, "duration": duration,
        "expires_at": expires_at, "disabled": False, "visible": True, "salt": generate_secret(), "secret": "",
        "creator_type": creator_type, "creator_ref": creator_ref, "creation_time": stamp, "update_time": stamp,
        "permissions": [],
    }


def _check_unique(state, name, project_id):
    for robot in state.table("robots").values():
        if robot["name"] == name and robot["project_id"] == project_id:
            raise core.conflict("robot account %d:%s already exists" % (project_id, name))


# --------------------------------------------------------------------------
# Handlers
# --------------------------------------------------------------------------

@core.route("POST", r"/robots", body=ROBOT_CREATE_SCHEMA, body_name="robot")
def create_robot(req):
    state = req.state
    body = req.body if isinstance(req.body, dict) else {}
    name = body.get("name") or ""
    if not NAME_RE.match(name):
        raise core.bad_request("robot name is not in lower case or contains illegal characters")
    level = body.get("level") or ""
    permissions = _list(body.get("permissions"))
    validate_robot(body.get("duration") or 0, level, permissions)
    namespace = permissions[0].get("namespace") or ""
    require_robot_access(req, level, namespace, "create")
    security = req.security
    if isinstance(security, RobotContext):
        if not _within_creator_scope(permissions, robot_permissions(state, security.robot)):
            raise core.denied("permission scope is invalid. It must be equal to or more restrictive than the "
                              "creator robot's permissions: %s" % security.username())
        creator_type, creator_ref = "robot", security.robot["id"]
    else:
        creator_type, creator_ref = "local", security.user()["user_id"]
    project_id, stored_name = 0, name
    if level == LEVEL_PROJECT:
        project = core.get_project(state, namespace)
        project_id, stored_name = project["project_id"], "%s+%s" % (project["name"], name)
    _check_unique(state, stored_name, project_id)
    # The create handler runs in a transaction: nothing is stored when a scope is refused.
    scopes = to_scopes(state, permissions)
    # secret and disable of the request are ignored: a fresh secret, and the robot starts enabled.
    robot = new_robot(state, stored_name, project_id, body.get("description") or "", body["duration"],
                      creator_type, creator_ref)
    robot["permissions"] = scopes
    secret = generate_secret()
    set_secret(robot, secret)
    ident = state.insert("robots", robot)
    response = core.as_json({"id": ident, "name": prefix_of(state) + stored_name, "secret": secret,
                             "creation_time": robot["creation_time"], "expires_at": robot["expires_at"]}, 201)
    response.set_header("Location", "%s/%d" % (req.path.rstrip("/"), ident))
    return response


def _robot_list_scope(keywords):
    """(level, project id) of a robot listing from its q keywords (ListRobot)."""
    if "Level" not in keywords:
        keywords["ProjectID"] = 0
        return LEVEL_SYSTEM, 0
    level = keywords["Level"]
    if not isinstance(level, str) or level not in (LEVEL_SYSTEM, LEVEL_PROJECT):
        raise core.bad_request("bad request error level input")
    if level == LEVEL_SYSTEM:
        keywords["ProjectID"] = 0
        return level, 0
    if "ProjectID" not in keywords:
        raise core.bad_request("must with project ID when to query project robots")
    raw = keywords["ProjectID"]
    if not isinstance(raw, str) or not re.fullmatch(r"[+-]?\d+", raw) or int(raw) <= 0:
        raise core.bad_request("ProjectID must be a positive integer")
    return level, int(raw)


@core.route("GET", r"/robots", paged=True, query={"q": "string", "sort": "string"})
def list_robots(req):
    core.require_authenticated(req)
    keywords = core.parse_q(req.arg("q"))
    level, project_id = _robot_list_scope(keywords)
    keywords["Visible"] = True
    require_robot_access(req, level, project_id, "list")
    robots = core.apply_filters(req.state.rows("robots"), keywords, ROBOT_FIELDS)
    robots = core.apply_sort(robots, core.parse_sort(req.arg("sort")), ROBOT_FIELDS, [("name", False)])
    return core.paginate(req, robots, render=lambda robot: robot_to_json(req.state, robot))


def robot_of_path(req, action):
    """The robot of ``{robot_id}``, once the caller is known (401), it exists (404) and ``action`` is allowed."""
    ident = core.path_int(req, "id")
    core.require_authenticated(req)
    robot = get_robot(req.state, ident)
    require_robot_access(req, level_of(robot), robot["project_id"], action)
    return robot


@core.route("GET", r"/robots/(?P<id>[^/]+)")
def read_robot(req):
    return core.as_json(robot_to_json(req.state, robot_of_path(req, "read")))


@core.route("PUT", r"/robots/(?P<id>[^/]+)", body=ROBOT_SCHEMA, body_name="robot")
def update_robot(req):
    state = req.state
    ident = core.path_int(req, "id")
    core.require_authenticated(req)
    robot = get_robot(state, ident)
    body = req.body if isinstance(req.body, dict) else {}
    duration = body.get("duration")
    if duration is None:
        duration = robot["duration"]
    level = body.get("level") or ""
    permissions = _list(body.get("permissions"))
    validate_robot(duration, level, permissions)
    namespace = permissions[0].get("namespace") or ""
    if level_of(robot) != LEVEL_SYSTEM:
        if core.get_project(state, namespace)["project_id"] != robot["project_id"]:
            raise core.bad_request("cannot update the project id of robot")
    require_robot_access(req, level, namespace, "update")
    if level != level_of(robot) or (body.get("name") or "") != prefix_of(state) + robot["name"]:
        raise core.bad_request("cannot update the level or name of robot")
    scopes = to_scopes(state, permissions)
    if duration != robot["duration"]:
        # A new duration counts from the creation time, not from now.
        robot["duration"] = duration
        if duration == -1:
            robot["expires_at"] = -1
        else:
            created = core.parse_time(robot["creation_time"])
            robot["expires_at"] = int(created.timestamp()) + duration * SECONDS_PER_DAY
    # Full replacement: an omitted description or disable resets it.
    robot["description"] = body.get("description") or ""
    robot["disabled"] = bool(body.get("disable"))
    robot["permissions"] = scopes
    robot["update_time"] = core.now_iso()
    return core.ok()


@core.route("PATCH", r"/robots/(?P<id>[^/]+)", body=ROBOT_SEC_SCHEMA, body_name="robotSec")
def refresh_secret(req):
    robot = robot_of_path(req, "update")
    wanted = (req.body or {}).get("secret") or ""
    if wanted:
        if not is_valid_secret(wanted):
            raise core.bad_request(SECRET_RULE)
        set_secret(robot, wanted)
        answer = {}  # the caller already knows it
    else:
        answer = {"secret": generate_secret()}
        set_secret(robot, answer["secret"])
    robot["update_time"] = core.now_iso()
    return core.as_json(answer)


@core.route("DELETE", r"/robots/(?P<id>[^/]+)")
def delete_robot(req):
    robot = robot_of_path(req, "delete")
    req.state.delete("robots", robot["id"])
    return core.ok()


def _is_project_admin(state, security):
    user = security.user()
    if security.name != "local" or user is None:
        return False
    return any(core.ROLE_PROJECT_ADMIN in state.member_roles(pid, user["user_id"]) for pid in state.projects())


@core.route("GET", r"/permissions")
def list_permissions(req):
    security = req.security
    if not security.is_authenticated():
        raise core.unauthorized(security.username())
    is_admin = security.is_sysadmin()
    if not is_admin and not _is_project_admin(req.state, security):
        raise core.forbidden("forbidden: only admins(system and project) can access permissions")
    body = {}
    if is_admin:
        body["system"] = [{"resource": resource, "action": action} for resource, action in SYSTEM_CATALOGUE]
    body["project"] = [{"resource": resource, "action": action} for resource, action in PROJECT_CATALOGUE]
    return core.as_json(body)


@core.on_project_delete
def delete_project_robots(req, project):
    """robotMgr.DeleteByProjectID; system robots keep their entry, which is then no longer shown."""
    req.state.delete_where("robots", lambda robot: robot["project_id"] == project["project_id"])


# --------------------------------------------------------------------------
# Seeding: robots Harbor's API cannot make, such as already expired ones
# --------------------------------------------------------------------------

@core.seed_handler("robots", order=70)
def seed_robots(emulator, items):
    """``{"name", "project", "secret", "description", "duration", "disabled", "created_days_ago",
    "permissions": [{"kind", "namespace", "access": [...]}]}``: stored without the API's checks."""
    state = emulator.state
    created = []
    for item in items:
        name = item.get("name") or ""
        if not NAME_RE.match(name):
            raise core.bad_request("robot name is not in lower case or contains illegal characters")
        project_id, stored_name = 0, name
        if item.get("project"):
            project = core.get_project(state, item["project"])
            project_id, stored_name = project["project_id"], "%s+%s" % (project["name"], name)
        _check_unique(state, stored_name, project_id)
        created_at = core.now() - datetime.timedelta(days=item.get("created_days_ago") or 0)
        robot = new_robot(state, stored_name, project_id, item.get("description") or "",
                          item.get("duration", -1), "local", 1, created_at)
        permissions = item.get("permissions") or [{
            "kind": LEVEL_PROJECT if project_id else LEVEL_SYSTEM,
            "namespace": item["project"] if project_id else "/",
            "access": [{"resource": "repository", "action": "pull"}] if project_id else [
                {"resource": "project", "action": "list"}]}]
        robot["permissions"] = to_scopes(state, permissions)
        robot["disabled"] = bool(item.get("disabled"))
        secret = item.get("secret") or generate_secret()
        set_secret(robot, secret)
        ident = state.insert("robots", robot)
        created.append({"id": ident, "name": prefix_of(state) + stored_name, "secret": secret,
                        "expires_at": robot["expires_at"]})
    return created
