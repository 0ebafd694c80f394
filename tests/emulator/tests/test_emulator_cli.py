# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""run.py: the JSON line, signals, --state-file, --tls, --harbor-version, the authentication latencies."""

from __future__ import annotations

import concurrent.futures
import os
import ssl
import time

import pytest
import requests

from emulator_client import Emulator, unique


def test_json_line_and_random_password():
    first = Emulator()
    second = Emulator()
    try:
        assert set(first.info) == {"harbor_url", "username", "password", "kube_url", "kubeconfig"}
        assert first.url.startswith("http://127.0.0.1:")
        assert first.info["username"] == "admin"
        assert first.info["password"] != second.info["password"]
        assert first.url != second.url
        assert first.get("/users/current").status_code == 200
    finally:
        assert first.stop() == 0
        assert second.stop() == 0


def test_fixed_port_kube_port_and_quiet_stderr():
    probe = Emulator()
    port = int(probe.url.rsplit(":", 1)[1])
    probe.stop()
    instance = Emulator(["--harbor-port", str(port), "--kube-port", "0", "--admin-password", "S3cret-pass"])
    try:
        assert instance.url == "http://127.0.0.1:%d" % port
        assert instance.info["password"] == "S3cret-pass"
        assert instance.get("/ping").text == "Pong"
    finally:
        process = instance.process
        process.terminate()
        assert process.wait(timeout=10) == 0
        assert process.stdout.read() == ""  # nothing after the JSON line
        assert process.stderr.read() == ""  # quiet without --verbose
        process.stdout.close()
        process.stderr.close()


def test_verbose_logs_one_line_per_request_without_secrets():
    instance = Emulator(["--verbose", "--admin-password", "Very-Secret-1"])
    instance.get("/projects?page=1")
    process = instance.process
    process.terminate()
    assert process.wait(timeout=10) == 0
    lines = process.stderr.read().splitlines()
    process.stdout.close()
    process.stderr.close()
    assert len(lines) == 1
    assert lines[0].startswith("GET /api/v2.0/projects?page=1 200")
    assert "Very-Secret-1" not in lines[0]


def test_sigint_exits_cleanly():
    instance = Emulator()
    instance.process.send_signal(2)
    assert instance.process.wait(timeout=10) == 0
    instance.process.stdout.close()
    instance.process.stderr.close()


def test_state_file_survives_restart(tmp_path):
    state_file = str(tmp_path / "harbor.json")
    first = Emulator(["--state-file", state_file])
    name, pid = first.create_project(metadata={"auto_scan": "true"})
    first.seed(users=[{"username": "persisted", "password": "Passw0rd!"}],
               repositories=[{"project": name, "name": "svc/api", "artifacts": [{"tags": ["1.0.0"], "size": 42}]}])
    # Saved after every write, not only at exit.
    with open(state_file, encoding="utf-8") as handle:
        assert name in handle.read()
    assert first.stop() == 0

    second = Emulator(["--state-file", state_file])
    try:
        assert second.info["password"] != first.info["password"]
        project = second.get("/projects/%d" % pid).json()
        assert project["name"] == name
        assert project["metadata"] == {"public": "false", "auto_scan": "true"}
        assert project["repo_count"] == 1
        assert second.get("/users/current", auth=("persisted", "Passw0rd!")).status_code == 200
        # ids keep counting after a restart.
        _name, next_pid = second.create_project()
        assert next_pid == pid + 1
    finally:
        assert second.stop() == 0
    assert not [entry for entry in os.listdir(str(tmp_path)) if entry.startswith(".state-")]


def test_tls_with_private_ca(tls_emulator):
    assert tls_emulator.url.startswith("https://127.0.0.1:")
    ca_path = tls_emulator.info["ca_path"]
    assert os.path.exists(ca_path)
    assert tls_emulator.get("/ping", verify=ca_path).text == "Pong"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(tls_emulator.api + "/ping", timeout=10)
    # The certificate is valid for localhost too.
    port = tls_emulator.url.rsplit(":", 1)[1]
    assert requests.get("https://localhost:%s/api/v2.0/ping" % port, verify=ca_path, timeout=10).status_code == 200
    context = ssl.create_default_context(cafile=ca_path)
    assert context.cert_store_stats()["x509_ca"] == 1


