# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Harbor cross-cutting behaviour shared by every resource module.

* the extension registries (routes, security-context generators, project
  create/delete hooks, tag guards, seed handlers) and the event bus (Harbor's
  notifier: what happened, for the webhooks);
* ``HarborError`` and the ``{"errors":[...]}`` envelope;
* security contexts and the RBAC checks of Harbor's ``BaseAPI``;
* request helpers: body binding + schema validation, typed query
  parameters, pagination (``X-Total-Count``/``Link``), the ``q`` query
  language, sorting, name-or-id resolution and ``Location`` headers.

References to Harbor source files are to goharbor/harbor (see the README).
"""

from __future__ import annotations

import base64
import datetime
import json
import re
import threading
import time
import uuid
from urllib.parse import urlencode

from ..http import JSON_CONTENT_TYPE, Response, json_response

API_BASE = "/api/v2.0"

# --------------------------------------------------------------------------
# Extension registries.  Resource modules fill them at import time; the
# HarborEmulator reads them when it is built.
# --------------------------------------------------------------------------

ROUTES = []
SECURITY_GENERATORS = []
PROJECT_CREATE_HOOKS = []
PROJECT_DELETE_HOOKS = []
IMMUTABLE_MATCHERS = []
SEED_HANDLERS = {}
ARTIFACT_PUSH_HOOKS = []
ARTIFACT_DELETE_HOOKS = []
PULL_POLICIES = []
ARTIFACT_RENDERERS = []
API_WRITE_HOOKS = []
EVENT_HANDLERS = []


def route(method, pattern, base=API_BASE, **options):
    """Register a handler for ``method`` and a path regex relative to ``base``.

    Options understood by the dispatcher (see HarborEmulator.handle):
    ``body``: schema of the JSON body (mini JSON-schema, see validate_schema);
    ``body_name``: parameter name used in validation messages;
    ``body_required``: default True when ``body`` is given;
    ``query``: {name: "bool"|"int"|"string"} typed query parameters;
    ``paged``: parse ``page``/``page_size`` (default 1/10, max 100).
    """
    def decorator(func):
        ROUTES.append((method.upper(), base + pattern, func, options))
        return func
    return decorator


def security_generator(name, order):
    """Register ``func(req) -> SecurityContext | None``.

    Generators run by ascending ``order``; the first context returned wins.
    Harbor's order is secret, oidcCli, v2Token, idToken, authProxy, robot,
    basicAuth, session (src/server/middleware/security/security.go): the
    basic-auth generator uses 60, so a robot generator must use 50.
    """
    def decorator(func):
        SECURITY_GENERATORS.append((order, name, func))
        SECURITY_GENERATORS.sort(key=lambda item: item[0])
        return func
    return decorator


def on_project_create(func):
    """``func(req, project, body)`` runs after a project is created (in the state lock)."""
    PROJECT_CREATE_HOOKS.append(func)
    return func


def on_project_delete(func):
    """``func(req, project)`` runs when a project is deleted (robots, retention, immutable rules...)."""
    PROJECT_DELETE_HOOKS.append(func)
    return func


def immutable_matcher(func):
    """``func(state, project, repository, tag_name) -> bool`` tells whether a tag is immutable.

    Deleting an immutable tag (directly, or through its artifact or
    repository) or re-pointing it to another artifact answers 412; the
    ``immutable`` flag of tags is computed from the matchers.  The
    immutable-rules module registers one.
    """
    IMMUTABLE_MATCHERS.append(func)
    return func


def is_immutable(state, project, repository, tag_name):
    return any(matcher(state, project, repository, tag_name) for matcher in IMMUTABLE_MATCHERS)


def on_artifact_push(func):
    """``func(state, project, repository, artifact)`` runs (in the state lock) once a push is recorded.

    Harbor fires its PUSH_ARTIFACT event there; scan-on-push (``auto_scan``) hooks in here.
    ``artifact`` is the stored record; a hook may add keys to it (``scan_overview``...).
    """
    ARTIFACT_PUSH_HOOKS.append(func)
    return func


def on_api_write(func):
    """``func(req)`` runs (in the state lock) before the handler of an API write (POST, PUT, PATCH, DELETE) that
    found its route; it returns None, or ``finish(status, location)``, called once the handler has answered
    (with the error's status when it failed). The audit log records Harbor's operations so."""
    API_WRITE_HOOKS.append(func)
    return func


def on_artifact_delete(func):
    """``func(state, project, repository, artifact)`` runs when an artifact record goes (API delete,
    retention, repository deletion): the registry module removes the manifest from the real registry."""
    ARTIFACT_DELETE_HOOKS.append(func)
    return func


def pull_policy(func):
    """``func(state, project, repository, artifact) -> None`` checks a manifest ``GET``/``HEAD`` on ``/v2/``.

    Raise a ``HarborError`` to refuse (e.g. ``HarborError("PROJECTPOLICYVIOLATION", ...)``, 412).
    Runs after authorisation, in the state lock, for every caller except when ``artifact`` is an
    accessory (signatures stay readable, as in Harbor's util.SkipPolicyChecking).  Content trust
    (cosign) registers one; vulnerability prevention (``prevent_vul``) is meant to register another.
    """
    PULL_POLICIES.append(func)
    return func


def artifact_renderer(func):
    """``func(req, artifact, body)`` may add fields to an artifact's JSON (``scan_overview`` when
    ``with_scan_overview=true``...)."""
    ARTIFACT_RENDERERS.append(func)
    return func


# --------------------------------------------------------------------------
# The event bus (src/controller/event, src/pkg/notifier): what happened, for whoever listens (the webhooks).
# --------------------------------------------------------------------------

class RequestContext(threading.local):
    """Who the request being served acts as, and its X-Request-Id: Harbor's events carry both
    (``operator``, and ``requestid`` in CloudEvents).  Set per request by HarborEmulator.handle."""

    operator = ""
    request_id = ""


CURRENT = RequestContext()


def begin_request(request_id=None):
    """A new request on this thread: its id (the client's X-Request-Id, or a fresh one), no operator yet."""
    CURRENT.request_id = request_id or str(uuid.uuid4())
    CURRENT.operator = ""
    return CURRENT.request_id


class acting_as:  # pylint: disable=invalid-name
    """``with core.acting_as("harbor-jobservice"):`` events published inside carry that operator (a job's own deletions)."""

    def __init__(self, operator):
        self.operator = operator
        self.saved = None

    def __enter__(self):
        self.saved = CURRENT.operator
        CURRENT.operator = self.operator
        return self

    def __exit__(self, *exc):
        CURRENT.operator = self.saved


def on_event(func):
    """``func(state, event)`` runs (in the state lock) for every event published.

    ``event`` is a dict: ``type`` (Harbor's topic: PUSH_ARTIFACT, PULL_ARTIFACT, DELETE_ARTIFACT,
    SCANNING_COMPLETED/FAILED/STOPPED, QUOTA_WARNING/EXCEED, TAG_RETENTION, REPLICATION), ``project_id``,
    ``operator``, ``request_id``, ``occur_at`` (unix seconds), and what the type needs (see publish_event).
    A handler must not block: the webhooks hand the delivery to a thread.
    """
    EVENT_HANDLERS.append(func)
    return func


def publish_event(state, event_type, project_id, operator=None, request_id=None, **details):
    """Announce an event (Harbor's notification.AddEvent).  Details by type:

    * artifact events: ``repository`` (full name), ``digest``, ``tag`` (the pushed or pulled tag, the first tag of
      a deleted artifact; None when there is none);
    * scan events: the same, plus ``scan_type`` and ``scan_overview`` or ``sbom_overview`` ({mime type: summary});
    * quota events: ``repository``, ``message``, and ``digest``/``tag`` for a manifest push;
    * TAG_RETENTION: ``retention`` and REPLICATION: ``replication``, in the shape of Harbor's payload.

    ``operator`` and ``request_id`` default to those of the request being served.
    """
    event = dict(details, type=event_type, project_id=project_id, occur_at=int(time.time()),
                 operator=CURRENT.operator if operator is None else operator,
                 request_id=request_id or CURRENT.request_id or str(uuid.uuid4()))
    for handler in EVENT_HANDLERS:
        handler(state, event)
    return event


def seed_handler(key, order=50):
    """``func(emulator, items) -> result`` handles ``key`` of ``POST /_emulator/seed``.

    Keys are processed by ascending ``order`` (configurations 10, users 20,
    groups 30, repositories 60) whatever their order in the request.
    """
    def decorator(func):
        SEED_HANDLERS[key] = (order, func)
        return func
    return decorator


# --------------------------------------------------------------------------
# Errors (src/lib/errors, src/lib/http/error.go)
# --------------------------------------------------------------------------

CODE_STATUS = {
    "BAD_REQUEST": 400, "DIGEST_INVALID": 400, "MANIFEST_INVALID": 400, "UNSUPPORTED": 400,
    "UNAUTHORIZED": 401,
    "FORBIDDEN": 403, "DENIED": 403,
    "NOT_FOUND": 404,
    "METHOD_NOT_ALLOWED": 405,
    "CONFLICT": 409,
    "PRECONDITION": 412, "VIOLATE_FOREIGN_KEY_CONSTRAINT": 412, "PROJECTPOLICYVIOLATION": 412,
    "REQUEST_ENTITY_TOO_LARGE": 413,
    "UNPROCESSABLE_ENTITY": 422,
    "TOO_MANY_REQUEST": 429,
}


class HarborError(Exception):
    """An error rendered as Harbor's envelope; unknown codes become 500."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def status(self):
        return CODE_STATUS.get(self.code, 500)


def _with_cause(prefix, cause):
    # errors.XxxError(cause) serialises as "<default message>: <cause>".
    return prefix if cause is None else "%s: %s" % (prefix, cause)


def bad_request(message=None, cause=None):
    """``message`` replaces the default text; ``cause`` is appended to "bad request"."""
    return HarborError("BAD_REQUEST", message if message is not None else _with_cause("bad request", cause))


def unauthorized(message="unauthorized"):
    return HarborError("UNAUTHORIZED", message)


def forbidden(message="forbidden"):
    return HarborError("FORBIDDEN", message)


def denied(message):
    return HarborError("DENIED", message)


def not_found(message="resource not found"):
    return HarborError("NOT_FOUND", message)


def conflict(message):
    return HarborError("CONFLICT", message)


def precondition(message=None, cause=None):
    return HarborError("PRECONDITION", message if message is not None else _with_cause("precondition failed", cause))


def unprocessable(messages):
    """go-swagger binding/validation failure (a CompositeError, HTTP 422)."""
    if isinstance(messages, str):
        messages = [messages]
    return HarborError("UNPROCESSABLE_ENTITY", "\n".join(["validation failure list:"] + list(messages)))


def internal_error():
    return HarborError("UNKNOWN", "internal server error")


def error_response(err):
    """Render ``err`` like lib/http.SendError: any 5xx is masked."""
    if err.status >= 500:
        err = internal_error()
    body = json.dumps({"errors": [{"code": err.code, "message": err.message}]}, separators=(",", ":"))
    return Response(err.status, body + "\n", content_type=JSON_CONTENT_TYPE)


# --------------------------------------------------------------------------
# Small response helpers
# --------------------------------------------------------------------------

def ok(status=200):
    """Empty success body, as most Harbor writes return."""
    return Response(status)


def as_json(obj, status=200):
    return json_response(obj, status)


def created(req, ident):
    """201 with ``Location: <decoded request path>/<ident>`` and an empty body."""
    location = "%s/%s" % (req.path.rstrip("/"), ident)
    return Response(201, headers=[("Location", location)])


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def fmt_time(value):
    """Go strfmt.DateTime: RFC 3339 with milliseconds, UTC ``Z``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    value = value.astimezone(datetime.timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (value.microsecond // 1000)


def now_iso():
    return fmt_time(now())


def parse_time(text):
    """Parse the timestamps stored in the state (RFC 3339, ``Z`` or offset)."""
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value


# --------------------------------------------------------------------------
# Security contexts (src/common/security, src/server/v2.0/handler/base.go)
# --------------------------------------------------------------------------

ROLE_PROJECT_ADMIN = 1
ROLE_DEVELOPER = 2
ROLE_GUEST = 3
ROLE_MAINTAINER = 4
ROLE_LIMITED_GUEST = 5
ROLE_NAMES = {1: "projectAdmin", 2: "developer", 3: "guest", 4: "maintainer", 5: "limitedGuest"}
# Used to pick current_user_role_id (project.go highestRole).
ROLE_POWER = {1: 50, 4: 40, 2: 30, 3: 20, 5: 10}


def _policies(table):
    return {resource: set(actions.split()) for resource, actions in table.items()}


# Project RBAC per role (src/common/rbac/project/rbac_role.go); "" is the
# project itself (rbac.ResourceSelf).
ROLE_POLICIES = {
    ROLE_PROJECT_ADMIN: _policies({
        "": "read update delete", "member": "create read update delete list",
        "metadata": "create read update delete", "log": "list", "label": "create read update delete list",
        "quota": "read", "repository": "create read update delete list pull push",
        "tag-retention": "create read update delete list operate", "immutable-tag": "create update delete list",
        "configuration": "read update", "robot": "create read update delete list",
        "notification-policy": "create update delete list read", "scan": "create read stop",
        "sbom": "create stop read", "scanner": "read create", "artifact": "create read delete list",
        "artifact-addition": "read", "tag": "list create delete", "accessory": "list",
        "artifact-label": "create delete", "preheat-policy": "create read update delete list",
        "export-cve": "create read list",
    }),
    ROLE_MAINTAINER: _policies({
        "": "read", "member": "read list", "metadata": "read", "quota": "read",
        "label": "create read update delete list", "repository": "create read update delete list push pull",
        "tag-retention": "create read update delete list operate", "accessory": "list",
        "immutable-tag": "create update delete list", "configuration": "read", "robot": "read list",
        "notification-policy": "read list", "scan": "create read stop", "sbom": "create stop read",
        "scanner": "read", "artifact": "create read delete list", "artifact-addition": "read",
        "tag": "list create delete", "artifact-label": "create delete", "export-cve": "create read list",
    }),
    ROLE_DEVELOPER: _policies({
        "": "read", "member": "read list", "label": "read list", "quota": "read",
        "repository": "create read update list push pull",
        "tag-retention": "create read update delete list operate", "configuration": "read",
        "robot": "read list", "scan": "read", "sbom": "read", "scanner": "read",
        "artifact": "create read list", "artifact-addition": "read", "tag": "list create", "accessory": "list",
        "artifact-label": "create delete", "export-cve": "create read list",
    }),
    ROLE_GUEST: _policies({
        "": "read", "member": "read list", "label": "read list", "quota": "read",
        "repository": "read list pull", "configuration": "read", "robot": "read list", "scan": "read",
        "sbom": "read", "scanner": "read", "tag": "list", "accessory": "list", "artifact": "read list",
        "artifact-addition": "read",
    }),
    ROLE_LIMITED_GUEST: _policies({
        "": "read", "quota": "read", "repository": "list read pull", "configuration": "read", "scan": "read",
        "sbom": "read", "scanner": "read", "tag": "list", "accessory": "list", "artifact": "read list",
        "artifact-addition": "read",
    }),
}

# Extra permissions everybody has on a public project (rbac_util.go).
PUBLIC_PROJECT_POLICIES = _policies({
    "": "read", "label": "read list", "repository": "list pull", "scan": "read", "scanner": "read",
    "tag": "list", "artifact": "read list", "artifact-addition": "read", "accessory": "list",
})


def is_public(project):
    return project.get("metadata", {}).get("public") == "true"


class SecurityContext:
    """Anonymous caller; subclasses override what they grant.

    ``name`` is Harbor's security-context name ("local", "robot"...), used
    e.g. by ``GET /users/current`` (412 for anything but "local").
    """

    name = "anonymous"

    def is_authenticated(self):
        return False

    def is_sysadmin(self):
        return False

    def username(self):
        return ""

    def user(self):
        """The local user record, or None."""
        return None

    def can_project(self, state, project, resource, action):  # pylint: disable=unused-argument
        """``project`` is None when it does not exist (Harbor then uses an empty project).

        ``state`` is there for subclasses that look up memberships or robot permissions.
        """
        if project is None or not is_public(project):
            return False
        return action in PUBLIC_PROJECT_POLICIES.get(resource, ())

    def can_system(self, resource, action):  # pylint: disable=unused-argument
        return False

    def project_creation_error(self):
        """403 message for callers that may never create projects (project-level robots), else None."""
        return None

    def listable_project_ids(self, state, include_public=True):
        """Ids of the projects a non-admin listing shows; None means every project."""
        if not include_public:
            return set()
        return {pid for pid, project in state.projects().items() if is_public(project)}


class LocalUserContext(SecurityContext):
    """A database user logged in with basic auth (security/local)."""

    name = "local"

    def __init__(self, user):
        self._user = user

    def is_authenticated(self):
        return True

    def is_sysadmin(self):
        return bool(self._user.get("sysadmin_flag"))

    def username(self):
        return self._user["username"]

    def user(self):
        return self._user

    def roles(self, state, project_id):
        return state.member_roles(project_id, self._user["user_id"])

    def can_project(self, state, project, resource, action):
        if self.is_sysadmin():
            return True
        if super().can_project(state, project, resource, action):
            return True
        if project is None:
            return False
        return any(action in ROLE_POLICIES.get(role, {}).get(resource, ())
                   for role in self.roles(state, project["project_id"]))

    def can_system(self, resource, action):
        return self.is_sysadmin()

    def listable_project_ids(self, state, include_public=True):
        if self.is_sysadmin():
            return None
        ids = set(state.member_project_ids(self._user["user_id"]))
        if include_public:
            ids |= super().listable_project_ids(state, True)
        return ids


def parse_basic_auth(req):
    """Return (username, password) from an ``Authorization: Basic`` header, or None."""
    header = req.header("Authorization") or ""
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep:
        return None
    return username, password


@security_generator("basicAuth", order=60)
def basic_auth_generator(req):
    """Database users.  A failed login yields None: the request goes on anonymously."""
    creds = parse_basic_auth(req)
    if creds is None:
        return None
    user = req.state.user_by_name(creds[0])
    if user is None or not req.state.check_password(user, creds[1]):
        return None
    return LocalUserContext(user)


def compute_security_context(req):
    context = SecurityContext()
    for _order, _name, generator in SECURITY_GENERATORS:
        found = generator(req)
        if found is not None:
            context = found
            break
    CURRENT.operator = context.username()
    return context


# --------------------------------------------------------------------------
# Authorisation helpers (BaseAPI.Require*)
# --------------------------------------------------------------------------

def require_authenticated(req):
    if not req.security.is_authenticated():
        raise unauthorized()


def require_system_access(req, resource, action):
    """401 when anonymous, else 403 whose message is the username."""
    require_authenticated(req)
    if not req.security.can_system(resource, action):
        raise forbidden(req.security.username())


def require_project_access(req, ref, action, resource=""):
    """Check ``resource:action`` on the project named/numbered by ``ref``.

    ``ref`` is an int (id) or a str (name).  A missing project is treated as
    an empty project, so non-admins get 403 (401 if anonymous) rather than a
    404; sysadmins pass and get the 404 from the subsequent lookup.
    """
    project = lookup_project(req.state, ref)
    if req.security.can_project(req.state, project, resource, action):
        return project
    if not req.security.is_authenticated():
        raise unauthorized()
    raise forbidden()


def lookup_project(state, ref):
    """The live project for an id or name, or None; names with spaces are a 400 (project manager Get)."""
    if isinstance(ref, str):
        if " " in ref:
            raise bad_request("invalid project name: '%s'" % ref)
        return state.project_by_name(ref)
    return state.projects().get(ref)


def get_project(state, ref):
    project = lookup_project(state, ref)
    if project is None:
        raise not_found("project %s not found" % ref)
    return project


def header_bool(req, name):
    """A boolean header (default false); go-swagger answers 422 when it does not parse."""
    raw = req.header(name)
    if raw is None:
        return False
    value = parse_bool_text(raw)
    if value is None:
        raise unprocessable('%s in header must be of type boolean: "%s"' % (name, raw))
    return value


def project_ref(req, raw):
    """``{project_name_or_id}``: digits are an id unless ``X-Is-Resource-Name: true`` (handler/util.go)."""
    if not header_bool(req, "X-Is-Resource-Name") and raw.isdigit():
        return int(raw)
    return raw


def project_param(req, action, resource=""):
    """(ref, project) of the ``{project}`` path group, once ``resource:action`` on it is allowed (401/403/404)."""
    ref = project_ref(req, req.params["project"])
    require_project_access(req, ref, action, resource)
    return ref, get_project(req.state, ref)


def path_int(req, name):
    """An integer path parameter; go-swagger answers 422 when it does not parse."""
    raw = req.params[name]
    try:
        return int(raw)
    except ValueError as exc:
        raise unprocessable('%s in path must be of type int64: "%s"' % (name, raw)) from exc


def version_at_least(state, wanted):
    """Compare the emulated Harbor release with ``wanted`` ("2.11")."""
    return release_tuple(state.config.get("harbor_version", "")) >= release_tuple(wanted)


def release_tuple(version):
    found = re.match(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", version or "")
    if not found:
        return (0, 0, 0)
    return tuple(int(part or 0) for part in found.groups())


# --------------------------------------------------------------------------
# Value parsing
# --------------------------------------------------------------------------

_GO_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_GO_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def go_parse_bool(text):
    """strconv.ParseBool; None when invalid."""
    if text in _GO_TRUE:
        return True
    if text in _GO_FALSE:
        return False
    return None


# go-openapi swag.ConvertBool, used for boolean query parameters and headers.
_SWAG_TRUE = ("true", "1", "yes", "ok", "y", "on", "selected", "checked", "t", "enabled")
_SWAG_FALSE = ("false", "0", "no", "n", "off", "f", "disabled", "unchecked", "unselected", "")


def parse_bool_text(text):
    lowered = text.strip().lower()
    if lowered in _SWAG_TRUE:
        return True
    if lowered in _SWAG_FALSE:
        return False
    return None


def go_unescape(text, plus_is_space=True):
    """url.QueryUnescape / PathUnescape with Go's error on bad escapes."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8")
    while i < len(raw):
        char = raw[i]
        if char == ord("%"):
            chunk = raw[i:i + 3]
            if len(chunk) < 3 or not all(c in b"0123456789abcdefABCDEF" for c in chunk[1:]):
                bad = raw[i:i + 3].decode("utf-8", "replace")
                raise ValueError('invalid URL escape "%s"' % bad)
            out.append(int(chunk[1:].decode("ascii"), 16))
            i += 3
            continue
        out.append(ord(" ") if plus_is_space and char == ord("+") else char)
        i += 1
    return out.decode("utf-8", "replace")


def go_parse_query(raw_query):
    """url.ParseQuery: returns (dict name -> [values], first error message or None)."""
    values = {}
    error = None
    for part in raw_query.split("&"):
        if not part:
            continue
        if ";" in part:
            error = error or "invalid semicolon separator in query"
            continue
        key, _sep, value = part.partition("=")
        try:
            key = go_unescape(key)
            value = go_unescape(value)
        except ValueError as exc:
            error = error or str(exc)
            continue
        values.setdefault(key, []).append(value)
    return values, error


# --------------------------------------------------------------------------
# Body schema validation (a small subset of JSON schema / swagger 2.0)
# --------------------------------------------------------------------------

_JSON_TYPE_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


def _json_type(value):
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return _JSON_TYPE_NAMES.get(type(value), "unknown")


def _type_ok(value, wanted):
    actual = _json_type(value)
    if wanted == "number":
        return actual in ("integer", "number")
    if wanted == "integer" and actual == "number":
        return float(value).is_integer()
    return actual == wanted


def validate_schema(value, schema, path="", root="body"):
    """Return go-openapi style messages for ``value`` against ``schema``.

    ``path`` is the dotted location of ``value``; ``root`` names the body
    parameter in messages about the body itself.

    Supported keywords: type, properties, required, additionalProperties
    (a schema), items, enum, maxLength, minLength, maximum, minimum.  JSON
    ``null`` is accepted everywhere (Go decodes it to the zero value).
    """
    if value is None:
        return []
    label = path or root
    wanted = schema.get("type")
    if wanted and not _type_ok(value, wanted):
        return ['%s in body must be of type %s: "%s"' % (label, wanted, _json_type(value))]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s in body should be one of [%s]" % (label, " ".join(str(v) for v in schema["enum"])))
    if isinstance(value, str):
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append("%s in body should be at most %d chars long" % (label, schema["maxLength"]))
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append("%s in body should be at least %d chars long" % (label, schema["minLength"]))
    if _json_type(value) in ("integer", "number"):
        if "maximum" in schema and value > schema["maximum"]:
            errors.append("%s in body should be less than or equal to %s" % (label, schema["maximum"]))
        if "minimum" in schema and value < schema["minimum"]:
            errors.append("%s in body should be greater than or equal to %s" % (label, schema["minimum"]))
    if isinstance(value, dict):
        for name in schema.get("required", ()):
            if value.get(name) is None:
                errors.append("%s in body is required" % _join(path, name))
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for name, item in value.items():
            if name in properties:
                errors.extend(validate_schema(item, properties[name], _join(path, name)))
            elif isinstance(extra, dict):
                errors.extend(validate_schema(item, extra, _join(path, name)))
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors.extend(validate_schema(item, schema["items"], _join(path, str(index))))
    return errors


def _join(path, name):
    return name if not path else "%s.%s" % (path, name)


# --------------------------------------------------------------------------
# q query language (src/lib/q/builder.go) and ORM-like filtering/sorting
# --------------------------------------------------------------------------

class Fuzzy:
    def __init__(self, value):
        self.value = value


class Range:
    def __init__(self, low, high):
        self.low = low
        self.high = high


class OrList:
    def __init__(self, values):
        self.values = values


class AndList:
    def __init__(self, values):
        self.values = values


def _parse_q_value(text):
    text = text.strip()
    try:
        return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        pass
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return text.strip("\"'")


def _parse_q_pattern(value):
    first = value[0]
    if first == "~":
        if len(value) < 2:
            raise ValueError('fuzzy match value must start with "~" and contain at least 1 other characters')
        return Fuzzy(value[1:])
    if first == "[":
        if value[-1] != "]" or value.count("~") != 1:
            raise ValueError('range must start with "[", end with "]" and contains only one "~"')
        low, high = (part.strip() for part in value[1:-1].split("~", 1))
        if not low and not high:
            raise ValueError("min and max at least one should be set in range'")
        return Range(_parse_q_value(low) if low else None, _parse_q_value(high) if high else None)
    if first in "{(":
        closing = "}" if first == "{" else ")"
        if value[-1] != closing:
            kind = "or list" if first == "{" else "and list"
            raise ValueError('%s must start with "%s" and end with "%s"' % (kind, first, closing))
        items = [_parse_q_value(part) for part in value[1:-1].split(" ")]
        items = [item for item in items if item != ""]
        return OrList(items) if first == "{" else AndList(items)
    return value[1:] if first == "\\" else value


def parse_q(raw):
    """Parse a ``q`` value (already query-decoded once) into {key: matcher}.

    Harbor URL-unescapes q a second time before splitting, so ``%2B`` sent
    once becomes a space; unescape errors keep the string as is.
    """
    keywords = {}
    if not raw:
        return keywords
    try:
        raw = go_unescape(raw)
    except ValueError:
        pass
    for term in raw.split(","):
        key, sep, value = term.partition("=")
        if not sep or not key or not value:
            raise bad_request('the query string must contain "=" and the key/value cannot be empty')
        try:
            keywords[key] = _parse_q_pattern(value)
        except ValueError as exc:
            raise bad_request("invalid query string value: %s: %s" % (value, exc)) from exc
    return keywords


def parse_sort(raw):
    sorts = []
    for item in (raw or "").split(","):
        if not item:
            continue
        sorts.append((item[1:], True) if item.startswith("-") else (item, False))
    return sorts


def snake_case(text):
    """orm/metadata.go snakeCase: ``ProjectID`` -> ``project_id``."""
    out = []
    for index, char in enumerate(text):
        if index > 0 and char.isupper() and (
                (index + 1 < len(text) and text[index + 1].islower()) or text[index - 1].islower()):
            out.append("_")
        out.append(char.lower())
    return "".join(out)


def _resolve_field(fields, key):
    if key in fields:
        return fields[key]
    return fields.get(snake_case(key))


def _comparable(record_value, query_value):
    """Bring both sides to a common type the way PostgreSQL would coerce them."""
    if isinstance(query_value, datetime.datetime):
        try:
            return parse_time(str(record_value)), query_value
        except ValueError:
            return str(record_value), fmt_time(query_value)
    if isinstance(record_value, bool):
        parsed = go_parse_bool(str(query_value)) if not isinstance(query_value, bool) else query_value
        return record_value, parsed
    if isinstance(record_value, int) and not isinstance(query_value, int):
        try:
            return record_value, int(str(query_value))
        except ValueError:
            return str(record_value), str(query_value)
    if isinstance(query_value, int) and not isinstance(record_value, int):
        return str(record_value), str(query_value)
    return record_value, query_value


def _equal(record_value, query_value):
    left, right = _comparable(record_value, query_value)
    return left == right


def _matches(record_value, matcher):
    if record_value is None:
        return False
    if isinstance(matcher, Fuzzy):
        return matcher.value.lower() in str(record_value).lower()
    if isinstance(matcher, Range):
        for bound, keep in ((matcher.low, lambda a, b: a >= b), (matcher.high, lambda a, b: a <= b)):
            if bound is None:
                continue
            left, right = _comparable(record_value, bound)
            try:
                if not keep(left, right):
                    return False
            except TypeError:
                return False
        return True
    if isinstance(matcher, OrList):
        return any(_equal(record_value, value) for value in matcher.values)
    if isinstance(matcher, AndList):
        return True  # the ORM silently ignores AND lists on plain columns
    return _equal(record_value, matcher)


def apply_filters(records, keywords, fields):
    """Filter ``records`` by the parsed q ``keywords``.

    ``fields`` maps a filter key to ``getter(record)`` or, for keys needing
    custom semantics, to ``("custom", func(record, matcher) -> bool)``.
    Unknown keys are ignored, as Harbor's ORM does.
    """
    result = list(records)
    for key, matcher in keywords.items():
        field = _resolve_field(fields, key)
        if field is None:
            continue
        if isinstance(field, tuple):
            result = [record for record in result if field[1](record, matcher)]
        else:
            result = [record for record in result if _matches(field(record), matcher)]
    return result


def apply_sort(records, sorts, fields, default=()):
    """Stable multi-key sort; unknown keys are skipped, ``default`` applies when nothing is left."""
    usable = [(key, desc) for key, desc in sorts if _resolve_field(fields, key) is not None
              and not isinstance(_resolve_field(fields, key), tuple)]
    if not usable:
        usable = list(default)
    result = list(records)
    for key, desc in reversed(usable):
        getter = _resolve_field(fields, key)
        result.sort(key=lambda record, get=getter: _sort_key(get(record)), reverse=desc)
    return result


def _sort_key(value):
    # None sorts first; mixed types are compared as strings.
    if value is None:
        return (0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value))


# --------------------------------------------------------------------------
# Pagination (BaseAPI.Links, src/lib/link.go)
# --------------------------------------------------------------------------

def _link_url(req, values, page, page_size):
    values = {key: list(items) for key, items in values.items()}
    values["page"] = [str(page)]
    values["page_size"] = [str(page_size)]
    # url.Values.Encode sorts keys; Harbor then unescapes the whole query.
    encoded = urlencode([(key, item) for key in sorted(values) for item in values[key]])
    try:
        query = go_unescape(encoded)
    except ValueError:
        query = encoded
    return "%s?%s" % (req.raw_path, query), query


def link_header(req, total, page, page_size):
    if page_size == 0:
        return ""
    links = []
    values = go_parse_query(req.raw_query)[0]
    if page > 1 and (page - 1) * page_size < total:
        url, query = _link_url(req, values, page - 1, page_size)
        links.append('<%s>; rel="prev"' % url)
        # Harbor builds "next" from the URL already rewritten for "prev".
        values = go_parse_query(query)[0]
    if page_size * page < total:
        url, _query = _link_url(req, values, page + 1, page_size)
        links.append('<%s>; rel="next"' % url)
    return " , ".join(links)


def page_slice(req, records):
    """The records of the requested page (page_size 0 means no limit, like the ORM)."""
    page, page_size = req.args["page"], req.args["page_size"]
    if page_size <= 0:
        return list(records)
    start = page_size * (page - 1) if page > 0 else 0
    return list(records[start:start + page_size])


def paginate(req, records, render=None):
    """Answer one page of ``records`` (rendered by ``render``) with X-Total-Count and Link."""
    items = page_slice(req, records)
    if render is not None:
        items = [render(item) for item in items]
    return paged_response(req, items, len(records))


def paged_response(req, payload, total):
    response = json_response(payload)
    response.set_header("X-Total-Count", total)
    link = link_header(req, total, req.args["page"], req.args["page_size"])
    if link:
        response.set_header("Link", link)
    return response
