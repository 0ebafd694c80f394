# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Project members: users and groups, roles, and the listing's quirks."""

from __future__ import annotations

from emulator_client import error_of, unique

BY_NAME = {"X-Is-Resource-Name": "true"}


def members_path(name):
    return "/projects/%s/members" % name


def add(emulator, name, body):
    response = emulator.post(members_path(name), json=body, headers=BY_NAME)
    assert response.status_code == 201, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def by_name(emulator, name):
    return {member["entity_name"]: member for member in emulator.get(members_path(name), headers=BY_NAME).json()}


def seed_groups(emulator):
    ldap, oidc = unique("ldap"), unique("oidc")
    emulator.seed(groups=[{"group_name": ldap, "group_type": 1, "ldap_group_dn": "cn=%s,dc=example,dc=com" % ldap},
                          {"group_name": oidc, "group_type": 3}])
    return ldap, oidc


def test_add_users_and_groups(emulator):
    name, pid = emulator.create_project()
    user, _creds = emulator.add_user()
    ldap, oidc = seed_groups(emulator)
    user_member = add(emulator, name, {"role_id": 2, "member_user": {"username": user}})
    group = {"group_name": oidc, "group_type": 3}
    created = emulator.post(members_path(str(pid)), json={"role_id": 3, "member_group": group})
    assert created.headers["Location"] == "/api/v2.0/projects/%d/members/%d" % (pid, user_member + 1)
    add(emulator, name, {"role_id": 4, "member_group": {"ldap_group_dn": "cn=%s,dc=example,dc=com" % ldap}})
    members = by_name(emulator, name)
    assert set(members) == {"admin", user, ldap, oidc}
    assert members[user] == {"id": user_member, "project_id": pid, "entity_name": user, "role_name": "developer",
                             "role_id": 2, "entity_id": members[user]["entity_id"], "entity_type": "u"}
    assert (members[oidc]["entity_type"], members[oidc]["role_name"]) == ("g", "guest")
    assert members[ldap]["role_name"] == "maintainer"
    listing = emulator.get(members_path(name) + "?page_size=2", headers=BY_NAME)
    assert listing.headers["X-Total-Count"] == "4" and len(listing.json()) == 2
    # Sorted by entity name.
    assert [m["entity_name"] for m in listing.json()] == sorted(members)[:2]
    one = emulator.get("%s/%d" % (members_path(name), user_member), headers=BY_NAME).json()
    assert one == members[user]


def test_entityname_is_exact_but_the_total_counts_everybody(emulator):
    name, _pid = emulator.create_project()
    user, _creds = emulator.add_user()
    add(emulator, name, {"role_id": 2, "member_user": {"username": user}})
    exact = emulator.get(members_path(name) + "?entityname=" + user, headers=BY_NAME)
    assert [m["entity_name"] for m in exact.json()] == [user]
    assert exact.headers["X-Total-Count"] == "2"
    assert emulator.get(members_path(name) + "?entityname=" + user[:-1], headers=BY_NAME).json() == []


def test_create_errors(emulator):
    name, _pid = emulator.create_project()
    user, _creds = emulator.add_user()
    ldap, _oidc = seed_groups(emulator)
    nobody = emulator.post(members_path(name), json={"role_id": 2}, headers=BY_NAME)
    assert error_of(nobody) == ("BAD_REQUEST", "at least one of member_user or member_group must be provided")
    assert error_of(emulator.post(members_path(name), headers=BY_NAME)) == ("BAD_REQUEST", "the project member should provide")
    unknown = emulator.post(members_path(name), json={"role_id": 2, "member_user": {"username": "no-such-user"}},
                            headers=BY_NAME)
    assert unknown.status_code == 404 and error_of(unknown)[1] == "user no-such-user is not found"
    assert error_of(emulator.post(members_path(name), json={"role_id": 2, "member_user": {"user_id": 987654}},
                                  headers=BY_NAME)) == ("BAD_REQUEST", "User 987654 not found")
    bad_role = emulator.post(members_path(name), json={"role_id": 9, "member_user": {"username": user}}, headers=BY_NAME)
    assert error_of(bad_role) == ("BAD_REQUEST", "Failed to update project member, role is not in 1,2,3")
    # A group name needs its type; without it (or with a name Harbor does not know) the onboarding fails: 500.
    untyped = emulator.post(members_path(name), json={"role_id": 2, "member_group": {"group_name": ldap}},
                            headers=BY_NAME)
    assert untyped.status_code == 500
    add(emulator, name, {"role_id": 2, "member_user": {"username": user}})
    twice = emulator.post(members_path(name), json={"role_id": 3, "member_user": {"username": user}}, headers=BY_NAME)
    assert twice.status_code == 409 and error_of(twice)[1] == "The project member specified already exist"


def test_update_and_delete(emulator):
    name, pid = emulator.create_project()
    user, creds = emulator.add_user()
    ident = add(emulator, name, {"role_id": 3, "member_user": {"username": user}})
    path = "%s/%d" % (members_path(name), ident)
    assert emulator.put(path, json={"role_id": 1}, headers=BY_NAME).status_code == 200
    assert by_name(emulator, name)[user]["role_name"] == "projectAdmin"
    # The new role applies at once: the user may now add members.
    other, _other_creds = emulator.add_user()
    assert emulator.post(members_path(name), json={"role_id": 2, "member_user": {"username": other}},
                         headers=BY_NAME, auth=creds).status_code == 201
    assert error_of(emulator.put(path, headers=BY_NAME)) == ("BAD_REQUEST", "role can not be empty")
    # Harbor does not check the role of an update: the member then drops out of the listing.
    assert emulator.put(path, json={"role_id": 42}, headers=BY_NAME).status_code == 200
    assert user not in by_name(emulator, name)
    assert emulator.get(path, headers=BY_NAME).status_code == 404
    assert emulator.put("%s/987654" % members_path(name), json={"role_id": 2}, headers=BY_NAME).status_code == 200
    assert emulator.delete(path, headers=BY_NAME).status_code == 200
    assert emulator.delete(path, headers=BY_NAME).status_code == 200
    missing = emulator.get("%s/987654" % members_path(name), headers=BY_NAME)
    assert error_of(missing) == ("NOT_FOUND", "the project member is not found, project id %d, member id 987654" % pid)
    assert error_of(emulator.delete("%s/0" % members_path(name), headers=BY_NAME)) == (
        "BAD_REQUEST", "the project member id is required.")


def test_permissions(emulator):
    name, _pid = emulator.create_project()
    guest, creds = emulator.add_user()
    add(emulator, name, {"role_id": 3, "member_user": {"username": guest}})
    assert emulator.get(members_path(name), headers=BY_NAME, auth=creds).status_code == 200
    other, _other_creds = emulator.add_user()
    refused = emulator.post(members_path(name), json={"role_id": 2, "member_user": {"username": other}},
                            headers=BY_NAME, auth=creds)
    assert refused.status_code == 403
    assert emulator.get(members_path(name), headers=BY_NAME, auth=None).status_code == 401
    assert emulator.get(members_path("no-such-project-here"), headers=BY_NAME).status_code == 404
