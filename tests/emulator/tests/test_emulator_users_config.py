# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Users, user groups and system configurations."""

from __future__ import annotations

import socket

from emulator_client import error_of, unique


def test_users_listing_is_for_admins(emulator):
    username, creds = emulator.add_user()
    listed = emulator.get("/users?q=username%%3D%s" % username)
    assert listed.headers["X-Total-Count"] == "1"
    user = listed.json()[0]
    assert user["username"] == username and user["sysadmin_flag"] is False
    assert "password" not in user and "password_hash" not in user and "salt" not in user
    assert [u["username"] for u in emulator.get("/users?username=" + username[:9]).json()] == [username]
    assert error_of(emulator.get("/users", auth=creds)) == ("FORBIDDEN", username)
    assert emulator.get("/users", auth=None).status_code == 401


def test_get_user_by_id(emulator):
    username, creds = emulator.add_user()
    uid = emulator.get("/users/current", auth=creds).json()["user_id"]
    assert emulator.get("/users/%d" % uid).json()["username"] == username
    # A user may read itself, not others.
    assert emulator.get("/users/%d" % uid, auth=creds).status_code == 200
    assert emulator.get("/users/1", auth=creds).status_code == 403
    assert error_of(emulator.get("/users/999999")) == ("NOT_FOUND", "user 999999 not found")


def test_user_search(emulator):
    prefix = unique("find")
    for suffix in ("a", "b"):
        emulator.seed(users=[{"username": prefix + suffix, "password": "Passw0rd!"}])
    _user, creds = emulator.add_user()
    found = emulator.get("/users/search?username=" + prefix, auth=creds)
    assert found.headers["X-Total-Count"] == "2"
    assert sorted(item["username"] for item in found.json()) == [prefix + "a", prefix + "b"]
    assert set(found.json()[0]) == {"user_id", "username"}
    assert emulator.get("/users/search?username=" + prefix, auth=None).status_code == 401
    assert emulator.get("/users/search").status_code == 422
    assert emulator.get("/users/search?username=nobody-" + prefix).json() == []


def test_seeded_sysadmin_has_admin_rights(emulator):
    _username, creds = emulator.add_user(sysadmin=True)
    assert emulator.get("/users/current", auth=creds).json()["sysadmin_flag"] is True
    assert emulator.get("/quotas", auth=creds).status_code == 200
    assert emulator.get("/configurations", auth=creds).status_code == 200


def test_user_groups(emulator):
    group = unique("devs")
    emulator.seed(groups=[{"group_name": group, "group_type": 1, "ldap_group_dn": "cn=%s,ou=groups" % group}])
    listed = emulator.get("/usergroups?group_name=" + group)
    assert listed.json() == [{"id": listed.json()[0]["id"], "group_name": group, "group_type": 1,
                              "ldap_group_dn": "cn=%s,ou=groups" % group}]
    username, creds = emulator.add_user()
    assert error_of(emulator.get("/usergroups", auth=creds)) == ("FORBIDDEN", username)


def test_configurations(fresh_emulator):
    config = fresh_emulator.get("/configurations").json()
    for key, value in (("robot_name_prefix", "robot$"), ("robot_token_duration", 30),
                       ("project_creation_restriction", "everyone"), ("quota_per_project_enable", True),
                       ("storage_per_project", -1), ("read_only", False), ("auth_mode", "db_auth")):
        assert config[key] == {"value": value, "editable": True}
    assert "ldap_search_password" not in config  # passwords are write-only
    update = {"robot_name_prefix": " bot$ ", "storage_per_project": 1024, "not_a_key": 1}
    assert fresh_emulator.put("/configurations", json=update).status_code == 200
    config = fresh_emulator.get("/configurations").json()
    assert (config["robot_name_prefix"]["value"], config["storage_per_project"]["value"]) == ("bot$", 1024)
    assert "not_a_key" not in config
    _name, pid = fresh_emulator.create_project()
    quota = fresh_emulator.get("/quotas?reference=project&reference_id=%d" % pid).json()[0]
    assert quota["hard"] == {"storage": 1024}


def test_configuration_validation(fresh_emulator):
    def fails(body):
        return error_of(fresh_emulator.put("/configurations", json=body))

    assert fails({"project_creation_restriction": "nobody"}) == (
        "BAD_REQUEST", "bad request: item name project_creation_restriction: invalid project_creation_restriction, "
                       "should be adminonly or everyone")
    assert fails({"robot_name_prefix": "  "}) == (
        "BAD_REQUEST", "bad request: robot_name_prefix cannot be empty or contain only spaces")
    assert fails({"storage_per_project": 0}) == (
        "BAD_REQUEST", "bad request: invalid non-positive value for quota limit, value=0")
    assert fails({"robot_token_duration": 0}) == ("BAD_REQUEST", "the robot_token_duration value must be positive")
    assert fresh_emulator.put("/configurations", json={"read_only": "yes"}).status_code == 422
    fresh_emulator.add_user()
    assert fails({"auth_mode": "ldap_auth"}) == (
        "BAD_REQUEST", "the auth mode cannot be modified as new users have been inserted into database")
    assert fresh_emulator.get("/configurations").json()["auth_mode"]["editable"] is False


