# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generic HTTP plumbing shared by the emulators (Harbor now, Kubernetes later).

Nothing in this module knows about Harbor: it provides a threaded server, a
method + regex router, the request log, fault injection, JSON responses, TLS
wrapping and the ``/_emulator`` control endpoints.  An *application* plugs
into :class:`EmulatorServer` by implementing ``handle(request) -> Response``
and may add its own control endpoints (``seed``, ``reset``...).
"""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

CONTROL_PREFIX = "/_emulator"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class Request:
    """One HTTP request, decoupled from the socket handler."""

    def __init__(self, method, raw_target, headers, body):
        self.method = method.upper()
        self.raw_target = raw_target  # path + '?' + query exactly as sent
        raw_path, _mark, self.raw_query = raw_target.partition("?")
        self.raw_path = raw_path
        # Routing works on the once-decoded path, like Go's URL.Path.
        self.path = unquote(raw_path)
        self.headers = headers  # email.message.Message: case-insensitive get()
        self.body = body
        self.params = {}  # filled by the router from the named groups
        # Streamed requests (see ``wants_stream``) leave ``body`` empty and read from ``stream``
        # (a BodyReader) instead, so blobs of any size never sit in memory.
        self.stream = None

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def cookies(self):
        """Cookie header parsed into a dict (last value wins)."""
        jar = {}
        for header in self.headers.get_all("Cookie") or []:
            for part in header.split(";"):
                name, sep, value = part.strip().partition("=")
                if sep:
                    jar[name] = value
        return jar


class Response:
    """Status, headers (list of pairs, repeats allowed) and a bytes body."""

    def __init__(self, status=200, body=b"", headers=None, content_type=None):
        self.status = int(status)
        self.headers = list(headers or [])
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.body = body
        if content_type:
            self.set_header("Content-Type", content_type)

    # ``stream``: an iterable of bytes sent after the headers instead of ``body`` (a proxied blob).
    # With a Content-Length header it is copied as is, otherwise it is sent chunked.
    stream = None

    def set_header(self, name, value):
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, str(value)))

    def add_header(self, name, value):
        self.headers.append((name, str(value)))


def json_response(obj, status=200, headers=None, trailing_newline=False):
    """Serialise ``obj`` as compact JSON (Go's encoding/json style)."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
    if trailing_newline:
        text += "\n"
    return Response(status, text, headers, content_type=JSON_CONTENT_TYPE)


class NoRoute(Exception):
    """No route matches the path (404)."""


class MethodNotAllowed(Exception):
    """The path exists but not for this method (405)."""

    def __init__(self, allowed):
        super().__init__(allowed)
        self.allowed = allowed


class Route:
    def __init__(self, method, pattern, handler, options):
        self.method = method.upper()
        self.pattern = pattern
        self.regex = re.compile(pattern)
        self.handler = handler
        self.options = options


class Router:
    """Maps (method, path regex) to a handler.

    Patterns are full-matched against the decoded request path; named groups
    become ``request.params``.  ``HEAD`` falls back to ``GET`` routes only when
    no explicit ``HEAD`` route exists for the path.
    """

    def __init__(self):
        self.routes = []

    def add(self, method, pattern, handler, **options):
        self.routes.append(Route(method, pattern, handler, options))

    def match(self, method, path):
        method = method.upper()
        allowed = []
        for candidate in self.routes:
            found = candidate.regex.fullmatch(path)
            if not found:
                continue
            if candidate.method == method:
                return candidate, found.groupdict()
            allowed.append(candidate.method)
        if allowed:
            raise MethodNotAllowed(sorted(set(allowed)))
        raise NoRoute(path)


READ_METHODS = ("GET", "HEAD")
# Opening and closing a login session (Harbor's /c/login, /c/log_out) changes no object.
SESSION_PATHS = ("/c/login", "/c/log_out")


def is_write(method, path):
    return method not in READ_METHODS and path.split("?", 1)[0] not in SESSION_PATHS


class RequestLog:
    """Thread-safe ordered log of API requests for ``/_emulator/requests``: method, path, status and whether the
    request was a write (anything but a read or a login)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def append(self, method, path, status):
        with self._lock:
            self._entries.append({"method": method, "path": path, "status": status, "write": is_write(method, path)})

    def entries(self):
        with self._lock:
            return list(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()


class FaultError(ValueError):
    """Invalid fault specification posted to ``/_emulator/faults``."""


class Fault:
    def __init__(self, spec):
        if not isinstance(spec, dict):
            raise FaultError("a fault must be a JSON object")
        self.method = str(spec.get("method", "*")).upper()
        try:
            self.path_regex = re.compile(str(spec.get("path", "")))
        except re.error as exc:
            raise FaultError("invalid path regex: %s" % exc) from exc
        self.path = self.path_regex.pattern
        self.count = _int_field(spec, "count", 1)
        self.status = _int_field(spec, "status", None)
        self.headers = spec.get("headers") or {}
        if not isinstance(self.headers, dict):
            raise FaultError("headers must be an object")
        self.body = spec.get("body")
        self.delay = float(spec.get("delay") or 0)
        self.drop = bool(spec.get("drop", False))
        if self.count < 1:
            raise FaultError("count must be >= 1")

    def matches(self, method, target):
        return self.method in ("*", method) and self.path_regex.search(target) is not None

    def describe(self):
        return {
            "method": self.method, "path": self.path, "count": self.count, "status": self.status,
            "headers": self.headers, "body": self.body, "delay": self.delay, "drop": self.drop,
        }


def _int_field(spec, name, default):
    value = spec.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultError("%s must be an integer" % name)
    return value


class FaultInjector:
    """Pending faults; each matching request consumes one unit of ``count``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, spec):
        fault = Fault(spec)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method, target):
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, target):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self):
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def clear(self):
        with self._lock:
            self._faults.clear()


