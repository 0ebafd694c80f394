# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-cutting Harbor behaviour: auth, CSRF, errors, request ids, paging, q, service endpoints."""

from __future__ import annotations

import uuid

import requests

from emulator_client import error_of, unique

BAD_CREDS = ("admin", "wrong-password")


def test_bad_credentials_are_anonymous_not_401(emulator):
    public, _pid = emulator.create_project(metadata={"public": "true"})
    private, _pid = emulator.create_project()
    listed = emulator.get("/projects?page_size=100", auth=BAD_CREDS)
    assert listed.status_code == 200
    names = [project["name"] for project in listed.json()]
    assert public in names and private not in names
    assert all(project["metadata"]["public"] == "true" for project in listed.json())
    # A public project is readable, a private one answers 401 (anonymous).
    assert emulator.get("/projects/" + public, auth=BAD_CREDS).status_code == 200
    assert emulator.get("/projects/" + private, auth=BAD_CREDS).status_code == 401


def test_users_current_validates_credentials(emulator):
    response = emulator.get("/users/current", auth=BAD_CREDS)
    assert response.status_code == 401
    assert error_of(response) == ("UNAUTHORIZED", "unauthorized")
    assert emulator.get("/users/current", auth=None).status_code == 401
    me = emulator.get("/users/current").json()
    assert me["user_id"] == 1 and me["username"] == "admin" and me["sysadmin_flag"] is True
    assert {"email", "realname", "creation_time", "update_time", "comment"} <= set(me)
    # Robot-prefixed logins are robots; a robot that does not exist is anonymous.
    assert emulator.get("/users/current", auth=("robot$ci", "Secret123")).status_code == 401


def test_error_envelope_format(emulator):
    response = emulator.get("/projects/%s" % unique("missing"), headers={"X-Is-Resource-Name": "true"})
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.text.endswith("}\n")
    assert response.json() == {"errors": [{"code": "NOT_FOUND",
                                           "message": "project %s not found" % response.url.rsplit("/", 1)[1]}]}
    unknown = emulator.get("/nothing/here")
    assert error_of(unknown) == ("NOT_FOUND", "path /api/v2.0/nothing/here was not found")
    wrong_method = emulator.request("PATCH", "/projects")
    assert wrong_method.status_code == 405
    assert error_of(wrong_method)[0] == "METHOD_NOT_ALLOWED"


def test_internal_errors_are_masked(emulator):
    # A proxy-cache project on a registry that does not exist is a plain Go error in Harbor: a masked 500.
    response = emulator.post("/projects", json={"project_name": unique("proxy"), "registry_id": 999999})
    assert response.status_code == 500
    assert response.json() == {"errors": [{"code": "UNKNOWN", "message": "internal server error"}]}


def test_body_errors(emulator):
    unparsable = emulator.post("/projects", data="{not json", headers={"Content-Type": "application/json"})
    assert unparsable.status_code == 400
    assert error_of(unparsable)[0] == "BAD_REQUEST"
    wrong_type = emulator.post("/projects", json={"project_name": 42})
    assert wrong_type.status_code == 422
    assert error_of(wrong_type) == ("UNPROCESSABLE_ENTITY",
                                    'validation failure list:\nproject_name in body must be of type string: "integer"')
    missing = emulator.post("/projects")
    assert error_of(missing) == ("UNPROCESSABLE_ENTITY", "validation failure list:\nproject in body is required")
    nested = emulator.post("/projects", json={"project_name": unique("p"), "metadata": {"public": True}})
    assert nested.status_code == 422
    assert "metadata.public in body must be of type string" in error_of(nested)[1]


def test_malformed_query_string(emulator):
    assert emulator.raw_get("/api/v2.0/projects?name=%zz") == (
        400, {"errors": [{"code": "BAD_REQUEST", "message": 'invalid URL escape "%zz"'}]})
    assert emulator.raw_get("/api/v2.0/projects?a=1;b=2") == (
        400, {"errors": [{"code": "BAD_REQUEST", "message": "invalid semicolon separator in query"}]})
    wrong_type = emulator.get("/projects?page=abc")
    assert wrong_type.status_code == 422
    assert emulator.get("/projects?public=maybe").status_code == 422