def test_tls_ca_is_kept_next_to_the_state_file(tmp_path):
    state_file = str(tmp_path / "state.json")
    first = Emulator(["--tls", "--state-file", state_file])
    ca_path = first.info["ca_path"]
    assert os.path.dirname(ca_path) == str(tmp_path)
    with open(ca_path, encoding="utf-8") as handle:
        ca_pem = handle.read()
    assert first.stop() == 0
    second = Emulator(["--tls", "--state-file", state_file])
    try:
        assert second.info["ca_path"] == ca_path
        with open(ca_path, encoding="utf-8") as handle:
            assert handle.read() == ca_pem  # clients keep trusting a restarted emulator
        assert second.get("/ping").status_code == 200
    finally:
        assert second.stop() == 0


def test_harbor_version_flag():
    instance = Emulator(["--harbor-version", "v2.10.0"])
    try:
        assert instance.get("/systeminfo").json()["harbor_version"].startswith("v2.10.0-")
        name = unique("old")
        response = instance.post("/projects", json={"project_name": name, "metadata": {"auto_sbom_generation": "true"}})
        assert response.status_code == 201
        # Harbor before 2.11 does not know the key and drops it silently.
        assert "auto_sbom_generation" not in instance.get("/projects/" + name,
                                                          headers={"X-Is-Resource-Name": "true"}).json()["metadata"]
    finally:
        assert instance.stop() == 0


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_auth_latency_user_and_robot():
    """--auth-latency-ms / --robot-auth-latency-ms: the wait a real Harbor spends checking credentials."""
    instance = Emulator(["--auth-latency-ms", "800", "--robot-auth-latency-ms", "0"])
    try:
        project = unique("lat")
        assert instance.post("/projects", json={"project_name": project}).status_code == 201
        robot = instance.post("/robots", json={
            "name": "ci", "level": "project", "duration": 30,
            "permissions": [{"kind": "project", "namespace": project,
                             "access": [{"resource": "repository", "action": "pull"}]}]}).json()
        user_call, user_seconds = _timed(lambda: instance.get("/projects/%s" % project))
        assert user_call.status_code == 200 and user_seconds >= 0.8
        # a wrong password costs the same: the hash is computed either way
        refused, refused_seconds = _timed(lambda: instance.get("/users/current", auth=("admin", "wrong")))
        assert refused.status_code == 401 and refused_seconds >= 0.8
        robot_call, robot_seconds = _timed(
            lambda: instance.get("/users/current", auth=(robot["name"], robot["secret"])))
        # 412 is Harbor's answer to a robot it accepted on /users/current
        assert robot_call.status_code == 412 and robot_seconds < 0.8
        anonymous, anonymous_seconds = _timed(lambda: instance.get("/systeminfo", auth=None))
        assert anonymous.status_code == 200 and anonymous_seconds < 0.8
        # requests in parallel wait in parallel: four at 0.8 s take far less than 3.2 s
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            started = time.monotonic()
            statuses = list(pool.map(lambda _: instance.get("/projects/%s" % project).status_code, range(4)))
            elapsed = time.monotonic() - started
        assert statuses == [200] * 4 and 0.8 <= elapsed < 2.4
    finally:
        assert instance.stop() == 0


def test_robot_auth_latency():
    instance = Emulator(["--robot-auth-latency-ms", "800"])
    try:
        project = unique("lat")
        assert instance.post("/projects", json={"project_name": project}).status_code == 201
        robot = instance.post("/robots", json={
            "name": "ci", "level": "project", "duration": 30,
            "permissions": [{"kind": "project", "namespace": project,
                             "access": [{"resource": "repository", "action": "pull"}]}]}).json()
        robot_call, robot_seconds = _timed(
            lambda: instance.get("/users/current", auth=(robot["name"], robot["secret"])))
        # 412 is Harbor's answer to a robot it accepted on /users/current
        assert robot_call.status_code == 412 and robot_seconds >= 0.8
        user_call, user_seconds = _timed(lambda: instance.get("/projects/%s" % project))
        assert user_call.status_code == 200 and user_seconds < 0.8
    finally:
        assert instance.stop() == 0
