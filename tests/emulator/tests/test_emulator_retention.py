# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tag retention: the policy API with its traps, and executions that really evaluate the rules."""

from __future__ import annotations

import datetime
import time

import pytest

from emulator_client import error_of, unique

BY_NAME = {"X-Is-Resource-Name": "true"}


def selector(decoration, pattern, untagged=None):
    body = {"kind": "doublestar", "decoration": decoration, "pattern": pattern}
    if untagged is not None:
        body["extras"] = '{"untagged":%s}' % ("true" if untagged else "false")
    return body


def rule(template, value=None, tags=("matches", "**"), repositories=("repoMatches", "**"), untagged=None, **extra):
    body = {"action": "retain", "template": template, "params": {} if value is None else {template: value},
            "tag_selectors": [selector(tags[0], tags[1], untagged)],
            "scope_selectors": {"repository": [selector(*repositories)]}}
    body.update(extra)
    return body


def policy(pid, rules, cron="0 0 0 * * *"):
    return {"algorithm": "or", "rules": rules, "trigger": {"kind": "Schedule", "settings": {"cron": cron}},
            "scope": {"level": "project", "ref": pid}}


def days_ago(days):
    moment = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def create_policy(emulator, pid, rules, **kwargs):
    response = emulator.post("/retentions", json=policy(pid, rules, **kwargs))
    assert response.status_code == 201, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def run(emulator, ident, dry_run=True):
    """Trigger an execution, wait for its end, return (execution, {repository: task})."""
    response = emulator.post("/retentions/%d/executions" % ident, json={"dry_run": dry_run})
    assert response.status_code == 201, response.text
    eid = int(response.headers["Location"].rsplit("/", 1)[1])
    for _attempt in range(50):
        execution = [e for e in emulator.get("/retentions/%d/executions" % ident).json() if e["id"] == eid][0]
        if execution["status"] != "Running":
            break
        time.sleep(0.1)
    tasks = emulator.get("/retentions/%d/executions/%d/tasks" % (ident, eid)).json()
    return execution, {task["repository"]: task for task in tasks}


def log_marks(emulator, ident, execution, task):
    """{first tag or digest: RETAIN|DEL|IMMUTABLE} from the task log's table."""
    text = emulator.get("/retentions/%d/executions/%d/tasks/%d" % (ident, execution["id"], task["id"])).text
    marks = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0].startswith("sha256:"):
            marks[cells[1].split(",")[0] or cells[0]] = cells[7]
    return marks


def tags_left(emulator, name, repository):
    artifacts = emulator.get("/projects/%s/repositories/%s/artifacts?page_size=100" % (name, repository)).json()
    return sorted(tag["name"] for artifact in artifacts for tag in artifact.get("tags", []))


@pytest.fixture(name="releases")
def releases_fixture(emulator):
    """release-1..13 pushed 40.5-N days ago, a dev tag and an untagged artifact in "api"; two tags in "web"."""
    name, pid = emulator.create_project()
    emulator.seed(repositories=[
        {"project": name, "name": "api", "artifacts": [
            {"tags": ["release-%d" % n], "push_time": days_ago(40.5 - n)} for n in range(1, 14)] + [
            {"tags": ["dev-1"], "push_time": days_ago(1)}, {"push_time": days_ago(2)}]},
        {"project": name, "name": "web", "artifacts": [
            {"tags": ["1.0.0"], "push_time": days_ago(90), "pull_time": days_ago(3)},
            {"tags": ["0.9.0"], "push_time": days_ago(100), "pull_time": days_ago(60)}]},
    ])
    return name, pid


