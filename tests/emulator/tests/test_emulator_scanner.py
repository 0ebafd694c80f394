# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The scanner adapter (Pluggable Scanner API v1) and Harbor's scanner registrations (/scanners).

The adapter's scans pull real images from the emulator's registry, so those cases need Debian's
docker-registry package (``make`` installs it) and are skipped without it.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time

import pytest
import requests

from emulator_client import RUN_PY, Emulator, error_of
from images import apk_installed, dpkg_status, layer, push_image

# pylint: disable=wrong-import-position
from emulator.scanner.packages import installed_packages  # noqa: E402
from emulator.scanner.versions import compare_apk, compare_dpkg  # noqa: E402

HAS_REGISTRY = shutil.which("docker-registry") is not None or os.access("/usr/bin/docker-registry", os.X_OK)
needs_registry = pytest.mark.skipif(not HAS_REGISTRY, reason="the docker-registry package is not installed")
VULN = "application/vnd.security.vulnerability.report; version=1.1"
NATIVE = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
SBOM = "application/vnd.security.sbom.report+json; version=1.0"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@pytest.fixture(scope="module")
def scanning():
    instance = Emulator(["--scanner", "--admin-password", "Harbor12345"])
    yield instance
    assert instance.stop() == 0


def adapter(emulator, method, path, **kwargs):
    kwargs.setdefault("timeout", 10)
    kwargs.setdefault("allow_redirects", False)
    return requests.request(method, emulator.info["scanner_url"] + path, **kwargs)


def scan_request(emulator, repository, digest, username="admin", password="Harbor12345", kind="vulnerability"):
    token = base64.b64encode(("%s:%s" % (username, password)).encode()).decode()
    return {"registry": {"url": emulator.url, "authorization": "Basic " + token},
            "artifact": {"repository": repository, "digest": digest, "mime_type": OCI_MANIFEST, "tag": "1"},
            "enabled_capabilities": [{"type": kind}]}


def report_of(emulator, scan_id, accept, timeout=20):
    deadline = time.time() + timeout
    while True:
        response = adapter(emulator, "GET", "/api/v1/scan/%s/report" % scan_id, headers={"Accept": accept})
        if response.status_code != 302 or time.time() > deadline:
            return response
        time.sleep(float(response.headers["Refresh-After"]) / 4)


# -- versions and package databases (no server needed) -------------------------------------------------------

def test_debian_version_order():
    ordered = ["1.0~rc1-1", "1.0-1", "1.0-1+b1", "1.0-2", "1.0.1-1", "1.10-1", "1:0.1-1"]
    for lower, higher in zip(ordered, ordered[1:]):
        assert compare_dpkg(lower, higher) < 0 < compare_dpkg(higher, lower), (lower, higher)
    assert compare_dpkg("1.2.0-1", "1.2.0-1") == 0
    assert compare_dpkg("1.2.0-1~deb12u1", "1.2.0-1") < 0


def test_alpine_version_order():
    ordered = ["1.2.0_alpha1-r0", "1.2.0_rc2-r0", "1.2.0-r0", "1.2.0-r1", "1.2.0_p1-r0", "1.2.0a-r0", "1.10.0-r0"]
    for lower, higher in zip(ordered, ordered[1:]):
        assert compare_apk(lower, higher) < 0 < compare_apk(higher, lower), (lower, higher)


def test_layers_are_merged_with_whiteouts():
    base = layer({"var/lib/dpkg/status": dpkg_status(("libfixture-high", "1.1.0-1"), ("bash", "5.2-1")),
                  "lib/apk/db/installed": apk_installed(("musl", "1.2.4-r2"))})
    upgraded = layer({"var/lib/dpkg/status": dpkg_status(("libfixture-high", "1.2.0-1"), ("bash", "5.2-1")),
                      "lib/apk/db/installed": None}, gzipped=False)
    assert [(p["name"], p["version"]) for p in installed_packages([base])] == [
        ("musl", "1.2.4-r2"), ("bash", "5.2-1"), ("libfixture-high", "1.1.0-1")]
    assert [(p["ecosystem"], p["name"], p["version"]) for p in installed_packages([base, upgraded])] == [
        ("debian", "bash", "5.2-1"), ("debian", "libfixture-high", "1.2.0-1")]
    # Packages not fully installed do not count, distroless status.d files do.
    partial = layer({"var/lib/dpkg/status": "Package: half\nStatus: install ok half-configured\nVersion: 1\n",
                     "var/lib/dpkg/status.d/tzdata": "Package: tzdata\nVersion: 2024a-1\n"})
    assert [p["name"] for p in installed_packages([partial])] == ["tzdata"]


