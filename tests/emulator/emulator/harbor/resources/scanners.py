# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scanner registrations: ``/scanners`` and ``/projects/{p}/scanner``.

Harbor: src/server/v2.0/handler/scanner.go, project.go (scanner of a
project), src/controller/scanner/base_controller.go,
src/pkg/scan/dao/scanner/model.go (validation) and src/pkg/scan/rest/v1
(the metadata call).  Creating or pinging a registration calls
``<url>/api/v1/metadata`` first: an adapter that does not answer is a 500,
as on a real Harbor.  The first registration becomes the default.
``run.py --scanner`` starts the emulator's own adapter and registers it
(name ``emulator-scanner``); without a registration Harbor's "no scanner"
answers apply.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request
import uuid

from .. import core

METADATA_TYPE = "application/vnd.scanner.adapter.metadata+json; version=1.0"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
SUPPORTED_REPORTS = ("application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0",
                     "application/vnd.security.vulnerability.report; version=1.1",
                     "application/vnd.security.sbom.report+json; version=1.0")
AUTH_TYPES = ("Basic", "Bearer", "X-ScannerAdapter-API-Key")
RESERVED_NAMES = ("Trivy",)
EMULATOR_SCANNER = "emulator-scanner"
PING_TIMEOUT = 5
REGISTRATION_SCHEMA = {"type": "object", "properties": {
    "name": {"type": "string"}, "description": {"type": "string"}, "url": {"type": "string"},
    "auth": {"type": "string"}, "access_credential": {"type": "string"}, "skip_certVerify": {"type": "boolean"},
    "use_internal_addr": {"type": "boolean"}, "disabled": {"type": "boolean"}}}
DEFAULT_SCHEMA = {"type": "object", "required": ["is_default"], "properties": {"is_default": {"type": "boolean"}}}
PROJECT_SCANNER_SCHEMA = {"type": "object", "required": ["uuid"], "properties": {"uuid": {"type": "string"}}}


# --------------------------------------------------------------------------
# The adapter's metadata
# --------------------------------------------------------------------------

def _auth_headers(registration):
    auth, credential = registration.get("auth") or "", registration.get("access_credential") or ""
    if auth == "Basic":
        return {"Authorization": "Basic " + base64.b64encode(credential.encode("utf-8")).decode("ascii")}
    if auth == "Bearer":
        return {"Authorization": "Bearer " + credential}
    if auth == "X-ScannerAdapter-API-Key":
        return {"X-ScannerAdapter-API-Key": credential}
    return {}


def validate_metadata(metadata):
    """ScannerAdapterMetadata.Validate: returns the problem or None."""
    scanner = metadata.get("scanner") if isinstance(metadata, dict) else None
    if not isinstance(scanner, dict) or not all(scanner.get(key) for key in ("name", "version", "vendor")):
        return "invalid scanner in metadata"
    capabilities = metadata.get("capabilities")
    if not isinstance(capabilities, list) or not capabilities:
        return "invalid capabilities in metadata"
    for capability in capabilities:
        if DOCKER_MANIFEST not in (capability.get("consumes_mime_types") or []):
            return "missing %s in consumes_mime_types" % DOCKER_MANIFEST
        if not any(mime in SUPPORTED_REPORTS for mime in capability.get("produces_mime_types") or []):
            return "missing %s or %s in produces_mime_types" % SUPPORTED_REPORTS[:2]
    return None


def fetch_metadata(registration):
    """GET <url>/api/v1/metadata; any failure is a masked 500, as Harbor wraps it in a plain error."""
    request = urllib.request.Request(registration["url"].rstrip("/") + "/api/v1/metadata",
                                     headers=dict(_auth_headers(registration), Accept=METADATA_TYPE))
    try:
        with urllib.request.urlopen(request, timeout=PING_TIMEOUT) as response:  # nosec - loopback adapters
            metadata = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise core.internal_error() from exc
    if validate_metadata(metadata):
        raise core.internal_error()
    return metadata


