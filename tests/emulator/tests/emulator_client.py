# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client helpers for the emulator tests: start ``run.py`` and talk HTTP to it."""

from __future__ import annotations

import base64
import http.client
import json
import os
import ssl
import subprocess
import sys
import uuid
from urllib.parse import urlsplit

import requests

RUN_PY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "run.py")


class Emulator:
    """A running emulator process plus small HTTP helpers.

    Requests go through plain ``requests`` calls (no Session), so no cookie
    is ever replayed, like the collection's modules.
    """

    def __init__(self, args=(), env=None):
        self.stderr_text = ""
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, RUN_PY] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env)
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("emulator did not start: %s" % self.process.stderr.read())
        self.info = json.loads(line)
        self.url = self.info["harbor_url"]
        self.api = self.url + "/api/v2.0"
        self.admin = (self.info["username"], self.info["password"])
        self.verify = self.info.get("ca_path", True)
        self.kube_url = self.info["kube_url"]
        self.kubeconfig = self.info["kubeconfig"]
        with open(self.kubeconfig, encoding="utf-8") as handle:
            config = json.load(handle)
        self.kube_tokens = dict((user["name"], user["user"]["token"]) for user in config["users"])
        self.kube_ca = config["clusters"][0]["cluster"]["certificate-authority"]

    def stop(self):
        """SIGTERM, then return the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            # generous: the emulator stops its docker-registry child too (up to 5 s before a kill), and a loaded CI
            # machine once took over 10 s for the whole stop
            code = self.process.wait(timeout=30)
            self.stderr_text = self.process.stderr.read()
        finally:
            self.process.stdout.close()
            self.process.stderr.close()
        return code

    def request(self, method, path, auth="admin", **kwargs):
        """``path`` is relative to /api/v2.0 unless it starts with "/_emulator", "/api/" or "/c/"."""
        base = self.url if path.startswith(("/_emulator", "/api/", "/c/")) else self.api
        if auth == "admin":
            auth = self.admin
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("timeout", 10)
        return requests.request(method, base + path, auth=auth, **kwargs)

    def raw_get(self, target):
        """GET an exact request target with http.client (requests/urllib3 re-encode bad escapes).

        Returns (status, parsed JSON body).
        """
        parts = urlsplit(self.url)
        if parts.scheme == "https":
            connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=10,
                                                     context=ssl.create_default_context(cafile=self.verify))
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            token = base64.b64encode(("%s:%s" % self.admin).encode("utf-8")).decode("ascii")
            connection.request("GET", target, headers={"Authorization": "Basic " + token})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"null")
        finally:
            connection.close()

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def kube(self, method, path, token="emulator-admin", **kwargs):
        """A request to the Kubernetes API emulator; ``token`` is a kubeconfig user name, a raw token or None."""
        headers = dict(kwargs.pop("headers", None) or {})
        if token is not None:
            headers["Authorization"] = "Bearer " + self.kube_tokens.get(token, token)
        kwargs.setdefault("verify", self.kube_ca)
        kwargs.setdefault("timeout", 10)
        return requests.request(method, self.kube_url + path, headers=headers, **kwargs)

    def kube_seed(self, **payload):
        response = self.kube("POST", "/_emulator/seed", token=None, json=payload)
        assert response.status_code == 201, response.text
        return response.json()

    def seed(self, **payload):
        response = self.post("/_emulator/seed", json=payload, auth=None)
        assert response.status_code == 201, response.text
        return response.json()

    def create_project(self, name=None, auth="admin", **body):
        name = name or unique("proj")
        body.setdefault("project_name", name)
        response = self.post("/projects", json=body, auth=auth)
        assert response.status_code == 201, response.text
        return name, int(response.headers["Location"].rsplit("/", 1)[1])

    def add_user(self, sysadmin=False):
        name = unique("user")
        password = "Passw0rd-" + name
        self.seed(users=[{"username": name, "password": password, "sysadmin": sysadmin}])
        return name, (name, password)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def error_of(response):
    """(code, message) of a Harbor error envelope."""
    errors = response.json()["errors"]
    assert len(errors) == 1
    return errors[0]["code"], errors[0]["message"]
