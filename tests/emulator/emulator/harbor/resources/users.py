# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Users: create, list, search, get, delete, current user (seeding creates them too).

Harbor: src/server/v2.0/handler/user.go, src/pkg/user/manager.go.
"""

from __future__ import annotations

import re

from .. import core

USER_FIELDS = {
    "user_id": lambda u: u["user_id"], "username": lambda u: u["username"], "email": lambda u: u["email"],
    "realname": lambda u: u["realname"], "sysadmin_flag": lambda u: bool(u.get("sysadmin_flag")),
    "creation_time": lambda u: u["creation_time"], "update_time": lambda u: u["update_time"],
}


USER_CREATE_SCHEMA = {"type": "object", "properties": {
    key: {"type": "string"} for key in ("username", "email", "realname", "password", "comment")}}
# The rules of src/common/utils/utils.go and src/server/v2.0/handler/user.go (validateUserProfile).
PASSWORD_RULE = ("the password or secret must be 8-128, inclusively, characters long with at least 1 uppercase "
                 "letter, 1 lowercase letter and 1 number")
EMAIL_PATTERN = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                           r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")
ILLEGAL_USERNAME_CHARACTERS = set(',~#$%')


def check_profile(body):
    """The profile rules a create and an update share (user.go validate): email, realname and comment."""
    if not body.get("email"):
        raise core.bad_request("email can't be empty")
    if not EMAIL_PATTERN.match(body["email"]):
        raise core.bad_request("email with illegal format")
    if not 1 <= len(body.get("realname") or "") <= 255:
        raise core.bad_request("realname with illegal length")
    if len(body.get("comment") or "") > 30:
        raise core.bad_request("comment with illegal length")


def password_is_valid(password):
    return (8 <= len(password) <= 128 and any(c.isupper() for c in password)
            and any(c.islower() for c in password) and any(c.isdigit() for c in password))


def validate_new_user(state, body):
    """The 400/409/422 answers of a real Harbor v2.15.2 to POST /users, in its order."""
    username = body.get("username") or ""
    if len(username) > 255:
        raise core.unprocessable("username in body should be at most 255 chars long")
    if any(c in ILLEGAL_USERNAME_CHARACTERS for c in username) or not username:
        raise core.bad_request("username contains illegal characters")
    check_profile(body)
    if not password_is_valid(body.get("password") or ""):
        raise core.bad_request(PASSWORD_RULE)
    for user in state.table("users").values():
        if user["username"] == username or user["email"] == body["email"]:
            raise core.conflict("user %s or email %s already exists" % (username, body["email"]))


def user_to_json(user):
    return {
        "user_id": user["user_id"], "username": user["username"], "email": user["email"],
        "realname": user["realname"], "comment": user.get("comment", ""),
        "sysadmin_flag": bool(user.get("sysadmin_flag")), "admin_role_in_auth": False,
        "creation_time": user["creation_time"], "update_time": user["update_time"],
    }


@core.seed_handler("users", order=20)
def seed_users(emulator, items):
    """``{"username", "password", "email", "realname", "sysadmin", "comment", "groups": [group names]}``."""
    state = emulator.state
    created = []
    for item in items:
        username = item.get("username") or ""
        if not username or not item.get("password"):
            raise core.bad_request("username and password are required")
        if state.user_by_name(username) is not None:
            raise core.conflict("user %s or email %s already exists" % (username, item.get("email", "")))
        group_ids = []
        for group_name in item.get("groups") or []:
            group = next((g for g in state.table("usergroups").values() if g["group_name"] == group_name), None)
            if group is None:
                raise core.not_found("user group %s not found" % group_name)
            group_ids.append(group["id"])
        stamp = core.now_iso()
        user = {
            "username": username, "email": item.get("email") or "%s@example.com" % username,
            "realname": item.get("realname") or username, "comment": item.get("comment") or "",
            "sysadmin_flag": bool(item.get("sysadmin")), "group_ids": group_ids,
            "creation_time": stamp, "update_time": stamp,
        }
        state.insert("users", user, id_field="user_id")
        state.set_password(user, item["password"])
        created.append({"user_id": user["user_id"], "username": username})
    return created


def listed_users(state):
    """The users that /users and /users/search show: never the admin user (id 1), as REAL-HARBOR.md saw."""
    return [user for user in state.rows("users") if user["user_id"] != 1]


@core.route("GET", r"/users/current")
def current_user(req):
    core.require_authenticated(req)
    if req.security.name != "local":
        raise core.precondition("get current user not available for security context: %s" % req.security.name)
    return core.as_json(user_to_json(req.security.user()))


@core.route("GET", r"/users/search", paged=True, query={"username": "string"})
def search_users(req):
    username = req.args.get("username")
    if username is None:
        raise core.unprocessable("username in query is required")
    core.require_authenticated(req)
    users = core.apply_filters(listed_users(req.state), {"username": core.Fuzzy(username)}, USER_FIELDS)
    if not users:
        return core.paged_response(req, [], 0)
    # SearchByName returns at most page_size users, always from the first one.
    shown = users[:req.args["page_size"]] if req.args["page_size"] > 0 else users
    response = core.as_json([{"user_id": user["user_id"], "username": user["username"]} for user in shown])
    response.set_header("X-Total-Count", len(users))
    link = core.link_header(req, len(users), req.args["page"], req.args["page_size"])
    if link:
        response.set_header("Link", link)
    return response


@core.route("GET", r"/users", paged=True, query={"q": "string", "sort": "string"})
def list_users(req):
    core.require_system_access(req, "user", "list")
    keywords = core.parse_q(req.arg("q"))
    for key in ("username", "email"):
        if req.arg(key):
            keywords[key] = core.Fuzzy(req.arg(key))
    users = core.apply_filters(listed_users(req.state), keywords, USER_FIELDS)
    users = core.apply_sort(users, core.parse_sort(req.arg("sort")), USER_FIELDS, [("user_id", False)])
    return core.paginate(req, users, render=user_to_json)


@core.route("GET", r"/users/(?P<id>[^/]+)")
def get_user(req):
    ident = core.path_int(req, "id")
    current = req.security.user()
    if current is None or current["user_id"] != ident:
        core.require_system_access(req, "user", "read")
    user = req.state.get("users", ident)
    if user is None:
        raise core.not_found("user %d not found" % ident)
    return core.as_json(user_to_json(user))


@core.route("POST", r"/users", body=USER_CREATE_SCHEMA, body_name="userReq")
def create_user(req):
    core.require_system_access(req, "user", "create")
    body = req.body if isinstance(req.body, dict) else {}
    validate_new_user(req.state, body)
    stamp = core.now_iso()
    user = {
        "username": body["username"], "email": body["email"], "realname": body["realname"],
        "comment": body.get("comment") or "", "sysadmin_flag": False, "group_ids": [],
        "creation_time": stamp, "update_time": stamp,
    }
    ident = req.state.insert("users", user, id_field="user_id")
    req.state.set_password(user, body["password"])
    return core.created(req, ident)


@core.route("DELETE", r"/users/(?P<id>[^/]+)")
def delete_user(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "user", "delete")
    if ident == 1:
        raise core.forbidden("User with ID 1 cannot be deleted")
    if req.state.get("users", ident) is None:
        raise core.not_found("user %d not found" % ident)
    req.state.delete("users", ident)
    req.state.delete_where("members", lambda member: member["entity_type"] == "u" and member["entity_id"] == ident)
    return core.ok()


def _user_or_404(req, message="user %d not found"):
    ident = core.path_int(req, "id")
    user = req.state.get("users", ident)
    if user is None:
        raise core.not_found(message % ident)
    return user


def _require_self_or_admin(req, action):
    current = req.security.user()
    if current is None or current["user_id"] != core.path_int(req, "id"):
        core.require_system_access(req, "user", action)


USER_PROFILE_SCHEMA = {"type": "object", "properties": {
    key: {"type": "string"} for key in ("username", "email", "realname", "comment")}}


@core.route("PUT", r"/users/(?P<id>[^/]+)", body=USER_PROFILE_SCHEMA, body_name="profile")
def update_user_profile(req):
    """REAL-HARBOR.md: email and realname replaced (both required), comment cleared if omitted, username ignored."""
    _require_self_or_admin(req, "update")
    user = _user_or_404(req)
    body = req.body if isinstance(req.body, dict) else {}
    check_profile(body)
    if any(other["email"] == body["email"] for other in req.state.table("users").values()
           if other["user_id"] != user["user_id"]):
        raise core.internal_error()  # the unique index of the database, not a check
    user.update(email=body["email"], realname=body["realname"], comment=body.get("comment") or "",
                update_time=core.now_iso())
    return core.ok()


@core.route("PUT", r"/users/(?P<id>[^/]+)/sysadmin",
            body={"type": "object", "properties": {"sysadmin_flag": {"type": "boolean"}}}, body_name="sysadmin_flag")
def set_sysadmin_flag(req):
    """A body without sysadmin_flag sets it to false (REAL-HARBOR.md)."""
    core.require_system_access(req, "user", "update")
    user = _user_or_404(req, "user with id %d not found")
    user["sysadmin_flag"] = bool((req.body or {}).get("sysadmin_flag"))
    user["update_time"] = core.now_iso()
    return core.ok()


@core.route("PUT", r"/users/(?P<id>[^/]+)/password",
            body={"type": "object", "properties": {key: {"type": "string"} for key in ("old_password", "new_password")}},
            body_name="password")
def change_password(req):
    """A system administrator may omit old_password; a user must give the right one."""
    _require_self_or_admin(req, "update")
    user = _user_or_404(req)
    body = req.body if isinstance(req.body, dict) else {}
    new_password = body.get("new_password") or ""
    if not req.security.is_sysadmin() and not req.state.check_password(user, body.get("old_password") or ""):
        raise core.forbidden("Current password is incorrect")
    if not password_is_valid(new_password):
        raise core.bad_request(PASSWORD_RULE)
    if req.state.check_password(user, new_password):
        raise core.bad_request("New password is identical to old password")
    req.state.set_password(user, new_password)
    user["update_time"] = core.now_iso()
    return core.ok()
