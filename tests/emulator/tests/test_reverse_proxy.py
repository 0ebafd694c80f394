# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/tools/reverse_proxy.py in front of the emulator: what make acceptance-proxy relies on."""

from __future__ import annotations

import http.client
import json
import os
import http.server
import subprocess
import sys
import threading
from urllib.parse import urlsplit

import pytest
import requests

from emulator_client import unique

PROXY = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                     "tools", "reverse_proxy.py")


@pytest.fixture(scope="module")
def proxy_url(emulator):
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, PROXY, "--upstream", emulator.url], stdout=subprocess.PIPE, text=True)
    try:
        yield json.loads(process.stdout.readline())["url"]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stdout.close()


def test_only_the_harbor_client_paths_are_forwarded(emulator, proxy_url):
    assert requests.get(proxy_url + "/api/v2.0/ping", timeout=10).text == "Pong"
    for hidden in ("/_emulator/requests", "/", "/apix", "/c/login"):
        assert requests.get(proxy_url + hidden, timeout=10).status_code == 404, hidden
    assert requests.delete(proxy_url + "/_emulator/requests", timeout=10).status_code == 404
    # the emulator's log still holds the ping: the DELETE never reached it
    assert any(entry["path"] == "/api/v2.0/ping" for entry in emulator.get("/_emulator/requests", auth=None).json())


def test_headers_and_bodies_pass_unchanged(emulator, proxy_url):
    name = unique("proxied")
    emulator.create_project()
    created = requests.post(proxy_url + "/api/v2.0/projects", json={"project_name": name}, auth=emulator.admin,
                            timeout=10)
    assert created.status_code == 201
    assert created.headers["Location"].startswith("/api/v2.0/projects/")
    listed = requests.get(proxy_url + "/api/v2.0/projects?page_size=1", auth=emulator.admin, timeout=10)
    direct = emulator.get("/projects?page_size=1")
    assert listed.headers["X-Total-Count"] == direct.headers["X-Total-Count"]
    assert listed.headers["Link"] == direct.headers["Link"]
    assert requests.get(proxy_url + "/api/v2.0/projects/" + name, timeout=10, auth=("admin", "wrong")).status_code == 401


class EchoUpstream(http.server.BaseHTTPRequestHandler):
    """Answers what it received (method, path, headers, body), in a chunked body, with a registry's challenge."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        pass

    def do_PUT(self):
        body = b""
        while True:
            size = int(self.rfile.readline().strip(), 16)
            body += self.rfile.read(size) if size else b""
            self.rfile.readline()
            if not size:
                break
        answer = json.dumps({"path": self.path, "headers": dict(self.headers), "body": body.decode()}).encode()
        self.send_response(401)
        self.send_header("Www-Authenticate", 'Bearer realm="http://harbor.example.com/service/token",'
                                             'service="harbor-registry",scope="repository:p/r:push"')
        self.send_header("Location", "http://harbor.example.com/v2/p/r/blobs/uploads/abc?_state=x")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in (answer[:10], answer[10:]):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
        self.wfile.write(b"0\r\n\r\n")


@pytest.fixture(scope="module")
def echo_proxy_url():
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), EchoUpstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    process = subprocess.Popen(  # pylint: disable=consider-using-with
        [sys.executable, PROXY, "--upstream", "http://127.0.0.1:%d" % upstream.server_address[1]],
        stdout=subprocess.PIPE, text=True)
    try:
        yield json.loads(process.stdout.readline())["url"]
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
        process.stdout.close()
        upstream.shutdown()
        upstream.server_close()


def test_chunked_bodies_are_streamed_and_registry_headers_kept(echo_proxy_url):
    address = urlsplit(echo_proxy_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.putrequest("PUT", "/v2/p/r/blobs/uploads/abc?digest=sha256%3A00", skip_host=True)
    connection.putheader("Host", "harbor.example.com")
    connection.putheader("Transfer-Encoding", "chunked")
    connection.endheaders()
    for piece in (b"layer-", b"bytes"):
        connection.send(b"%x\r\n%s\r\n" % (len(piece), piece))
    connection.send(b"0\r\n\r\n")
    response = connection.getresponse()
    echoed = json.loads(response.read())
    connection.close()
    assert response.status == 401
    assert response.getheader("Www-Authenticate") == (
        'Bearer realm="http://harbor.example.com/service/token",service="harbor-registry",scope="repository:p/r:push"')
    assert response.getheader("Location") == "http://harbor.example.com/v2/p/r/blobs/uploads/abc?_state=x"
    assert echoed["path"] == "/v2/p/r/blobs/uploads/abc?digest=sha256%3A00"
    assert echoed["body"] == "layer-bytes"
    assert echoed["headers"]["Host"] == "harbor.example.com"
    assert echoed["headers"]["X-Forwarded-For"] == "127.0.0.1"