# -- the adapter's API ----------------------------------------------------------------------------------------

def test_metadata(scanning):
    response = adapter(scanning, "GET", "/api/v1/metadata")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.scanner.adapter.metadata+json; version=1.0"
    body = response.json()
    assert body["scanner"] == {"name": "Emulator Scanner", "vendor": "cloudtemple", "version": "1.0.0"}
    by_type = {capability["type"]: capability for capability in body["capabilities"]}
    assert by_type["vulnerability"]["produces_mime_types"] == [VULN, NATIVE]
    assert by_type["sbom"]["produces_mime_types"] == [SBOM]
    assert "application/vnd.docker.distribution.manifest.v2+json" in by_type["sbom"]["consumes_mime_types"]
    assert body["properties"]["harbor.scanner-adapter/registry-authorization-type"] == "Basic"


def test_bad_requests(scanning):
    assert adapter(scanning, "POST", "/api/v1/scan", data="nope").status_code == 400
    missing = adapter(scanning, "POST", "/api/v1/scan", json={"registry": {"url": scanning.url}})
    assert missing.status_code == 422 and missing.json() == {"error": {"message": "invalid artifact in the scan request"}}
    helm = scan_request(scanning, "p/r", "sha256:" + "0" * 64)
    helm["artifact"]["mime_type"] = "application/vnd.cncf.helm.config.v1+json"
    assert adapter(scanning, "POST", "/api/v1/scan", json=helm).status_code == 422
    unknown = adapter(scanning, "GET", "/api/v1/scan/nope/report", headers={"Accept": VULN})
    assert unknown.status_code == 404


@needs_registry
def test_scan_reads_the_image(scanning):
    project, _pid = scanning.create_project()
    digest = push_image(scanning.url, "admin", "Harbor12345", project + "/app", "1", [
        layer({"var/lib/dpkg/status": dpkg_status(("libfixture-high", "1.1.0-1"), ("libfixture-medium", "1.6-1"),
                                                  ("libfixture-low", "0.1-1"), ("bash", "5.2-1"))})])
    submitted = adapter(scanning, "POST", "/api/v1/scan", json=scan_request(scanning, project + "/app", digest))
    assert submitted.status_code == 202
    assert submitted.headers["Content-Type"] == "application/vnd.scanner.adapter.scan.response+json; version=1.0"
    scan_id = submitted.json()["id"]
    report = report_of(scanning, scan_id, VULN)
    assert report.status_code == 200, report.text
    body = report.json()
    assert body["severity"] == "High" and body["scanner"]["name"] == "Emulator Scanner"
    assert body["artifact"] == {"repository": project + "/app", "digest": digest, "mime_type": OCI_MANIFEST}
    # medium 1.6-1 is past its fixed version; low has no fix at all.
    assert [(item["id"], item["package"], item["version"], item["fix_version"], item["severity"])
            for item in body["vulnerabilities"]] == [
        ("CVE-2099-0001", "libfixture-high", "1.1.0-1", "1.2.0-1", "High"),
        ("CVE-2099-0004", "libfixture-low", "0.1-1", "", "Low")]
    first = body["vulnerabilities"][0]
    assert first["links"] == ["https://harbor-emulator.invalid/advisories/CVE-2099-0001"] and first["description"]
    assert adapter(scanning, "GET", "/api/v1/scan/%s/report" % scan_id,
                   headers={"Accept": NATIVE}).json()["vulnerabilities"] == body["vulnerabilities"]
    # The same scan as an SPDX SBOM.
    sbom = adapter(scanning, "GET", "/api/v1/scan/%s/report?sbom_media_type=application%%2Fspdx%%2Bjson" % scan_id,
                   headers={"Accept": SBOM})
    assert sbom.status_code == 200 and sbom.json()["media_type"] == "application/spdx+json"
    document = sbom.json()["sbom"]
    assert document["spdxVersion"] == "SPDX-2.3"
    assert sorted((p["name"], p.get("versionInfo")) for p in document["packages"][1:]) == [
        ("bash", "5.2-1"), ("libfixture-high", "1.1.0-1"), ("libfixture-low", "0.1-1"), ("libfixture-medium", "1.6-1")]
    other = adapter(scanning, "GET", "/api/v1/scan/%s/report?sbom_media_type=application%%2Fvnd.cyclonedx%%2Bjson"
                    % scan_id, headers={"Accept": SBOM})
    assert other.status_code == 422
    assert adapter(scanning, "GET", "/api/v1/scan/%s/report" % scan_id,
                   headers={"Accept": "application/json"}).status_code == 422


