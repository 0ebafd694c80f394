# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Login sessions (``POST /c/login``, ``GET /c/log_out``), the session security context and the CSRF check.

Harbor v2.15.2:
- src/server/route.go and src/core/controllers/base.go: ``/c/login`` takes the form fields ``principal`` and
  ``password``, answers 401 with an empty body when they are wrong (403 with ``redirect_location`` for a user who
  must log in through OIDC), and on success regenerates the session id and stores the user in the session
  (cookie ``sid``). ``/c/log_out`` destroys the session and answers 200, also without one.
- src/server/middleware/security: the ``session`` generator comes after ``basicAuth``; a request with a valid
  ``Authorization`` header is the basic-auth user whatever its cookie says.
- src/server/middleware/session and csrf: a request under /api/, /v2/ or /service/ skips the CSRF check unless it
  carries a ``sid`` cookie; every other request goes through gorilla/csrf v1.7.2: the real token lives in the
  ``_gorilla_csrf`` cookie (made when missing), each response carries a freshly masked copy in
  ``X-Harbor-CSRF-Token``, and an unsafe method must send a masked copy back in that header (403 "CSRF token not
  found in request" / "CSRF token invalid", with a new masked token attached).
- src/pkg/auditext/event/login: a login (successful or not) is audited as ``login`` of the resource type ``user``;
  a logout only when it had a user.
The password check of a login costs what a basic-auth request's does (``AuthLatency``); a request carrying a
session costs nothing more.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from urllib.parse import parse_qs

from .. import core
from ...http import Response, json_response
from .audit_logs import record

SESSION_COOKIE = "sid"
CSRF_COOKIE = "_gorilla_csrf"
CSRF_HEADER = "X-Harbor-CSRF-Token"
TOKEN_LENGTH = 32
CSRF_MAX_AGE = 12 * 3600
SKIPPED_PREFIXES = ("/v2/", "/api/", "/service/")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


def sessions(req):
    """sid -> {"user_id", "requests"} of the emulator (cleared by /_emulator/reset, like a fresh Redis); "requests"
    counts the requests the session authenticated, for GET /_emulator/sessions."""
    return req.emulator.login_sessions


# -- CSRF (gorilla/csrf as Harbor configures it) -----------------------------------------------------------

def _decode(text, length):
    try:
        raw = base64.b64decode(text or "", validate=True)
    except ValueError:
        return None
    return raw if len(raw) == length else None


def _mask(token):
    pad = secrets.token_bytes(TOKEN_LENGTH)
    return base64.b64encode(pad + bytes(a ^ b for a, b in zip(pad, token))).decode("ascii")


def _unmask(text):
    raw = _decode(text, 2 * TOKEN_LENGTH)
    if raw is None:
        return None
    return bytes(a ^ b for a, b in zip(raw[:TOKEN_LENGTH], raw[TOKEN_LENGTH:]))


class CsrfCheck:
    """What the CSRF middleware decided for one request: the error (or None) and the headers to attach."""

    def __init__(self, req):
        self.headers = []
        self.error = None
        path = req.path
        if path.startswith(SKIPPED_PREFIXES) and SESSION_COOKIE not in req.cookies:
            return
        token = _decode(req.cookies.get(CSRF_COOKIE), TOKEN_LENGTH)
        if token is None:
            token = secrets.token_bytes(TOKEN_LENGTH)
            secure = "; Secure" if str(req.state.config.get("external_url", "")).startswith("https://") else ""
            self.headers.append(("Set-Cookie", "%s=%s; Path=/; Max-Age=%d; HttpOnly%s; SameSite=Strict" % (
                CSRF_COOKIE, base64.b64encode(token).decode("ascii"), CSRF_MAX_AGE, secure)))
        self.headers.append((CSRF_HEADER, _mask(token)))
        if req.method in SAFE_METHODS:
            return
        sent = req.header(CSRF_HEADER)
        if not sent:
            self.error = core.forbidden("CSRF token not found in request")
        elif not hmac.compare_digest(_unmask(sent) or b"", token):
            self.error = core.forbidden("CSRF token invalid")

    def attach(self, response):
        for name, value in self.headers:
            if name == CSRF_HEADER:
                response.set_header(name, value)
            else:
                response.add_header(name, value)
        return response


# -- the session security context -------------------------------------------------------------------------

@core.security_generator("session", order=70)
def session_generator(req):
    session = sessions(req).get(req.cookies.get(SESSION_COOKIE))
    user = req.state.get("users", session["user_id"]) if session is not None else None
    if user is None:
        return None
    session["requests"] += 1
    return core.LocalUserContext(user)


# -- /c/login and /c/log_out ------------------------------------------------------------------------------

def _form(req):
    fields = parse_qs(req.raw_body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


@core.route("POST", r"/c/login", base="")
def login(req):
    form = _form(req)
    principal, password = form.get("principal", ""), form.get("password", "")
    user = req.state.user_by_name(principal) if principal else None
    if user is not None and req.state.config.get("auth_mode") == "oidc_auth" and user["user_id"] != 1:
        endpoint = str(req.state.config.get("external_url") or "").rstrip("/")
        return json_response({"redirect_location": endpoint + "/c/oidc/login"}, 403)
    if user is None or not req.state.check_password(user, password):
        record(req.state, principal, "login", "user", principal, "login", succeeded=False)
        return Response(401)
    sid = secrets.token_hex(16)
    sessions(req).pop(req.cookies.get(SESSION_COOKIE), None)
    sessions(req)[sid] = {"user_id": user["user_id"], "requests": 0}
    record(req.state, principal, "login", "user", principal, "login")
    return Response(200, headers=[("Set-Cookie", "%s=%s; Path=/; HttpOnly" % (SESSION_COOKIE, sid))])


@core.route("GET", r"/c/log_out", base="")
def log_out(req):
    session = sessions(req).pop(req.cookies.get(SESSION_COOKIE), None)
    if session is not None and req.security.is_authenticated():
        username = req.security.username()
        record(req.state, username, "logout", "user", username, "logout")
    return Response(200)
