# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Projects, project metadata and the project JSON."""

from __future__ import annotations

import random

from emulator_client import error_of, unique

BY_NAME = {"X-Is-Resource-Name": "true"}


def get_project(emulator, name, **kwargs):
    response = emulator.get("/projects/" + name, headers=BY_NAME, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_create_returns_location_and_empty_body(emulator):
    name = unique("loc")
    response = emulator.post("/projects", json={"project_name": name})
    assert response.status_code == 201
    assert response.text == ""
    pid = int(response.headers["Location"].rsplit("/", 1)[1])
    assert response.headers["Location"] == "/api/v2.0/projects/%d" % pid
    other = unique("loc")
    by_name = emulator.post("/projects", json={"project_name": other}, headers={"X-Resource-Name-In-Location": "true"})
    assert by_name.headers["Location"] == "/api/v2.0/projects/" + other


def test_project_json_shape(emulator):
    name, pid = emulator.create_project(metadata={"severity": "High", "auto_scan": "true", "prevent_vul": "true"})
    project = emulator.get("/projects/%d" % pid).json()
    assert project == {
        "project_id": pid, "owner_id": 1, "owner_name": "admin", "name": name, "registry_id": 0,
        "creation_time": project["creation_time"], "update_time": project["update_time"], "repo_count": 0,
        "current_user_role_id": 1, "current_user_role_ids": [1],
        "metadata": {"public": "false", "severity": "high", "auto_scan": "true", "prevent_vul": "true"},
        "cve_allowlist": {"id": project["cve_allowlist"]["id"], "project_id": pid, "items": [], "expires_at": None,
                          "creation_time": project["cve_allowlist"]["creation_time"],
                          "update_time": project["cve_allowlist"]["update_time"]},
    }
    assert project["creation_time"].endswith("Z") and len(project["creation_time"]) == 24


def test_create_validation(emulator):
    duplicate, _pid = emulator.create_project()
    conflict = emulator.post("/projects", json={"project_name": duplicate})
    assert conflict.status_code == 409
    assert error_of(conflict) == ("CONFLICT", "The project named %s already exists" % duplicate)
    illegal = emulator.post("/projects", json={"project_name": "Team_A"})
    assert error_of(illegal) == ("BAD_REQUEST", "project name is not in lower case or contains illegal characters")
    empty = emulator.post("/projects", json={})
    assert error_of(empty) == ("BAD_REQUEST",
                               "Project name  is illegal in length. (greater than 255 or less than 1)")
    assert emulator.post("/projects", json={"project_name": "a" * 256}).status_code == 422
    public = emulator.post("/projects", json={"project_name": unique("pub"), "metadata": {"public": "yes"}})
    assert error_of(public) == ("BAD_REQUEST", "metadata.public should only be 'true' or 'false', but got: 'yes'")
    retention = emulator.post("/projects", json={"project_name": unique("ret"), "metadata": {"retention_id": "7"}})
    assert error_of(retention) == ("BAD_REQUEST", "bad request: the retention_id in the request's payload when "
                                                  "creating a project should be omitted, alternatively passing an empty string")
    assert emulator.post("/projects", json={"project_name": unique("anon")}, auth=None).status_code == 401


def test_create_metadata_rules(emulator):
    name, _pid = emulator.create_project(public=True, metadata={
        "auto_scan": "true", "severity": "", "proxy_speed_kb": "100", "retention_id": "", "unknown": "x"})
    metadata = get_project(emulator, name)["metadata"]
    # Top-level public fills metadata.public; proxy keys and unknown keys are dropped; values stay strings.
    assert metadata == {"public": "true", "auto_scan": "true", "severity": "unknown"}
    explicit, _pid = emulator.create_project(public=True, metadata={"public": "false"})
    assert get_project(emulator, explicit)["metadata"]["public"] == "false"


def test_cve_allowlist_ignored_on_create_and_replaced_on_update(emulator):
    name, pid = emulator.create_project(cve_allowlist={"items": [{"cve_id": "CVE-2021-1"}], "expires_at": 10})
    assert get_project(emulator, name)["cve_allowlist"]["items"] == []
    update = {"cve_allowlist": {"items": [{"cve_id": "CVE-2024-1"}, {"cve_id": "CVE-2024-2"}], "expires_at": 1735689600}}
    assert emulator.put("/projects/%d" % pid, json=update).status_code == 200
    allowlist = get_project(emulator, name)["cve_allowlist"]
    assert allowlist["items"] == [{"cve_id": "CVE-2024-1"}, {"cve_id": "CVE-2024-2"}]
    assert allowlist["expires_at"] == 1735689600
    emulator.put("/projects/%d" % pid, json={"cve_allowlist": {"project_id": pid, "items": []}})
    assert get_project(emulator, name)["cve_allowlist"]["expires_at"] is None
    mismatch = emulator.put("/projects/%d" % pid, json={"cve_allowlist": {"project_id": pid + 1000, "items": []}})
    assert error_of(mismatch) == ("BAD_REQUEST", "project_id in cve_allowlist must be %d but it's %d" % (pid, pid + 1000))


def test_put_merges_metadata_and_ignores_the_rest(emulator):
    name, pid = emulator.create_project(metadata={"auto_scan": "true"}, storage_limit=1000)
    body = {"project_name": "renamed", "public": True, "storage_limit": 5, "metadata": {"severity": "low", "public": "yes"}}
    response = emulator.put("/projects/" + name, json=body)
    assert (response.status_code, response.text) == (200, "")
    project = emulator.get("/projects/%d" % pid).json()
    assert project["name"] == name
    # Merged, not replaced; values are not validated on PUT.
    assert project["metadata"] == {"public": "yes", "auto_scan": "true", "severity": "low"}
    quota = emulator.get("/quotas?reference=project&reference_id=%d" % pid).json()[0]
    assert quota["hard"] == {"storage": 1000}
    # retention_id may only repeat the current value (none here).
    rejected = emulator.put("/projects/%d" % pid, json={"metadata": {"retention_id": "3"}})
    assert rejected.status_code == 400
    assert "retention_id" in error_of(rejected)[1]


def test_get_by_name_or_id(emulator):
    digits = str(random.randint(10 ** 8, 10 ** 9))
    emulator.create_project(name=digits)
    # All digits: an id unless X-Is-Resource-Name says it is a name.
    assert emulator.get("/projects/" + digits).status_code == 404
    assert get_project(emulator, digits)["name"] == digits
    assert emulator.get("/projects/" + digits, headers={"X-Is-Resource-Name": "maybe"}).status_code == 422
    spaced = emulator.get("/projects/bad%20name")
    assert error_of(spaced) == ("BAD_REQUEST", "invalid project name: 'bad name'")


def test_missing_project_statuses_by_caller(emulator):
    _user, creds = emulator.add_user()
    missing = unique("missing")
    assert emulator.get("/projects/" + missing).status_code == 404
    assert emulator.get("/projects/" + missing, auth=creds).status_code == 403
    assert emulator.get("/projects/" + missing, auth=None).status_code == 401
    assert emulator.get("/projects/999999", auth=creds).status_code == 403


def test_rbac_creator_is_project_admin(emulator):
    owner, owner_creds = emulator.add_user()
    _other, other_creds = emulator.add_user()
    name, pid = emulator.create_project(auth=owner_creds)
    project = get_project(emulator, name, auth=owner_creds)
    assert (project["owner_name"], project["current_user_role_id"], project["current_user_role_ids"]) == (owner, 1, [1])
    # The admin is not a member: no role fields.
    assert "current_user_role_id" not in get_project(emulator, name)
    forbidden = emulator.get("/projects/%d" % pid, auth=other_creds)
    assert error_of(forbidden) == ("FORBIDDEN", "forbidden")
    assert emulator.put("/projects/%d" % pid, json={"metadata": {"auto_scan": "true"}}, auth=other_creds).status_code == 403
    assert emulator.put("/projects/%d" % pid, json={"metadata": {"auto_scan": "true"}}, auth=owner_creds).status_code == 200
    # Listing as a member: own projects plus public ones, never other private ones.
    admin_private, _pid = emulator.create_project()
    names = [p["name"] for p in emulator.get("/projects?page_size=100", auth=owner_creds).json()]
    assert name in names and admin_private not in names
    assert emulator.delete("/projects/%d" % pid, auth=owner_creds).status_code == 200


def test_adminonly_creation_restriction(fresh_emulator):
    _user, creds = fresh_emulator.add_user()
    fresh_emulator.put("/configurations", json={"project_creation_restriction": "adminonly"})
    denied = fresh_emulator.post("/projects", json={"project_name": unique("p")}, auth=creds)
    assert error_of(denied) == ("FORBIDDEN", "Only system admin can create project")
    assert fresh_emulator.post("/projects", json={"project_name": unique("p")}).status_code == 201


def test_list_filters(emulator):
    prefix = unique("lst")
    owner, creds = emulator.add_user()
    public, _pid = emulator.create_project(name=prefix + "-pub", metadata={"public": "true"})
    private, _pid = emulator.create_project(name=prefix + "-priv")
    mine, _pid = emulator.create_project(name=prefix + "-mine", auth=creds)

    def names(path, **kwargs):
        response = emulator.get(path, **kwargs)
        assert response.status_code == 200, response.text
        return sorted(project["name"] for project in response.json())

    assert names("/projects?name=%s&page_size=100" % prefix) == sorted([public, private, mine])  # fuzzy
    assert names("/projects?q=name%%3D%s" % prefix) == []  # exact
    assert names("/projects?name=%s&public=true" % prefix) == [public]
    assert names("/projects?name=%s&public=false" % prefix) == sorted([private, mine])
    assert names("/projects?name=%s&owner=%s" % (prefix, owner)) == [mine]
    assert names("/projects?name=%s&public=false" % prefix, auth=None) == []
    assert names("/projects?name=%s" % prefix, auth=None) == [public]
    assert names("/projects?name=%s&public=false" % prefix, auth=creds) == [mine]
    brief = emulator.get("/projects?name=%s&with_detail=false" % prefix).json()[0]
    assert "metadata" not in brief and "owner_name" not in brief


def test_head_project(emulator):
    name, _pid = emulator.create_project()
    found = emulator.request("HEAD", "/projects?project_name=" + name)
    assert (found.status_code, found.content) == (200, b"")
    assert emulator.request("HEAD", "/projects?project_name=" + unique("no")).status_code == 404
    assert emulator.request("HEAD", "/projects?project_name=" + name, auth=None).status_code == 401
    assert emulator.request("HEAD", "/projects").status_code == 422


def test_delete_with_repositories_then_after_the_repository(emulator):
    name, pid = emulator.create_project(storage_limit=2048)
    emulator.seed(repositories=[{"project": name, "name": "svc/api", "artifacts": [{"tags": ["1.0.0"], "size": 10}]}])
    assert emulator.get("/projects/%d/_deletable" % pid).json() == {
        "deletable": False, "message": "the project contains repositories, can not be deleted"}
    blocked = emulator.delete("/projects/" + name)
    assert blocked.status_code == 412
    assert error_of(blocked) == ("PRECONDITION",
                                 "precondition failed: the project contains repositories, can not be deleted")
    assert emulator.delete("/projects/%s/repositories/svc%%252Fapi" % name).status_code == 200
    assert emulator.get("/projects/%d/_deletable" % pid).json() == {"deletable": True}
    quota_id = emulator.get("/quotas?reference=project&reference_id=%d" % pid).json()[0]["id"]
    deleted = emulator.delete("/projects/" + name)
    assert (deleted.status_code, deleted.text) == (200, "")
    assert emulator.get("/projects/%d" % pid).status_code == 404
    assert emulator.get("/quotas/%d" % quota_id).status_code == 404
    # Soft delete: the name can be used again at once, with a new id.
    assert emulator.create_project(name=name)[1] != pid


def test_summary(emulator):
    name, pid = emulator.create_project(storage_limit=4096)
    artifacts = [{"tags": ["1"], "size": 100}, {"tags": ["2"], "size": 50}]
    emulator.seed(repositories=[{"project": name, "name": "web", "artifacts": artifacts}])
    summary = emulator.get("/projects/%d/summary" % pid).json()
    assert summary == {"repo_count": 1, "project_admin_count": 1,
                       "quota": {"hard": {"storage": 4096}, "used": {"storage": 150}}}


def test_metadatas_endpoints(emulator):
    owner, creds = emulator.add_user()
    name, pid = emulator.create_project(auth=creds)
    base = "/projects/%d/metadatas/" % pid
    added = emulator.post(base, json={"auto_scan": "1"})
    assert (added.status_code, added.text) == (200, "")
    assert emulator.get(base).json() == {"public": "false", "auto_scan": "true"}
    # Listing needs metadata:list, which no project role has: the project admin gets 403.
    assert emulator.get(base, auth=creds).status_code == 403
    assert emulator.get(base + "auto_scan", auth=creds).json() == {"auto_scan": "true"}
    assert emulator.get(base + "severity").json() == {}
    assert error_of(emulator.post(base, json={"auto_scan": "true"}))[0] == "CONFLICT"
    assert error_of(emulator.post(base, json={"a": "1", "b": "2"})) == ("BAD_REQUEST", "only allow one key/value pair")
    assert error_of(emulator.post(base, json={"colour": "red"})) == ("BAD_REQUEST", "invalid key: colour")
    assert error_of(emulator.post(base, json={"prevent_vul": "maybe"})) == ("BAD_REQUEST", "invalid value: maybe")
    assert emulator.post(base, json={"severity": "CRITICAL"}, auth=creds).status_code == 200
    assert emulator.get(base + "severity").json() == {"severity": "critical"}
    assert emulator.put(base + "auto_scan", json={"auto_scan": "F"}).status_code == 200
    assert emulator.get(base + "auto_scan").json() == {"auto_scan": "false"}
    # PUT on a key that does not exist changes nothing.
    assert emulator.put(base + "prevent_vul", json={"prevent_vul": "true"}).status_code == 200
    assert "prevent_vul" not in emulator.get(base).json()
    assert emulator.delete(base + "auto_scan").status_code == 200
    assert get_project(emulator, name)["metadata"] == {"public": "false", "severity": "critical"}
    assert owner == get_project(emulator, name)["owner_name"]
