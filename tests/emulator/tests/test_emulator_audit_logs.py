# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit log: which writes Harbor records and how, the q filters, who may read what."""

from __future__ import annotations

import os
import shutil

import pytest

from emulator_client import Emulator, unique
from images import layer, pull_manifest, push_image

HAS_REGISTRY = shutil.which("docker-registry") is not None or os.access("/usr/bin/docker-registry", os.X_OK)

LOG = "/auditlog-exts"


def entries(emulator, auth="admin", **q):
    params = {"q": ",".join("%s=%s" % item for item in q.items())} if q else {}
    response = emulator.get(LOG, params=params, auth=auth)
    assert response.status_code == 200, response.text
    return response.json()


def test_project_robot_user_member_and_configuration_writes_are_recorded(fresh_emulator):
    emulator = fresh_emulator
    name, pid = emulator.create_project()
    robot = emulator.post("/robots", json={"name": "ci", "level": "project", "duration": 30, "permissions": [
        {"kind": "project", "namespace": name, "access": [{"resource": "repository", "action": "pull"}]}]})
    assert robot.status_code == 201, robot.text
    user = unique("user")
    created = emulator.post("/users", json={"username": user, "email": "%s@example.com" % user, "realname": user,
                                            "password": "Passw0rd-x1"})
    assert created.status_code == 201, created.text
    refused = emulator.post("/users", json={"username": user, "email": "other@example.com", "realname": user,
                                            "password": "Passw0rd-x1"})
    assert refused.status_code == 409
    member = emulator.post("/projects/%d/members" % pid, json={"role_id": 2, "member_user": {"username": user}})
    assert member.status_code == 201, member.text
    assert emulator.put("/configurations", json={"robot_token_duration": 45}).status_code == 200
    assert emulator.delete("/robots/%s" % robot.headers["Location"].rsplit("/", 1)[1]).status_code == 200
    assert emulator.delete("/projects/%s/members/%s" % (pid, member.headers["Location"].rsplit("/", 1)[1])).status_code == 200
    assert emulator.delete("/projects/%d" % pid).status_code == 200
    assert emulator.get("/projects").status_code == 200  # reads are not recorded
    rows = entries(emulator)
    assert set(rows[0]) == {"id", "op_time", "username", "operation", "resource_type", "resource",
                            "operation_description", "operation_result"}
    robot_name = "robot$%s+ci" % name
    assert [(row["operation"], row["resource_type"], row["resource"], row["operation_result"])
            for row in reversed(rows)] == [
        ("create", "project", name, True), ("create", "robot", robot_name, True), ("create", "user", user, True),
        ("create", "user", "", False), ("create", "member", user, True), ("update", "configuration", "", True),
        ("delete", "robot", robot_name, True), ("delete", "member", user, True), ("delete", "project", name, True)]
    assert rows[-1]["operation_description"] == "create project: %s" % name
    assert rows[4]["operation_description"] == "create user member %s in project %s" % (user, name)
    assert all(row["username"] == "admin" for row in rows)


def test_q_filters_and_paging(fresh_emulator):
    emulator = fresh_emulator
    names = [emulator.create_project(unique("audit"))[0] for _index in range(3)]
    emulator.delete("/projects/%s" % names[0], headers={"X-Is-Resource-Name": "true"})
    assert [row["resource"] for row in entries(emulator, operation="delete")] == [names[0]]
    assert len(entries(emulator, resource_type="project", username="admin")) == 4
    assert [row["resource"] for row in entries(emulator, resource="~" + names[1][-6:])] == [names[1]]
    assert entries(emulator, op_time="[2000-01-01T00:00:00~2000-01-02T00:00:00]") == []
    assert len(entries(emulator, op_time="[2000-01-01T00:00:00~]", nonsense="ignored")) == 4
    page = emulator.get(LOG, params={"page": 2, "page_size": 3})
    assert page.headers["X-Total-Count"] == "4" and len(page.json()) == 1
    assert page.json()[0]["resource"] == names[0] and page.json()[0]["operation"] == "create"


def test_who_reads_what(fresh_emulator):
    emulator = fresh_emulator
    user, creds = emulator.add_user()
    mine, pid = emulator.create_project()
    emulator.create_project()
    assert emulator.post("/projects/%d/members" % pid, json={"role_id": 1, "member_user": {"username": user}}).status_code == 201
    seen = entries(emulator, auth=creds)
    assert seen and {row["resource"] for row in seen} == {mine, user}
    assert [row["resource"] for row in emulator.get("/projects/%s/auditlog-exts" % mine, auth=creds).json()] == [user, mine]
    assert emulator.get(LOG, auth=None).status_code == 401
    assert emulator.get("/audit-logs").json() == []
    assert {"event_type": "create_project"} in emulator.get("/auditlog-exts/events").json()


@pytest.mark.skipif(not HAS_REGISTRY, reason="the docker-registry package is not installed")
def test_artifact_push_pull_and_delete_are_recorded():
    emulator = Emulator(["--admin-password", "Harbor12345"])
    try:
        project, _pid = emulator.create_project()
        digest = push_image(emulator.url, "admin", "Harbor12345", project + "/app", "1.0", [layer({"etc/marker": "x"})])
        pull_manifest(emulator.url, "admin", "Harbor12345", project + "/app", "1.0")
        deleted = emulator.delete("/projects/%s/repositories/app/artifacts/%s" % (project, digest))
        assert deleted.status_code == 200, deleted.text
        rows = entries(emulator, resource_type="artifact")
        by_digest = "%s/app@%s" % (project, digest)
        assert [(row["operation"], row["resource"], row["operation_description"], row["username"])
                for row in reversed(rows)] == [
            ("create", project + "/app:1.0", "push artifact: " + by_digest, "admin"),
            ("pull", project + "/app:1.0", "pull artifact: " + by_digest, "admin"),
            ("delete", by_digest, "delete artifact: " + by_digest, "admin")]
    finally:
        assert emulator.stop() == 0