def test_request_id_echoed_or_generated(emulator):
    assert emulator.get("/ping", headers={"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    generated = emulator.get("/projects/0").headers["X-Request-Id"]
    assert uuid.UUID(generated).version == 4


def test_sid_cookie_triggers_csrf(emulator):
    response = emulator.get("/ping")
    assert "sid" in response.cookies
    # Replaying the session cookie: writes fail with Harbor's CSRF error, reads still work.
    cookies = {"sid": response.cookies["sid"]}
    denied = emulator.post("/projects", json={"project_name": unique("csrf")}, cookies=cookies)
    assert denied.status_code == 403
    assert denied.json() == {"errors": [{"code": "FORBIDDEN", "message": "CSRF token not found in request"}]}
    assert emulator.get("/projects", cookies=cookies).status_code == 200
    # A requests.Session keeps the cookie and falls into the trap.
    with requests.Session() as session:
        session.auth = emulator.admin
        session.get(emulator.api + "/ping", timeout=10)
        assert session.post(emulator.api + "/projects", json={"project_name": unique("s")}, timeout=10).status_code == 403


def test_pagination_headers_and_links(emulator):
    prefix = unique("page")
    for index in range(3):
        emulator.create_project(name="%s-%d" % (prefix, index))
    first = emulator.get("/projects?name=%s&page_size=1" % prefix)
    assert first.headers["X-Total-Count"] == "3"
    assert first.headers["Link"] == '</api/v2.0/projects?name=%s&page=2&page_size=1>; rel="next"' % prefix
    middle = emulator.get("/projects?page=2&page_size=1&name=%s" % prefix)
    assert [project["name"] for project in middle.json()] == [prefix + "-1"]
    assert middle.headers["Link"] == (
        '</api/v2.0/projects?name=%s&page=1&page_size=1>; rel="prev" , '
        '</api/v2.0/projects?name=%s&page=3&page_size=1>; rel="next"' % (prefix, prefix))
    last = emulator.get("/projects?name=%s&page=3&page_size=1" % prefix)
    assert last.headers["Link"] == '</api/v2.0/projects?name=%s&page=2&page_size=1>; rel="prev"' % prefix
    everything = emulator.get("/projects?name=%s" % prefix)
    assert len(everything.json()) == 3 and "Link" not in everything.headers
    too_big = emulator.get("/projects?page_size=101")
    assert too_big.status_code == 422
    assert error_of(too_big) == ("UNPROCESSABLE_ENTITY",
                                 "validation failure list:\npage_size in query should be less than or equal to 100")
    assert emulator.get("/projects?page_size=100").status_code == 200
    empty = emulator.get("/projects?name=%s-none" % prefix)
    assert (empty.json(), empty.headers["X-Total-Count"]) == ([], "0")


def test_q_query_language(emulator):
    prefix = unique("q")
    names = ["%s-alpha" % prefix, "%s-beta" % prefix, "%s-gamma" % prefix]
    ids = [emulator.create_project(name=name)[1] for name in names]

    def query(expression, extra=""):
        response = emulator.get("/projects", params={"q": expression, "page_size": 100, "sort": extra or None})
        assert response.status_code == 200, response.text
        return [project["name"] for project in response.json()]

    assert query("name=%s-beta" % prefix) == [names[1]]
    assert query("name=%s-bet" % prefix) == []  # exact
    assert query("name=~%s-" % prefix) == names  # fuzzy
    assert query("name=~%s-,project_id=[%d~%d]" % (prefix, ids[1], ids[2])) == names[1:]
    assert query("project_id=[%d~]" % ids[2]) == [names[2]]
    assert query("project_id={%d %d}" % (ids[0], ids[2])) == [names[0], names[2]]
    assert query("name=~%s-,project_id=(%d %d)" % (prefix, ids[0], ids[2])) == names  # AND list on a column: ignored
    assert query("name=~%s-" % prefix, "-name") == names[::-1]
    assert query("unknown_key=1,name=~%s-" % prefix) == names  # unknown keys are ignored
    bad = emulator.get("/projects", params={"q": "name"})
    assert error_of(bad) == ("BAD_REQUEST", 'the query string must contain "=" and the key/value cannot be empty')
    bad_range = emulator.get("/projects", params={"q": "project_id=[1~2~3]"})
    assert bad_range.status_code == 400
    assert error_of(bad_range)[1].startswith("invalid query string value: [1~2~3]")


def test_q_is_unescaped_twice(emulator):
    name = unique("twice")
    emulator.create_project(name=name)
    # "%2574" decodes to "%74" then to "t": Harbor unescapes q once more.
    double = "name=%s" % name.replace("t", "%74", 1)
    response = emulator.get("/projects?q=" + requests.utils.quote(double, safe=""))
    assert [project["name"] for project in response.json()] == [name]
    # A "+" must be sent as %252B: a single %2B becomes a space.
    user = "dev+%s" % uuid.uuid4().hex[:8]
    emulator.seed(users=[{"username": user, "password": "Passw0rd!"}])
    single = emulator.get("/users?q=username%3D" + user.replace("+", "%2B"))
    assert single.json() == []
    twice = emulator.get("/users?q=username%3D" + user.replace("+", "%252B"))
    assert [found["username"] for found in twice.json()] == [user]


def test_service_endpoints(emulator):
    ping = emulator.get("/ping", auth=None)
    assert (ping.status_code, ping.text, ping.headers["Content-Type"]) == (200, "Pong", "text/plain")
    health = emulator.get("/health", auth=None).json()
    assert health["status"] == "healthy"
    assert {"name": "core", "status": "healthy"} in health["components"]
    assert emulator.get("/api/version", auth=None).json() == {"version": "v2.0"}
    anonymous = emulator.get("/systeminfo", auth=None).json()
    assert set(anonymous) == {"auth_mode", "primary_auth_mode", "self_registration", "banner_message",
                              "oidc_provider_name"}
    info = emulator.get("/systeminfo").json()
    assert info["harbor_version"].startswith("v2.15.2-")
    assert info["external_url"] == emulator.url
    assert info["project_creation_restriction"] == "everyone"
    assert info["read_only"] is False
    assert "current_time" in info
    assert emulator.get("/systeminfo/volumes").json()["storage"][0]["total"] > 0


def test_read_only_mode(fresh_emulator):
    name, _pid = fresh_emulator.create_project()
    fresh_emulator.seed(configurations={"read_only": True})
    blocked = fresh_emulator.post("/projects", json={"project_name": unique("ro")})
    assert blocked.status_code == 403
    assert blocked.json() == {"errors": [{"code": "DENIED",
                                          "message": "The system is in read only mode. Any modification is prohibited."}]}
    assert fresh_emulator.delete("/projects/" + name).status_code == 403
    assert fresh_emulator.get("/projects/" + name).status_code == 200
    # The configuration API stays writable so the mode can be switched off.
    assert fresh_emulator.put("/configurations", json={"read_only": False}).status_code == 200
    assert fresh_emulator.delete("/projects/" + name).status_code == 200


def test_version_gating_of_auto_sbom_generation(fresh_emulator):
    fresh_emulator.seed(configurations={"harbor_version": "v2.10.3"})
    name, _pid = fresh_emulator.create_project(metadata={"auto_sbom_generation": "true", "auto_scan": "true"})
    assert fresh_emulator.get("/projects/" + name).json()["metadata"] == {"public": "false", "auto_scan": "true"}
    rejected = fresh_emulator.post("/projects/%s/metadatas/" % name, json={"auto_sbom_generation": "true"})
    assert error_of(rejected) == ("BAD_REQUEST", "invalid key: auto_sbom_generation")
    fresh_emulator.seed(configurations={"harbor_version": "v2.11.0"})
    fresh_emulator.put("/projects/" + name, json={"metadata": {"auto_sbom_generation": "true"}})
    assert fresh_emulator.get("/projects/" + name).json()["metadata"]["auto_sbom_generation"] == "true"
    assert fresh_emulator.get("/systeminfo").json()["harbor_version"].startswith("v2.11.0-")
