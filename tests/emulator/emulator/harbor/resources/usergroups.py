# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""User groups (LDAP/HTTP/OIDC groups): created, read and deleted by admins, or seeded.

Harbor: src/server/v2.0/handler/usergroup.go.
"""

from __future__ import annotations

from .. import core

GROUP_TYPES = {1: "ldap", 2: "http", 3: "oidc"}
GROUP_CREATE_SCHEMA = {"type": "object", "properties": {
    "group_name": {"type": "string"}, "group_type": {"type": "integer"}, "ldap_group_dn": {"type": "string"}}}
GROUP_FIELDS = {"group_name": lambda g: g["group_name"], "id": lambda g: g["id"]}


def group_to_json(group):
    return {"id": group["id"], "group_name": group["group_name"], "group_type": group["group_type"],
            "ldap_group_dn": group.get("ldap_group_dn", "")}


@core.seed_handler("groups", order=15)
def seed_groups(emulator, items):
    """``{"group_name", "group_type": 1|2|3, "ldap_group_dn"}``; seeded before users, who may join them."""
    state = emulator.state
    created = []
    for item in items:
        group_type = item.get("group_type", 1)
        if group_type not in GROUP_TYPES or not item.get("group_name"):
            raise core.bad_request("group_name and a group_type of 1, 2 or 3 are required")
        group = {"group_name": item["group_name"], "group_type": group_type,
                 "ldap_group_dn": item.get("ldap_group_dn") or ""}
        state.insert("usergroups", group)
        created.append(group_to_json(group))
    return created


@core.route("GET", r"/usergroups", paged=True, query={"group_name": "string", "ldap_group_dn": "string"})
def list_user_groups(req):
    core.require_system_access(req, "user-group", "list")
    groups = req.state.rows("usergroups")
    if req.args.get("group_name"):
        groups = core.apply_filters(groups, {"group_name": core.Fuzzy(req.args["group_name"])}, GROUP_FIELDS)
    auth_mode = req.state.config.get("auth_mode")
    # The listing is restricted to the group type of the current authentication mode.
    if auth_mode == "ldap_auth":
        groups = [group for group in groups if group["group_type"] == 1]
        if req.args.get("ldap_group_dn"):
            groups = [group for group in groups if group["ldap_group_dn"] == req.args["ldap_group_dn"]]
    elif auth_mode == "http_auth":
        groups = [group for group in groups if group["group_type"] == 2]
    return core.paginate(req, groups, render=group_to_json)


@core.route("POST", r"/usergroups", body=GROUP_CREATE_SCHEMA, body_name="usergroup", body_required=False)
def create_user_group(req):
    """As a real Harbor v2.15.2 answers with no LDAP configured (which the emulator never has)."""
    core.require_system_access(req, "user-group", "create")
    body = req.body if isinstance(req.body, dict) else {}
    if not body.get("group_name"):
        return core.Response(400)
    group_type = body.get("group_type") or 0
    ldap_group_dn = body.get("ldap_group_dn") or ""
    if group_type == 1:
        raise core.bad_request("LDAP Group DN is not found: DN:%s" % ldap_group_dn)
    for group in req.state.table("usergroups").values():
        if (group["group_name"], group["group_type"], group["ldap_group_dn"]) == (
                body["group_name"], group_type, ldap_group_dn):
            raise core.conflict("duplicate user group, group name:%s, group type: %d, ldap group DN: %s"
                                % (body["group_name"], group_type, ldap_group_dn))
    ident = req.state.insert("usergroups", {"group_name": body["group_name"], "group_type": group_type,
                                            "ldap_group_dn": ldap_group_dn})
    return core.created(req, ident)


@core.route("GET", r"/usergroups/(?P<id>[^/]+)")
def read_user_group(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "user-group", "read")
    group = req.state.get("usergroups", ident)
    if group is None:
        raise core.not_found("the user group with id %d is not found" % ident)
    shown = group_to_json(group)
    del shown["id"]  # a real Harbor leaves it out of this answer
    return core.as_json(shown)


@core.route("DELETE", r"/usergroups/(?P<id>[^/]+)")
def delete_user_group(req):
    """200 even for an unknown id; the group's project memberships go with it."""
    ident = core.path_int(req, "id")
    core.require_system_access(req, "user-group", "delete")
    req.state.delete("usergroups", ident)
    req.state.delete_where("members", lambda member: member["entity_type"] == "g" and member["entity_id"] == ident)
    for user in req.state.table("users").values():
        if ident in (user.get("group_ids") or ()):
            user["group_ids"] = [group_id for group_id in user["group_ids"] if group_id != ident]
    return core.ok()