@needs_registry
def test_alpine_image_and_pending_report(scanning):
    project, _pid = scanning.create_project()
    digest = push_image(scanning.url, "admin", "Harbor12345", project + "/alp", "1", [
        layer({"lib/apk/db/installed": apk_installed(("libfixture-high", "1.2.0-r0"), ("musl", "1.2.4-r2"))})])
    assert adapter(scanning, "POST", "/_emulator/settings", json={"min_scan_seconds": 2}).status_code == 200
    try:
        scan_id = adapter(scanning, "POST", "/api/v1/scan",
                          json=scan_request(scanning, project + "/alp", digest)).json()["id"]
        pending = adapter(scanning, "GET", "/api/v1/scan/%s/report" % scan_id, headers={"Accept": VULN})
        assert pending.status_code == 302 and pending.headers["Refresh-After"] == "1"
    finally:
        adapter(scanning, "POST", "/_emulator/settings", json={"min_scan_seconds": 0})
    body = report_of(scanning, scan_id, VULN).json()
    assert [(item["id"], item["version"]) for item in body["vulnerabilities"]] == [("CVE-2099-0101", "1.2.0-r0")]


@needs_registry
def test_credentials_come_from_the_request(scanning):
    project, _pid = scanning.create_project()
    digest = push_image(scanning.url, "admin", "Harbor12345", project + "/app", "1",
                        [layer({"etc/hostname": "x"})])
    wrong = scan_request(scanning, project + "/app", digest, password="Wrong-Password1")
    scan_id = adapter(scanning, "POST", "/api/v1/scan", json=wrong).json()["id"]
    failed = report_of(scanning, scan_id, VULN)
    assert failed.status_code == 500 and "failed" in failed.json()["error"]["message"]
    clean = report_of(scanning, adapter(scanning, "POST", "/api/v1/scan",
                                        json=scan_request(scanning, project + "/app", digest)).json()["id"], VULN)
    assert clean.json()["vulnerabilities"] == [] and clean.json()["severity"] == "None"


def test_own_advisory_file(tmp_path):
    advisories = tmp_path / "advisories.json"
    advisories.write_text(json.dumps({"advisories": [{"id": "CVE-2099-9", "ecosystem": "debian", "package": "x",
                                                      "severity": "Severe"}]}))
    refused = subprocess.run([sys.executable, RUN_PY, "--scanner", "--advisories", str(advisories)],
                             capture_output=True, text=True, timeout=30, check=False)
    assert refused.returncode != 0 and "severity must be one of" in refused.stderr
    advisories.write_text(json.dumps({"advisories": [{"id": "CVE-2099-9", "ecosystem": "debian", "package": "bash",
                                                      "severity": "Critical", "fixed": "6.0-1"}]}))
    emulator = Emulator(["--scanner", "--advisories", str(advisories)])
    try:
        metadata = requests.get(emulator.info["scanner_url"] + "/api/v1/metadata", timeout=10).json()
        assert metadata["properties"]["env.ADVISORY_COUNT"] == "1"
    finally:
        assert emulator.stop() == 0


# -- Harbor's /scanners ---------------------------------------------------------------------------------------

def test_no_scanner_without_the_option(emulator):
    assert emulator.get("/scanners").json() == []
    project, pid = emulator.create_project()
    assert emulator.get("/projects/%s/scanner" % project).json() is None
    emulator.seed(repositories=[{"project": project, "name": "app", "artifacts": [
        {"digest": "sha256:" + "1" * 64, "tags": ["1"]}]}])
    refused = emulator.post("/projects/%s/repositories/app/artifacts/1/scan" % project)
    assert error_of(refused) == ("PRECONDITION", "no available scanner for project: %d" % pid)
    assert refused.status_code == 412
    # There is no adapter to register either.
    assert emulator.post("/_emulator/seed", json={"default_scanner": True}, auth=None).status_code == 400


