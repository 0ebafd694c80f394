# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The registry behind /v2/: token auth, pushes and pulls recorded, streaming, the request log.

Needs Debian's docker-registry package (``make`` installs it); without it these tests are skipped
and ``test_without_registry`` checks the 503.
"""

from __future__ import annotations

import base64
import json
import os
import shutil

import pytest
import requests

from emulator_client import Emulator, error_of, unique
from oci_client import OCI_CONFIG, OciClient, digest_of

HAS_REGISTRY = shutil.which("docker-registry") is not None
needs_registry = pytest.mark.skipif(not HAS_REGISTRY, reason="the docker-registry package is not installed")
PUSH = [{"resource": "repository", "action": "push"}, {"resource": "repository", "action": "pull"}]
PULL = [{"resource": "repository", "action": "pull"}]


def robot(emulator, project, access, name=None):
    """A project robot seeded with ``access``; returns its (name, secret)."""
    created = emulator.seed(robots=[{"name": name or unique("r"), "project": project, "secret": "Robot-Secret1",
                                     "permissions": [{"kind": "project", "namespace": project, "access": access}]}])
    return created["robots"][0]["name"], "Robot-Secret1"


def claims_of(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@needs_registry
def test_v2_challenge_and_token(emulator):
    response = requests.get(emulator.url + "/v2/", timeout=10)
    assert response.status_code == 401
    assert response.headers["Www-Authenticate"] == \
        'Bearer realm="%s/service/token",service="harbor-registry"' % emulator.url
    assert error_of(response) == ("UNAUTHORIZED", "unauthorized")
    project, _pid = emulator.create_project()
    token = requests.get(emulator.url + "/service/token", auth=emulator.admin, timeout=10, params=[
        ("service", "harbor-registry"), ("scope", "repository:%s/app:pull,push" % project),
        ("scope", "repository:missing/app:pull")])
    assert token.status_code == 200
    body = token.json()
    assert set(body) == {"token", "access_token", "expires_in", "issued_at"}
    assert body["expires_in"] == 30 * 60
    access = claims_of(body["token"])["access"]
    # Harbor grants every action the caller may do, whatever was asked; nothing on a missing project.
    # a system administrator may do everything, scanner-pull (which bypasses pull policies) included
    assert access[0] == {"type": "repository", "name": "%s/app" % project,
                         "actions": ["pull", "push", "delete", "scanner-pull"]}
    assert access[1]["actions"] == []
    bearer = {"Authorization": "Bearer " + body["token"]}
    assert requests.get(emulator.url + "/v2/", headers=bearer, timeout=10).status_code == 200
    # anonymous without scope: 401 with an empty body; unknown service: 400
    assert requests.get(emulator.url + "/service/token?service=harbor-registry", timeout=10).status_code == 401
    unknown = requests.get(emulator.url + "/service/token?service=other", timeout=10)
    assert (unknown.status_code, unknown.text) == (400, "Unable to handle service: other")
    # basic auth directly on /v2/ works too; a wrong password is anonymous
    assert requests.get(emulator.url + "/v2/", auth=emulator.admin, timeout=10).status_code == 200
    wrong = requests.get(emulator.url + "/v2/", auth=("admin", "nope"), timeout=10)
    assert wrong.status_code == 401 and wrong.headers["Www-Authenticate"] == 'Basic realm="harbor"'


@needs_registry
def test_push_is_recorded(emulator):
    project, pid = emulator.create_project()
    client = OciClient(emulator.url, emulator.admin)
    answer, digest, manifest = client.push_image(project + "/svc/api", "1.0.0")
    assert answer.status_code == 201, answer.text
    assert answer.headers["Docker-Content-Digest"] == digest
    assert answer.headers["Location"].startswith(emulator.url + "/v2/")
    artifacts = emulator.get("/projects/%s/repositories/svc%%252Fapi/artifacts" % project).json()
    assert len(artifacts) == 1
    artifact = artifacts[0]
    assert artifact["digest"] == digest
    assert artifact["type"] == "IMAGE"
    assert artifact["media_type"] == OCI_CONFIG
    assert artifact["manifest_media_type"] == "application/vnd.oci.image.manifest.v1+json"
    document = json.loads(manifest)
    assert artifact["size"] == len(manifest) + document["config"]["size"] + document["layers"][0]["size"]
    assert [tag["name"] for tag in artifact["tags"]] == ["1.0.0"]
    assert artifact["pull_time"] == "0001-01-01T00:00:00.000Z"
    repo = emulator.get("/projects/%s/repositories/svc%%252Fapi" % project).json()
    assert (repo["artifact_count"], repo["pull_count"], repo["project_id"]) == (1, 0, pid)
    # usage counts config, layer and manifest
    quota = emulator.get("/quotas?reference_id=%d" % pid).json()[0]
    assert quota["used"]["storage"] == artifact["size"]
    # a pull by tag serves the manifest and counts
    pulled = client.get_manifest(project + "/svc/api", "1.0.0")
    assert pulled.status_code == 200 and pulled.content == manifest
    assert pulled.headers["Docker-Content-Digest"] == digest
    assert client.get_manifest(project + "/svc/api", digest, method="HEAD").status_code == 200
    after = emulator.get("/projects/%s/repositories/svc%%252Fapi/artifacts/1.0.0" % project).json()
    assert after["pull_time"] != "0001-01-01T00:00:00.000Z"
    assert after["tags"][0]["pull_time"] == after["pull_time"]
    repo = emulator.get("/projects/%s/repositories/svc%%252Fapi" % project).json()
    assert repo["pull_count"] == 1  # the HEAD did not count
    blob = client.get_blob(project + "/svc/api", document["layers"][0]["digest"])
    assert blob.status_code == 200 and digest_of(blob.content) == document["layers"][0]["digest"]
    ranged = client.request("GET", "/v2/%s/svc/api/blobs/%s" % (project, document["layers"][0]["digest"]),
                            client.scope(project + "/svc/api", "pull"), headers={"Range": "bytes=0-9"})
    assert ranged.status_code == 206 and ranged.content == blob.content[:10]
    tags = client.request("GET", "/v2/%s/svc/api/tags/list" % project, client.scope(project + "/svc/api", "pull"))
    assert tags.json() == {"name": project + "/svc/api", "tags": ["1.0.0"]}


@needs_registry
def test_chunked_upload_and_big_blob_stream(emulator):
    project, _pid = emulator.create_project()
    client = OciClient(emulator.url, emulator.admin)
    layer = os.urandom(3 * 1024 * 1024 + 17)
    answer, digest, _manifest = client.push_image(project + "/big", "v1", layer=layer, chunked=True)
    assert answer.status_code == 201, answer.text
    fetched = client.get_blob(project + "/big", digest_of(layer))
    assert fetched.status_code == 200 and fetched.content == layer
    assert emulator.get("/projects/%s/repositories/big/artifacts/v1" % project).json()["digest"] == digest


@needs_registry
def test_robots_and_anonymous(emulator):
    private, _unused = emulator.create_project()
    public, _unused = emulator.create_project(metadata={"public": "true"})
    pusher = OciClient(emulator.url, robot(emulator, private, PUSH))
    answer, _digest, _unused = pusher.push_image(private + "/api", "1.0")
    assert answer.status_code == 201, answer.text
    admin = OciClient(emulator.url, emulator.admin)
    assert admin.push_image(public + "/api", "1.0")[0].status_code == 201
    puller_creds = robot(emulator, private, PULL)
    puller = OciClient(emulator.url, puller_creds)
    assert puller.get_manifest(private + "/api", "1.0").status_code == 200
    refused = puller.push_blob(private + "/api", b"nope")
    assert refused.status_code == 401
    assert error_of(refused) == ("UNAUTHORIZED", "unauthorized to access repository: %s/api, action: push" % private)
    # the same robot with basic auth straight on /v2/
    basic = OciClient(emulator.url, puller_creds, basic=True)
    assert basic.get_manifest(private + "/api", "1.0").status_code == 200
    basic_refused = basic.push_blob(private + "/api", b"nope")
    assert basic_refused.status_code == 401 and basic_refused.headers["Www-Authenticate"] == 'Basic realm="harbor"'
    anonymous = OciClient(emulator.url)
    assert anonymous.get_manifest(public + "/api", "1.0").status_code == 200
    denied = anonymous.get_manifest(private + "/api", "1.0")
    assert denied.status_code == 401
    assert error_of(denied) == ("UNAUTHORIZED", "unauthorized to access repository: %s/api, action: pull" % private)
    assert anonymous.push_blob(public + "/api", b"nope").status_code == 401
    missing = OciClient(emulator.url, emulator.admin).push_blob(unique("nowhere") + "/api", b"nope")
    assert missing.status_code == 401 and error_of(missing)[0] == "UNAUTHORIZED"
    assert error_of(missing)[1].endswith(" not found")
    # a system robot covering every project ("*") pushes anywhere
    system = emulator.seed(robots=[{"name": unique("sys"), "secret": "Robot-Secret1", "permissions": [
        {"kind": "project", "namespace": "*", "access": PUSH}]}])["robots"][0]
    system_client = OciClient(emulator.url, (system["name"], "Robot-Secret1"))
    assert system_client.push_image(private + "/other", "1")[0].status_code == 201
    # a developer member pushes, a guest only pulls
    user, creds = emulator.add_user()
    assert emulator.post("/projects/%s/members" % private,
                         json={"role_id": 3, "member_user": {"username": user}}).status_code == 201
    guest = OciClient(emulator.url, creds)
    assert guest.get_manifest(private + "/api", "1.0").status_code == 200
    assert guest.push_blob(private + "/api", b"nope").status_code == 401


@needs_registry
def test_catalog_is_for_sysadmins(emulator):
    project, _unused = emulator.create_project()
    OciClient(emulator.url, emulator.admin).push_image(project + "/cat", "1")
    listed = requests.get(emulator.url + "/v2/_catalog", auth=emulator.admin, timeout=10)
    assert listed.status_code == 200 and project + "/cat" in listed.json()["repositories"]
    _user, creds = emulator.add_user()
    refused = requests.get(emulator.url + "/v2/_catalog", auth=creds, timeout=10)
    assert refused.status_code == 401 and error_of(refused)[1] == "unauthorized to list catalog"


@needs_registry
def test_request_log_has_v2_and_token(emulator):
    project, _unused = emulator.create_project()
    requests.delete(emulator.url + "/_emulator/requests", timeout=10)
    OciClient(emulator.url, emulator.admin).push_image(project + "/logged", "1")
    log = requests.get(emulator.url + "/_emulator/requests", timeout=10).json()
    paths = [(entry["method"], entry["path"].split("?")[0], entry["status"]) for entry in log]
    assert ("GET", "/service/token", 200) in paths
    assert ("PUT", "/v2/%s/logged/manifests/1" % project, 201) in paths
    assert any(method == "POST" and status == 401 for method, _path, status in paths)


def test_without_registry(tmp_path):
    """No docker-registry on PATH: the emulator starts, says so, and /v2/ answers 503."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    env = dict(os.environ, PATH=str(bin_dir), HARBOR_EMULATOR_REGISTRY="")
    instance = Emulator([], env=env)
    try:
        response = requests.get(instance.url + "/v2/", timeout=10)
        assert response.status_code == 503
        assert requests.get(instance.api + "/ping", timeout=10).status_code == 200
    finally:
        assert instance.stop() == 0
    assert "docker-registry" in instance.stderr_text