def default_fault_body(status):
    """Body of an injected fault when the test did not give one."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return {"errors": [{"code": phrase.upper().replace(" ", "_"), "message": "injected fault"}]}


class BodyReader:
    """The request body, read on demand: Content-Length or chunked transfer coding.

    Go clients (crane, helm, cosign) upload blobs of unknown length chunked, so
    the server must decode chunks as well as honour Content-Length.
    """

    def __init__(self, rfile, headers):
        self._rfile = rfile
        self.chunked = "chunked" in (headers.get("Transfer-Encoding") or "").lower()
        self.length = None if self.chunked else int(headers.get("Content-Length") or 0)
        self._left = self.length or 0
        self._chunk_left = 0
        self._done = False

    def read(self, size=65536):
        """Up to ``size`` bytes; b"" at the end."""
        if not self.chunked:
            if self._left <= 0:
                return b""
            data = self._rfile.read(min(size, self._left))
            self._left -= len(data)
            if not data:
                self._left = 0
            return data
        if self._done:
            return b""
        if self._chunk_left == 0:
            line = self._rfile.readline(65537)
            try:
                self._chunk_left = int(line.split(b";", 1)[0].strip() or b"0", 16)
            except ValueError:
                self._chunk_left = 0
            if self._chunk_left == 0:
                # trailers end with an empty line
                while self._rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                self._done = True
                return b""
        data = self._rfile.read(min(size, self._chunk_left))
        self._chunk_left -= len(data)
        if not data:
            self._done = True
        elif self._chunk_left == 0:
            self._rfile.readline(3)  # CRLF after the chunk data
        return data

    def read_all(self, limit=None):
        parts = []
        total = 0
        while True:
            data = self.read()
            if not data:
                return b"".join(parts)
            total += len(data)
            if limit is not None and total > limit:
                raise ValueError("body larger than %d bytes" % limit)
            parts.append(data)

    def drain(self):
        while self.read():
            pass

    def __iter__(self):
        while True:
            data = self.read()
            if not data:
                return
            yield data


class DropConnection(Exception):
    """Raised internally to close the socket without answering."""


class EmulatorServer:
    """Threaded HTTP(S) server dispatching to an application.

    ``app`` must provide ``handle(request) -> Response``.  It may provide
    ``register_control(router)`` to add endpoints under ``/_emulator``,
    ``after_request(request, response)`` (called for API and control requests
    after the response is built) and ``render_fault(status) -> obj``.
    """

    def __init__(self, app, host="127.0.0.1", port=0, ssl_context=None, verbose=False):
        self.app = app
        self.verbose = verbose
        self.request_log = RequestLog()
        self.faults = FaultInjector()
        self.control = Router()
        self._register_control()
        if hasattr(app, "register_control"):
            app.register_control(self.control)
        self.httpd = _Server((host, port), _make_handler(self))
        if ssl_context is not None:
            # Handshake lazily in the worker thread so a slow client cannot
            # block the accept loop.
            self.httpd.socket = ssl_context.wrap_socket(
                self.httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.scheme = "https" if ssl_context is not None else "http"
        self._thread = None

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def serve_forever(self):
        self.httpd.serve_forever(poll_interval=0.2)

    def start_background(self):
        self._thread = threading.Thread(target=self.serve_forever, name="emulator", daemon=True)
        self._thread.start()

    def shutdown(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    # -- control endpoints -------------------------------------------------
    def _register_control(self):
        self.control.add("GET", CONTROL_PREFIX + "/requests", lambda req: json_response(self.request_log.entries()))
        self.control.add("DELETE", CONTROL_PREFIX + "/requests", self._clear_requests)
        self.control.add("GET", CONTROL_PREFIX + "/faults", lambda req: json_response(self.faults.pending()))
        self.control.add("POST", CONTROL_PREFIX + "/faults", self._add_faults)
        self.control.add("DELETE", CONTROL_PREFIX + "/faults", self._clear_faults)

    def _clear_requests(self, _request):
        self.request_log.clear()
        return json_response({"cleared": True})

    def _clear_faults(self, _request):
        self.faults.clear()
        return json_response({"cleared": True})

    def _add_faults(self, request):
        try:
            payload = json.loads(request.body or b"null")
        except ValueError:
            return json_response({"error": "body must be JSON"}, 400)
        specs = payload if isinstance(payload, list) else [payload]
        try:
            added = [self.faults.add(spec).describe() for spec in specs]
        except FaultError as exc:
            return json_response({"error": str(exc)}, 400)
        return json_response(added if isinstance(payload, list) else added[0], 201)

    # -- dispatch ------------------------------------------------------------
    def dispatch(self, request):
        """Return the Response for ``request`` (raises DropConnection)."""
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            return self._dispatch_control(request)
        fault = self.faults.take(request.method, request.raw_target)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                self.request_log.append(request.method, request.raw_target, 0)
                raise DropConnection()
            if fault.status is not None:
                response = self._fault_response(fault)
                self.request_log.append(request.method, request.raw_target, response.status)
                return response
        try:
            response = self.app.handle(request)
        except Exception:  # pylint: disable=broad-except
            # The application is expected to map its own errors; this is the
            # last line of defence so that the client always gets an answer.
            response = json_response(default_fault_body(500), 500)
        self.request_log.append(request.method, request.raw_target, response.status)
        self._after(request, response)
        return response

    def _dispatch_control(self, request):
        try:
            route, params = self.control.match(request.method, request.path)
        except NoRoute:
            return json_response({"error": "unknown control endpoint"}, 404)
        except MethodNotAllowed as exc:
            return json_response({"error": "method not allowed", "allowed": exc.allowed}, 405)
        request.params = params
        response = route.handler(request)
        self._after(request, response)
        return response

    def _after(self, request, response):
        hook = getattr(self.app, "after_request", None)
        if hook is not None:
            hook(request, response)

    def _fault_response(self, fault):
        body = fault.body
        if body is None:
            render = getattr(self.app, "render_fault", default_fault_body)
            body = render(fault.status)
        if isinstance(body, (dict, list)):
            response = json_response(body, fault.status, trailing_newline=True)
        else:
            response = Response(fault.status, str(body), content_type="text/plain; charset=utf-8")
        for name, value in fault.headers.items():
            response.set_header(name, value)
        return response

    def log_line(self, request, status, elapsed):
        if self.verbose:
            sys.stderr.write("%s %s %s %.3fs\n" % (request.method, request.raw_target, status, elapsed))
            sys.stderr.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients closing connections mid-request (or failing the TLS
        # handshake) are normal in tests; stay quiet instead of printing a
        # traceback on stderr.
        return


def _make_handler(server):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in separate writes; without TCP_NODELAY, Nagle's algorithm and the
        # client's delayed ACK hold every TLS response back by about 40 ms.
        disable_nagle_algorithm = True
        server_version = "harbor-emulator"

        def version_string(self):
            return self.server_version

        def log_message(self, format, *args):  # pylint: disable=redefined-builtin
            return  # the server logs one line per request itself (--verbose)

        def _serve(self):
            started = time.monotonic()
            reader = BodyReader(self.rfile, self.headers)
            wants_stream = getattr(server.app, "wants_stream", None)
            if wants_stream is not None and wants_stream(self.command, self.path):
                request = Request(self.command, self.path, self.headers, b"")
                request.stream = reader
            else:
                request = Request(self.command, self.path, self.headers, reader.read_all())
            try:
                response = server.dispatch(request)
            except DropConnection:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                server.log_line(request, 0, time.monotonic() - started)
                return
            if request.stream is not None:
                # Whatever the handler left unread must go, or it would be taken for the next request.
                try:
                    request.stream.drain()
                except (OSError, ValueError):
                    self.close_connection = True
            self.send_response(response.status)
            has_length = False
            for name, value in response.headers:
                if name.lower() == "transfer-encoding":
                    continue
                has_length = has_length or name.lower() == "content-length"
                self.send_header(name, value)
            chunked = response.stream is not None and not has_length and self.command != "HEAD"
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif not has_length:
                self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if response.stream is not None:
                self._send_stream(response.stream, chunked)
            elif self.command != "HEAD" and response.body:
                self.wfile.write(response.body)
            server.log_line(request, response.status, time.monotonic() - started)

        def _send_stream(self, stream, chunked):
            try:
                for data in stream:
                    if self.command == "HEAD" or not data:
                        continue
                    if chunked:
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    else:
                        self.wfile.write(data)
                if chunked:
                    self.wfile.write(b"0\r\n\r\n")
            finally:
                close = getattr(stream, "close", None)
                if close is not None:
                    close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    return Handler