def capabilities_of(metadata):
    """ConvertCapability: typed capabilities, or a vulnerability-only scanner for pre-typed adapters."""
    result = {}
    types = [capability.get("type") or "" for capability in metadata.get("capabilities") or []]
    if "vulnerability" in types:
        result["support_vulnerability"] = True
    if "sbom" in types:
        result["support_sbom"] = True
    if not any(types) and not result:
        result = {"support_vulnerability": True, "support_sbom": False}
    return result


def produces(metadata, manifest_media_type, scan_type):
    """GetProducesMimeTypes: the report types the adapter makes for this artifact and scan type."""
    for capability in metadata.get("capabilities") or []:
        if (capability.get("type") or "vulnerability") == scan_type and \
                manifest_media_type in (capability.get("consumes_mime_types") or []):
            return list(capability.get("produces_mime_types") or [])
    return []


# --------------------------------------------------------------------------
# Lookups
# --------------------------------------------------------------------------

def registrations(state):
    return state.rows("scanners")


def by_uuid(state, ident):
    for registration in registrations(state):
        if registration["uuid"] == ident:
            return registration
    return None


def default_registration(state):
    for registration in registrations(state):
        if registration["is_default"]:
            return registration
    return None


def registration_of_project(state, project_id):
    """GetRegistrationByProject: the project's own choice if it still exists, else the default."""
    for choice in state.rows("project_scanners"):
        if choice["project_id"] == project_id:
            registration = by_uuid(state, choice["uuid"])
            if registration is not None:
                return registration
            state.delete("project_scanners", choice["id"])
    return default_registration(state)


def to_json(registration, metadata=None, health=None):
    body = {
        "uuid": registration["uuid"], "name": registration["name"], "description": registration["description"],
        "url": registration["url"], "disabled": registration["disabled"], "is_default": registration["is_default"],
        "auth": registration["auth"], "access_credential": "", "skip_certVerify": registration["skip_cert_verify"],
        "use_internal_addr": registration["use_internal_addr"],
        "create_time": registration["create_time"], "update_time": registration["update_time"],
    }
    if metadata is not None:
        body["capabilities"] = capabilities_of(metadata)
    if health is not None:
        body["health"] = health
        if metadata is not None:
            body.update(adapter=metadata["scanner"]["name"], vendor=metadata["scanner"]["vendor"],
                        version=metadata["scanner"]["version"])
    return body


def _metadata_or_none(registration):
    try:
        return fetch_metadata(registration)
    except core.HarborError:
        return None


def _validate(registration):
    """Registration.Validate (the URL check keeps lib.ValidateHTTPURL's shape)."""
    if not registration["name"]:
        raise core.bad_request("missing registration name")
    url = registration["url"].strip()
    if not url:
        raise core.bad_request("scanner registration validate: empty string")
    if "://" not in url:
        url = "http://" + url
    scheme = url.split("://", 1)[0]
    if scheme not in ("http", "https"):
        raise core.bad_request("scanner registration validate: invalid HTTP scheme: %s" % scheme)
    registration["url"] = url.rstrip("/")
    if registration["auth"] and registration["auth"] not in AUTH_TYPES:
        raise core.bad_request("auth type %s is not supported" % registration["auth"])
    if registration["auth"] and not registration["access_credential"]:
        raise core.bad_request("access_credential is required for auth type %s" % registration["auth"])


def _from_body(body, registration):
    """copyToScannerRegistration: every field comes from the body, absent ones become empty."""
    registration.update(
        name=body.get("name") or "", url=body.get("url") or "", description=body.get("description") or "",
        disabled=bool(body.get("disabled")), skip_cert_verify=bool(body.get("skip_certVerify")),
        use_internal_addr=bool(body.get("use_internal_addr")), auth=body.get("auth") or "",
        access_credential=body.get("access_credential") or "")


def _check_unique(state, registration):
    for other in registrations(state):
        if other.get("id") != registration.get("id") and (
                other["name"] == registration["name"] or other["url"] == registration["url"]):
            # Harbor lets the database refuse it, which ends as a 409 with code UNKNOWN.
            raise DuplicateRegistration("UNKNOWN", "dao: create registration: registration name or url already exists")


class DuplicateRegistration(core.HarborError):
    """The database's unique constraint: Harbor answers 409 but keeps the code UNKNOWN (REAL-HARBOR.md)."""

    @property
    def status(self):
        return 409


