# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Immutable tag rules: Harbor's API quirks, and the 412 on deleting or moving a protected tag."""

from __future__ import annotations

import pytest

from emulator_client import error_of

BY_NAME = {"X-Is-Resource-Name": "true"}
DIGEST_A = "sha256:" + "a" * 64
DIGEST_B = "sha256:" + "b" * 64


def immutable_rule(tags, repositories="**", disabled=None, tag_decoration="matches", repo_decoration="repoMatches"):
    body = {"action": "immutable", "template": "immutable_template",
            "tag_selectors": [{"kind": "doublestar", "decoration": tag_decoration, "pattern": tags}],
            "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": repo_decoration,
                                                "pattern": repositories}]}}
    if disabled is not None:
        body["disabled"] = disabled
    return body


def rules_path(name):
    return "/projects/%s/immutabletagrules" % name


def add(emulator, name, body):
    response = emulator.post(rules_path(name), json=body, headers=BY_NAME)
    assert response.status_code == 201, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def listing(emulator, name):
    return emulator.get(rules_path(name), headers=BY_NAME).json()


@pytest.fixture(name="project")
def project_fixture(emulator):
    name, pid = emulator.create_project()
    emulator.seed(repositories=[{"project": name, "name": "svc/api", "artifacts": [
        {"digest": DIGEST_A, "tags": ["1.2.3", "latest"]}, {"digest": DIGEST_B, "tags": ["v2.0.0", "dev"]}]}])
    return name, pid


def test_create_ignores_disabled_and_identical_rules_conflict(emulator, project):
    name, pid = project
    ident = add(emulator, name, immutable_rule("{v,}[0-9]*.[0-9]*.[0-9]*", disabled=True))
    created = emulator.post(rules_path(str(pid)), json=immutable_rule("latest"))
    assert created.headers["Location"] == "/api/v2.0/projects/%d/immutabletagrules/%d" % (pid, ident + 1)
    rules = listing(emulator, name)
    assert [rule["id"] for rule in rules] == [ident, ident + 1]
    # disabled:true was ignored; false is omitted from the JSON, as are priority and params.
    assert rules[0] == {"id": ident, "action": "immutable", "template": "immutable_template",
                        "tag_selectors": [{"kind": "doublestar", "decoration": "matches",
                                           "pattern": "{v,}[0-9]*.[0-9]*.[0-9]*"}],
                        "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches",
                                                            "pattern": "**"}]}}
    twin = emulator.post(rules_path(name), json=immutable_rule("latest"), headers=BY_NAME)
    assert twin.status_code == 409 and error_of(twin) == ("CONFLICT", "immutable rule already exists")
    # Harbor compares the stored JSON, so the same selectors with another disabled value are not a duplicate.
    assert emulator.post(rules_path(name), json=immutable_rule("latest", disabled=True), headers=BY_NAME).status_code == 201
    assert emulator.get(rules_path(name) + "?page_size=1", headers=BY_NAME).headers["X-Total-Count"] == "3"


def test_no_get_by_id(emulator, project):
    name, _pid = project
    ident = add(emulator, name, immutable_rule("latest"))
    assert emulator.get("%s/%d" % (rules_path(name), ident), headers=BY_NAME).status_code == 405


def test_toggling_disabled_ignores_every_other_change(emulator, project):
    name, _pid = project
    ident = add(emulator, name, immutable_rule("latest"))
    path = "%s/%d" % (rules_path(name), ident)
    both = dict(immutable_rule("stable", disabled=True), id=ident)
    assert emulator.put(path, json=both, headers=BY_NAME).status_code == 200
    rule = listing(emulator, name)[0]
    assert rule["disabled"] is True and rule["tag_selectors"][0]["pattern"] == "latest"
    # Same disabled value: now the selectors change.
    assert emulator.put(path, json=both, headers=BY_NAME).status_code == 200
    rule = listing(emulator, name)[0]
    assert rule["disabled"] is True and rule["tag_selectors"][0]["pattern"] == "stable"


def test_update_checks(emulator, project):
    name, _pid = project
    other, _other_pid = emulator.create_project()
    ident = add(emulator, name, immutable_rule("latest"))
    mismatch = emulator.put("%s/%d" % (rules_path(name), ident), json=dict(immutable_rule("x"), id=ident + 100),
                            headers=BY_NAME)
    assert error_of(mismatch) == ("BAD_REQUEST", "bad request: the immutable_rule_id doesn't match the id in the "
                                                 "payload body of ImmutableRule")
    unknown = emulator.put("%s/987654" % rules_path(name), json=dict(immutable_rule("x"), id=987654), headers=BY_NAME)
    assert error_of(unknown) == ("NOT_FOUND", "immutable rule 987654 not found")
    foreign = emulator.put("%s/%d" % (rules_path(other), ident), json=dict(immutable_rule("x"), id=ident),
                           headers=BY_NAME)
    assert foreign.status_code == 404 and "does not match" in error_of(foreign)[1]
    assert emulator.delete("%s/%d" % (rules_path(other), ident), headers=BY_NAME).status_code == 404
    assert emulator.delete("%s/%d" % (rules_path(name), ident), headers=BY_NAME).status_code == 200
    assert emulator.delete("%s/%d" % (rules_path(name), ident), headers=BY_NAME).status_code == 404


