# Copyright (c) 2025 Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The extension points used by resource modules, exercised in-process.

Each test registers a hook the way robots.py / immutable.py / retention.py
will, runs an in-process server, and unregisters the hook afterwards.
"""

from __future__ import annotations

import os
import sys

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=wrong-import-position
from emulator.harbor import HarborEmulator, core, load_resources  # noqa: E402
from emulator.http import EmulatorServer  # noqa: E402

ADMIN = ("admin", "Harbor12345")


@pytest.fixture(name="server")
def server_fixture():
    app = HarborEmulator(admin_password=ADMIN[1])
    instance = EmulatorServer(app)
    app.set_external_url(instance.url)
    instance.start_background()
    yield instance
    instance.shutdown()


@pytest.fixture(name="restore_registries")
def restore_registries_fixture():
    """Hooks registered by a test are removed afterwards."""
    load_resources()  # the built-in registrations must be part of what is restored
    lists = ("ROUTES", "SECURITY_GENERATORS", "PROJECT_CREATE_HOOKS", "PROJECT_DELETE_HOOKS", "IMMUTABLE_MATCHERS",
             "ARTIFACT_PUSH_HOOKS", "ARTIFACT_DELETE_HOOKS", "PULL_POLICIES", "ARTIFACT_RENDERERS")
    saved = {name: list(getattr(core, name)) for name in lists}
    saved_seeds = dict(core.SEED_HANDLERS)
    yield
    for name, items in saved.items():
        getattr(core, name)[:] = items
    core.SEED_HANDLERS.clear()
    core.SEED_HANDLERS.update(saved_seeds)


def call(server, method, path, auth=ADMIN, **kwargs):
    return requests.request(method, server.url + "/api/v2.0" + path, auth=auth, timeout=10, **kwargs)


@pytest.mark.usefixtures("restore_registries")
def test_immutable_matcher_protects_tags(server):
    @core.immutable_matcher
    def v_tags(_state, _project, repository, tag):
        return repository == "app" and tag.startswith("v")

    assert call(server, "POST", "/projects", json={"project_name": "imm"}).status_code == 201
    seeded = requests.post(server.url + "/_emulator/seed", timeout=10, json={"repositories": [
        {"project": "imm", "name": "app", "artifacts": [{"tags": ["v1", "dev"]}]}]})
    assert seeded.status_code == 201
    base = "/projects/imm/repositories/app/artifacts"
    tags = call(server, "GET", base + "/v1?with_immutable_status=true").json()["tags"]
    assert {tag["name"]: tag["immutable"] for tag in tags} == {"v1": True, "dev": False}
    assert all(tag["immutable"] is False for tag in call(server, "GET", base + "/v1").json()["tags"])
    blocked = call(server, "DELETE", base + "/v1/tags/v1")
    assert blocked.status_code == 412
    assert blocked.json()["errors"][0] == {"code": "PRECONDITION",
                                           "message": "the tag v1 configured as immutable, cannot be deleted"}
    assert call(server, "DELETE", base + "/v1/tags/dev").status_code == 200
    assert call(server, "DELETE", base + "/v1").status_code == 412
    assert call(server, "DELETE", "/projects/imm/repositories/app").status_code == 412
    moved = requests.post(server.url + "/_emulator/seed", timeout=10, json={"repositories": [
        {"project": "imm", "name": "app", "artifacts": [{"tags": ["v1"]}]}]})
    assert moved.status_code == 400
    assert moved.json()["error"] == "the tag v1 configured as immutable, cannot be updated"


class FakeRobotContext(core.SecurityContext):
    name = "robot"

    def is_authenticated(self):
        return True

    def username(self):
        return "robot$ci"

    def project_creation_error(self):
        return "Only system level robot can create project"


@pytest.mark.usefixtures("restore_registries")
def test_security_generator_order(server):
    @core.security_generator("robot", order=50)
    def robot_generator(req):
        creds = core.parse_basic_auth(req)
        if creds and creds[0].startswith(req.state.config["robot_name_prefix"]) and creds[1] == "Robot-Secret1":
            return FakeRobotContext()
        return None

    names = [name for _order, name, _func in core.SECURITY_GENERATORS]
    # Every robot generator (the built-in one of robots.py and this one) runs before basic auth.
    assert names.count("robot") == 2 and max(i for i, n in enumerate(names) if n == "robot") < names.index("basicAuth")
    robot = ("robot$ci", "Robot-Secret1")
    current = call(server, "GET", "/users/current", auth=robot)
    assert current.status_code == 412
    assert current.json()["errors"][0]["message"] == "get current user not available for security context: robot"
    created = call(server, "POST", "/projects", auth=robot, json={"project_name": "by-robot"})
    assert created.json()["errors"][0] == {"code": "FORBIDDEN", "message": "Only system level robot can create project"}
    # A wrong secret falls through to basic auth and then to anonymous.
    assert call(server, "GET", "/users/current", auth=("robot$ci", "nope")).status_code == 401
    assert call(server, "GET", "/users/current").status_code == 200


@pytest.mark.usefixtures("restore_registries")
def test_project_hooks(server):
    seen = []

    @core.on_project_create
    def created(_req, project, body):
        seen.append(("create", project["name"], body.get("registry_id")))

    @core.on_project_delete
    def deleted(req, project):
        seen.append(("delete", project["project_id"], req.state.project_by_name("hooked")))

    assert call(server, "POST", "/projects", json={"project_name": "hooked"}).status_code == 201
    assert call(server, "DELETE", "/projects/hooked").status_code == 200
    # The project is already gone (soft-deleted) when the delete hooks run.
    assert seen == [("create", "hooked", None), ("delete", 1, None)]


@pytest.mark.usefixtures("restore_registries")
def test_new_resource_module_routes_and_seed():
    @core.route("GET", r"/projects/(?P<project>[^/]+)/hello")
    def hello(req):
        core.require_project_access(req, core.project_ref(req, req.params["project"]), "list", "immutable-tag")
        return core.as_json({"project": req.params["project"], "widgets": req.state.rows("widgets")})

    @core.seed_handler("widgets", order=70)
    def seed_widgets(emulator, items):
        return [emulator.state.insert("widgets", dict(item)) for item in items]

    app = HarborEmulator(admin_password=ADMIN[1])
    instance = EmulatorServer(app)
    instance.start_background()
    try:
        call(instance, "POST", "/projects", json={"project_name": "greet"})
        seeded = requests.post(instance.url + "/_emulator/seed", json={"widgets": [{"name": "w"}]}, timeout=10)
        assert seeded.json() == {"widgets": [1]}
        expected = {"project": "greet", "widgets": [{"id": 1, "name": "w"}]}
        assert call(instance, "GET", "/projects/greet/hello").json() == expected
        assert call(instance, "GET", "/projects/greet/hello", auth=None).status_code == 401
    finally:
        instance.shutdown()


@pytest.fixture(name="registry_server")
def registry_server_fixture():
    """An in-process emulator with its registry (skipped without the docker-registry package)."""
    app = HarborEmulator(admin_password=ADMIN[1])
    instance = EmulatorServer(app)
    app.set_external_url(instance.url)
    if not app.start_registry():
        pytest.skip("the docker-registry package is not installed")
    instance.start_background()
    yield instance
    instance.shutdown()
    app.stop_registry()


@pytest.mark.usefixtures("restore_registries")
def test_push_hook_pull_policy_and_renderer(registry_server):
    """What a scanner plugs in: scan on push, a scan overview in listings, prevent_vul on pulls."""
    from oci_client import OciClient  # pylint: disable=import-outside-toplevel
    pushed = []

    @core.on_artifact_push
    def scan_on_push(_state, project, repository, artifact):
        pushed.append((project["name"], repository["name"], artifact["digest"]))
        artifact["scan_overview"] = {"application/vnd.security.vulnerability.report; version=1.1": {
            "severity": "Critical"}}

    @core.pull_policy
    def prevent_vul(_state, project, _repository, artifact):
        if project["metadata"].get("prevent_vul") == "true" and artifact.get("scan_overview"):
            raise core.HarborError("PROJECTPOLICYVIOLATION", "current image with 1 vulnerabilities cannot be pulled")

    @core.artifact_renderer
    def marker(req, _artifact, body):
        if req.args.get("with_scan_overview"):
            body["rendered"] = True

    created = call(registry_server, "POST", "/projects", json={"project_name": "vul", "metadata": {"prevent_vul": "true"}})
    assert created.status_code == 201
    client = OciClient(registry_server.url, ADMIN)
    answer, digest, _body = client.push_image("vul/app", "1")
    assert answer.status_code == 201
    assert pushed == [("vul", "vul/app", digest)]
    listed = call(registry_server, "GET", "/projects/vul/repositories/app/artifacts?with_scan_overview=true").json()
    assert listed[0]["scan_overview"]["application/vnd.security.vulnerability.report; version=1.1"]["severity"] == \
        "Critical"
    assert listed[0]["rendered"] is True
    plain = call(registry_server, "GET", "/projects/vul/repositories/app/artifacts").json()[0]
    assert "scan_overview" not in plain and "rendered" not in plain
    # basic auth: a token of the administrator would hold scanner-pull, which skips the pull policies
    refused = OciClient(registry_server.url, ADMIN, basic=True).get_manifest("vul/app", "1")
    assert refused.status_code == 412
    assert refused.json()["errors"][0]["code"] == "PROJECTPOLICYVIOLATION"
