# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Project webhooks: the policy API as REAL-HARBOR.md describes it, and deliveries compared with the payloads a
real Harbor v2.15.2 sent (tests/emulator/tests/webhook_samples/, copied from the captures: same keys, same headers).

A tiny HTTP receiver in the test collects what the emulator POSTs.  The delivery tests push and pull through the
emulator's registry, so they need Debian's docker-registry package (``make`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from emulator_client import Emulator, error_of, unique
from images import dpkg_status, layer, pull_manifest, push_image

HAS_REGISTRY = shutil.which("docker-registry") is not None or os.access("/usr/bin/docker-registry", os.X_OK)
needs_registry = pytest.mark.skipif(not HAS_REGISTRY, reason="the docker-registry package is not installed")
PASSWORD = "Harbor12345"
SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "webhook_samples")
TOKEN = "Bearer receiver-token"


class Receiver:
    """Collects every POST; answers 500 to the first ``failures[path]`` deliveries of a path."""

    def __init__(self):
        self.deliveries = []
        self.failures = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    failing = receiver.failures.get(self.path, 0) > 0
                    if failing:
                        receiver.failures[self.path] -= 1
                    receiver.deliveries.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                                "answered": 500 if failing else 200, "at": time.time()})
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait(self, path, count=1, timeout=15):
        deadline = time.time() + timeout
        while True:
            with self.lock:
                found = [item for item in self.deliveries if item["path"] == path]
            if len(found) >= count:
                return found
            assert time.time() < deadline, "%d deliveries to %s, %d expected" % (len(found), path, count)
            time.sleep(0.1)

    def of_type(self, path, event_type):
        with self.lock:
            found = [item for item in self.deliveries if item["path"] == path]
        return [item for item in found if event_type in item["body"].decode("utf-8", "replace")]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def harbor():
    instance = Emulator(["--scanner", "--admin-password", PASSWORD])
    yield instance
    assert instance.stop() == 0


@pytest.fixture
def receiver():
    instance = Receiver()
    yield instance
    instance.close()


def sample(name):
    with open(os.path.join(SAMPLES, name), encoding="utf-8") as handle:
        return json.load(handle)


def keys(value):
    """The shape of a JSON value: nested key sets, lists by their first item."""
    if isinstance(value, dict):
        return {key: keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def policies(project):
    return "/projects/%s/webhook/policies" % project


def create_policy(harbor, project, **body):
    body.setdefault("name", unique("hook"))
    body.setdefault("enabled", True)
    response = harbor.post(policies(project), json=body)
    assert response.status_code == 201, response.text
    assert response.headers["Location"].startswith("/api/v2.0/projects/%s/webhook/policies/" % project)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def both_formats(receiver):
    return [{"type": "http", "address": receiver.url + "/default", "auth_header": TOKEN},
            {"type": "http", "address": receiver.url + "/cloudevents", "auth_header": TOKEN,
             "payload_format": "CloudEvents"}]


# -- the policy API ---------------------------------------------------------------------------------------------

def test_events_endpoint_lists_harbors_types(harbor):
    project, _ident = harbor.create_project()
    body = harbor.get("/projects/%s/webhook/events" % project).json()
    assert body["event_type"] == ["PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT", "QUOTA_EXCEED",
                                  "QUOTA_WARNING", "SCANNING_FAILED", "SCANNING_STOPPED", "SCANNING_COMPLETED",
                                  "REPLICATION", "TAG_RETENTION"]
    assert body["notify_type"] == ["http", "slack"]
    assert body["payload_formats"] == [{"notify_type": "http", "formats": ["Default", "CloudEvents"]}]


def test_a_policy_reads_back_as_sent_with_harbors_defaults(harbor):
    project, project_id = harbor.create_project()
    ident = create_policy(harbor, project, name="reads", enabled=False, event_types=["PUSH_ARTIFACT"],
                          targets=[{"type": "http", "address": "hooks.example.com/x?y=1", "auth_header": "Bearer t"}])
    body = harbor.get(policies(project) + "/%d" % ident).json()
    assert body["targets"] == [{"type": "http", "address": "hooks.example.com/x?y=1", "auth_header": "Bearer t",
                                "payload_format": "Default"}]
    assert (body["enabled"], body["project_id"], body["event_types"]) == (False, project_id, ["PUSH_ARTIFACT"])
    assert "description" not in body and "creator" not in body
    slack = {"type": "slack", "address": "http://s"}
    newer = create_policy(harbor, project, event_types=["PULL_ARTIFACT"], targets=[slack])
    listed = harbor.get(policies(project)).json()
    assert [item["id"] for item in listed] == [newer, ident]
    assert "payload_format" not in listed[0]["targets"][0]


def test_harbors_refusals(harbor):
    project, _ident = harbor.create_project()
    target = {"type": "http", "address": "http://h"}
    cases = [
        ({"name": "a", "targets": [target]}, "empty event type"),
        ({"name": "a", "event_types": ["CREATE_TAG"], "targets": [target]}, "unsupported event type CREATE_TAG"),
        ({"name": "a", "event_types": ["PUSH_ARTIFACT"]}, "empty notification target with policy a"),
        ({"name": "a", "event_types": ["PUSH_ARTIFACT"], "targets": [{"type": "email", "address": "http://h"}]},
         "unsupported target type email with policy a"),
        ({"name": "a", "event_types": ["PUSH_ARTIFACT"], "targets": [{"type": "http", "address": ""}]}, "empty URL"),
        ({"name": "a", "event_types": ["PUSH_ARTIFACT"], "targets": [{"type": "http", "address": "ftp://h"}]},
         "invalid scheme: ftp"),
        ({"name": "a", "event_types": ["PUSH_ARTIFACT"], "targets": [dict(target, payload_format="Json")]},
         "unsupported payload format type: Json"),
        ({"name": "a", "event_types": ["PUSH_ARTIFACT"],
          "targets": [{"type": "slack", "address": "http://h", "payload_format": "Default"}]},
         "set payload format is not allowed for slack"),
    ]
    for body, message in cases:
        assert error_of(harbor.post(policies(project), json=body)) == ("BAD_REQUEST", message)
    create_policy(harbor, project, name="dup", event_types=["PUSH_ARTIFACT"], targets=[target])
    assert error_of(harbor.post(policies(project), json={
        "name": "dup", "event_types": ["PUSH_ARTIFACT"], "targets": [target]})) == (
        "CONFLICT", "notification policy named dup already exists")


def test_put_replaces_and_404_shapes(harbor):
    project, project_id = harbor.create_project()
    other, other_id = harbor.create_project()
    ident = create_policy(harbor, project, event_types=["PUSH_ARTIFACT"], targets=[{"type": "http",
                                                                                    "address": "http://h"}])
    path = policies(project) + "/%d" % ident
    assert harbor.put(path, json={"name": "renamed", "event_types": ["PULL_ARTIFACT"],
                                  "targets": [{"type": "http", "address": "http://h2"}]}).status_code == 200
    body = harbor.get(path).json()
    assert (body["name"], body["enabled"], body["creation_time"]) == ("renamed", False, "0001-01-01T00:00:00.000Z")
    assert error_of(harbor.get(policies(other) + "/%d" % ident)) == ("NOT_FOUND", (
        "resource not found: project id:%d, webhook policy id: %d not found" % (other_id, ident)))
    assert harbor.delete(path).status_code == 200
    assert error_of(harbor.get(path)) == ("NOT_FOUND", "notificationPolicy %d not found" % ident)
    assert harbor.delete(path).status_code == 404
    assert project_id


# -- deliveries -----------------------------------------------------------------------------------------------

def push(harbor, project, repository, tag, marker=""):
    files = {"var/lib/dpkg/status": dpkg_status(("libfixture-critical", "1.0.0-1")), "etc/marker": marker or tag}
    return push_image(harbor.url, "admin", PASSWORD, "%s/%s" % (project, repository), tag, [layer(files)])


def assert_like_sample(delivery, sample_name):
    """Same headers (names, Authorization value, content type) and the same payload keys as Harbor's capture."""
    captured = sample(sample_name)
    body = json.loads(delivery["body"])
    assert keys(body) == keys(captured["body"]), (body, captured["body"])
    assert delivery["headers"]["Content-Type"] == captured["headers"]["Content-Type"]
    expected = captured["headers"].get("Authorization")
    assert delivery["headers"].get("Authorization") == (expected.replace("Bearer probe-token", TOKEN)
                                                        if expected else None)
    return body


@needs_registry
def test_push_pull_delete_in_both_formats(harbor, receiver):
    project, project_id = harbor.create_project()
    policy = create_policy(harbor, project, event_types=["PUSH_ARTIFACT", "PULL_ARTIFACT", "DELETE_ARTIFACT"],
                           targets=both_formats(receiver))
    digest = push(harbor, project, "app", "1.0")
    default = assert_like_sample(receiver.wait("/default")[0], "PUSH_ARTIFACT-default.json")
    assert (default["type"], default["operator"]) == ("PUSH_ARTIFACT", "admin")
    resource = default["event_data"]["resources"][0]
    host = harbor.url.split("://", 1)[1]
    assert resource == {"digest": digest, "tag": "1.0", "resource_url": "%s/%s/app:1.0" % (host, project)}
    assert default["event_data"]["repository"]["repo_full_name"] == project + "/app"
    cloud = assert_like_sample(receiver.wait("/cloudevents")[0], "PUSH_ARTIFACT-cloudevents.json")
    assert (cloud["type"], cloud["source"], cloud["specversion"]) == (
        "harbor.artifact.pushed", "/projects/%d/webhook/policies/%d" % (project_id, policy), "1.0")
    assert cloud["data"] == default["event_data"] and cloud["datacontenttype"] == "application/json"
    assert not any(name.lower().startswith("ce-") for name in receiver.wait("/cloudevents")[0]["headers"])

    pull_manifest(harbor.url, "admin", PASSWORD, "%s/app" % project, "1.0")
    assert_like_sample(receiver.wait("/default", 2)[1], "PULL_ARTIFACT-default.json")
    assert_like_sample(receiver.wait("/cloudevents", 2)[1], "PULL_ARTIFACT-cloudevents.json")
    pull_manifest(harbor.url, "admin", PASSWORD, "%s/app" % project, digest)
    by_digest = json.loads(receiver.wait("/default", 3)[2]["body"])["event_data"]["resources"][0]
    assert by_digest == {"digest": digest, "tag": digest, "resource_url": "%s/%s/app@%s" % (host, project, digest)}
    receiver.wait("/cloudevents", 3)
    requested = harbor.delete("/projects/%s/repositories/app/artifacts/%s" % (project, digest),
                              headers={"X-Request-Id": "delete-request-1"})
    assert requested.status_code == 200
    deleted = assert_like_sample(receiver.wait("/default", 4)[3], "DELETE_ARTIFACT-default.json")
    assert deleted["event_data"]["resources"][0]["tag"] == "1.0"
    cloud = assert_like_sample(receiver.wait("/cloudevents", 4)[3], "DELETE_ARTIFACT-cloudevents.json")
    assert cloud["requestid"] == "delete-request-1" and cloud["type"] == "harbor.artifact.deleted"
    push(harbor, project, "app", "2.0")
    receiver.wait("/default", 5)
    assert harbor.delete("/projects/%s/repositories/app" % project).status_code == 200
    gone = json.loads(receiver.wait("/default", 6)[5]["body"])
    # a repository deleted with its artifacts is gone when the payload is built: no date_created (REAL-HARBOR.md)
    assert gone["type"] == "DELETE_ARTIFACT" and "date_created" not in gone["event_data"]["repository"]
    assert "date_created" in deleted["event_data"]["repository"]


@needs_registry
def test_disabled_or_unsubscribed_policies_send_nothing(harbor, receiver):
    project, _ident = harbor.create_project()
    create_policy(harbor, project, enabled=False, event_types=["PUSH_ARTIFACT"],
                  targets=[{"type": "http", "address": receiver.url + "/off"}])
    create_policy(harbor, project, event_types=["DELETE_ARTIFACT"],
                  targets=[{"type": "http", "address": receiver.url + "/other"}])
    create_policy(harbor, project, event_types=["PUSH_ARTIFACT"],
                  targets=[{"type": "http", "address": receiver.url + "/on"}])
    push(harbor, project, "quiet", "1")
    delivery = receiver.wait("/on")[0]
    assert "Authorization" not in delivery["headers"]
    time.sleep(0.5)
    assert not receiver.of_type("/off", "PUSH") and not receiver.of_type("/other", "PUSH")


@needs_registry
def test_retries_then_success_with_executions_tasks_and_log(harbor, receiver):
    project, _ident = harbor.create_project()
    receiver.failures["/retry"] = 2
    policy = create_policy(harbor, project, event_types=["PUSH_ARTIFACT"],
                           targets=[{"type": "http", "address": receiver.url + "/retry", "auth_header": TOKEN}])
    push(harbor, project, "retried", "1")
    attempts = receiver.wait("/retry", 3, timeout=20)
    assert [item["answered"] for item in attempts] == [500, 500, 200]
    assert attempts[0]["body"] == attempts[2]["body"]
    base = policies(project) + "/%d/executions" % policy
    deadline = time.time() + 10
    while True:
        executions = harbor.get(base).json()
        if executions and executions[0]["status"] == "Success":
            break
        assert time.time() < deadline, executions
        time.sleep(0.2)
    execution = executions[0]
    assert (execution["vendor_type"], execution["trigger"], execution["extra_attrs"]["event_type"]) == (
        "WEBHOOK", "EVENT", "PUSH_ARTIFACT")
    assert json.loads(execution["extra_attrs"]["payload"])["type"] == "PUSH_ARTIFACT"
    tasks = harbor.get(base + "/%d/tasks" % execution["id"]).json()
    assert (len(tasks), tasks[0]["run_count"], tasks[0]["status"]) == (1, 3, "Success")
    log = harbor.get(base + "/%d/tasks/%d/log" % (execution["id"], tasks[0]["id"]))
    assert log.headers["Content-Type"].startswith("text/plain")
    assert log.text.count("start to run webhook job") == 3 and "abnormal response code: 500" in log.text
    assert "success to run webhook job" in log.text and "receiver-token" not in log.text
    other = harbor.get(base + "/%d/tasks" % (execution["id"] + 1000))
    assert other.status_code == 404
    last = harbor.get("/projects/%s/webhook/lasttrigger" % project).json()
    assert [(row["event_type"], row["enabled"], "last_trigger_time" in row) for row in last] == [
        ("PUSH_ARTIFACT", True, True)]


@needs_registry
def test_slack_target_gets_block_kit_text(harbor, receiver):
    project, _ident = harbor.create_project()
    create_policy(harbor, project, event_types=["PUSH_ARTIFACT"],
                  targets=[{"type": "slack", "address": receiver.url + "/slack"}])
    push(harbor, project, "chat", "1")
    delivery = receiver.wait("/slack")[0]
    text = delivery["body"].decode("utf-8")
    assert text.startswith('{\n\t"blocks": [') and "*event_type:* PUSH_ARTIFACT" in text
    assert '\\"repo_full_name\\": \\"%s/chat\\"' % project in text
    captured = sample("PUSH_ARTIFACT-slack.json")
    assert delivery["headers"]["Content-Type"] == captured["headers"]["Content-Type"]


@needs_registry
def test_scan_completed_carries_the_overview(harbor, receiver):
    project, _ident = harbor.create_project()
    create_policy(harbor, project, event_types=["SCANNING_COMPLETED"], targets=both_formats(receiver))
    push(harbor, project, "scanned", "1")
    assert harbor.post("/projects/%s/repositories/scanned/artifacts/1/scan" % project).status_code == 202
    body = assert_like_sample(receiver.wait("/default", timeout=30)[0], "SCANNING_COMPLETED-default.json")
    overview = list(body["event_data"]["resources"][0]["scan_overview"].values())[0]
    assert (overview["scan_status"], overview["severity"], overview["summary"]["summary"]) == (
        "Success", "Critical", {"Critical": 1})
    assert_like_sample(receiver.wait("/cloudevents", timeout=30)[0], "SCANNING_COMPLETED-cloudevents.json")


@needs_registry
def test_scan_stopped_has_no_summary(harbor, receiver):
    project, _ident = harbor.create_project()
    create_policy(harbor, project, event_types=["SCANNING_STOPPED", "SCANNING_COMPLETED"],
                  targets=both_formats(receiver))
    push(harbor, project, "stopped", "1")
    settings = harbor.info["scanner_url"] + "/_emulator/settings"
    requests.post(settings, json={"min_scan_seconds": 5}, timeout=10)
    try:
        assert harbor.post("/projects/%s/repositories/stopped/artifacts/1/scan" % project).status_code == 202
        time.sleep(0.5)
        assert harbor.post("/projects/%s/repositories/stopped/artifacts/1/scan/stop" % project,
                           json={"scan_type": "vulnerability"}).status_code == 202
        body = assert_like_sample(receiver.wait("/default", timeout=30)[0], "SCANNING_STOPPED-default.json")
    finally:
        requests.post(settings, json={"min_scan_seconds": 0}, timeout=10)
    overview = list(body["event_data"]["resources"][0]["scan_overview"].values())[0]
    assert (body["type"], overview["scan_status"], overview["summary"]) == ("SCANNING_STOPPED", "Stopped", None)
    cloud = assert_like_sample(receiver.wait("/cloudevents", timeout=30)[0], "SCANNING_STOPPED-cloudevents.json")
    assert cloud["type"] == "harbor.scan.stopped"


@needs_registry
def test_quota_warning_and_exceeded(harbor, receiver):
    project, project_id = harbor.create_project()
    create_policy(harbor, project, event_types=["QUOTA_WARNING", "QUOTA_EXCEED"], targets=both_formats(receiver))
    files = {"etc/data": "x" * 2000}
    push_image(harbor.url, "admin", PASSWORD, "%s/quota" % project, "a", [layer(files, gzipped=False)])
    used = harbor.get("/projects/%d/summary" % project_id).json()["quota"]["used"]["storage"]
    quota = harbor.get("/quotas", params={"reference_id": project_id}).json()[0]
    assert harbor.put("/quotas/%d" % quota["id"], json={"hard": {"storage": int(used / 0.9)}}).status_code == 200
    with pytest.raises(Exception):
        push_image(harbor.url, "admin", PASSWORD, "%s/quota" % project, "b",
                   [layer({"etc/more": "y" * 4000}, gzipped=False)])
    exceeded = [item for item in receiver.wait("/default", 1) if b"QUOTA_EXCEED" in item["body"]]
    deadline = time.time() + 10
    while not exceeded:
        assert time.time() < deadline
        time.sleep(0.2)
        exceeded = receiver.of_type("/default", "QUOTA_EXCEED")
    body = assert_like_sample(exceeded[0], "QUOTA_EXCEED-default.json")
    assert "will exceed the configured upper limit" in body["event_data"]["custom_attributes"]["Details"]
    warnings = receiver.of_type("/default", "QUOTA_WARNING")
    assert warnings, "a push passing 85% of the limit warns"
    assert json.loads(warnings[0]["body"])["event_data"]["custom_attributes"]["Details"].startswith(
        "quota usage reach 85%: resource storage used ")


def test_tag_retention_and_the_deletions_it_makes(harbor, receiver):
    project, project_id = harbor.create_project()
    harbor.seed(repositories=[{"project": project, "name": "kept", "artifacts": [
        {"digest": "sha256:" + "a" * 64, "tags": ["old"], "size": 10, "push_time": "2024-01-01T00:00:00Z"},
        {"digest": "sha256:" + "b" * 64, "tags": ["new"], "size": 10, "push_time": "2024-02-01T00:00:00Z"}]}])
    create_policy(harbor, project, event_types=["TAG_RETENTION", "DELETE_ARTIFACT"],
                  targets=both_formats(receiver))
    selector = {"kind": "doublestar", "decoration": "matches", "pattern": "**", "extras": '{"untagged":true}'}
    rule = {"action": "retain", "template": "latestPushedK", "params": {"latestPushedK": 1},
            "tag_selectors": [selector], "scope_selectors": {"repository": [
                {"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}
    created = harbor.post("/retentions", json={"algorithm": "or", "rules": [rule], "scope": {
        "level": "project", "ref": project_id}, "trigger": {"kind": "Schedule", "settings": {"cron": ""}}})
    ident = int(created.headers["Location"].rsplit("/", 1)[1])
    assert harbor.post("/retentions/%d/executions" % ident, json={"dry_run": True}).status_code == 201
    assert harbor.post("/retentions/%d/executions" % ident, json={"dry_run": False}).status_code == 201
    deliveries = receiver.wait("/default", 2)
    time.sleep(0.5)
    retention = receiver.of_type("/default", '"TAG_RETENTION"')
    assert len(retention) == 1, "a dry run announces nothing"
    body = assert_like_sample(retention[0], "TAG_RETENTION-default.json")
    section = body["event_data"]["retention"]
    assert (section["total"], section["retained"], section["project_name"], section["retention_policy_id"]) == (
        2, 1, project, ident)
    assert section["deleted_artifact"] == [{"type": "image", "status": "SUCCESS", "name_tag": "kept:old",
                                            "references": None}]
    assert list(section)[:3] == ["total", "retained", "harbor_hostname"]
    deleted = [json.loads(item["body"]) for item in deliveries if b"DELETE_ARTIFACT" in item["body"]]
    deleted = deleted or [json.loads(item["body"]) for item in receiver.of_type("/default", "DELETE_ARTIFACT")]
    assert deleted[0]["operator"] == "harbor-jobservice"
    cloud = receiver.of_type("/cloudevents", "tag_retention")
    assert_like_sample(cloud[0], "TAG_RETENTION-cloudevents.json")


def test_deleting_the_project_deletes_its_policies(harbor):
    project, _ident = harbor.create_project()
    create_policy(harbor, project, event_types=["PUSH_ARTIFACT"], targets=[{"type": "http", "address": "http://h"}])
    assert harbor.delete("/projects/%s" % project).status_code == 200
    again, _again_id = harbor.create_project(name=project)
    assert harbor.get(policies(again)).json() == []
