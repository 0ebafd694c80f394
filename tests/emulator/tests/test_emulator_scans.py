# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scans through Harbor's API: scan and SBOM jobs, overviews, logs, scan all, and pulls blocked by prevent_vul.

Images are built here (a layer holding a dpkg status file) and pushed to the emulator's registry, so
these tests need Debian's docker-registry package (``make`` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time

import pytest
import requests

from emulator_client import Emulator, error_of
from images import dpkg_status, layer, pull_manifest, push_image

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable=wrong-import-position
from emulator.scanner.oci import RegistryClient  # noqa: E402

HAS_REGISTRY = shutil.which("docker-registry") is not None or os.access("/usr/bin/docker-registry", os.X_OK)
pytestmark = pytest.mark.skipif(not HAS_REGISTRY, reason="the docker-registry package is not installed")
VULN = "application/vnd.security.vulnerability.report; version=1.1"
PASSWORD = "Harbor12345"
HIGH = ("libfixture-high", "1.1.0-1")
CRITICAL = ("libfixture-critical", "1.0.0-1")
POLICY = ("current image with %d %s cannot be pulled due to configured policy in 'Prevent images with vulnerability "
          "severity of \"%s\" or higher from running.' To continue with pull, please contact your project "
          "administrator to exempt matched vulnerabilities through configuring the CVE allowlist.")


@pytest.fixture(scope="module")
def harbor():
    instance = Emulator(["--scanner", "--admin-password", PASSWORD])
    yield instance
    assert instance.stop() == 0


def push(emulator, project, repository, tag, *packages, extra=None):
    files = {"var/lib/dpkg/status": dpkg_status(*packages), "etc/marker": "%s:%s" % (repository, tag)}
    files.update(extra or {})
    return push_image(emulator.url, "admin", PASSWORD, "%s/%s" % (project, repository), tag, [layer(files)])


def artifact(emulator, project, repository, reference, **params):
    params.setdefault("with_scan_overview", "true")
    response = emulator.get("/projects/%s/repositories/%s/artifacts/%s" % (project, repository, reference),
                            params=params)
    assert response.status_code == 200, response.text
    return response.json()


def wait_for(emulator, project, repository, reference, key="scan_overview", timeout=30):
    """The artifact once its overview (``key``) reached a final status."""
    deadline = time.time() + timeout
    while True:
        body = artifact(emulator, project, repository, reference, with_sbom_overview="true")
        overview = body.get(key) or {}
        status = overview.get("scan_status") if key == "sbom_overview" else (
            list(overview.values())[0]["scan_status"] if overview else None)
        if status in ("Success", "Error", "Stopped"):
            return body
        assert time.time() < deadline, body
        time.sleep(0.3)


def scan(emulator, project, repository, reference, **body):
    return emulator.post("/projects/%s/repositories/%s/artifacts/%s/scan" % (project, repository, reference),
                         json=body or None)


def referrers(client, repository, digest):
    """Digests of the referrers the registry lists for ``digest`` (Harbor's accessories)."""
    _status, _headers, body = client.request("GET", "/v2/%s/referrers/%s" % (repository, digest),
                                             "repository:%s:pull" % repository)
    return [entry["digest"] for entry in json.loads(body)["manifests"]
            if entry.get("artifactType") == "application/vnd.goharbor.harbor.sbom.v1"]


def puller(emulator, project):
    """A project robot that may pull (a sysadmin's token carries scanner-pull, which skips the policies)."""
    created = emulator.seed(robots=[{"name": "puller", "project": project, "secret": "Puller-Secret1"}])
    return created["robots"][0]["name"], "Puller-Secret1"


def pull(emulator, project, repository, reference, identity=None):
    username, password = identity or puller_of(emulator, project)
    return pull_manifest(emulator.url, username, password, "%s/%s" % (project, repository), reference)


PULLERS = {}


def puller_of(emulator, project):
    if project not in PULLERS:
        PULLERS[project] = puller(emulator, project)
    return PULLERS[project]