def test_create_links_the_project_and_returns_only_a_location(emulator):
    name, pid = emulator.create_project()
    response = emulator.post("/retentions", json=policy(pid, [rule("latestPushedK", 10)]))
    assert response.status_code == 201 and response.text == ""
    ident = int(response.headers["Location"].rsplit("/", 1)[1])
    assert response.headers["Location"] == "/api/v2.0/retentions/%d" % ident
    project = emulator.get("/projects/" + name, headers=BY_NAME).json()
    assert project["metadata"]["retention_id"] == str(ident)
    # The project list with details links it the same way (harbor_retention keeps a loop's list so).
    listed = emulator.get("/projects", params={"name": name, "with_detail": "true"}).json()
    assert [entry["metadata"] for entry in listed if entry["name"] == name] == [project["metadata"]]
    body = emulator.get("/retentions/%d" % ident).json()
    assert body["id"] == ident and body["scope"] == {"level": "project", "ref": pid}
    settings = body["trigger"]["settings"]
    assert settings["cron"] == "0 0 0 * * *" and settings["next_scheduled_time"].endswith("T00:00:00.000Z")
    assert "references" not in body["trigger"]
    # Zero values are omitted: no id, priority or disabled in the rule.
    assert body["rules"] == [{"action": "retain", "template": "latestPushedK", "params": {"latestPushedK": 10},
                              "tag_selectors": [selector("matches", "**")],
                              "scope_selectors": {"repository": [selector("repoMatches", "**")]}}]
    again = emulator.post("/retentions", json=policy(pid, [rule("always")]))
    assert error_of(again) == ("BAD_REQUEST", "bad request: project %d already has retention policy %d" % (pid, ident))


def test_manual_only_policy_has_no_next_time(emulator):
    _name, pid = emulator.create_project()
    ident = create_policy(emulator, pid, [rule("always")], cron="")
    assert emulator.get("/retentions/%d" % ident).json()["trigger"] == {"kind": "Schedule", "settings": {"cron": ""}}


def test_create_validation(emulator):
    _name, pid = emulator.create_project()
    sixteen = [rule("latestPushedK", n) for n in range(16)]
    assert error_of(emulator.post("/retentions", json=policy(pid, sixteen))) == (
        "BAD_REQUEST", "bad request: only 15 rules are allowed at most")
    twins = [rule("latestPushedK", 5), rule("always"), rule("latestPushedK", 5, id=9)]
    conflict = emulator.post("/retentions", json=policy(pid, twins))
    assert conflict.status_code == 409
    assert error_of(conflict) == ("CONFLICT", "resource conflict: rule 2 is conflict with rule 0")
    five_fields = emulator.post("/retentions", json=policy(pid, [rule("always")], cron="0 0 * * *"))
    assert error_of(five_fields) == ("BAD_REQUEST", "invalid cron string for scheduled tag retention: 0 0 * * *, "
                                                    "error: expected exactly 6 fields, found 5: [0 0 * * *]")
    seconds = emulator.post("/retentions", json=policy(pid, [rule("always")], cron="5 0 0 * * *"))
    assert "the 1st field (indicating Seconds of time) of the cron setting must be 0" in error_of(seconds)[1]
    typed = policy(pid, [rule("always")])
    typed["trigger"]["settings"]["cron"] = 5
    assert error_of(emulator.post("/retentions", json=typed)) == (
        "BAD_REQUEST", "invalid cron type for scheduled tag retention: must be a string")
    system = policy(pid, [rule("always")])
    system["scope"]["level"] = "system"
    assert error_of(emulator.post("/retentions", json=system)) == ("BAD_REQUEST", "bad request: scope system is not support")
    for ref in (0, 999999):
        bad_ref = policy(ref, [rule("always")])
        assert error_of(emulator.post("/retentions", json=bad_ref)) == (
            "BAD_REQUEST", "bad request: invalid Project id %d" % ref)
    no_scope = policy(pid, [rule("always")])
    del no_scope["scope"]
    assert emulator.post("/retentions", json=no_scope).status_code == 500
    # None of these linked a policy.
    assert "retention_id" not in emulator.get("/projects/%d" % pid).json()["metadata"]


def test_templates_and_selectors_are_not_checked(emulator):
    _name, pid = emulator.create_project()
    odd = rule("latestPushedK", "ten", tags=("contains", "["), repositories=("somewhere", "**"))
    odd["template"] = "keepEverythingPlease"
    assert emulator.post("/retentions", json=policy(pid, [odd])).status_code == 201


