# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Repositories, artifacts and tags."""

from __future__ import annotations

import pytest

from emulator_client import error_of

DIGEST = "sha256:" + "b" * 64


@pytest.fixture(name="project")
def project_fixture(emulator):
    name, pid = emulator.create_project()
    emulator.seed(repositories=[
        {"project": name, "name": "svc/api", "artifacts": [
            {"digest": DIGEST, "tags": ["1.0.0", "latest"], "push_time": "2024-01-01T00:00:00Z", "size": 1000},
            {"tags": ["0.9.0"], "push_time": "2023-06-01T00:00:00Z", "size": 400},
            {"push_time": "2023-01-01T00:00:00Z", "size": 5}]},
        {"project": name, "name": "web", "artifacts": [{"tags": ["v1"]}]},
    ])
    return name, pid


def test_list_and_get_repositories(emulator, project):
    name, pid = project
    listing = emulator.get("/projects/%s/repositories" % name)
    assert listing.headers["X-Total-Count"] == "2"
    repos = {repo["name"]: repo for repo in listing.json()}
    api = repos[name + "/svc/api"]
    assert api["project_id"] == pid
    assert (api["artifact_count"], api["pull_count"]) == (3, 0)
    assert {"id", "creation_time", "update_time"} <= set(api)
    filtered = emulator.get("/projects/%s/repositories?q=name%%3D~svc" % name).json()
    assert [repo["name"] for repo in filtered] == [name + "/svc/api"]
    # "/" in a repository name is encoded twice.
    assert emulator.get("/projects/%s/repositories/svc%%252Fapi" % name).json()["id"] == api["id"]
    assert emulator.get("/projects/%s/repositories/svc%%2Fapi" % name).status_code == 404
    missing = emulator.get("/projects/%s/repositories/nope" % name)
    assert error_of(missing) == ("NOT_FOUND", "repository %s/nope not found" % name)
    everywhere = emulator.get("/repositories?q=project_id%%3D%d" % pid)
    assert everywhere.headers["X-Total-Count"] == "2"


def test_repositories_follow_project_permissions(emulator, project):
    name, _pid = project
    _user, creds = emulator.add_user()
    assert emulator.get("/projects/%s/repositories" % name, auth=creds).status_code == 403
    assert emulator.get("/projects/%s/repositories" % name, auth=None).status_code == 401
    assert name + "/web" not in [repo["name"] for repo in emulator.get("/repositories?page_size=100", auth=creds).json()]


def test_artifacts(emulator, project):
    name, _pid = project
    base = "/projects/%s/repositories/svc%%252Fapi/artifacts" % name
    listing = emulator.get(base)
    assert listing.headers["X-Total-Count"] == "3"
    artifacts = listing.json()
    # Newest push first.
    assert artifacts[0]["digest"] == DIGEST
    # Tags pushed together come newest id first.
    assert [tag["name"] for tag in artifacts[0]["tags"]] == ["latest", "1.0.0"]
    assert "tags" not in artifacts[2]  # untagged
    by_tag = emulator.get(base + "/1.0.0").json()
    assert (by_tag["digest"], by_tag["size"], by_tag["type"]) == (DIGEST, 1000, "IMAGE")
    assert by_tag["repository_name"] == name + "/svc/api"
    assert by_tag["push_time"] == "2024-01-01T00:00:00Z"
    tag = by_tag["tags"][0]
    assert set(tag) == {"id", "repository_id", "artifact_id", "name", "push_time", "pull_time", "immutable"}
    assert tag["immutable"] is False
    assert emulator.get(base + "/" + DIGEST).json()["id"] == by_tag["id"]
    assert "tags" not in emulator.get(base + "/1.0.0?with_tag=false").json()
    missing = emulator.get(base + "/2.0.0")
    assert error_of(missing) == ("NOT_FOUND", "artifact %s/svc/api:2.0.0 not found" % name)
    missing_digest = emulator.get(base + "/sha256:" + "c" * 64)
    assert error_of(missing_digest) == ("NOT_FOUND", "artifact %s/svc/api@sha256:%s not found" % (name, "c" * 64))
    untagged = emulator.get(base + "?q=tags%3Dnil").json()
    assert len(untagged) == 1


def test_tags(emulator, project):
    name, _pid = project
    base = "/projects/%s/repositories/svc%%252Fapi/artifacts" % name
    created = emulator.post(base + "/0.9.0/tags", json={"name": "stable"})
    assert (created.status_code, created.text) == (201, "")
    assert emulator.get(base + "/stable").json()["digest"] == emulator.get(base + "/0.9.0").json()["digest"]
    duplicate = emulator.post(base + "/1.0.0/tags", json={"name": "stable"})
    assert duplicate.status_code == 409
    invalid = emulator.post(base + "/1.0.0/tags", json={"name": "-bad"})
    assert error_of(invalid) == ("BAD_REQUEST", "bad request: invalid tag name: -bad")
    assert emulator.post(base + "/1.0.0/tags", json={}).status_code == 422
    listed = emulator.get(base + "/0.9.0/tags")
    assert sorted(tag["name"] for tag in listed.json()) == ["0.9.0", "stable"]
    assert emulator.delete(base + "/0.9.0/tags/stable").status_code == 200
    assert emulator.get(base + "/stable").status_code == 404
    gone = emulator.delete(base + "/0.9.0/tags/stable")
    assert gone.status_code == 404
    assert error_of(gone)[1].startswith("tag stable attached to artifact ")


def test_delete_artifact_keeps_the_repository(emulator, project):
    name, pid = project
    base = "/projects/%s/repositories/web/artifacts" % name
    assert emulator.delete(base + "/v1").status_code == 200
    assert emulator.get(base + "/v1").status_code == 404
    repo = emulator.get("/projects/%s/repositories/web" % name).json()
    assert repo["artifact_count"] == 0
    # The empty repository still counts and still blocks the project deletion.
    assert emulator.get("/projects/%d" % pid).json()["repo_count"] == 2
    assert emulator.delete("/projects/%d" % pid).status_code == 412


def test_delete_repository(emulator, project):
    name, pid = project
    assert emulator.delete("/projects/%s/repositories/svc%%252Fapi" % name).status_code == 200
    assert emulator.get("/projects/%s/repositories/svc%%252Fapi" % name).status_code == 404
    assert emulator.get("/projects/%d" % pid).json()["repo_count"] == 1
    quota = emulator.get("/quotas?reference=project&reference_id=%d" % pid).json()[0]
    assert quota["used"]["storage"] == 0  # only "web" is left, its artifact has no size
    assert emulator.delete("/projects/%s/repositories/svc%%252Fapi" % name).status_code == 404


def test_seeding_moves_an_existing_tag(emulator, project):
    name, _pid = project
    emulator.seed(repositories=[{"project": name, "name": "svc/api", "artifacts": [{"tags": ["latest"], "size": 1}]}])
    latest = emulator.get("/projects/%s/repositories/svc%%252Fapi/artifacts/latest" % name).json()
    assert latest["digest"] != DIGEST
    assert [tag["name"] for tag in emulator.get(
        "/projects/%s/repositories/svc%%252Fapi/artifacts/%s" % (name, DIGEST)).json()["tags"]] == ["1.0.0"]