@needs_registry
def test_tls_push_and_pull(tls_emulator):
    project, _unused = tls_emulator.create_project()
    client = OciClient(tls_emulator.url, tls_emulator.admin, verify=tls_emulator.verify)
    answer, digest, _body = client.push_image(project + "/secure", "1", chunked=True)
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"].startswith(tls_emulator.url + "/v2/")
    challenge = requests.get(tls_emulator.url + "/v2/", verify=tls_emulator.verify, timeout=10)
    assert challenge.headers["Www-Authenticate"].startswith('Bearer realm="%s/service/token"' % tls_emulator.url)
    assert client.get_manifest(project + "/secure", "1").headers["Docker-Content-Digest"] == digest


@needs_registry
def test_state_file_keeps_the_content(tmp_path):
    state = str(tmp_path / "state.json")
    first = Emulator(["--state-file", state, "--admin-password", "Harbor12345"])
    try:
        project, _unused = first.create_project()
        answer, digest, _body = OciClient(first.url, first.admin).push_image(project + "/kept", "1")
        assert answer.status_code == 201
    finally:
        assert first.stop() == 0
    second = Emulator(["--state-file", state, "--admin-password", "Harbor12345"])
    try:
        pulled = OciClient(second.url, second.admin).get_manifest(project + "/kept", "1")
        assert pulled.status_code == 200 and pulled.headers["Docker-Content-Digest"] == digest
    finally:
        assert second.stop() == 0