def test_configuration_rules_read_from_harbor(fresh_emulator):
    """NonEmptyStringType, LdapScopeType, the LDAP group rule and the audit log checks (controller/config)."""
    def fails(body):
        return error_of(fresh_emulator.put("/configurations", json=body))

    config = fresh_emulator.get("/configurations").json()
    assert config["uaa_client_secret"] == {"value": "", "editable": True}
    assert "oidc_client_secret" not in config and "ldap_search_password" not in config
    assert fails({"ldap_url": " "}) == (
        "BAD_REQUEST", "bad request: item name ldap_url: the configure value can not be empty")
    assert fails({"ldap_scope": 3}) == (
        "BAD_REQUEST", "bad request: item name ldap_scope: invalid scope, should be 0, 1 or 2")
    assert fails({"ldap_group_search_filter": "objectclass=group", "ldap_group_attribute_name": ""}) == (
        "BAD_REQUEST", "bad request: ldap group name attribute can not be empty")
    assert fails({"skip_audit_log_database": True}) == (
        "BAD_REQUEST", "bad request: audit log forward endpoint should be configured before enable skip audit log "
                       "in database")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead = "127.0.0.1:%d" % closed.getsockname()[1]
    assert fails({"audit_log_forward_endpoint": dead, "skip_audit_log_database": True}) == (
        "BAD_REQUEST", "bad request: could not connect to the audit endpoint: %s" % dead)
    assert fresh_emulator.get("/configurations").json()["audit_log_forward_endpoint"]["value"] == ""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        endpoint = "127.0.0.1:%d" % listener.getsockname()[1]
        body = {"audit_log_forward_endpoint": endpoint, "skip_audit_log_database": True, "oidc_client_secret": "s"}
        assert fresh_emulator.put("/configurations", json=body).status_code == 200
    config = fresh_emulator.get("/configurations").json()
    assert config["skip_audit_log_database"]["value"] is True and "oidc_client_secret" not in config


def test_configurations_are_for_admins(emulator):
    username, creds = emulator.add_user()
    assert error_of(emulator.get("/configurations", auth=creds)) == ("FORBIDDEN", username)
    assert emulator.put("/configurations", json={"read_only": True}, auth=creds).status_code == 403
    assert emulator.get("/configurations", auth=None).status_code == 401


def test_users_created_and_deleted_through_the_api(emulator):
    """The answers of a real Harbor v2.15.2 (REAL-HARBOR.md), which `make acceptance` relies on."""
    username = unique("api-user")
    body = {"username": username, "password": "Passw0rd1", "email": username + "@example.com", "realname": "R"}
    created = emulator.post("/users", json=body)
    assert created.status_code == 201 and created.content == b""
    location = created.headers["Location"]
    assert location.startswith("/api/v2.0/users/")
    assert emulator.get("/users/current", auth=(username, "Passw0rd1")).json()["username"] == username
    assert error_of(emulator.post("/users", json=body)) == (
        "CONFLICT", "user %s or email %s already exists" % (username, body["email"]))
    weak = dict(body, username=unique("weak"), email=unique("weak") + "@example.com", password="password1")
    assert error_of(emulator.post("/users", json=weak))[1].startswith("the password or secret must be 8-128")
    assert error_of(emulator.post("/users", json=dict(weak, password="Passw0rd1", email=""))) == (
        "BAD_REQUEST", "email can't be empty")
    assert error_of(emulator.post("/users", json=dict(weak, password="Passw0rd1", username="a,b"))) == (
        "BAD_REQUEST", "username contains illegal characters")
    _other, creds = emulator.add_user()
    assert emulator.post("/users", json=weak, auth=creds).status_code == 403
    user_path = location[len("/api/v2.0"):]
    assert emulator.delete(user_path).status_code == 200
    assert emulator.delete(user_path).status_code == 404
    assert error_of(emulator.delete("/users/1")) == ("FORBIDDEN", "User with ID 1 cannot be deleted")
    assert emulator.post("/users", json=body).status_code == 201


def test_user_groups_created_and_deleted_through_the_api(emulator):
    group = unique("oidc")
    created = emulator.post("/usergroups", json={"group_name": group, "group_type": 3})
    assert created.status_code == 201
    group_path = created.headers["Location"][len("/api/v2.0"):]
    assert emulator.get(group_path).json() == {"group_name": group, "group_type": 3, "ldap_group_dn": ""}
    assert error_of(emulator.post("/usergroups", json={"group_name": group, "group_type": 3})) == (
        "CONFLICT", "duplicate user group, group name:%s, group type: 3, ldap group DN: " % group)
    ldap_group = {"group_name": group, "group_type": 1, "ldap_group_dn": "cn=x"}
    assert error_of(emulator.post("/usergroups", json=ldap_group)) == (
        "BAD_REQUEST", "LDAP Group DN is not found: DN:cn=x")
    nameless = emulator.post("/usergroups", json={"group_type": 2})
    assert nameless.status_code == 400 and nameless.content == b""
    project, _project_id = emulator.create_project()
    assert emulator.post("/projects/%s/members" % project, json={
        "role_id": 3, "member_group": {"group_name": group, "group_type": 3}}).status_code == 201
    assert emulator.delete(group_path).status_code == 200
    assert [member["entity_type"] for member in emulator.get("/projects/%s/members" % project).json()] == ["u"]
    assert emulator.delete(group_path).status_code == 200
    assert emulator.get(group_path).status_code == 404
