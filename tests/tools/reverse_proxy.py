# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plain reverse proxy in front of Harbor, as a load balancer or an ingress would put one.

Usage: python tests/tools/reverse_proxy.py --upstream URL [--port N] [--upstream-ca PEM]

It forwards only the paths a Harbor client needs, /api/, /v2/ and /service/, and answers 404 to everything else
(so the emulator's /_emulator/ control endpoints are out of reach, as they would be on a real Harbor). Bodies are
streamed both ways, headers pass unchanged (Www-Authenticate, Location, Host included), as Harbor's own nginx
forwards them (`proxy_set_header Host $http_host`, plus X-Forwarded-For and X-Forwarded-Proto). It prints its URL,
`{"url": "http://127.0.0.1:<port>"}`, as the first stdout line and serves until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import signal
import ssl
import sys
import threading
from urllib.parse import urlsplit

FORWARDED_PREFIXES = ('/api/', '/v2/', '/service/')
# The exact paths besides the prefixes: docker asks for /v2 without the slash.
FORWARDED_PATHS = ('/v2',)
# Hop-by-hop headers (RFC 9110 section 7.6.1) belong to one connection, never forwarded.
HOP_BY_HOP = {'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer',
              'transfer-encoding', 'upgrade'}
CHUNK = 64 * 1024
UPSTREAM_TIMEOUT = 300


def forwarded(path):
    route = path.split('?', 1)[0]
    return route in FORWARDED_PATHS or route.startswith(FORWARDED_PREFIXES)


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Forwards one request upstream and streams the answer back."""

    protocol_version = 'HTTP/1.1'
    server_version = 'reverse-proxy'
    upstream = None          # urlsplit() of the upstream base URL, set by main()
    upstream_context = None  # ssl context for an HTTPS upstream

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Silent: request lines would only clutter the test output (and paths carry no secrets, but why risk it)."""

    def connect_upstream(self):
        if self.upstream.scheme == 'https':
            return http.client.HTTPSConnection(self.upstream.hostname, self.upstream.port, timeout=UPSTREAM_TIMEOUT,
                                               context=self.upstream_context)
        return http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=UPSTREAM_TIMEOUT)

    def send_request_body(self, connection):
        """Stream the client's body upstream, re-chunking a chunked one."""
        length = self.headers.get('Content-Length')
        if length is not None:
            remaining = int(length)
            while remaining > 0:
                data = self.rfile.read(min(CHUNK, remaining))
                if not data:
                    raise ConnectionError('the client closed its request body early')
                connection.send(data)
                remaining -= len(data)
        elif 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
            while True:
                size = int(self.rfile.readline().split(b';', 1)[0].strip(), 16)
                data = self.rfile.read(size) if size else b''
                self.rfile.readline()  # the CRLF after the chunk
                connection.send(b'%x\r\n%s\r\n' % (size, data))
                if size == 0:
                    break

    def forward(self):
        if not forwarded(self.path):
            # its body, if any, is left unread: the connection cannot carry another request
            self.close_connection = True
            self.send_error(404, 'not forwarded by this proxy')
            return
        connection = self.connect_upstream()
        try:
            connection.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP:
                    connection.putheader(name, value)
            if 'chunked' in self.headers.get('Transfer-Encoding', '').lower():
                connection.putheader('Transfer-Encoding', 'chunked')
            client = self.client_address[0]
            prior = self.headers.get('X-Forwarded-For')
            connection.putheader('X-Forwarded-For', '%s, %s' % (prior, client) if prior else client)
            if 'X-Forwarded-Proto' not in self.headers:
                connection.putheader('X-Forwarded-Proto', 'http')
            connection.endheaders()
            self.send_request_body(connection)
            response = connection.getresponse()
            self.relay_response(response)
        except (OSError, http.client.HTTPException) as error:
            self.close_connection = True
            self.send_error(502, 'upstream failed: %s' % type(error).__name__)
        finally:
            connection.close()

    def relay_response(self, response):
        """Status and headers unchanged, the body streamed (chunked to the client when its length is unknown)."""
        self.send_response_only(response.status, response.reason)
        length = response.getheader('Content-Length')
        bodiless = self.command == 'HEAD' or response.status in (204, 304) or 100 <= response.status < 200
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        chunked = length is None and not bodiless
        if chunked:
            self.send_header('Transfer-Encoding', 'chunked')
        self.end_headers()
        if bodiless:
            return
        while True:
            data = response.read1(CHUNK) if hasattr(response, 'read1') else response.read(CHUNK)
            if not data:
                break
            self.wfile.write(b'%x\r\n%s\r\n' % (len(data), data) if chunked else data)
        if chunked:
            self.wfile.write(b'0\r\n\r\n')
        self.wfile.flush()

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = forward


def main():
    parser = argparse.ArgumentParser(description='Forward /api/, /v2/ and /service/ to a Harbor, nothing else.')
    parser.add_argument('--upstream', required=True, help='the Harbor to forward to, e.g. http://127.0.0.1:8080')
    parser.add_argument('--port', type=int, default=0, help='port to listen on, on 127.0.0.1 (default: a free one)')
    parser.add_argument('--upstream-ca', help='CA bundle for an HTTPS upstream')
    options = parser.parse_args()

    ProxyHandler.upstream = urlsplit(options.upstream)
    if ProxyHandler.upstream.scheme == 'https':
        ProxyHandler.upstream_context = ssl.create_default_context(cafile=options.upstream_ca)
    server = http.server.ThreadingHTTPServer(('127.0.0.1', options.port), ProxyHandler)
    server.daemon_threads = True

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(json.dumps({'url': 'http://127.0.0.1:%d' % server.server_address[1]}), flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
