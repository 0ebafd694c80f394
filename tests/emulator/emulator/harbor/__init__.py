# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Harbor v2.0 API emulator application.

``HarborEmulator`` owns the state, imports every module of the
``resources`` package (each registers its routes and hooks through
``core``) and runs requests through the same middleware order as Harbor:
request id, session/CSRF (resources/login.py), query parsing, security context, read-only mode,
routing, parameter binding, handler.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import secrets
import time

from ..http import NoRoute, MethodNotAllowed, Router, json_response
from . import core, resources
from .resources import login
from .registry import RegistryProcess
from .state import State
from .v2 import Gateway

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
LOGIN_PATH = "/c/login"
_loaded_resources = []


def load_resources():
    """Import every module of the resources package once (they self-register)."""
    if not _loaded_resources:
        for module in sorted(pkgutil.iter_modules(resources.__path__), key=lambda item: item.name):
            _loaded_resources.append(importlib.import_module("%s.%s" % (resources.__name__, module.name)))
    return list(_loaded_resources)


class HarborRequest:
    """A request plus everything a Harbor handler needs."""

    def __init__(self, base, emulator):
        self.method = base.method
        self.path = base.path
        self.raw_path = base.raw_path
        self.raw_query = base.raw_query
        self.raw_target = base.raw_target
        self.headers = base.headers
        self.raw_body = base.body
        self.cookies = base.cookies()
        self.emulator = emulator
        self.state = emulator.state
        self.params = {}
        self.query = {}  # name -> [values], decoded once
        self.args = {}  # typed query parameters declared by the route
        self.body = None  # bound JSON body
        self.stream = None  # BodyReader of a streamed /v2/ blob upload
        self.security = core.SecurityContext()

    def header(self, name, default=None):
        return self.headers.get(name, default)

    def arg(self, name, default=None):
        """First raw value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default


class AuthLatency:
    """What checking credentials costs a real Harbor, to make benchmarks on the emulator predict one.

    A real Harbor v2.15.2 spends about 84 ms verifying a user's password on every basic-auth request and on a
    login (``POST /c/login``), and about 3.5 ms on a robot's secret; the emulator answers in about 1 ms. A request
    carrying a login session checks no password and does not wait. The wait happens whether or not the
    credentials are right, as the hash is computed either way.
    """

    def __init__(self, user_ms=0, robot_ms=0):
        self.user_seconds = max(user_ms, 0) / 1000.0
        self.robot_seconds = max(robot_ms, 0) / 1000.0

    def wait(self, req):
        if not (self.user_seconds or self.robot_seconds):
            return
        credentials = core.parse_basic_auth(req)
        if credentials is None:
            if req.method == "POST" and req.path == LOGIN_PATH:
                time.sleep(self.user_seconds)  # a login checks the user's password once
            return
        robot = credentials[0].startswith(req.state.config["robot_name_prefix"])
        seconds = self.robot_seconds if robot else self.user_seconds
        if seconds:
            time.sleep(seconds)


class HarborEmulator:
    def __init__(self, admin_password=None, state_file=None, harbor_version=None, auth_latency=None):
        self.admin_password = admin_password or secrets.token_urlsafe(18)
        self.auth_latency = auth_latency or AuthLatency()
        # Login sessions, sid -> {"user_id", "requests"}: Harbor keeps them in Redis, apart from the database.
        self.login_sessions = {}
        self.state_file = state_file
        self.state = State(self.admin_password)
        if state_file and os.path.exists(state_file):
            self.state.load(state_file)
        if harbor_version:
            self.state.config["harbor_version"] = harbor_version
        load_resources()
        from .resources import scans  # pylint: disable=import-outside-toplevel
        scans.attach(self)  # push hooks get the state only; scan jobs need the emulator
        self.router = Router()
        for method, pattern, handler, options in core.ROUTES:
            self.router.add(method, pattern, handler, **options)
        # The registry behind /v2/; started by start_registry() (run.py), so an emulator built in a
        # unit test without it answers /v2/ with 503.
        storage = state_file + ".registry" if state_file else None
        self.registry = RegistryProcess(storage)
        self.registry.error = "the registry was not started"
        self.gateway = Gateway(self, self.registry)

    def start_registry(self):
        self.registry.error = None
        return self.registry.start()

    def stop_registry(self):
        self.registry.stop()

    def wants_stream(self, method, path):
        return self.gateway.wants_stream(method, path.split("?", 1)[0])

    def set_external_url(self, url):
        self.state.config["external_url"] = url

    def enable_scanner(self, url, ca_path=None):
        """Register the scanner adapter at ``url`` (run.py --scanner); scan jobs trust ``ca_path``."""
        from .resources import scanners  # pylint: disable=import-outside-toplevel
        with self.state.lock:
            self.state.config["emulator_scanner_url"] = url
            self.state.config["emulator_ca_path"] = ca_path or ""
            scanners.install_emulator_scanner(self.state, url)

    # -- control endpoints ---------------------------------------------------
    def register_control(self, router):
        router.add("POST", "/_emulator/seed", self._seed)
        router.add("POST", "/_emulator/reset", self._reset)
        router.add("GET", "/_emulator/sessions", self._sessions)

    def _seed(self, request):
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return json_response({"error": "body must be a JSON object"}, 400)
        if not isinstance(payload, dict):
            return json_response({"error": "body must be a JSON object"}, 400)
        unknown = sorted(set(payload) - set(core.SEED_HANDLERS))
        if unknown:
            return json_response({"error": "unknown seed keys: %s" % ", ".join(unknown)}, 400)
        result = {}
        with self.state.lock:
            try:
                for key, (_order, handler) in sorted(core.SEED_HANDLERS.items(), key=lambda item: item[1][0]):
                    if key in payload:
                        result[key] = handler(self, payload[key])
            except core.HarborError as exc:
                return json_response({"error": exc.message, "created": result}, 400)
        return json_response(result, 201)

    def _sessions(self, _request):
        """The login sessions (never their ids): whose, and how many requests each authenticated."""
        with self.state.lock:
            listed = []
            for session in list(self.login_sessions.values()):
                user = self.state.get("users", session["user_id"]) or {}
                listed.append({"username": user.get("username"), "requests": session["requests"]})
        return json_response(listed)

    def _reset(self, _request):
        with self.state.lock:
            kept = {key: self.state.config.get(key) for key in (
                "external_url", "harbor_version", "emulator_scanner_url", "emulator_ca_path")}
            self.state.reset()
            self.login_sessions.clear()
            self.registry.wipe()
            self.state.config.update(kept)
            if kept["emulator_scanner_url"]:
                # A fresh installation with a scanner still has its default registration.
                from .resources import scanners  # pylint: disable=import-outside-toplevel
                scanners.install_emulator_scanner(self.state, kept["emulator_scanner_url"])
        return json_response({"reset": True})

    def after_request(self, request, response):
        """Persist after every write so a restarted emulator keeps its objects."""
        if not self.state_file or response.status == 0:
            return
        if request.method in SAFE_METHODS:
            return
        with self.state.lock:
            self.state.save(self.state_file)

    def save(self):
        if self.state_file:
            with self.state.lock:
                self.state.save(self.state_file)

    # -- API requests --------------------------------------------------------
    def handle(self, request):
        request_id = core.begin_request(request.header("X-Request-Id"))
        req = HarborRequest(request, self)
        # Outside the state lock, so that requests in parallel wait in parallel as on a real server; the token
        # service and /v2/ check basic-auth credentials as dearly as the API does.
        self.auth_latency.wait(req)
        if self.gateway.handles(req.path):
            # /v2/ and /service/token: no session cookie and no CSRF (Harbor skips both there).
            req.query, _error = core.go_parse_query(req.raw_query)
            req.stream = request.stream
            try:
                response = self.gateway.handle(req)
            except Exception:  # pylint: disable=broad-except
                response = core.error_response(core.internal_error())
            response.set_header("X-Request-Id", request_id)
            return response
        csrf = login.CsrfCheck(req)
        try:
            if csrf.error is not None:
                raise csrf.error
            response = self._dispatch(req)
        except core.HarborError as exc:
            response = core.error_response(exc)
        except Exception:  # pylint: disable=broad-except
            # Harbor turns any unexpected error into a masked 500.
            response = core.error_response(core.internal_error())
        csrf.attach(response)
        # requestid middleware: echo or generate.
        response.set_header("X-Request-Id", request_id)
        # Like beego, hand out a session cookie (not a login: see resources/login.py) unless a login just made one.
        if not any(name.lower() == "set-cookie" and value.startswith("sid=") for name, value in response.headers):
            sid = req.cookies.get("sid") or secrets.token_hex(16)
            response.add_header("Set-Cookie", "sid=%s; Path=/; HttpOnly" % sid)
        return response

    def _dispatch(self, req):
        req.query, query_error = core.go_parse_query(req.raw_query)
        if query_error:
            raise core.bad_request(query_error)
        with self.state.lock:
            req.security = core.compute_security_context(req)
            if self._read_only_blocks(req):
                raise core.denied("The system is in read only mode. Any modification is prohibited.")
            try:
                found, params = self.router.match(req.method, req.path)
            except NoRoute as exc:
                raise core.not_found("path %s was not found" % req.raw_path) from exc
            except MethodNotAllowed as exc:
                raise core.HarborError("METHOD_NOT_ALLOWED", "method %s is not allowed, but [%s] are" % (
                    req.method, ",".join(exc.allowed))) from exc
            req.params = params
            finishers = [] if req.method in SAFE_METHODS else [
                finish for finish in (hook(req) for hook in core.API_WRITE_HOOKS) if finish is not None]
            try:
                bind_parameters(req, found.options)
                response = found.handler(req)
            except core.HarborError as exc:
                for finish in finishers:
                    finish(exc.status, None)
                raise
            response = response if response is not None else core.ok()
            for finish in finishers:
                finish(response.status, dict((key.lower(), value) for key, value in response.headers).get("location"))
            return response

    def _read_only_blocks(self, req):
        if not self.state.config.get("read_only") or req.method in SAFE_METHODS:
            return False
        # readonlySkippers: the configuration API stays writable, and users can still log in.
        if req.method == "POST" and req.path == LOGIN_PATH:
            return False
        return not (req.method == "PUT" and req.path.startswith(core.API_BASE + "/configurations"))


def bind_parameters(req, options):
    """go-swagger parameter binding: typed query values and the JSON body."""
    errors = []
    if options.get("paged"):
        options = dict(options)
        options.setdefault("query", {})
        options["query"] = dict(options["query"], page="int", page_size="int")
        req.args["page"], req.args["page_size"] = 1, 10
    for name, kind in options.get("query", {}).items():
        raw = req.arg(name)
        if raw is None:
            continue
        if kind == "int":
            try:
                req.args[name] = int(raw)
            except ValueError:
                errors.append('%s in query must be of type int64: "%s"' % (name, raw))
        elif kind == "bool":
            value = core.parse_bool_text(raw)
            if value is None:
                errors.append('%s in query must be of type boolean: "%s"' % (name, raw))
            req.args[name] = value
        else:
            req.args[name] = raw
    if options.get("paged") and req.args.get("page_size", 10) > 100:
        errors.append("page_size in query should be less than or equal to 100")
    if errors:
        raise core.unprocessable(errors)
    schema = options.get("body")
    if schema is None:
        return
    name = options.get("body_name", "body")
    if not req.raw_body.strip():
        if options.get("body_required", True):
            raise core.unprocessable("%s in body is required" % name)
        return
    try:
        req.body = json.loads(req.raw_body)
    except ValueError as exc:
        raise core.bad_request('parsing %s body from "" failed, because %s' % (name, exc)) from exc
    problems = core.validate_schema(req.body, schema, root=name)
    if problems:
        raise core.unprocessable(problems)
