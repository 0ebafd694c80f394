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
from emulator.harbor import HarborEmulator, core  # noqa: E402
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


@pytest.fixture(name="registered")
def registered_fixture():
    """Register hooks for one test and remove them afterwards."""
    added = []

    def register(registry, item):
        registry.append(item)
        added.append((registry, item))
        return item

    yield register
    for registry, item in added:
        registry.remove(item)


def call(server, method, path, auth=ADMIN, **kwargs):
    return requests.request(method, server.url + "/api/v2.0" + path, auth=auth, timeout=10, **kwargs)


def test_immutable_matcher_protects_tags(server, registered):
    registered(core.IMMUTABLE_MATCHERS, lambda state, project, repository, tag: tag.startswith("v"))
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


def test_security_generator_order(server, registered):
    def robot_generator(req):
        creds = core.parse_basic_auth(req)
        if creds and creds[0].startswith(req.state.config["robot_name_prefix"]) and creds[1] == "Robot-Secret1":
            return FakeRobotContext()
        return None

    registered(core.SECURITY_GENERATORS, (50, "robot", robot_generator))
    core.SECURITY_GENERATORS.sort(key=lambda item: item[0])
    robot = ("robot$ci", "Robot-Secret1")
    current = call(server, "GET", "/users/current", auth=robot)
    assert current.status_code == 412
    assert current.json()["errors"][0]["message"] == "get current user not available for security context: robot"
    created = call(server, "POST", "/projects", auth=robot, json={"project_name": "by-robot"})
    assert created.json()["errors"][0] == {"code": "FORBIDDEN", "message": "Only system level robot can create project"}
    # A wrong secret falls through to basic auth and then to anonymous.
    assert call(server, "GET", "/users/current", auth=("robot$ci", "nope")).status_code == 401
    assert call(server, "GET", "/users/current").status_code == 200


def test_project_hooks(server, registered):
    seen = []
    registered(core.PROJECT_CREATE_HOOKS, lambda req, project, body: seen.append(("create", project["name"])))
    registered(core.PROJECT_DELETE_HOOKS, lambda req, project: seen.append(("delete", project["project_id"])))
    assert call(server, "POST", "/projects", json={"project_name": "hooked"}).status_code == 201
    assert call(server, "DELETE", "/projects/hooked").status_code == 200
    assert seen == [("create", "hooked"), ("delete", 1)]


def test_new_resource_module_routes(registered):
    def hello(req):
        core.require_project_access(req, core.project_ref(req, req.params["project"]), "list", "immutable-tag")
        return core.as_json({"project": req.params["project"]})

    registered(core.ROUTES, ("GET", core.API_BASE + r"/projects/(?P<project>[^/]+)/hello", hello, {}))
    app = HarborEmulator(admin_password=ADMIN[1])
    instance = EmulatorServer(app)
    instance.start_background()
    try:
        call(instance, "POST", "/projects", json={"project_name": "greet"})
        assert call(instance, "GET", "/projects/greet/hello").json() == {"project": "greet"}
        assert call(instance, "GET", "/projects/greet/hello", auth=None).status_code == 401
    finally:
        instance.shutdown()