def test_permissions(emulator):
    name, pid = emulator.create_project()
    guest, guest_creds = emulator.add_user()
    developer, developer_creds = emulator.add_user()
    for user, role in ((guest, 3), (developer, 2)):
        added = emulator.post("/projects/%s/members" % name, headers=BY_NAME,
                              json={"role_id": role, "member_user": {"username": user}})
        assert added.status_code == 201, added.text
    assert emulator.post("/retentions", json=policy(pid, [rule("always")]), auth=None).status_code == 401
    assert emulator.get("/retentions/metadatas", auth=None).status_code == 401
    assert emulator.post("/retentions", json=policy(pid, [rule("always")]), auth=guest_creds).status_code == 403
    ident = create_policy(emulator, pid, [rule("always")])
    assert emulator.get("/retentions/%d" % ident, auth=guest_creds).status_code == 403
    assert emulator.get("/retentions/%d" % ident, auth=developer_creds).status_code == 200


def test_metadatas_catalogue(emulator):
    body = emulator.get("/retentions/metadatas").json()
    assert [t["rule_template"] for t in body["templates"]] == [
        "latestPushedK", "latestPulledN", "nDaysSinceLastPush", "nDaysSinceLastPull", "always"]
    assert body["tag_selectors"][0]["decorations"] == ["matches", "excludes"]
    assert body["scope_selectors"][0]["decorations"] == ["repoMatches", "repoExcludes"]


def test_unknown_id_get_is_500_delete_is_400_put_is_404(emulator):
    _name, pid = emulator.create_project()
    assert error_of(emulator.get("/retentions/987654")) == ("UNKNOWN", "internal server error")
    assert error_of(emulator.delete("/retentions/987654")) == (
        "BAD_REQUEST", "bad request: no such Retention policy with id 987654")
    put = emulator.put("/retentions/987654", json=policy(pid, [rule("always")]))
    assert error_of(put) == ("NOT_FOUND", "resource not found: the retention policy id 987654 does not match")
    assert emulator.get("/retentions/abc").status_code == 422


def test_update_needs_scope_and_the_linked_id(emulator):
    _name, pid = emulator.create_project()
    _other, other_pid = emulator.create_project()
    ident = create_policy(emulator, pid, [rule("always")])
    other_ident = create_policy(emulator, other_pid, [rule("always")])
    # The body's scope decides which project's retention_id must match the path.
    crossed = emulator.put("/retentions/%d" % ident, json=policy(other_pid, [rule("always")]))
    assert error_of(crossed) == ("NOT_FOUND", "resource not found: the retention policy id %d does not match" % ident)
    no_scope = policy(pid, [rule("always")])
    del no_scope["scope"]
    assert emulator.put("/retentions/%d" % ident, json=no_scope).status_code == 500
    changed = policy(pid, [rule("latestPulledN", 3), rule("always", disabled=True)], cron="0 0 * * * *")
    assert emulator.put("/retentions/%d" % ident, json=changed).status_code == 200
    body = emulator.get("/retentions/%d" % ident).json()
    assert body["trigger"]["settings"]["cron"] == "0 0 * * * *"
    assert [r["template"] for r in body["rules"]] == ["latestPulledN", "always"]
    assert body["rules"][1]["disabled"] is True and "disabled" not in body["rules"][0]
    assert emulator.get("/retentions/%d" % other_ident).json()["rules"][0]["template"] == "always"


def test_delete_unlinks_the_project(emulator):
    name, pid = emulator.create_project()
    ident = create_policy(emulator, pid, [rule("always")])
    run(emulator, ident)
    assert emulator.delete("/retentions/%d" % ident).status_code == 200
    assert "retention_id" not in emulator.get("/projects/" + name, headers=BY_NAME).json()["metadata"]
    assert emulator.get("/retentions/%d" % ident).status_code == 500
    assert emulator.get("/retentions/%d/executions" % ident).status_code == 400
    create_policy(emulator, pid, [rule("always")])


def test_project_deletion_removes_its_policy(emulator):
    name, pid = emulator.create_project()
    ident = create_policy(emulator, pid, [rule("always")])
    assert emulator.delete("/projects/" + name, headers=BY_NAME).status_code == 200
    assert emulator.get("/retentions/%d" % ident).status_code == 500
    assert emulator.delete("/retentions/%d" % ident).status_code == 400


