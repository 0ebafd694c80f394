# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quotas, registries and proxy-cache projects."""

from __future__ import annotations

from emulator_client import error_of, unique


def quota_of(emulator, pid):
    quotas = emulator.get("/quotas?reference=project&reference_id=%d" % pid).json()
    assert len(quotas) == 1
    return quotas[0]


def create_registry(emulator, **body):
    body.setdefault("name", unique("reg"))
    body.setdefault("type", "docker-hub")
    body.setdefault("url", "https://hub.docker.com")
    response = emulator.post("/registries", json=body)
    assert response.status_code == 201, response.text
    assert response.text == ""
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_quota_created_with_the_project(emulator):
    name, pid = emulator.create_project(storage_limit=1073741824)
    quota = quota_of(emulator, pid)
    assert quota["hard"] == {"storage": 1073741824}
    assert quota["used"] == {"storage": 0}
    assert quota["ref"] == {"id": pid, "name": name, "owner_name": "admin"}
    assert emulator.get("/quotas/%d" % quota["id"]).json() == quota
    # Absent or 0 means the system default (storage_per_project, -1).
    _name, default_pid = emulator.create_project(storage_limit=0)
    assert quota_of(emulator, default_pid)["hard"] == {"storage": -1}
    invalid = emulator.post("/projects", json={"project_name": unique("q"), "storage_limit": -5})
    assert error_of(invalid) == ("BAD_REQUEST", "bad request: invalid non-positive value for quota limit, value=-5")


def test_non_admin_creator_gets_the_default_quota(emulator):
    _user, creds = emulator.add_user()
    _name, pid = emulator.create_project(auth=creds, storage_limit=10)
    assert quota_of(emulator, pid)["hard"] == {"storage": -1}


def test_quota_api_is_for_admins_only(emulator):
    username, creds = emulator.add_user()
    _name, pid = emulator.create_project(auth=creds)
    listing = emulator.get("/quotas?reference=project&reference_id=%d" % pid, auth=creds)
    assert listing.status_code == 403
    assert error_of(listing) == ("FORBIDDEN", username)
    quota_id = quota_of(emulator, pid)["id"]
    assert emulator.put("/quotas/%d" % quota_id, json={"hard": {"storage": 5}}, auth=creds).status_code == 403
    assert emulator.get("/quotas/%d" % quota_id, auth=None).status_code == 401


def test_quota_update_validation(emulator):
    name, pid = emulator.create_project()
    emulator.seed(repositories=[{"project": name, "name": "app", "artifacts": [{"tags": ["v1"], "size": 321}]}])
    quota_id = quota_of(emulator, pid)["id"]
    path = "/quotas/%d" % quota_id
    assert emulator.put(path, json={"hard": {"storage": 2048}}).status_code == 200
    assert quota_of(emulator, pid)["hard"] == {"storage": 2048}
    assert quota_of(emulator, pid)["used"] == {"storage": 321}
    assert emulator.put(path, json={"hard": {"storage": -1}}).status_code == 200
    assert error_of(emulator.put(path, json={})) == ("BAD_REQUEST", "hard required in body")
    assert error_of(emulator.put(path, json={"hard": {}})) == ("BAD_REQUEST", "hard required in body")
    assert error_of(emulator.put(path, json={"hard": {"count": 1}})) == ("BAD_REQUEST", "resource count not support")
    assert error_of(emulator.put(path, json={"hard": {"storage": 0}})) == (
        "BAD_REQUEST", "invalid non-positive value for quota limit, value=0")
    assert error_of(emulator.put(path, json={"hard": {"storage": 1125899906842625}})) == (
        "BAD_REQUEST", "exceeded 1024TB, which is 1125899906842624 Bytes, value=1125899906842625")
    assert emulator.put(path, json={"hard": {"storage": 1125899906842624}}).status_code == 200
    assert emulator.put(path, json={"hard": {"storage": "big"}}).status_code == 422
    assert emulator.get("/quotas/999999").status_code == 404


def test_quota_list_paging(emulator):
    for _index in range(2):
        emulator.create_project()
    page = emulator.get("/quotas?page=1&page_size=1")
    assert int(page.headers["X-Total-Count"]) >= 2
    assert 'rel="next"' in page.headers["Link"]
    assert len(page.json()) == 1


