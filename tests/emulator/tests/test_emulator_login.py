# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Login sessions: /c/login and /c/log_out, the CSRF token they need, the session security context."""

from __future__ import annotations

import time

from emulator_client import Emulator, unique

TOKEN = "X-Harbor-CSRF-Token"


def csrf(emulator):
    """What an anonymous GET /c/log_out hands out: the masked token and the _gorilla_csrf cookie."""
    answer = emulator.get("/c/log_out", auth=None)
    assert answer.status_code == 200 and answer.content == b""
    return answer.headers[TOKEN], answer.cookies["_gorilla_csrf"]


def log_in(emulator, principal, password):
    token, cookie = csrf(emulator)
    return emulator.post("/c/login", auth=None, data={"principal": principal, "password": password},
                         headers={TOKEN: token}, cookies={"_gorilla_csrf": cookie})


def test_login_needs_the_csrf_token(emulator):
    refused = emulator.post("/c/login", auth=None, data={"principal": "admin", "password": emulator.admin[1]})
    assert refused.status_code == 403
    assert refused.json() == {"errors": [{"code": "FORBIDDEN", "message": "CSRF token not found in request"}]}
    assert refused.headers[TOKEN] and "_gorilla_csrf" in refused.cookies  # what the next try sends back
    token, cookie = csrf(emulator)
    other_token, _other_cookie = csrf(emulator)
    forged = emulator.post("/c/login", auth=None, data={"principal": "admin", "password": emulator.admin[1]},
                           headers={TOKEN: other_token}, cookies={"_gorilla_csrf": cookie})
    assert forged.status_code == 403 and forged.json()["errors"][0]["message"] == "CSRF token invalid"
    # every response masks the token anew, and any masked copy of the cookie's token is accepted
    assert token != other_token
    again = emulator.get("/c/log_out", auth=None, cookies={"_gorilla_csrf": cookie})
    assert again.headers[TOKEN] != token and "_gorilla_csrf" not in again.cookies
    accepted = emulator.post("/c/login", auth=None, data={"principal": "admin", "password": emulator.admin[1]},
                             headers={TOKEN: again.headers[TOKEN]}, cookies={"_gorilla_csrf": cookie})
    assert accepted.status_code == 200


def test_session_reads_writes_and_log_out(emulator):
    answer = log_in(emulator, "admin", emulator.admin[1])
    assert answer.status_code == 200 and answer.content == b""
    session = {"sid": answer.cookies["sid"]}
    me = emulator.get("/users/current", auth=None, cookies=session)
    assert me.status_code == 200 and me.json()["username"] == "admin"
    # the control endpoint counts what each session authenticated, and never shows a session id
    listed = emulator.get("/_emulator/sessions", auth=None).json()
    assert {"username": "admin", "requests": 1} in listed and session["sid"] not in str(listed)
    # a write carrying the session needs the CSRF token, as on the UI
    name = unique("sess")
    refused = emulator.post("/projects", auth=None, json={"project_name": name}, cookies=session)
    assert refused.status_code == 403
    token = refused.headers[TOKEN]
    cookies = dict(session, _gorilla_csrf=refused.cookies["_gorilla_csrf"])
    assert emulator.post("/projects", auth=None, json={"project_name": name}, cookies=cookies,
                         headers={TOKEN: token}).status_code == 201
    assert emulator.get("/c/log_out", auth=None, cookies=session).status_code == 200
    assert emulator.get("/users/current", auth=None, cookies=session).status_code == 401
    logs = emulator.get("/auditlog-exts", params={"q": "resource_type=user", "page_size": 100}).json()
    operations = [(row["operation"], row["resource"], row.get("is_successful", row.get("operation_result")))
                  for row in logs]
    assert ("login", "admin", True) in operations and ("logout", "admin", True) in operations


def test_wrong_password_and_unknown_user_get_401(emulator):
    for principal, password in (("admin", "wrong"), (unique("nobody"), "x")):
        answer = log_in(emulator, principal, password)
        assert answer.status_code == 401 and answer.content == b""
        # the sid handed out with the refusal is no login
        assert emulator.get("/users/current", auth=None, cookies={"sid": answer.cookies["sid"]}).status_code == 401
    logs = emulator.get("/auditlog-exts", params={"q": "operation=login", "page_size": 100}).json()
    assert any(row["resource"] == "admin" and not row.get("is_successful", row.get("operation_result", True))
               for row in logs)


def test_basic_auth_comes_before_the_session(emulator):
    name = unique("user")
    assert emulator.post("/users", json={"username": name, "email": name + "@example.com", "realname": name,
                                         "password": "Passw0rd-1"}).status_code == 201
    session = {"sid": log_in(emulator, "admin", emulator.admin[1]).cookies["sid"]}
    basic = emulator.get("/users/current", auth=(name, "Passw0rd-1"), cookies=session)
    assert basic.json()["username"] == name
    # rejected basic credentials fall through to the next generator, the session
    fallen = emulator.get("/users/current", auth=(name, "wrong"), cookies=session)
    assert fallen.json()["username"] == "admin"


def test_reset_forgets_sessions(fresh_emulator):
    session = {"sid": log_in(fresh_emulator, "admin", fresh_emulator.admin[1]).cookies["sid"]}
    assert fresh_emulator.get("/users/current", auth=None, cookies=session).status_code == 200
    assert fresh_emulator.post("/_emulator/reset").status_code == 200
    assert fresh_emulator.get("/users/current", auth=None, cookies=session).status_code == 401


def test_oidc_users_are_sent_to_the_provider(fresh_emulator):
    name = unique("oidc")
    # Harbor changes the authentication mode only while the administrator is the only user
    assert fresh_emulator.put("/configurations", json={"auth_mode": "oidc_auth"}).status_code == 200
    assert fresh_emulator.post("/_emulator/seed", json={"users": [
        {"username": name, "password": "Passw0rd-1", "email": name + "@example.com"}]}).status_code == 201
    answer = log_in(fresh_emulator, name, "Passw0rd-1")
    assert answer.status_code == 403 and answer.json()["redirect_location"].endswith("/c/oidc/login")
    # the administrator still logs in with a password
    assert log_in(fresh_emulator, "admin", fresh_emulator.admin[1]).status_code == 200


def test_a_login_costs_a_password_check_and_a_session_request_does_not():
    instance = Emulator(["--auth-latency-ms", "800"])
    try:
        started = time.monotonic()
        answer = log_in(instance, "admin", instance.admin[1])
        assert answer.status_code == 200 and time.monotonic() - started >= 0.8
        started = time.monotonic()
        read = instance.get("/projects", auth=None, cookies={"sid": answer.cookies["sid"]})
        assert read.status_code == 200 and time.monotonic() - started < 0.8
    finally:
        assert instance.stop() == 0