def test_proxy_cache_projects_get_a_policy(emulator):
    registry = emulator.post("/registries", json={"name": unique("hub"), "type": "docker-hub",
                                                  "url": "https://hub.docker.com"})
    assert registry.status_code == 201, registry.text
    name, _pid = emulator.create_project(registry_id=int(registry.headers["Location"].rsplit("/", 1)[1]))
    ident = int(emulator.get("/projects/" + name, headers=BY_NAME).json()["metadata"]["retention_id"])
    body = emulator.get("/retentions/%d" % ident).json()
    assert body["rules"][0]["template"] == "nDaysSinceLastPull"
    assert body["rules"][0]["params"] == {"nDaysSinceLastPull": 7}
    assert body["trigger"]["settings"]["cron"] == "0 0 0 * * *"


def test_dry_run_keeps_the_last_pushed_matching_tags(emulator, releases):
    name, pid = releases
    ident = create_policy(emulator, pid, [rule("latestPushedK", 10, tags=("matches", "release-*"), untagged=False)])
    execution, tasks = run(emulator, ident)
    assert execution["status"] == "Success" and execution["dry_run"] is True
    assert (tasks["api"]["total"], tasks["api"]["retained"]) == (15, 10)
    assert (tasks["web"]["total"], tasks["web"]["retained"]) == (2, 0)
    marks = log_marks(emulator, ident, execution, tasks["api"])
    assert sorted(tag for tag, mark in marks.items() if mark == "DEL" and tag.startswith("release")) == [
        "release-1", "release-2", "release-3"]
    assert marks["dev-1"] == "DEL" and marks["release-13"] == "RETAIN"
    # A dry run deletes nothing.
    assert len(tags_left(emulator, name, "api")) == 14


def test_untagged_artifacts_compete_when_the_rule_includes_them(emulator, releases):
    _name, pid = releases
    ident = create_policy(emulator, pid, [rule("latestPushedK", 2, tags=("matches", "**"), untagged=True)])
    execution, tasks = run(emulator, ident)
    marks = log_marks(emulator, ident, execution, tasks["api"])
    retained = sorted(tag for tag, mark in marks.items() if mark == "RETAIN")
    # dev-1 (1 day old) and the untagged artifact (2 days old) are the two newest.
    assert len(retained) == 2 and "dev-1" in retained and any(tag.startswith("sha256:") for tag in retained)


def test_excluding_tags_and_repositories(emulator, releases):
    _name, pid = releases
    keep_non_release = rule("always", tags=("excludes", "release-*"), untagged=False)
    keep_web = rule("always", repositories=("repoExcludes", "api"))
    ident = create_policy(emulator, pid, [keep_non_release, keep_web])
    execution, tasks = run(emulator, ident)
    marks = log_marks(emulator, ident, execution, tasks["api"])
    # excludes + untagged false: the untagged artifact is selected (kept); dev-1 does not match release-*.
    assert marks["dev-1"] == "RETAIN" and [m for t, m in marks.items() if t.startswith("sha256:")] == ["RETAIN"]
    assert all(mark == "DEL" for tag, mark in marks.items() if tag.startswith("release"))
    assert (tasks["web"]["total"], tasks["web"]["retained"]) == (2, 2)


def test_day_based_templates_use_push_and_pull_times(emulator, releases):
    _name, pid = releases
    pulled = rule("nDaysSinceLastPull", 30, repositories=("repoMatches", "web"))
    pushed = rule("nDaysSinceLastPush", 30, repositories=("repoMatches", "api"), tags=("matches", "release-*"),
                  untagged=False)
    ident = create_policy(emulator, pid, [pulled, pushed])
    _execution, tasks = run(emulator, ident)
    assert tasks["web"]["retained"] == 1  # 1.0.0 was pulled 3 days ago, 0.9.0 60 days ago
    # release-N was pushed 40.5-N days ago: N >= 11 are within 30 days.
    assert tasks["api"]["retained"] == 3