def test_registry_crud(emulator):
    name = unique("hub")
    ident = create_registry(emulator, name=name, url="https://registry-1.docker.io/",
                            credential={"type": "basic", "access_key": "bob", "access_secret": "s3cret"})
    registry = emulator.get("/registries/%d" % ident).json()
    assert registry["name"] == name
    assert registry["url"] == "https://registry-1.docker.io"
    assert registry["status"] == "healthy"
    # The secret never comes back (Harbor masks it).
    assert registry["credential"] == {"type": "basic", "access_key": "bob", "access_secret": "*****"}
    assert "s3cret" not in emulator.get("/registries").text
    assert [r["name"] for r in emulator.get("/registries?name=" + name[:8]).json()] == [name]
    assert [r["name"] for r in emulator.get("/registries?q=name%%3D%s" % name).json()] == [name]
    duplicate = emulator.post("/registries", json={"name": name, "type": "docker-hub", "url": "https://x.example"})
    assert error_of(duplicate) == ("CONFLICT", "registry %s already exists" % name)
    update = emulator.put("/registries/%d" % ident, json={"description": "mirror", "url": "https://mirror.example.com"})
    assert update.status_code == 200
    registry = emulator.get("/registries/%d" % ident).json()
    assert (registry["description"], registry["url"]) == ("mirror", "https://mirror.example.com")
    # A new URL without a new secret keeps the stored one (REAL-HARBOR.md).
    assert registry["credential"]["access_secret"] == "*****"
    assert emulator.delete("/registries/%d" % ident).status_code == 200
    assert error_of(emulator.get("/registries/%d" % ident)) == ("NOT_FOUND", "registry %d not found" % ident)


def test_registry_validation(emulator):
    def fails(body):
        response = emulator.post("/registries", json=dict({"type": "harbor", "url": "https://h.example"}, **body))
        return error_of(response)

    assert fails({"name": ""}) == ("BAD_REQUEST", "name cannot be empty")
    assert fails({"name": "x" * 65}) == ("BAD_REQUEST", "the max length of name is 64")
    assert fails({"name": unique("r"), "url": ""}) == ("BAD_REQUEST", "empty string")
    assert fails({"name": unique("r"), "url": "ftp://h.example"}) == ("BAD_REQUEST", "invalid HTTP scheme: ftp")
    # Harbor's adapter cannot be built for a harbor endpoint whose host does not resolve: a masked 500.
    assert fails({"name": unique("r"), "url": "https://down.invalid"}) == ("UNKNOWN", "internal server error")
    assert fails({"name": unique("r"), "type": "nonsense"}) == ("UNKNOWN", "internal server error")
    # Scheme defaults to http.
    ident = create_registry(emulator, url="harbor.example.com/")
    assert emulator.get("/registries/%d" % ident).json()["url"] == "http://harbor.example.com"


def test_registry_api_is_for_admins_only(emulator):
    username, creds = emulator.add_user()
    assert error_of(emulator.get("/registries", auth=creds)) == ("FORBIDDEN", username)
    assert emulator.get("/registries", auth=None).status_code == 401


def test_proxy_cache_project(emulator):
    registry_id = create_registry(emulator)
    _user, creds = emulator.add_user()
    denied = emulator.post("/projects", json={"project_name": unique("px"), "registry_id": registry_id}, auth=creds)
    assert error_of(denied) == ("FORBIDDEN", "Only system admin can create proxy cache project")
    name, pid = emulator.create_project(registry_id=registry_id, metadata={
        "proxy_speed_kb": "1024", "enable_content_trust": "true", "max_upstream_conn": "-1"})
    project = emulator.get("/projects/%d" % pid).json()
    assert project["registry_id"] == registry_id
    # Proxy-cache projects come with a retention policy (pulled in the last 7 days), linked by retention_id.
    assert project["metadata"].pop("retention_id").isdigit()
    assert project["metadata"] == {"public": "false", "proxy_speed_kb": "1024", "max_upstream_conn": "-1"}
    assert emulator.get("/projects/%d/summary" % pid).json()["registry"]["id"] == registry_id
    bad_speed = emulator.post("/projects", json={"project_name": unique("px"), "registry_id": registry_id,
                                                 "metadata": {"proxy_speed_kb": "fast"}})
    assert bad_speed.status_code == 400
    assert error_of(bad_speed)[1].startswith("metadata.proxy_speed_kb should by an int32, but got: 'fast'")
    blocked = emulator.delete("/registries/%d" % registry_id)
    assert error_of(blocked) == ("PRECONDITION",
                                 "the registry %d is referenced by proxy cache project, cannot delete it" % registry_id)
    assert emulator.delete("/projects/" + name).status_code == 200
    assert emulator.delete("/registries/%d" % registry_id).status_code == 200
    unsupported = create_registry(emulator, type="gitlab", url="https://gitlab.example.com")
    wrong_type = emulator.post("/projects", json={"project_name": unique("px"), "registry_id": unsupported})
    assert error_of(wrong_type) == ("BAD_REQUEST", "bad request: unsupported registry type gitlab")
