# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Robot accounts: /robots, /permissions, robot logins and what robots may do."""

from __future__ import annotations

import time

from emulator_client import error_of, unique

PULL = [{"resource": "repository", "action": "pull"}]


def project_robot(project, name=None, access=None, duration=30, **extra):
    body = {"name": name or unique("bot"), "level": "project", "duration": duration,
            "permissions": [{"kind": "project", "namespace": project, "access": access or PULL}]}
    body.update(extra)
    return body


def create(emulator, body, auth="admin"):
    response = emulator.post("/robots", json=body, auth=auth)
    assert response.status_code == 201, response.text
    return response.json()


def login(emulator, name, secret):
    """Status of GET /users/current: 412 for a robot Harbor accepts, 401 for rejected credentials."""
    return emulator.get("/users/current", auth=(name, secret)).status_code


def as_sets(permissions):
    return {(entry["kind"], entry["namespace"], frozenset((a["resource"], a["action"], a.get("effect", ""))
                                                          for a in entry["access"])) for entry in permissions}


def test_create_project_robot(emulator):
    project, _pid = emulator.create_project()
    response = emulator.post("/robots", json=project_robot(project, "ci", description="CI puller",
                                                           secret="Ignored-Secret1", disable=True))
    assert response.status_code == 201
    created = response.json()
    assert response.headers["Location"] == "/api/v2.0/robots/%d" % created["id"]
    assert set(created) == {"id", "name", "secret", "creation_time", "expires_at"}
    assert created["name"] == "robot$%s+ci" % project
    assert created["secret"] != "Ignored-Secret1"
    assert 29 * 86400 < created["expires_at"] - time.time() <= 30 * 86400
    # The request's secret and disable are ignored: the generated secret logs in, the robot is enabled.
    assert login(emulator, created["name"], created["secret"]) == 412
    assert login(emulator, created["name"], "Ignored-Secret1") == 401
    robot = emulator.get("/robots/%d" % created["id"]).json()
    assert "secret" not in robot
    assert robot["disable"] is False and robot["level"] == "project" and robot["duration"] == 30
    assert robot["description"] == "CI puller" and robot["editable"] is True and robot["creator_type"] == "local"
    assert robot["permissions"] == [{"kind": "project", "namespace": project, "access": PULL}]


def test_create_validation_order_and_messages(emulator):
    project, _pid = emulator.create_project()

    def fails(body):
        response = emulator.post("/robots", json=body)
        return response.status_code, error_of(response)[1]

    bad_name = "robot name is not in lower case or contains illegal characters"
    assert fails(project_robot(project, "CI", duration=0)) == (400, bad_name)
    assert fails(project_robot(project, "a+b")) == (400, bad_name)
    duration_zero = "bad request error duration input: 0, duration must be either -1(Never) or a positive integer"
    assert fails(project_robot(project, duration=0)) == (400, duration_zero)
    omitted = project_robot(project)
    del omitted["duration"]
    assert fails(omitted) == (400, duration_zero)
    assert fails(project_robot(project, duration=-2))[1].startswith("bad request error duration input: -2")
    assert fails(project_robot(project, level="team")) == (400, "bad request error level input: team")
    assert fails(project_robot(project, permissions=[])) == (400, "bad request empty permission")
    no_access = [{"kind": "project", "namespace": project, "access": []}]
    assert fails(project_robot(project, permissions=no_access)) == (400, "bad request empty access")
    two = project_robot(project)
    two["permissions"].append({"kind": "project", "namespace": "other", "access": PULL})
    assert fails(two) == (400, "bad request permission")
    assert fails(project_robot(project, access=[{"resource": "repository", "action": "pul"}])) == (
        400, "bad request permission: repository:pul")
    # robot:update exists for users, but is not grantable to robots.
    assert fails(project_robot(project, access=[{"resource": "robot", "action": "update"}])) == (
        400, "bad request permission: robot:update")
    kind = project_robot(project)
    kind["permissions"][0]["kind"] = "team"
    assert fails(kind) == (400, "bad request permission level: team")
    system_elsewhere = {"name": unique("sys"), "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": project, "access": [{"resource": "project", "action": "list"}]}]}
    assert fails(system_elsewhere) == (400, "unknown namespace")
    assert fails(project_robot("nowhere-" + project)) == (404, "project nowhere-%s not found" % project)
    robot = create(emulator, project_robot(project, "dup"))
    pid = emulator.get("/projects/%s" % project).json()["project_id"]
    assert robot["name"].endswith("+dup")
    assert fails(project_robot(project, "dup")) == (409, "robot account %d:%s+dup already exists" % (pid, project))
    assert emulator.post("/robots").status_code == 422