def test_disabled_rules_and_rules_without_tag_selectors_are_ignored(emulator, releases):
    _name, pid = releases
    disabled = rule("always", disabled=True)
    ident = create_policy(emulator, pid, [disabled, rule("latestPushedK", 1, repositories=("repoMatches", "web"))])
    _execution, tasks = run(emulator, ident)
    assert set(tasks) == {"web"} and tasks["web"]["retained"] == 1
    bare = rule("latestPushedK", 0)
    bare["tag_selectors"] = []
    other_name, other_pid = emulator.create_project()
    emulator.seed(repositories=[{"project": other_name, "name": "svc", "artifacts": [{"tags": ["a"]}, {"tags": ["b"]}]}])
    other = create_policy(emulator, other_pid, [bare])
    _execution, tasks = run(emulator, other, dry_run=False)
    assert (tasks["svc"]["total"], tasks["svc"]["retained"]) == (2, 2)
    assert tags_left(emulator, other_name, "svc") == ["a", "b"]


def test_bad_template_fails_the_task_at_execution(emulator, releases):
    _name, pid = releases
    bogus = rule("latestPushedK", 10)
    bogus["template"] = "keepEverythingPlease"
    ident = create_policy(emulator, pid, [bogus])
    execution, tasks = run(emulator, ident)
    assert execution["status"] == "Error"
    assert tasks["api"]["status"] == "Error" and tasks["api"]["total"] == 0


def test_real_run_deletes_but_spares_immutable_tags(emulator, releases):
    name, pid = releases
    protect = {"action": "immutable", "template": "immutable_template",
               "tag_selectors": [selector("matches", "release-{1,2}")],
               "scope_selectors": {"repository": [selector("repoMatches", "**")]}}
    assert emulator.post("/projects/%s/immutabletagrules" % name, headers=BY_NAME, json=protect).status_code == 201
    ident = create_policy(emulator, pid, [rule("latestPushedK", 10, tags=("matches", "release-*"), untagged=False)])
    execution, tasks = run(emulator, ident, dry_run=False)
    assert execution["status"] == "Success" and "dry_run" not in execution
    assert (tasks["api"]["total"], tasks["api"]["retained"]) == (15, 12)
    marks = log_marks(emulator, ident, execution, tasks["api"])
    assert marks["release-1"] == marks["release-2"] == "IMMUTABLE" and marks["release-3"] == "DEL"
    left = tags_left(emulator, name, "api")
    assert "release-1" in left and "release-3" not in left and "dev-1" not in left and len(left) == 12
    assert tags_left(emulator, name, "web") == []


def test_executions_and_tasks(emulator, releases):
    _name, pid = releases
    ident = create_policy(emulator, pid, [rule("always")])
    first = emulator.post("/retentions/%d/executions" % ident, json={"dry_run": True})
    assert first.headers["Content-Type"].startswith("text/plain") and first.text == ""
    eid = int(first.headers["Location"].rsplit("/", 1)[1])
    listing = emulator.get("/retentions/%d/executions" % ident)
    assert listing.json()[0]["status"] in ("Running", "Success") and listing.json()[0]["trigger"] == "MANUAL"
    stop = emulator.request("PATCH", "/retentions/%d/executions/%d" % (ident, eid), json={"action": "pause"})
    assert error_of(stop) == ("BAD_REQUEST", "bad request: action should be 'stop'")
    assert emulator.post("/retentions/%d/executions" % ident).status_code == 422
    second, _tasks = run(emulator, ident)
    executions = emulator.get("/retentions/%d/executions" % ident)
    assert executions.headers["X-Total-Count"] == "2"
    assert [e["id"] for e in executions.json()] == [second["id"], eid]
    tasks = emulator.get("/retentions/%d/executions/%d/tasks" % (ident, eid)).json()
    assert {task["repository"] for task in tasks} == {"api", "web"}
    assert all(task["status_code"] == 3 and task["total"] == task["retained"] for task in tasks)
    assert emulator.get("/retentions/%d/executions/999999/tasks" % ident).status_code == 404
    assert emulator.post("/retentions/987654/executions", json={"dry_run": True}).status_code == 400