def insert_registration(state, fields, is_default=None):
    stamp = core.now_iso()
    registration = {"uuid": str(uuid.uuid4()), "name": "", "url": "", "description": "", "disabled": False,
                    "is_default": False, "auth": "", "access_credential": "", "skip_cert_verify": False,
                    "use_internal_addr": False, "immutable": False, "create_time": stamp, "update_time": stamp}
    registration.update(fields)
    if is_default or (is_default is None and default_registration(state) is None and not registrations(state)):
        registration["is_default"] = True
    state.insert("scanners", registration)
    return registration


def install_emulator_scanner(state, url):
    """Register the adapter ``run.py --scanner`` started (or point the saved registration at its new port)."""
    for registration in registrations(state):
        if registration["name"] == EMULATOR_SCANNER:
            registration["url"] = url
            return registration
    return insert_registration(state, {"name": EMULATOR_SCANNER, "url": url,
                                       "description": "the Harbor emulator's scanner adapter (tests/emulator)"},
                               is_default=default_registration(state) is None)


# --------------------------------------------------------------------------
# /scanners
# --------------------------------------------------------------------------

def _registration_param(req):
    registration = by_uuid(req.state, req.params["id"])
    if registration is None:
        raise core.not_found("scanner %s not found" % req.params["id"])
    return registration


@core.route("POST", r"/scanners", body=REGISTRATION_SCHEMA, body_name="registration")
def create_scanner(req):
    core.require_system_access(req, "scanner", "create")
    body = req.body if isinstance(req.body, dict) else {}
    registration = {}
    _from_body(body, registration)
    _validate(registration)
    if registration["name"] in RESERVED_NAMES:
        raise core.bad_request('name "%s" is reserved, please try a different name' % registration["name"])
    fetch_metadata(registration)
    _check_unique(req.state, registration)
    created = insert_registration(req.state, registration)
    return core.created(req, created["uuid"])


@core.route("GET", r"/scanners", paged=True, query={"q": "string", "sort": "string"})
def list_scanners(req):
    core.require_system_access(req, "scanner", "list")
    keywords = core.parse_q(req.arg("q"))
    for key in ("name", "description", "url"):
        if req.arg(key):
            keywords[key] = core.Fuzzy(req.arg(key))
    for key in ("ex_name", "ex_url"):
        if req.arg(key):
            keywords[key[3:]] = req.arg(key)
    fields = {key: (lambda record, key=key: record.get(key)) for key in
              ("name", "description", "url", "is_default", "disabled", "auth", "uuid", "create_time")}
    records = core.apply_filters(registrations(req.state), keywords, fields)
    records = core.apply_sort(records, core.parse_sort(req.arg("sort")), fields, [])
    return core.paginate(req, records, render=lambda registration: to_json(registration,
                                                                           _metadata_or_none(registration)))


@core.route("GET", r"/scanners/(?P<id>[^/]+)")
def get_scanner(req):
    core.require_system_access(req, "scanner", "read")
    registration = _registration_param(req)
    return core.as_json(to_json(registration, _metadata_or_none(registration)))


@core.route("PUT", r"/scanners/(?P<id>[^/]+)", body=REGISTRATION_SCHEMA, body_name="registration")
def update_scanner(req):
    core.require_system_access(req, "scanner", "update")
    registration = _registration_param(req)
    if registration["immutable"]:
        raise core.forbidden("registration %s is not allowed to update as it is immutable: scanner API: update"
                             % registration["name"])
    body = req.body if isinstance(req.body, dict) else {}
    updated = dict(registration)
    _from_body(body, updated)
    if not updated["access_credential"] and updated["auth"] in AUTH_TYPES:
        updated["access_credential"] = registration["access_credential"]
    _validate(updated)
    if updated["is_default"] and updated["disabled"]:
        raise core.internal_error()  # "default registration ... can not be marked to deactivated", unwrapped
    if updated["name"] in RESERVED_NAMES:
        raise core.bad_request('name "%s" is reserved, please try a different name' % updated["name"])
    _check_unique(req.state, updated)
    updated["update_time"] = core.now_iso()
    registration.update(updated)
    return core.ok()


