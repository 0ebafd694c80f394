# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry endpoints' health checks, replication policies and their executions."""

from __future__ import annotations

import time

from emulator_client import error_of, unique

DEAD_URL = "http://127.0.0.1:9"


def new_registry(emulator, **body):
    body.setdefault("name", unique("reg"))
    body.setdefault("type", "harbor")
    body.setdefault("url", emulator.url)
    response = emulator.post("/registries", json=body)
    assert response.status_code == 201, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def new_policy(emulator, registry_id, **body):
    body.setdefault("name", unique("rep"))
    body.setdefault("dest_registry", {"id": registry_id})
    response = emulator.post("/replication/policies", json=body)
    assert response.status_code == 201, response.text
    assert response.text == ""
    return int(response.headers["Location"].rsplit("/", 1)[1])


def admin_credential(password="Harbor12345"):
    return {"type": "basic", "access_key": "admin", "access_secret": password}


def test_a_harbor_endpoint_is_pinged_on_create(emulator):
    # The emulator itself is a harbor endpoint; its admin's password is checked.
    ident = new_registry(emulator, credential=admin_credential())
    registry = emulator.get("/registries/%d" % ident).json()
    assert registry["status"] == "healthy"
    assert registry["credential"] == {"type": "basic", "access_key": "admin", "access_secret": "*****"}
    assert "description" not in registry and "insecure" not in registry
    wrong = emulator.post("/registries", json={"name": unique("r"), "type": "harbor", "url": emulator.url,
                                               "credential": admin_credential("Wrong12345")})
    assert error_of(wrong) == ("BAD_REQUEST", "the registry is unhealthy")
    # Nothing answers: the harbor adapter cannot even be built (500); a docker-registry is unhealthy (400).
    dead = emulator.post("/registries", json={"name": unique("r"), "type": "harbor", "url": DEAD_URL})
    assert error_of(dead) == ("UNKNOWN", "internal server error")
    dead = emulator.post("/registries", json={"name": unique("r"), "type": "docker-registry", "url": DEAD_URL})
    assert error_of(dead) == ("BAD_REQUEST", "the registry is unhealthy")
    # An update pings again: a wrong secret is refused and nothing is stored.
    refused = emulator.put("/registries/%d" % ident, json={"access_secret": "Wrong12345", "description": "x"})
    assert error_of(refused) == ("BAD_REQUEST", "the registry is unhealthy")
    assert "description" not in emulator.get("/registries/%d" % ident).json()
    assert "Harbor12345" not in emulator.get("/registries").text


def test_a_registry_answering_over_http_is_healthy(emulator):
    """The docker-registry adapter pings /v2/ at the URL: the emulator's own answers 401, which is healthy."""
    ident = new_registry(emulator, type="docker-registry")
    assert emulator.get("/registries/%d" % ident).json()["credential"] == {}


def test_ping(emulator):
    ident = new_registry(emulator, credential=admin_credential())
    assert emulator.post("/registries/ping", json={"id": ident}).status_code == 200
    # Flat fields override the stored ones; the stored URL is never redirected.
    assert error_of(emulator.post("/registries/ping", json={"id": ident, "access_secret": "x"})) == (
        "BAD_REQUEST", "the registry is unhealthy")
    assert emulator.post("/registries/ping", json={"id": ident, "url": DEAD_URL}).status_code == 200
    assert error_of(emulator.post("/registries/ping", json={})) == ("BAD_REQUEST", "type or url cannot be empty")
    assert error_of(emulator.post("/registries/ping", json={"type": "docker-registry", "url": DEAD_URL})) == (
        "BAD_REQUEST", "the registry is unhealthy")


def test_adapters(emulator):
    adapters = emulator.get("/replication/adapters").json()
    assert "harbor" in adapters and "docker-registry" in adapters and "quay" not in adapters
    assert "harbor" not in emulator.get("/replication/adapterinfos").json()


def test_policy_crud(emulator):
    registry_id = new_registry(emulator)
    name = unique("rep")
    ident = new_policy(emulator, registry_id, name=name, speed=-1, deletion=True,
                       filters=[{"type": "name", "value": "payments/**"},
                                {"type": "tag", "value": "v*", "decoration": "matches"}],
                       trigger={"type": "scheduled", "trigger_settings": {"cron": "0 30 2 * * *"}})
    policy = emulator.get("/replication/policies/%d" % ident).json()
    assert policy["name"] == name
    assert policy["speed"] == 0
    assert policy["dest_namespace_replace_count"] == -1
    assert policy["deletion"] is True and policy["replicate_deletion"] is True
    assert "enabled" not in policy and "override" not in policy and "description" not in policy
    assert policy["dest_registry"]["id"] == registry_id
    assert (policy["src_registry"]["id"], policy["src_registry"]["name"]) == (0, "Local")
    assert policy["trigger"] == {"type": "scheduled", "trigger_settings": {"cron": "0 30 2 * * *"}}
    assert policy["filters"][1] == {"type": "tag", "value": "v*", "decoration": "matches"}
    assert [p["id"] for p in emulator.get("/replication/policies?name=" + name).json()] == [ident]
    # PUT replaces everything.
    assert emulator.put("/replication/policies/%d" % ident,
                        json={"name": name, "dest_registry": {"id": registry_id}, "enabled": True}).status_code == 200
    policy = emulator.get("/replication/policies/%d" % ident).json()
    assert policy["filters"] is None and "trigger" not in policy and "deletion" not in policy
    assert policy["enabled"] is True
    other = new_policy(emulator, registry_id)
    renamed = emulator.put("/replication/policies/%d" % other, json={"name": name, "dest_registry": {"id": registry_id}})
    assert error_of(renamed) == ("CONFLICT", "replication policy %s already exists" % name)
    in_use = emulator.delete("/registries/%d" % registry_id)
    assert error_of(in_use) == ("PRECONDITION",
                                "the registry %d is referenced by replication policies, cannot delete it" % registry_id)
    for policy_id in (ident, other):
        assert emulator.delete("/replication/policies/%d" % policy_id).status_code == 200
    assert error_of(emulator.get("/replication/policies/%d" % ident)) == (
        "NOT_FOUND", "replication policy %d not found" % ident)
    assert emulator.delete("/registries/%d" % registry_id).status_code == 200