def test_manual_scan_overview_report_and_log(harbor):
    project, _pid = harbor.create_project()
    digest = push(harbor, project, "app", "1.0", HIGH, ("bash", "5.2-1"))
    assert "scan_overview" not in artifact(harbor, project, "app", "1.0")
    assert scan(harbor, project, "app", "1.0").status_code == 202
    body = wait_for(harbor, project, "app", "1.0")
    overview = body["scan_overview"][VULN]
    assert overview["scan_status"] == "Success" and overview["severity"] == "High"
    assert overview["summary"] == {"total": 1, "fixable": 1, "summary": {"High": 1}}
    assert overview["complete_percent"] == 100 and overview["scanner"]["name"] == "Emulator Scanner"
    assert set(overview) >= {"report_id", "start_time", "end_time", "duration"}
    # Without the parameter, no overview.
    assert "scan_overview" not in artifact(harbor, project, "app", digest, with_scan_overview="false")
    addition = harbor.get("/projects/%s/repositories/app/artifacts/%s/additions/vulnerabilities" % (project, digest))
    report = addition.json()[VULN]
    assert [(item["id"], item["package"], item["fix_version"]) for item in report["vulnerabilities"]] == [
        ("CVE-2099-0001", "libfixture-high", "1.2.0-1")]
    log = harbor.get("/projects/%s/repositories/app/artifacts/1.0/scan/%s/log" % (project, overview["report_id"]))
    assert log.status_code == 200 and "1 vulnerabilities found" in log.text
    missing = harbor.get("/projects/%s/repositories/app/artifacts/1.0/scan/nope/log" % project)
    assert error_of(missing) == ("NOT_FOUND", "report with uuid nope does not exist")


def test_clean_image_on_push_and_listing(harbor):
    project, _pid = harbor.create_project(metadata={"auto_scan": "true"})
    push(harbor, project, "clean", "1", ("bash", "5.2-1"), ("libfixture-high", "1.2.0-1"))
    overview = wait_for(harbor, project, "clean", "1")["scan_overview"][VULN]
    assert overview["severity"] == "None" and overview["summary"] == {"total": 0, "fixable": 0, "summary": {}}
    listed = harbor.get("/projects/%s/repositories/clean/artifacts" % project,
                        params={"with_scan_overview": "true"}).json()
    assert listed[0]["scan_overview"][VULN]["report_id"] == overview["report_id"]


def test_running_scan_conflict_and_stop(harbor):
    project, _pid = harbor.create_project()
    push(harbor, project, "slow", "1", HIGH)
    settings = harbor.info["scanner_url"] + "/_emulator/settings"
    requests.post(settings, json={"min_scan_seconds": 5}, timeout=10)
    try:
        assert scan(harbor, project, "slow", "1").status_code == 202
        time.sleep(0.5)
        running = scan(harbor, project, "slow", "1")
        assert error_of(running) == ("CONFLICT", "a previous scan process is Running")
        stop = harbor.post("/projects/%s/repositories/slow/artifacts/1/scan/stop" % project,
                           json={"scan_type": "vulnerability"})
        assert stop.status_code == 202
        overview = wait_for(harbor, project, "slow", "1")["scan_overview"][VULN]
        assert overview["scan_status"] == "Stopped" and overview["summary"] is None
    finally:
        requests.post(settings, json={"min_scan_seconds": 0}, timeout=10)
    push(harbor, project, "never", "1", HIGH)
    refused = harbor.post("/projects/%s/repositories/never/artifacts/1/scan/stop" % project,
                          json={"scan_type": "vulnerability"})
    assert error_of(refused)[0] == "BAD_REQUEST" and "no scan job for artifact digest=sha256:" in error_of(refused)[1]


def test_unscannable_and_deactivated(harbor):
    project, _pid = harbor.create_project(metadata={"auto_scan": "true"})
    client = RegistryClient.with_basic(harbor.url, "admin", PASSWORD)
    config = client.push_blob(project + "/chart", b'{"name":"c"}')
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.cncf.helm.config.v1+json", "size": 12,
                                      "digest": config}, "layers": []}).encode()
    client.push_manifest(project + "/chart", "0.1.0", manifest, "application/vnd.oci.image.manifest.v1+json")
    # auto_scan skips it silently; a manual scan says why.
    assert "scan_overview" not in artifact(harbor, project, "chart", "0.1.0")
    refused = scan(harbor, project, "chart", "0.1.0")
    assert error_of(refused) == ("BAD_REQUEST", "the configured scanner emulator-scanner does not support scanning "
                                 "artifact with mime type application/vnd.oci.image.manifest.v1+json")
    own = harbor.get("/scanners").json()[0]
    other = harbor.post("/scanners", json={"name": "off", "url": own["url"].replace("127.0.0.1", "localhost"),
                                           "disabled": True})
    ident = other.headers["Location"].rsplit("/", 1)[1]
    try:
        assert harbor.put("/projects/%s/scanner" % project, json={"uuid": ident}).status_code == 200
        push(harbor, project, "img", "1", HIGH)
        assert error_of(scan(harbor, project, "img", "1")) == ("PRECONDITION", "scanner off is deactivated")
    finally:
        harbor.delete("/scanners/" + ident)