@core.route("DELETE", r"/scanners/(?P<id>[^/]+)")
def delete_scanner(req):
    core.require_system_access(req, "scanner", "delete")
    registration = _registration_param(req)
    if registration["immutable"]:
        raise core.forbidden("registration %s is not allowed to delete as it is immutable: scanner API: delete"
                             % registration["name"])
    req.state.delete("scanners", registration["id"])
    return core.as_json(to_json(registration))


@core.route("PATCH", r"/scanners/(?P<id>[^/]+)", body=DEFAULT_SCHEMA, body_name="payload")
def set_default_scanner(req):
    core.require_system_access(req, "scanner", "update")
    if req.body.get("is_default"):
        registration = by_uuid(req.state, req.params["id"])
        if registration is None:
            raise core.internal_error()  # SetAsDefault updates no row and reports it as a plain error
        for other in registrations(req.state):
            other["is_default"] = other is registration
    return core.ok()


@core.route("POST", r"/scanners/ping", body=REGISTRATION_SCHEMA, body_name="settings")
def ping_scanner(req):
    core.require_system_access(req, "scanner", "read")
    body = req.body if isinstance(req.body, dict) else {}
    registration = {}
    _from_body(body, registration)
    _validate(registration)
    fetch_metadata(registration)
    return core.ok()


@core.route("GET", r"/scanners/(?P<id>[^/]+)/metadata")
def get_scanner_metadata(req):
    core.require_system_access(req, "scanner", "read")
    registration = by_uuid(req.state, req.params["id"])
    if registration is None:
        raise core.not_found("registration %s not found" % req.params["id"])
    metadata = fetch_metadata(registration)
    return core.as_json({"scanner": metadata["scanner"], "capabilities": metadata["capabilities"],
                         "properties": metadata.get("properties") or {}})


# --------------------------------------------------------------------------
# /projects/{p}/scanner
# --------------------------------------------------------------------------

@core.route("GET", r"/projects/(?P<project>[^/]+)/scanner")
def get_project_scanner(req):
    core.require_authenticated(req)
    _ref, project = core.project_param(req, "read", "scanner")
    registration = registration_of_project(req.state, project["project_id"])
    if registration is None:
        return core.as_json(None)
    metadata = _metadata_or_none(registration)
    return core.as_json(to_json(registration, metadata, "healthy" if metadata is not None else "unhealthy"))


@core.route("PUT", r"/projects/(?P<project>[^/]+)/scanner", body=PROJECT_SCANNER_SCHEMA, body_name="payload")
def set_project_scanner(req):
    core.require_authenticated(req)
    _ref, project = core.project_param(req, "create", "scanner")
    # Harbor stores any uuid: an unknown one is dropped at the next lookup (REAL-HARBOR.md).
    state = req.state
    state.delete_where("project_scanners", lambda choice: choice["project_id"] == project["project_id"])
    state.insert("project_scanners", {"project_id": project["project_id"], "uuid": req.body["uuid"]})
    return core.ok()


@core.on_project_delete
def forget_project_scanner(req, project):
    req.state.delete_where("project_scanners", lambda choice: choice["project_id"] == project["project_id"])


@core.route("GET", r"/projects/(?P<project>[^/]+)/scanner/candidates", paged=True,
            query={"q": "string", "sort": "string"})
def list_project_scanner_candidates(req):
    core.require_authenticated(req)
    core.project_param(req, "create", "scanner")
    return core.paginate(req, registrations(req.state), render=to_json)


@core.seed_handler("default_scanner", order=12)
def seed_default_scanner(emulator, value):
    """``false`` removes every registration (a Harbor without scanner); ``true`` re-registers ``--scanner``'s."""
    if not isinstance(value, bool):
        raise core.bad_request("default_scanner must be true or false")
    state = emulator.state
    if not value:
        state.delete_where("scanners", lambda registration: True)
        return False
    url = state.config.get("emulator_scanner_url")
    if not url:
        raise core.bad_request("no scanner adapter is running: start run.py with --scanner")
    install_emulator_scanner(state, url)["is_default"] = True
    for other in registrations(state):
        other["is_default"] = other["name"] == EMULATOR_SCANNER
    return True
