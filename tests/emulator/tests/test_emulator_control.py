# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The /_emulator control endpoints: request log, faults, seed, reset."""

from __future__ import annotations

import time

import pytest
import requests

from emulator_client import error_of, unique


@pytest.fixture(autouse=True)
def clean_controls(emulator):
    emulator.delete("/_emulator/faults", auth=None)
    emulator.delete("/_emulator/requests", auth=None)
    yield
    emulator.delete("/_emulator/faults", auth=None)


def log_of(emulator):
    return emulator.get("/_emulator/requests", auth=None).json()


def test_request_log_records_api_calls_in_order(emulator):
    emulator.get("/projects?page=1&page_size=5")
    emulator.get("/projects/does-not-exist", headers={"X-Is-Resource-Name": "true"})
    emulator.post("/projects", json={"project_name": "Bad Name"})
    emulator.post("/c/login", auth=None, data={"principal": "admin", "password": "wrong"})
    assert log_of(emulator) == [
        {"method": "GET", "path": "/api/v2.0/projects?page=1&page_size=5", "status": 200, "write": False},
        {"method": "GET", "path": "/api/v2.0/projects/does-not-exist", "status": 404, "write": False},
        {"method": "POST", "path": "/api/v2.0/projects", "status": 400, "write": True},
        # a login changes no object: not a write
        {"method": "POST", "path": "/c/login", "status": 403, "write": False},
    ]
    # Control requests are not logged; DELETE clears.
    assert emulator.delete("/_emulator/requests", auth=None).status_code == 200
    assert log_of(emulator) == []


def test_fault_with_status_and_headers(emulator):
    response = emulator.post("/_emulator/faults", auth=None, json={
        "method": "GET", "path": r"^/api/v2\.0/projects\?", "count": 1, "status": 503,
        "headers": {"Retry-After": "1"}})
    assert response.status_code == 201
    assert emulator.get("/_emulator/faults", auth=None).json()[0]["status"] == 503
    faulted = emulator.get("/projects?page=1")
    assert faulted.status_code == 503
    assert faulted.headers["Retry-After"] == "1"
    assert faulted.headers["Content-Type"] == "application/json; charset=utf-8"
    assert error_of(faulted)[0] == "SERVICE_UNAVAILABLE"
    # Exhausted: the next request is served normally and nothing is pending.
    assert emulator.get("/projects?page=1").status_code == 200
    assert emulator.get("/_emulator/faults", auth=None).json() == []
    assert [entry["status"] for entry in log_of(emulator)] == [503, 200]


def test_fault_count_method_and_custom_body(emulator):
    emulator.post("/_emulator/faults", auth=None, json={
        "method": "*", "path": "/users/current", "count": 2, "status": 500, "body": {"oops": True}})
    # Other paths are untouched.
    assert emulator.get("/ping").status_code == 200
    first = emulator.get("/users/current")
    second = emulator.put("/users/current", json={})
    assert (first.status_code, first.json()) == (500, {"oops": True})
    assert second.status_code == 500
    assert emulator.get("/users/current").status_code == 200


def test_fault_delay_then_normal_answer(emulator):
    emulator.post("/_emulator/faults", auth=None, json={"method": "GET", "path": "/health", "delay": 0.4})
    started = time.monotonic()
    response = emulator.get("/health")
    assert time.monotonic() - started >= 0.4
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


def test_fault_delay_before_status(emulator):
    emulator.post("/_emulator/faults", auth=None, json={"path": "/ping", "delay": 0.3, "status": 429})
    started = time.monotonic()
    assert emulator.get("/ping").status_code == 429
    assert time.monotonic() - started >= 0.3


def test_fault_drop_closes_the_connection(emulator):
    emulator.post("/_emulator/faults", auth=None, json={"method": "GET", "path": "/systeminfo$", "drop": True})
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.get("/systeminfo")
    assert emulator.get("/systeminfo").status_code == 200
    assert [entry["status"] for entry in log_of(emulator)] == [0, 200]


def test_faults_listing_and_clearing(emulator):
    emulator.post("/_emulator/faults", auth=None, json=[{"path": "a", "status": 502}, {"path": "b", "count": 3}])
    pending = emulator.get("/_emulator/faults", auth=None).json()
    assert [(fault["path"], fault["count"]) for fault in pending] == [("a", 1), ("b", 3)]
    assert emulator.delete("/_emulator/faults", auth=None).status_code == 200
    assert emulator.get("/_emulator/faults", auth=None).json() == []
    bad = emulator.post("/_emulator/faults", auth=None, json={"path": "(", "status": 500})
    assert bad.status_code == 400


def test_seed_creates_objects_with_ids(emulator):
    name, pid = emulator.create_project()
    group = unique("grp")
    user = unique("seeded")
    result = emulator.seed(
        groups=[{"group_name": group, "group_type": 1, "ldap_group_dn": "cn=%s,dc=example,dc=com" % group}],
        users=[{"username": user, "password": "Passw0rd!", "email": user + "@example.com", "realname": "Seeded",
                "sysadmin": False, "groups": [group]}],
        repositories=[{"project": name, "name": "svc/api", "artifacts": [
            {"tags": ["1.0.0", "latest"], "push_time": "2024-01-01T00:00:00Z", "size": 1000},
            {"digest": "sha256:" + "a" * 64, "tags": ["0.9.0"], "size": 500}]}])
    assert result["groups"][0]["id"] > 0
    assert result["users"][0]["user_id"] >= 3  # 1 is admin, 2 is Harbor's anonymous
    repo = result["repositories"][0]
    assert repo["name"] == name + "/svc/api"
    assert repo["artifacts"][1]["digest"] == "sha256:" + "a" * 64
    assert emulator.get("/projects/%d" % pid).json()["repo_count"] == 1
    user_json = emulator.get("/users/current", auth=(user, "Passw0rd!")).json()
    assert (user_json["email"], user_json["realname"], user_json["sysadmin_flag"]) == (user + "@example.com", "Seeded", False)


def test_seed_errors(emulator):
    response = emulator.post("/_emulator/seed", auth=None, json={"repositories": [{"project": "nope", "name": "x"}]})
    assert response.status_code == 400
    assert "project nope not found" in response.json()["error"]
    assert emulator.post("/_emulator/seed", auth=None, json={"wat": []}).status_code == 400


def test_reset_wipes_state_but_keeps_admin(fresh_emulator):
    name, _pid = fresh_emulator.create_project()
    fresh_emulator.seed(configurations={"read_only": True})
    assert fresh_emulator.post("/_emulator/reset", auth=None).status_code == 200
    assert fresh_emulator.get("/projects").json() == []
    assert fresh_emulator.get("/projects/" + name, headers={"X-Is-Resource-Name": "true"}).status_code == 404
    assert fresh_emulator.get("/configurations").json()["read_only"]["value"] is False
    assert fresh_emulator.get("/users/current").json()["username"] == "admin"
    # Ids start again from the beginning.
    assert fresh_emulator.create_project()[1] == 1