def test_sbom_accessory(harbor):
    project, _pid = harbor.create_project(metadata={"auto_sbom_generation": "true"})
    digest = push(harbor, project, "app", "2.0", HIGH, ("bash", "5.2-1"))
    body = wait_for(harbor, project, "app", "2.0", key="sbom_overview")
    sbom = body["sbom_overview"]
    assert sbom["scan_status"] == "Success" and sbom["sbom_digest"].startswith("sha256:")
    assert "scan_overview" not in body  # auto_sbom_generation alone runs no vulnerability scan
    # The accessory is a real artifact in the registry, a referrer of the image; its one layer is the SPDX document.
    client = RegistryClient.with_basic(harbor.url, "admin", PASSWORD)
    assert referrers(client, project + "/app", digest) == [sbom["sbom_digest"]]
    _media_type, manifest, _raw = client.get_manifest(project + "/app", sbom["sbom_digest"])
    assert manifest["config"]["mediaType"] == "application/vnd.goharbor.harbor.sbom.v1"
    assert manifest["subject"]["digest"] == digest
    document = json.loads(client.get_blob(project + "/app", manifest["layers"][0]["digest"]))
    assert sorted(package["name"] for package in document["packages"][1:]) == ["bash", "libfixture-high"]
    # A new SBOM replaces the accessory.
    assert scan(harbor, project, "app", "2.0", scan_type="sbom").status_code == 202
    time.sleep(0.2)
    again = wait_for(harbor, project, "app", "2.0", key="sbom_overview")["sbom_overview"]
    assert again["report_id"] != sbom["report_id"]
    assert referrers(client, project + "/app", digest) == [again["sbom_digest"]]


def test_sbom_needs_harbor_2_11():
    emulator = Emulator(["--scanner", "--admin-password", PASSWORD, "--harbor-version", "v2.10.0"])
    try:
        project, _pid = emulator.create_project()
        push(emulator, project, "app", "1", HIGH)
        assert scan(emulator, project, "app", "1", scan_type="sbom").status_code == 202
        body = wait_for(emulator, project, "app", "1")
        assert body["scan_overview"][VULN]["severity"] == "High" and "sbom_overview" not in body
    finally:
        assert emulator.stop() == 0


def test_pull_blocking(harbor):
    project, pid = harbor.create_project(metadata={"auto_scan": "true", "prevent_vul": "true", "severity": "high"})
    push(harbor, project, "vuln", "1", HIGH, ("libfixture-medium", "1.2-1"))
    wait_for(harbor, project, "vuln", "1")
    status, message = pull(harbor, project, "vuln", "1")
    # Harbor counts every finding not allowlisted, the Medium one too, once the highest reaches the threshold.
    assert (status, message) == (412, "PROJECTPOLICYVIOLATION: " + POLICY % (2, "vulnerabilities", "High"))
    # The sysadmin's token carries scanner-pull, which Harbor lets through.
    assert pull(harbor, project, "vuln", "1", identity=("admin", PASSWORD))[0] == 200
    # HEAD is checked too.
    client = RegistryClient.with_basic(harbor.url, *puller_of(harbor, project))
    head = client.request("HEAD", "/v2/%s/vuln/manifests/1" % project, "repository:%s/vuln:pull" % project,
                          expect=(200, 412))
    assert head[0] == 412
    # A re-scan works: the scanner's own pulls are not blocked.
    assert scan(harbor, project, "vuln", "1").status_code == 202
    time.sleep(0.2)
    assert wait_for(harbor, project, "vuln", "1")["scan_overview"][VULN]["scan_status"] == "Success"
    # The project's allowlist exempts the CVE; the Medium one left is below the threshold.
    assert harbor.put("/projects/%d" % pid, json={"cve_allowlist": {"items": [{"cve_id": "CVE-2099-0001"}]}}
                      ).status_code == 200
    assert pull(harbor, project, "vuln", "1")[0] == 200
    assert harbor.put("/projects/%d" % pid, json={"metadata": {"severity": "medium"}}).status_code == 200
    assert POLICY % (1, "vulnerability", "Medium") in pull(harbor, project, "vuln", "1")[1]
    assert harbor.put("/projects/%d" % pid, json={"metadata": {"severity": "high"}}).status_code == 200
    # An expired allowlist exempts nothing.
    expired = {"items": [{"cve_id": "CVE-2099-0001"}], "expires_at": int(time.time()) - 60}
    assert harbor.put("/projects/%d" % pid, json={"cve_allowlist": expired}).status_code == 200
    assert pull(harbor, project, "vuln", "1")[0] == 412
    # With reuse_sys_cve_allowlist the system's list applies instead.
    assert harbor.put("/projects/%d" % pid, json={"metadata": {"reuse_sys_cve_allowlist": "true"}}).status_code == 200
    assert pull(harbor, project, "vuln", "1")[0] == 412
    assert harbor.put("/system/CVEAllowlist", json={"items": [{"cve_id": "CVE-2099-0001"}]}).status_code == 200
    assert harbor.get("/system/CVEAllowlist").json()["items"] == [{"cve_id": "CVE-2099-0001"}]
    assert pull(harbor, project, "vuln", "1")[0] == 200
    assert harbor.put("/system/CVEAllowlist", json={"items": []}).status_code == 200
    assert pull(harbor, project, "vuln", "1")[0] == 412
    # At "medium" both count; at "critical" it passes.
    assert harbor.put("/projects/%d" % pid, json={"metadata": {"severity": "medium"}}).status_code == 200
    assert POLICY % (2, "vulnerabilities", "Medium") in pull(harbor, project, "vuln", "1")[1]
    assert harbor.put("/projects/%d" % pid, json={"metadata": {"severity": "critical"}}).status_code == 200
    assert pull(harbor, project, "vuln", "1")[0] == 200