def test_system_robot_with_several_namespaces(emulator):
    project, _pid = emulator.create_project()
    body = {"name": unique("sys"), "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "list"}]},
        {"kind": "project", "namespace": project, "access": PULL + [{"resource": "repository", "action": "push"}]},
        {"kind": "project", "namespace": "*", "access": [{"resource": "artifact", "action": "read",
                                                          "effect": "allow"}]},
    ]}
    created = create(emulator, body)
    assert created["name"] == "robot$" + body["name"] and created["expires_at"] == -1
    robot = emulator.get("/robots/%d" % created["id"]).json()
    assert robot["level"] == "system"
    assert as_sets(robot["permissions"]) == as_sets(body["permissions"])
    # effect is stored verbatim: omitted stays omitted, "allow" stays "allow".
    star = next(entry for entry in robot["permissions"] if entry["namespace"] == "*")
    assert star["access"] == [{"resource": "artifact", "action": "read", "effect": "allow"}]
    # Harbor builds the list from a map: the namespace order is not stable.
    orders = {tuple(entry["namespace"] for entry in emulator.get("/robots/%d" % created["id"]).json()["permissions"])
              for _attempt in range(30)}
    assert len(orders) > 1


def test_list_robots(emulator):
    project, pid = emulator.create_project()
    mine = create(emulator, project_robot(project, "lister"))
    system = create(emulator, {"name": unique("sys"), "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "list"}]}]})
    listed = emulator.get("/robots", params={"q": "Level=project,ProjectID=%d" % pid})
    assert listed.headers["X-Total-Count"] == "1"
    assert [robot["name"] for robot in listed.json()] == [mine["name"]]
    system_names = [robot["name"] for robot in emulator.get("/robots?page_size=100").json()]
    assert system["name"] in system_names and mine["name"] not in system_names
    assert system["name"] in [robot["name"] for robot in emulator.get(
        "/robots", params={"q": "Level=system", "page_size": 100}).json()]

    def fails(query):
        return error_of(emulator.get("/robots", params={"q": query}))

    assert fails("Level=project") == ("BAD_REQUEST", "must with project ID when to query project robots")
    assert fails("Level=project,ProjectID=abc") == ("BAD_REQUEST", "ProjectID must be a positive integer")
    assert fails("Level=project,ProjectID=0") == ("BAD_REQUEST", "ProjectID must be a positive integer")
    assert fails("Level=team") == ("BAD_REQUEST", "bad request error level input")


def test_name_filter_and_the_double_decoding_trap(emulator):
    project, pid = emulator.create_project()
    create(emulator, project_robot(project, "pusher"))
    base = "/api/v2.0/robots?q=Level%%3Dproject%%2CProjectID%%3D%d%%2Cname%%3D%s" % (pid, project)
    # %2B is decoded twice: it becomes a space and matches nothing; %252B survives as "+".
    assert emulator.raw_get(base + "%2Bpusher") == (200, [])
    status, robots = emulator.raw_get(base + "%252Bpusher")
    assert status == 200 and [robot["name"] for robot in robots] == ["robot$%s+pusher" % project]


def test_robot_logins(emulator):
    project, _pid = emulator.create_project()
    created = create(emulator, project_robot(project))
    name, secret = created["name"], created["secret"]
    assert login(emulator, name, secret) == 412
    assert login(emulator, name, secret + "x") == 401
    assert login(emulator, name[len("robot$"):], secret) == 401  # without the prefix it is no robot
    robot = emulator.get("/robots/%d" % created["id"]).json()
    disabled = dict(robot, disable=True)
    assert emulator.put("/robots/%d" % created["id"], json=disabled).status_code == 200
    assert login(emulator, name, secret) == 401
    assert emulator.put("/robots/%d" % created["id"], json=dict(robot, disable=False)).status_code == 200
    assert login(emulator, name, secret) == 412
    expired = emulator.seed(robots=[{"name": unique("old"), "project": project, "secret": "Expired-Secret1",
                                     "duration": 10, "created_days_ago": 11}])["robots"][0]
    assert expired["expires_at"] < time.time()
    assert login(emulator, expired["name"], "Expired-Secret1") == 401


def test_login_follows_the_configured_prefix(fresh_emulator):
    project, _pid = fresh_emulator.create_project()
    created = create(fresh_emulator, project_robot(project, "ci"))
    assert fresh_emulator.put("/configurations", json={"robot_name_prefix": "bot-"}).status_code == 200
    assert login(fresh_emulator, created["name"], created["secret"]) == 401
    assert login(fresh_emulator, "bot-%s+ci" % project, created["secret"]) == 412
    assert fresh_emulator.get("/robots/%d" % created["id"]).json()["name"] == "bot-%s+ci" % project


def test_update_is_a_full_replacement(emulator):
    project, _pid = emulator.create_project()
    created = create(emulator, project_robot(project, "upd", description="keep me"))
    path = "/robots/%d" % created["id"]
    robot = emulator.get(path).json()
    short = dict(robot, name="upd")
    assert error_of(emulator.put(path, json=short)) == ("BAD_REQUEST", "cannot update the level or name of robot")
    assert error_of(emulator.put(path, json=dict(robot, level="system"))) == (
        "BAD_REQUEST", "cannot update the level or name of robot")
    other, _other_id = emulator.create_project()
    moved = dict(robot, permissions=[{"kind": "project", "namespace": other, "access": PULL}])
    assert error_of(emulator.put(path, json=moved)) == ("BAD_REQUEST", "cannot update the project id of robot")
    assert error_of(emulator.put(path, json=dict(robot, duration=0)))[1].startswith(
        "bad request error duration input: 0")
    # Only name, level and permissions: description and disable are reset, duration is kept.
    minimal = {"name": robot["name"], "level": "project", "permissions": [
        {"kind": "project", "namespace": project, "access": [{"resource": "repository", "action": "push"}]}]}
    assert emulator.put(path, json=minimal).status_code == 200
    after = emulator.get(path).json()
    assert "description" not in after and after["disable"] is False
    assert after["duration"] == 30 and after["expires_at"] == robot["expires_at"]
    assert after["permissions"][0]["access"] == [{"resource": "repository", "action": "push"}]


def test_duration_change_counts_from_creation(emulator):
    project, _pid = emulator.create_project()
    seeded = emulator.seed(robots=[{"name": unique("aged"), "project": project, "duration": 30,
                                    "created_days_ago": 20}])["robots"][0]
    path = "/robots/%d" % seeded["id"]
    robot = emulator.get(path).json()
    assert emulator.put(path, json=dict(robot, duration=40)).status_code == 200
    extended = emulator.get(path).json()
    assert extended["expires_at"] == robot["expires_at"] + 10 * 86400
    assert 19 * 86400 < extended["expires_at"] - time.time() <= 20 * 86400
    assert emulator.put(path, json=dict(extended, duration=-1)).status_code == 200
    assert emulator.get(path).json()["expires_at"] == -1


def test_refresh_secret(emulator):
    project, _pid = emulator.create_project()
    created = create(emulator, project_robot(project))
    path = "/robots/%d" % created["id"]
    generated = emulator.request("PATCH", path, json={})
    assert generated.status_code == 200 and set(generated.json()) == {"secret"}
    new_secret = generated.json()["secret"]
    assert login(emulator, created["name"], new_secret) == 412
    assert login(emulator, created["name"], created["secret"]) == 401
    chosen = emulator.request("PATCH", path, json={"secret": "Chosen-Secret9"})
    assert chosen.status_code == 200 and chosen.json() == {}
    assert login(emulator, created["name"], "Chosen-Secret9") == 412
    assert login(emulator, created["name"], new_secret) == 401
    rule = ("the secret must be 8-128, inclusively, characters long with at least 1 uppercase letter, "
            "1 lowercase letter and 1 number")
    for weak in ("Short1", "alllowercase1", "ALLUPPERCASE1", "NoDigitsHere", "Aa1" * 43):
        assert error_of(emulator.request("PATCH", path, json={"secret": weak})) == ("BAD_REQUEST", rule)
    assert emulator.request("PATCH", path).status_code == 422
    assert login(emulator, created["name"], "Chosen-Secret9") == 412


def test_every_update_bumps_update_time(emulator):
    """Harbor's robot model declares update_time auto_now, and beego's ORM adds such columns to every Update, the
    explicit column list of the robot controller included (and a database trigger sets it too): PUT and both kinds
    of PATCH move update_time, reads and logins do not. harbor_robot relies on it to trust its record of a secret."""
    project, _pid = emulator.create_project()
    created = create(emulator, project_robot(project))
    path = "/robots/%d" % created["id"]
    seen = [emulator.get(path).json()["update_time"]]

    def bumped():
        seen.append(emulator.get(path).json()["update_time"])
        return seen[-1] > seen[-2]

    # Harbor shows update_time to the millisecond: each step waits for the next one so that a bump is visible.
    time.sleep(0.002)
    assert login(emulator, created["name"], created["secret"]) == 412 and not bumped()
    assert emulator.request("PATCH", path, json={"secret": "Chosen-Secret9"}).status_code == 200 and bumped()
    time.sleep(0.002)
    assert emulator.request("PATCH", path, json={}).status_code == 200 and bumped()
    time.sleep(0.002)
    robot = emulator.get(path).json()
    assert emulator.put(path, json=dict(robot, description="changed")).status_code == 200 and bumped()
    time.sleep(0.002)
    assert emulator.put(path, json=dict(robot, description="changed")).status_code == 200 and bumped()
    assert emulator.get(path).json()["creation_time"] == created["creation_time"]


def test_get_put_patch_delete_by_id(emulator):
    project, _pid = emulator.create_project()
    created = create(emulator, project_robot(project))
    path = "/robots/%d" % created["id"]
    assert emulator.get(path, auth=None).status_code == 401
    assert emulator.delete(path).status_code == 200
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        response = emulator.request(method, path, json={} if method in ("PUT", "PATCH") else None)
        assert error_of(response) == ("NOT_FOUND", "robot %d not found" % created["id"]), method
    assert emulator.get("/robots/abc").status_code == 422


def test_permission_catalogue(emulator):
    admin = emulator.get("/permissions").json()
    assert {"resource": "robot", "action": "update"} not in admin["project"]
    assert {"resource": "repository", "action": "pull"} in admin["project"]
    assert {"resource": "project", "action": "create"} in admin["system"]
    assert len(admin["project"]) == 70 and len(admin["system"]) == 70  # const.go PoliciesMap + NolimitProvider
    username, creds = emulator.add_user()
    assert error_of(emulator.get("/permissions", auth=creds)) == (
        "FORBIDDEN", "forbidden: only admins(system and project) can access permissions")
    emulator.create_project(auth=creds)  # its creator becomes its project admin
    assert set(emulator.get("/permissions", auth=creds).json()) == {"project"}
    assert emulator.get("/permissions", auth=None).status_code == 401
    project, _pid = emulator.create_project()
    robot = create(emulator, project_robot(project))
    assert emulator.get("/permissions", auth=(robot["name"], robot["secret"])).status_code == 403
    assert username


def test_pull_robot_can_do_only_what_it_was_given(emulator):
    project, _pid = emulator.create_project()
    emulator.seed(repositories=[{"project": project, "name": "app", "artifacts": [{"tags": ["1.0"]}]}])
    puller = create(emulator, project_robot(project))
    creds = (puller["name"], puller["secret"])
    assert emulator.get("/projects/%s" % project, auth=creds).status_code == 403
    assert emulator.get("/projects/%s/repositories" % project, auth=creds).status_code == 403
    reader = create(emulator, project_robot(project, access=[{"resource": "project", "action": "read"},
                                                             {"resource": "repository", "action": "list"}]))
    reader_creds = (reader["name"], reader["secret"])
    assert emulator.get("/projects/%s" % project, auth=reader_creds).status_code == 200
    assert [repo["name"] for repo in emulator.get("/projects/%s/repositories" % project, auth=reader_creds).json()] \
        == ["%s/app" % project]
    # Project robots never create projects, whatever their permissions.
    refused = emulator.post("/projects", json={"project_name": unique("p")}, auth=creds)
    assert error_of(refused) == ("FORBIDDEN", "Only system level robot can create project")
    other, _other_id = emulator.create_project()
    assert emulator.get("/projects/%s" % other, auth=reader_creds).status_code == 403
    listed = [p["name"] for p in emulator.get("/projects?page_size=100", auth=reader_creds).json()]
    assert project in listed and other not in listed


def test_deny_effect_wins(emulator):
    project, _pid = emulator.create_project()
    robot = create(emulator, project_robot(project, access=[
        {"resource": "project", "action": "read"}, {"resource": "project", "action": "read", "effect": "deny"}]))
    assert emulator.get("/projects/%s" % project, auth=(robot["name"], robot["secret"])).status_code == 403


def test_system_robots_and_project_creation(fresh_emulator):
    emulator = fresh_emulator
    creator = create(emulator, {"name": "creator", "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "create"}]}]})
    lister = create(emulator, {"name": "lister", "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "list"}]}]})
    creator_creds, lister_creds = (creator["name"], creator["secret"]), (lister["name"], lister["secret"])
    assert emulator.put("/configurations", json={"project_creation_restriction": "adminonly"}).status_code == 200
    assert emulator.post("/projects", json={"project_name": "by-creator"}, auth=creator_creds).status_code == 201
    assert error_of(emulator.post("/projects", json={"project_name": "by-lister"}, auth=lister_creds)) == (
        "FORBIDDEN", "Only system admin can create project")
    # Harbor's trap: with "everyone", any system robot may create projects, even without project:create.
    assert emulator.put("/configurations", json={"project_creation_restriction": "everyone"}).status_code == 200
    assert emulator.post("/projects", json={"project_name": "by-lister"}, auth=lister_creds).status_code == 201
    assert emulator.get("/projects/by-creator").json()["owner_name"] == "admin"
    assert error_of(emulator.get("/users", auth=lister_creds)) == ("FORBIDDEN", lister["name"])


def test_robots_create_robots_only_within_their_scope(fresh_emulator):
    emulator = fresh_emulator
    project, _pid = emulator.create_project("team")
    other, _other_id = emulator.create_project("other")
    manager = create(emulator, project_robot(project, "manager", access=PULL + [
        {"resource": "robot", "action": "create"}]))
    creds = (manager["name"], manager["secret"])
    created = emulator.post("/robots", json=project_robot(project, "child"), auth=creds)
    assert created.status_code == 201
    child = emulator.get("/robots/%d" % created.json()["id"]).json()
    assert child["creator_type"] == "robot" and child["creator_ref"] == manager["id"]
    wider = emulator.post("/robots", json=project_robot(project, access=[{"resource": "repository",
                                                                         "action": "push"}]), auth=creds)
    assert error_of(wider) == ("DENIED", "permission scope is invalid. It must be equal to or more restrictive "
                                         "than the creator robot's permissions: robot$team+manager")
    assert emulator.post("/robots", json=project_robot(other), auth=creds).status_code == 403
    system = {"name": "sys", "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "list"}]}]}
    assert error_of(emulator.post("/robots", json=system, auth=creds)) == ("FORBIDDEN", "robot$team+manager")
    # robot:update is not grantable, so a robot can never reset a secret.
    assert emulator.request("PATCH", "/robots/%d" % child["id"], json={}, auth=creds).status_code == 403


def test_project_deletion_removes_its_robots(fresh_emulator):
    emulator = fresh_emulator
    project, pid = emulator.create_project("doomed")
    robot = create(emulator, project_robot(project, "gone"))
    system = create(emulator, {"name": "wide", "level": "system", "duration": -1, "permissions": [
        {"kind": "system", "namespace": "/", "access": [{"resource": "project", "action": "list"}]},
        {"kind": "project", "namespace": project, "access": PULL}]})
    assert emulator.delete("/projects/%s" % project).status_code == 200
    assert emulator.get("/robots/%d" % robot["id"]).status_code == 404
    assert emulator.get("/robots", params={"q": "Level=project,ProjectID=%d" % pid}).json() == []
    remaining = emulator.get("/robots/%d" % system["id"]).json()
    assert [entry["namespace"] for entry in remaining["permissions"]] == ["/"]
