# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changing users: profile, system administrator flag and password, as REAL-HARBOR.md describes them."""

from __future__ import annotations

from emulator_client import error_of, unique


def create_user(emulator, password="Passw0rd-it"):
    name = unique("it-user")
    body = {"username": name, "email": name + "@example.com", "realname": "It", "password": password, "comment": "first"}
    response = emulator.post("/users", json=body)
    assert response.status_code == 201, response.text
    return name, int(response.headers["Location"].rsplit("/", 1)[1])


def test_admin_is_never_listed(emulator):
    assert 1 not in [user["user_id"] for user in emulator.get("/users?page_size=100").json()]
    assert emulator.get("/users/search?username=admin").json() == []


def test_profile_put_replaces_email_realname_and_comment(emulator):
    name, ident = create_user(emulator)
    path = "/users/%d" % ident
    assert error_of(emulator.put(path, json={"realname": "R"})) == ("BAD_REQUEST", "email can't be empty")
    assert error_of(emulator.put(path, json={"email": "x@example.com"})) == ("BAD_REQUEST", "realname with illegal length")
    assert emulator.put(path, json={"username": "other", "email": "n@example.com", "realname": "New"}).status_code == 200
    user = emulator.get(path).json()
    assert (user["username"], user["email"], user["realname"], user["comment"]) == (name, "n@example.com", "New", "")
    other, _other_id = create_user(emulator)
    assert error_of(emulator.put(path, json={"email": other + "@example.com", "realname": "New"}))[0] == "UNKNOWN"


def test_sysadmin_flag(emulator):
    _name, ident = create_user(emulator)
    path = "/users/%d/sysadmin" % ident
    assert emulator.put(path, json={"sysadmin_flag": True}).status_code == 200
    assert emulator.get("/users/%d" % ident).json()["sysadmin_flag"] is True
    assert emulator.put(path, json={}).status_code == 200
    assert emulator.get("/users/%d" % ident).json()["sysadmin_flag"] is False
    assert emulator.put(path, json={"sysadmin_flag": "yes"}).status_code == 422
    assert error_of(emulator.put("/users/999999/sysadmin", json={"sysadmin_flag": True})) == (
        "NOT_FOUND", "user with id 999999 not found")


def test_password_change(emulator):
    name, ident = create_user(emulator)
    path = "/users/%d/password" % ident
    assert error_of(emulator.put(path, json={"new_password": "Passw0rd-it"})) == (
        "BAD_REQUEST", "New password is identical to old password")
    assert error_of(emulator.put(path, json={"new_password": "short"}))[0] == "BAD_REQUEST"
    assert emulator.put(path, json={"new_password": "Passw0rd-new"}).status_code == 200
    assert emulator.get("/users/current", auth=(name, "Passw0rd-new")).status_code == 200
    assert error_of(emulator.put(path, json={"old_password": "wrong", "new_password": "Passw0rd-3"},
                                 auth=(name, "Passw0rd-new"))) == ("FORBIDDEN", "Current password is incorrect")
    assert emulator.put(path, json={"old_password": "Passw0rd-new", "new_password": "Passw0rd-3"},
                        auth=(name, "Passw0rd-new")).status_code == 200