def test_pull_blocking_edge_cases(harbor):
    project, pid = harbor.create_project(metadata={"prevent_vul": "true", "severity": "low"})
    push(harbor, project, "unscanned", "1", HIGH)
    # With a scanner, an image never scanned is refused (vulnerable.go "report not found").
    status, message = pull(harbor, project, "unscanned", "1")
    assert (status, message) == (412, "PROJECTPOLICYVIOLATION: current image without vulnerability scanning cannot "
                                 "be pulled due to configured policy in 'Prevent images with vulnerability severity "
                                 "of \"Low\" or higher from running.' To continue with pull, please contact your "
                                 "project administrator for help.")
    settings = harbor.info["scanner_url"] + "/_emulator/settings"
    requests.post(settings, json={"min_scan_seconds": 3}, timeout=10)
    try:
        scan(harbor, project, "unscanned", "1")
        time.sleep(0.5)
        status, message = pull(harbor, project, "unscanned", "1")
        assert status == 412 and 'current image with "Running" status of vulnerability scanning' in message
    finally:
        requests.post(settings, json={"min_scan_seconds": 0}, timeout=10)
    wait_for(harbor, project, "unscanned", "1")
    assert pull(harbor, project, "unscanned", "1")[0] == 412
    # Without prevent_vul nothing is checked.
    assert harbor.put("/projects/%d" % pid, json={"metadata": {"prevent_vul": "false"}}).status_code == 200
    assert pull(harbor, project, "unscanned", "1")[0] == 200


def test_no_scanner_no_blocking():
    emulator = Emulator(["--admin-password", PASSWORD])
    try:
        project, _pid = emulator.create_project(metadata={"prevent_vul": "true", "severity": "low",
                                                          "auto_scan": "true"})
        push(emulator, project, "app", "1", HIGH)
        assert pull(emulator, project, "app", "1")[0] == 200
        assert "scan_overview" not in artifact(emulator, project, "app", "1")
    finally:
        assert emulator.stop() == 0


def test_scan_all(harbor):
    project, _pid = harbor.create_project()
    push(harbor, project, "a", "1", HIGH)
    push(harbor, project, "b", "1", ("bash", "5.2-1"))
    assert harbor.get("/scans/schedule/metrics").json() == {}
    settings = harbor.info["scanner_url"] + "/_emulator/settings"
    requests.post(settings, json={"min_scan_seconds": 2}, timeout=10)
    try:
        assert harbor.post("/system/scanAll/schedule", json={"schedule": {"type": "Manual"}}).status_code == 201
        metrics = harbor.get("/scans/all/metrics").json()
        assert metrics["ongoing"] is True and metrics["trigger"] == "Manual" and metrics["total"] >= 2
        again = harbor.post("/system/scanAll/schedule", json={"schedule": {"type": "Manual"}})
        assert error_of(again) == ("CONFLICT", "a previous scan all job aleady exits, its status is Running")
    finally:
        requests.post(settings, json={"min_scan_seconds": 0}, timeout=10)
    deadline = time.time() + 30
    while harbor.get("/scans/all/metrics").json()["ongoing"]:
        assert time.time() < deadline
        time.sleep(0.3)
    metrics = harbor.get("/scans/all/metrics").json()
    assert metrics["completed"] == metrics["total"] == metrics["metrics"]["Success"]
    assert artifact(harbor, project, "a", "1")["scan_overview"][VULN]["severity"] == "High"
    assert artifact(harbor, project, "b", "1")["scan_overview"][VULN]["severity"] == "None"
    assert harbor.post("/system/scanAll/stop").status_code == 202