def test_policy_validation(emulator):
    registry_id = new_registry(emulator)

    def fails(**body):
        body.setdefault("name", unique("rep"))
        body.setdefault("dest_registry", {"id": registry_id})
        return error_of(emulator.post("/replication/policies", json=body))

    def bad(message):
        return ("BAD_REQUEST", message)

    assert fails(name="") == bad("empty name")
    both = "either src_registry or dest_registry should be empty and the other one shouldn't be empty"
    assert fails(src_registry={"id": registry_id}) == bad(both)  # and the destination
    assert fails(dest_registry={"id": 0}) == bad(both)
    assert fails(dest_namespace="Bad NS") == bad("invalid destination namespace: Bad NS")
    assert fails(filters=[{"type": "chart", "value": "x"}]) == bad("invalid filter type")
    assert fails(filters=[{"type": "name", "value": "x", "decoration": "matches"}]) == bad(
        "only tag and label filter support decoration")
    assert fails(filters=[{"type": "tag", "value": "x", "decoration": "bogus"}]) == bad(
        "invalid filter decoration, :bogus")
    assert fails(filters=[{"type": "resource", "value": "chart"}]) == bad("invalid resource filter: chart")
    assert fails(filters=[{"type": "label", "value": "x"}]) == bad("the type of label filter value isn't string slice")
    assert fails(trigger={"type": "hourly"}) == bad("invalid trigger type")
    assert fails(trigger={"type": "scheduled"}) == bad(
        "the cron string cannot be empty when the trigger type is scheduled")
    assert fails(trigger={"type": "scheduled", "trigger_settings": {"cron": "0 * * * *"}}) == bad(
        "invalid cron string for scheduled trigger: 0 * * * *")
    assert fails(trigger={"type": "scheduled", "trigger_settings": {"cron": "5 0 * * * *"}}) == bad(
        "the 1st field (indicating Seconds of time) of the cron setting must be 0")
    assert fails(trigger={"type": "scheduled", "trigger_settings": {"cron": "0 * 1 * * *"}}) == bad(
        "* is not allowed for the Minutes field of the cron setting of replication policy")
    assert fails(dest_registry={"id": 999999}) == ("NOT_FOUND", "registry 999999 not found")
    assert fails(trigger={"type": "event_based"}, single_active_replication=True) == ("UNKNOWN",
                                                                                      "internal server error")
    username, creds = emulator.add_user()
    denied = emulator.post("/replication/policies", json={"name": unique("r"), "dest_registry": {"id": registry_id}},
                           auth=creds)
    assert error_of(denied) == ("FORBIDDEN", username)


def test_executions(emulator):
    registry_id = new_registry(emulator)
    disabled = new_policy(emulator, registry_id)
    assert error_of(emulator.post("/replication/executions", json={"policy_id": disabled})) == (
        "PRECONDITION", "the policy %d is disabled" % disabled)
    assert error_of(emulator.post("/replication/executions", json={})) == (
        "NOT_FOUND", "replication policy 0 not found")
    policy_id = new_policy(emulator, registry_id, enabled=True)
    started = emulator.post("/replication/executions", json={"policy_id": policy_id})
    assert started.status_code == 201
    ident = int(started.headers["Location"].rsplit("/", 1)[1])
    execution = emulator.get("/replication/executions/%d" % ident).json()
    assert (execution["policy_id"], execution["trigger"]) == (policy_id, "manual")
    assert execution["status"] in ("InProgress", "Succeed")
    deadline = time.monotonic() + 10
    while execution["status"] == "InProgress" and time.monotonic() < deadline:
        time.sleep(0.2)
        execution = emulator.get("/replication/executions?policy_id=%d" % policy_id).json()[0]
    assert execution["status"] == "Succeed"
    assert execution["total"] == 0
    assert emulator.get("/replication/executions/%d/tasks" % ident).json() == []
    # Stopping a finished execution changes nothing.
    assert emulator.put("/replication/executions/%d" % ident).status_code == 200
    assert emulator.get("/replication/executions/%d" % ident).json()["status"] == "Succeed"
    running = int(emulator.post("/replication/executions", json={"policy_id": policy_id})
                  .headers["Location"].rsplit("/", 1)[1])
    assert emulator.put("/replication/executions/%d" % running).status_code == 200
    assert emulator.get("/replication/executions/%d" % running).json()["status"] == "Stopped"
    listed = emulator.get("/replication/executions?policy_id=%d" % policy_id).json()
    assert [item["id"] for item in listed] == [running, ident]
    assert emulator.delete("/replication/policies/%d" % policy_id).status_code == 200
    assert emulator.get("/replication/executions?policy_id=%d" % policy_id).json() == []
