# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""P2P preheat providers and instances, as Harbor v2.15.2 answers them (REAL-HARBOR.md, handler/preheat.go)."""

from __future__ import annotations

import http.server
import threading

from emulator_client import error_of, unique

INSTANCES = "/p2p/preheat/instances"


def instance_body(name, endpoint, **extra):
    return dict({"name": name, "vendor": "dragonfly", "endpoint": endpoint, "auth_mode": "NONE", "enabled": True},
                **extra)


def test_providers(emulator):
    providers = emulator.get("/p2p/preheat/providers").json()
    assert [(p["id"], p["version"]) for p in providers] == [("dragonfly", "2.1.59"), ("kraken", "0.1.3")]


def test_instance_lifecycle(emulator):
    name = unique("dragonfly")
    endpoint = "http://%s.example.com:8002" % name
    body = instance_body(name, endpoint, auth_mode="BASIC", auth_info={"username": "u", "password": "S3cret"},
                         description="p2p")
    created = emulator.post(INSTANCES, json=body)
    assert created.status_code == 201 and created.headers["Location"] == "/api/v2.0%s/%s" % (INSTANCES, name)
    got = emulator.get("%s/%s" % (INSTANCES, name)).json()
    assert got["status"] == "Unknown" and "auth_info" not in got and got["default"] is False
    assert got["description"] == "p2p" and got["auth_mode"] == "BASIC" and got["setup_timestamp"] > 0
    listed = emulator.get(INSTANCES + "?q=name%%3D%s" % name)
    assert listed.headers["X-Total-Count"] == "1" and listed.json()[0]["id"] == got["id"]
    # A duplicate name is the database's 409, a duplicate endpoint the controller's plain error.
    assert error_of(emulator.post(INSTANCES, json=dict(body, endpoint=endpoint + "0"))) == (
        "CONFLICT", "instance %s already exists" % name)
    assert emulator.post(INSTANCES, json=dict(body, name=unique("other"))).status_code == 500
    # An update is addressed by the body's id; without auth_info the stored credentials stay.
    assert error_of(emulator.put("%s/%s" % (INSTANCES, name), json=dict(body, description="x"))) == (
        "NOT_FOUND", "instance 0 not found")
    update = dict(instance_body(name, endpoint, auth_mode="BASIC", default=True), id=got["id"])
    assert emulator.put("%s/%s" % (INSTANCES, name), json=update).status_code == 200
    got = emulator.get("%s/%s" % (INSTANCES, name)).json()
    assert got["default"] is True and "description" not in got
    assert emulator.put("%s/%s" % (INSTANCES, name), json=dict(update, vendor="kraken")).status_code == 500
    assert emulator.delete("%s/%s" % (INSTANCES, name)).status_code == 200
    assert error_of(emulator.delete("%s/%s" % (INSTANCES, name))) == ("NOT_FOUND", "instance %s not found" % name)


def test_instance_rules(emulator):
    # Neither vendor nor auth mode is checked at creation (REAL-HARBOR.md); the name is, as a plain error.
    name = unique("odd")
    assert emulator.post(INSTANCES, json=instance_body(name, "http://%s:1" % name, vendor="nope",
                                                       auth_mode="WHATEVER")).status_code == 201
    assert emulator.post(INSTANCES, json=instance_body("bad name", "http://bad:1")).status_code == 500
    username, creds = emulator.add_user()
    assert error_of(emulator.get(INSTANCES, auth=creds)) == ("FORBIDDEN", username)
    assert emulator.delete("%s/%s" % (INSTANCES, name)).status_code == 200


def test_ping_reaches_the_driver_health_path(emulator):
    seen = []

    class Health(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(200 if self.path == "/healthy" else 404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        endpoint = "http://127.0.0.1:%d" % server.server_port
        assert emulator.post(INSTANCES + "/ping", json={"endpoint": endpoint, "vendor": "dragonfly",
                                                        "name": "p", "auth_mode": "OAUTH",
                                                        "auth_info": {"token": "t0k"}}).status_code == 200
        assert seen == [("/healthy", "Bearer t0k")]
        assert emulator.post(INSTANCES + "/ping", json={"endpoint": endpoint, "vendor": "kraken",
                                                        "name": "p"}).status_code == 500
    finally:
        server.shutdown()
        server.server_close()
    assert emulator.post(INSTANCES + "/ping", json={"endpoint": endpoint, "vendor": "dragonfly",
                                                    "name": "p"}).status_code == 500
    assert emulator.post(INSTANCES + "/ping", json={"id": 999999}).status_code == 404
    assert emulator.post(INSTANCES + "/ping", json={}).status_code == 400