def test_scan_rbac(harbor):
    project, _pid = harbor.create_project()
    push(harbor, project, "app", "1", HIGH)
    _user, creds = harbor.add_user()
    assert harbor.post("/projects/%s/repositories/app/artifacts/1/scan" % project, auth=creds).status_code == 403
    assert harbor.post("/projects/%s/repositories/app/artifacts/1/scan" % project, auth=None).status_code == 401
    assert harbor.put("/system/CVEAllowlist", json={"items": []}, auth=creds).status_code == 403
    assert harbor.get("/system/CVEAllowlist", auth=None).status_code == 401


def test_image_index(harbor):
    """An index is scanned through its children; its overview merges theirs; once scanned it is not blocked."""
    project, _pid = harbor.create_project(metadata={"prevent_vul": "true", "severity": "high"})
    amd64 = push(harbor, project, "multi", "amd64", HIGH)
    arm64 = push(harbor, project, "multi", "arm64", ("bash", "5.2-1"))
    client = RegistryClient.with_basic(harbor.url, "admin", PASSWORD)
    sizes = {digest: len(client.get_manifest(project + "/multi", digest)[2]) for digest in (amd64, arm64)}
    index = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": digest, "size": sizes[digest],
         "platform": {"os": "linux", "architecture": arch}} for digest, arch in ((amd64, "amd64"), (arm64, "arm64"))]})
    client.push_manifest(project + "/multi", "1.0", index.encode(), "application/vnd.oci.image.index.v1+json")
    assert pull(harbor, project, "multi", "1.0")[1].startswith(
        "PROJECTPOLICYVIOLATION: current image without vulnerability scanning")
    assert scan(harbor, project, "multi", "1.0").status_code == 202
    overview = wait_for(harbor, project, "multi", "1.0")["scan_overview"][VULN]
    assert overview["scan_status"] == "Success" and overview["severity"] == "High"
    assert overview["summary"] == {"total": 1, "fixable": 1, "summary": {"High": 1}}
    log = harbor.get("/projects/%s/repositories/multi/artifacts/1.0/scan/%s/log" % (project, overview["report_id"]))
    assert log.text.count("---------- Logs of report") == 2
    # The index passes; its vulnerable child does not.
    assert pull(harbor, project, "multi", "1.0")[0] == 200
    assert pull(harbor, project, "multi", amd64)[0] == 412
    assert pull(harbor, project, "multi", arm64)[0] == 200


def test_scans_over_tls():
    """With --tls the adapter pulls over HTTPS trusting the emulator's CA, and the job pushes the SBOM the same way."""
    emulator = Emulator(["--scanner", "--tls", "--admin-password", PASSWORD])
    try:
        project, _pid = emulator.create_project(metadata={"auto_scan": "true", "auto_sbom_generation": "true"})
        push_image(emulator.url, "admin", PASSWORD, project + "/app", "1",
                   [layer({"var/lib/dpkg/status": dpkg_status(HIGH)})], cafile=emulator.verify)
        assert wait_for(emulator, project, "app", "1")["scan_overview"][VULN]["severity"] == "High"
        sbom = wait_for(emulator, project, "app", "1", key="sbom_overview")["sbom_overview"]
        assert sbom["scan_status"] == "Success" and sbom["sbom_digest"].startswith("sha256:")
    finally:
        assert emulator.stop() == 0


def test_seeded_images_are_scannable(harbor):
    """A seeded image is a real push of a gzipped tar layer, so it scans as a tiny real image does: clean."""
    project, _pid = harbor.create_project()
    harbor.seed(repositories=[{"project": project, "name": "seeded", "artifacts": [{"tags": ["1.0"]}]}])
    assert scan(harbor, project, "seeded", "1.0").status_code == 202
    overview = wait_for(harbor, project, "seeded", "1.0")["scan_overview"][VULN]
    assert overview["scan_status"] == "Success" and overview["severity"] == "None"
