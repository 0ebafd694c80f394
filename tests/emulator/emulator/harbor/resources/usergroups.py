# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""User groups (LDAP/HTTP/OIDC groups); created by seeding, listed by admins.

Harbor: src/server/v2.0/handler/usergroup.go.
"""

from __future__ import annotations

from .. import core

GROUP_TYPES = {1: "ldap", 2: "http", 3: "oidc"}
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