def test_permissions(emulator, project):
    name, _pid = project
    developer, creds = emulator.add_user()
    emulator.post("/projects/%s/members" % name, headers=BY_NAME, json={"role_id": 2, "member_user": {"username": developer}})
    assert emulator.post(rules_path(name), json=immutable_rule("x"), headers=BY_NAME, auth=creds).status_code == 403
    assert emulator.get(rules_path(name), headers=BY_NAME, auth=None).status_code == 401


def test_protected_tags_cannot_be_deleted(emulator, project):
    name, _pid = project
    add(emulator, name, immutable_rule("{v,}[0-9]*.[0-9]*.[0-9]*", repositories="svc/**"))
    base = "/projects/%s/repositories/svc%%252Fapi/artifacts" % name
    tags = emulator.get(base + "/" + DIGEST_A + "/tags?with_immutable_status=true").json()
    assert {tag["name"]: tag["immutable"] for tag in tags} == {"1.2.3": True, "latest": False}
    refused = emulator.delete(base + "/1.2.3/tags/1.2.3")
    assert refused.status_code == 412
    assert error_of(refused) == ("PRECONDITION", "the tag 1.2.3 configured as immutable, cannot be deleted")
    assert emulator.delete(base + "/" + DIGEST_A).status_code == 412
    assert emulator.delete("/projects/%s/repositories/svc%%252Fapi" % name).status_code == 412
    assert emulator.delete(base + "/dev/tags/dev").status_code == 200


def test_disabled_and_excluding_rules(emulator, project):
    name, _pid = project
    ident = add(emulator, name, immutable_rule("dev", tag_decoration="excludes"))
    base = "/projects/%s/repositories/svc%%252Fapi/artifacts" % name
    tags = emulator.get(base + "?with_immutable_status=true").json()
    status = {tag["name"]: tag["immutable"] for artifact in tags for tag in artifact["tags"]}
    assert status == {"1.2.3": True, "latest": True, "v2.0.0": True, "dev": False}
    disabled = dict(immutable_rule("dev", tag_decoration="excludes"), id=ident, disabled=True)
    emulator.put("%s/%d" % (rules_path(name), ident), json=disabled, headers=BY_NAME)
    assert emulator.delete(base + "/latest/tags/latest").status_code == 200


def test_moving_a_protected_tag_is_refused(emulator, project):
    name, _pid = project
    add(emulator, name, immutable_rule("v*"))
    emulator.seed(repositories=[{"project": name, "name": "staging", "artifacts": [
        {"digest": "sha256:" + "c" * 64, "tags": ["v2.0.0"]}]}])
    base = "/projects/%s/repositories/svc%%252Fapi/artifacts" % name
    moved = emulator.post(base + "?from=%s/staging:v2.0.0" % name)
    assert moved.status_code == 412
    assert error_of(moved) == ("PRECONDITION", "the tag v2.0.0 configured as immutable, cannot be updated")
    assert emulator.get(base + "/v2.0.0").json()["digest"] == DIGEST_B
    # A tag that is not protected follows the copy.
    emulator.seed(repositories=[{"project": name, "name": "staging", "artifacts": [{"digest": DIGEST_A, "tags": ["dev"]}]}])
    copied = emulator.post(base + "?from=%s/staging:dev" % name)
    assert copied.status_code == 201, copied.text
    assert copied.headers["Location"] == "/api/v2.0/projects/%s/repositories/svc%%2Fapi/artifacts/dev" % name
    assert emulator.get(base + "/dev").json()["digest"] == DIGEST_A
    assert error_of(emulator.post(base + "?from=Not:A:Reference")) == ("BAD_REQUEST", "invalid input: Not:A:Reference")


def test_project_deletion_removes_its_rules(emulator):
    name, pid = emulator.create_project()
    add(emulator, name, immutable_rule("latest"))
    assert emulator.delete("/projects/" + name, headers=BY_NAME).status_code == 200
    again, again_pid = emulator.create_project(name)
    assert again_pid != pid and listing(emulator, again) == []