def test_registrations(scanning):
    listed = scanning.get("/scanners").json()
    assert [(item["name"], item["is_default"]) for item in listed] == [("emulator-scanner", True)]
    assert listed[0]["capabilities"] == {"support_vulnerability": True, "support_sbom": True}
    own = listed[0]
    # The same adapter under another URL spelling is another registration (name and url are unique).
    other_url = own["url"].replace("127.0.0.1", "localhost")
    created = scanning.post("/scanners", json={"name": "second", "url": other_url + "/", "description": "d"})
    assert created.status_code == 201
    ident = created.headers["Location"].rsplit("/", 1)[1]
    assert created.headers["Location"] == "/api/v2.0/scanners/" + ident
    second = scanning.get("/scanners/" + ident).json()
    assert second["url"] == other_url and second["is_default"] is False and second["access_credential"] == ""
    duplicate = scanning.post("/scanners", json={"name": "second", "url": other_url})
    assert duplicate.status_code == 409 and error_of(duplicate) == (
        "UNKNOWN", "dao: create registration: registration name or url already exists")
    cases = [({"url": other_url}, "missing registration name"),
             ({"name": "Trivy", "url": other_url}, 'name "Trivy" is reserved, please try a different name'),
             ({"name": "x", "url": other_url, "auth": "Digest", "access_credential": "a"},
              "auth type Digest is not supported"),
             ({"name": "x", "url": other_url, "auth": "Basic"}, "access_credential is required for auth type Basic")]
    for body, message in cases:
        assert error_of(scanning.post("/scanners", json=body)) == ("BAD_REQUEST", message)
    dead = scanning.post("/scanners", json={"name": "dead", "url": "http://127.0.0.1:9"})
    assert dead.status_code == 500 and error_of(dead) == ("UNKNOWN", "internal server error")
    # ping and metadata
    assert scanning.post("/scanners/ping", json={"name": "p", "url": other_url}).status_code == 200
    assert scanning.post("/scanners/ping", json={"name": "p", "url": "http://127.0.0.1:9"}).status_code == 500
    metadata = scanning.get("/scanners/%s/metadata" % ident).json()
    assert metadata["scanner"]["name"] == "Emulator Scanner" and len(metadata["capabilities"]) == 2
    assert error_of(scanning.get("/scanners/nope")) == ("NOT_FOUND", "scanner nope not found")
    # update, default, delete
    assert scanning.put("/scanners/" + ident, json={"name": "renamed", "url": other_url}).status_code == 200
    assert scanning.get("/scanners/" + ident).json()["description"] == ""  # absent fields are cleared
    assert scanning.request("PATCH", "/scanners/" + ident, json={"is_default": True}).status_code == 200
    assert [item["name"] for item in scanning.get("/scanners").json() if item["is_default"]] == ["renamed"]
    disabled_default = {"name": "renamed", "url": other_url, "disabled": True}
    assert scanning.put("/scanners/" + ident, json=disabled_default).status_code == 500
    assert scanning.request("PATCH", "/scanners/" + own["uuid"], json={"is_default": True}).status_code == 200
    deleted = scanning.delete("/scanners/" + ident)
    assert deleted.status_code == 200 and deleted.json()["name"] == "renamed"
    assert scanning.delete("/scanners/" + ident).status_code == 404
    # the scanner of a project: any uuid is stored, an unknown one falls back to the default
    project, _pid = scanning.create_project()
    assert scanning.put("/projects/%s/scanner" % project, json={"uuid": "nope"}).status_code == 200
    chosen = scanning.get("/projects/%s/scanner" % project).json()
    assert chosen["name"] == "emulator-scanner" and chosen["health"] == "healthy"
    assert chosen["adapter"] == "Emulator Scanner" and chosen["vendor"] == "cloudtemple"


def test_scanner_rbac(scanning):
    user, creds = scanning.add_user()
    assert error_of(scanning.get("/scanners", auth=creds)) == ("FORBIDDEN", user)
    assert scanning.get("/scanners", auth=None).status_code == 401
    project, _pid = scanning.create_project()
    assert scanning.get("/projects/%s/scanner" % project, auth=None).status_code == 401
    assert scanning.put("/projects/%s/scanner" % project, json={"uuid": "x"}, auth=creds).status_code == 403


def test_reset_keeps_the_scanner():
    emulator = Emulator(["--scanner"])
    try:
        emulator.seed(default_scanner=False)
        assert emulator.get("/scanners").json() == []
        emulator.seed(default_scanner=True)
        assert [item["name"] for item in emulator.get("/scanners").json()] == ["emulator-scanner"]
        emulator.post("/_emulator/reset", auth=None)
        assert [item["is_default"] for item in emulator.get("/scanners").json()] == [True]
    finally:
        assert emulator.stop() == 0
