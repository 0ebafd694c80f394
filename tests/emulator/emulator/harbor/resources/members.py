# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Project members: users and user groups with a role in a project.

Harbor: src/server/v2.0/handler/member.go, src/controller/member/controller.go,
src/pkg/member/dao/dao.go, src/core/auth/authenticator.go.

Traps kept: ``entityname`` filters on the exact name while ``X-Total-Count``
still counts every member of the project; ``PUT`` stores any role id
without checking it (a member with an unknown role then vanishes from
the listing, which joins the role table) and, like ``DELETE``, answers
200 for a member id that does not exist; a group given by name is looked
up with its ``group_type`` (a missing type finds nothing), and a group
Harbor does not know ends in a masked 500 (``group does not exist``),
since there is no directory to onboard it from.  Users must exist
(seeded); an unknown user name is a 404.
"""

from __future__ import annotations

from .. import core

VALID_ROLES = tuple(core.ROLE_NAMES)
USER_ENTITY = {"type": "object", "properties": {"user_id": {"type": "integer"}, "username": {"type": "string"}}}
GROUP_ENTITY = {"type": "object", "properties": {
    "id": {"type": "integer"}, "group_name": {"type": "string"}, "group_type": {"type": "integer"},
    "ldap_group_dn": {"type": "string"}}}
MEMBER_SCHEMA = {"type": "object", "properties": {
    "role_id": {"type": "integer"}, "member_user": USER_ENTITY, "member_group": GROUP_ENTITY}}
ROLE_SCHEMA = {"type": "object", "properties": {"role_id": {"type": "integer"}}}
LDAP_GROUP = 1


def _entity_name(state, member):
    if member["entity_type"] == "u":
        entity = state.get("users", member["entity_id"])
        return entity["username"] if entity else None
    entity = state.get("usergroups", member["entity_id"])
    return entity["group_name"] if entity else None


def member_to_json(state, member):
    body = {
        "id": member["id"], "project_id": member["project_id"], "entity_name": _entity_name(state, member),
        "role_name": core.ROLE_NAMES.get(member["role_id"]), "role_id": member["role_id"],
        "entity_id": member["entity_id"], "entity_type": member["entity_type"],
    }
    return {key: value for key, value in body.items() if value not in (None, "", 0)}


def visible_members(state, project_id):
    """The rows the listing query returns: entity still there and a role the role table knows, by name."""
    rows = [member for member in state.rows("members") if member["project_id"] == project_id
            and member["role_id"] in VALID_ROLES and _entity_name(state, member) is not None]
    return sorted(rows, key=lambda member: _entity_name(state, member))


def _member_id(req, message):
    ident = core.path_int(req, "mid")
    if ident == 0:
        raise core.bad_request(message)
    return ident


@core.route("GET", r"/projects/(?P<project>[^/]+)/members", paged=True, query={"entityname": "string"})
def list_members(req):
    state = req.state
    _ref, project = core.project_param(req, "list", "member")
    pid = project["project_id"]
    total = len([member for member in state.rows("members") if member["project_id"] == pid])
    if total == 0:
        return core.paged_response(req, [], 0)
    members = visible_members(state, pid)
    if req.args.get("entityname"):
        members = [member for member in members if _entity_name(state, member) == req.args["entityname"]]
    # The page is cut from the filtered rows, the total is every member of the project.
    page = core.page_slice(req, members)
    return core.paged_response(req, [member_to_json(state, member) for member in page], total)


@core.route("GET", r"/projects/(?P<project>[^/]+)/members/(?P<mid>[^/]+)")
def get_member(req):
    _ref, project = core.project_param(req, "read", "member")
    ident = _member_id(req, "the member id can not be empty!")
    member = req.state.get("members", ident)
    if member is None or member not in visible_members(req.state, project["project_id"]):
        raise core.not_found("the project member is not found, project id %d, member id %d" % (
            project["project_id"], ident))
    return core.as_json(member_to_json(req.state, member))


def _group_by(state, predicate):
    return next((group for group in state.rows("usergroups") if predicate(group)), None)


def _resolve_entity(req, body):
    """(entity_type, entity_id) following controller.Create's order of precedence."""
    state = req.state
    user = body.get("member_user") or {}
    group = body.get("member_group") or {}
    if (user.get("user_id") or 0) > 0:
        if state.get("users", user["user_id"]) is None:
            raise core.bad_request("User %d not found" % user["user_id"])
        return "u", user["user_id"]
    if (group.get("id") or 0) > 0:
        if state.get("usergroups", group["id"]) is None:
            raise core.bad_request("Group %d not found" % group["id"])
        return "g", group["id"]
    if user.get("username"):
        found = state.user_by_name(user["username"])
        if found is None:
            raise core.not_found("user %s is not found" % user["username"])
        return "u", found["user_id"]
    if group.get("ldap_group_dn"):
        found = _group_by(state, lambda g: g["group_type"] == LDAP_GROUP and g["ldap_group_dn"] == group["ldap_group_dn"])
    else:
        found = _group_by(state, lambda g: g["group_name"] == group.get("group_name")
                          and g["group_type"] == (group.get("group_type") or 0))
    if found is None:
        # SearchAndOnBoardGroup fails with a plain error: a masked 500.
        raise core.internal_error()
    return "g", found["id"]


@core.route("POST", r"/projects/(?P<project>[^/]+)/members", body=MEMBER_SCHEMA, body_name="project_member",
            body_required=False)
def create_member(req):
    state = req.state
    ref, project = core.project_param(req, "create", "member")
    if not isinstance(req.body, dict):
        raise core.bad_request("the project member should provide")
    body = req.body
    user = body.get("member_user") or {}
    group = body.get("member_group") or {}
    if ((user.get("user_id") or 0) <= 0 and not user.get("username") and (group.get("id") or 0) <= 0
            and not group.get("group_name") and not group.get("ldap_group_dn")):
        raise core.bad_request("at least one of member_user or member_group must be provided")
    entity_type, entity_id = _resolve_entity(req, body)
    for member in state.rows("members"):
        if (member["project_id"], member["entity_type"], member["entity_id"]) == (
                project["project_id"], entity_type, entity_id):
            raise core.conflict("The project member specified already exist")
    role = body.get("role_id") or 0
    if role not in VALID_ROLES:
        raise core.bad_request("Failed to update project member, role is not in 1,2,3")
    ident = state.add_member(project["project_id"], entity_type, entity_id, role)
    return core.Response(201, headers=[("Location", "/api/v2.0/projects/%s/members/%d" % (ref, ident))])


@core.route("PUT", r"/projects/(?P<project>[^/]+)/members/(?P<mid>[^/]+)", body=ROLE_SCHEMA, body_name="role",
            body_required=False)
def update_member(req):
    _ref, project = core.project_param(req, "update", "member")
    if not isinstance(req.body, dict):
        raise core.bad_request("role can not be empty")
    ident = _member_id(req, "member id can not be empty")
    member = req.state.get("members", ident)
    # No check of the role nor of the member: the UPDATE just matches no row.
    if member is not None and member["project_id"] == project["project_id"]:
        member["role_id"] = req.body.get("role_id") or 0
    return core.ok()


@core.route("DELETE", r"/projects/(?P<project>[^/]+)/members/(?P<mid>[^/]+)")
def delete_member(req):
    _ref, project = core.project_param(req, "delete", "member")
    ident = _member_id(req, "the project member id is required.")
    member = req.state.get("members", ident)
    if member is not None and member["project_id"] == project["project_id"]:
        req.state.delete("members", ident)
    return core.ok()
