# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry endpoints (targets of proxy-cache projects and replication).

Harbor: src/server/v2.0/handler/registry.go, src/controller/registry/controller.go,
src/pkg/reg/dao/dao.go, src/lib/endpoint.go, src/pkg/reg/adapter/native/adapter.go (HealthCheck).

Harbor pings the endpoint on create, update and ``POST /registries/ping`` (REAL-HARBOR.md "Registries").
The emulator does too for the types that talk the registry API at the given URL (``harbor``,
``docker-registry`` and the other native ones): ``GET <url>/v2/``, and with a credential the token
it points to. A URL of the emulator itself ("this Harbor") is answered from its own users without a
request. Cloud vendors' types (Docker Hub, ECR, ACR, ...) are not contacted, as the tests have no
internet: they are healthy unless the host ends in ``.invalid``.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlencode, urlsplit

from .. import core

# Adapter types registered in a default build (src/pkg/reg/model/registry.go).
REGISTRY_TYPES = ("harbor", "docker-hub", "docker-registry", "huawei-SWR", "google-gcr", "aws-ecr", "azure-acr",
                  "ali-acr", "jfrog-artifactory", "quay", "gitlab", "dtr", "tencent-tcr", "github-ghcr",
                  "volcengine-cr", "artifact-hub")
# adapterinfos: the adapters that register an info endpoint (REAL-HARBOR.md).
ADAPTER_INFOS = ("ali-acr", "aws-ecr", "docker-hub", "github-ghcr", "google-gcr", "tencent-tcr", "volcengine-cr")
# GET /replication/adapters lists these (REAL-HARBOR.md); quay, gitlab, dtr and artifact-hub are accepted as a type.
LISTED_TYPES = ("ali-acr", "aws-ecr", "azure-acr", "docker-hub", "docker-registry", "github-ghcr", "google-gcr",
                "harbor", "huawei-SWR", "jfrog-artifactory", "tencent-tcr", "volcengine-cr")
# The types whose health check is a /v2/ ping of the URL; an unreachable one is 400 "unhealthy", except harbor,
# whose adapter first reads <url>/api/version and so fails with a 500.
PINGED_TYPES = ("harbor", "docker-registry", "github-ghcr", "google-gcr", "jfrog-artifactory")
PING_TIMEOUT = 5
NAME_MAX = 64

CREDENTIAL_SCHEMA = {"type": "object", "properties": {
    "type": {"type": "string"}, "access_key": {"type": "string"}, "access_secret": {"type": "string"}}}
REGISTRY_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "url": {"type": "string"}, "name": {"type": "string"},
    "credential": CREDENTIAL_SCHEMA, "type": {"type": "string"}, "insecure": {"type": "boolean"},
    "ca_certificate": {"type": "string"}, "description": {"type": "string"}, "status": {"type": "string"},
    "creation_time": {"type": "string"}, "update_time": {"type": "string"},
}}
REGISTRY_UPDATE_SCHEMA = {"type": "object", "properties": {
    "name": {"type": "string"}, "description": {"type": "string"}, "url": {"type": "string"},
    "credential_type": {"type": "string"}, "access_key": {"type": "string"}, "access_secret": {"type": "string"},
    "insecure": {"type": "boolean"}, "ca_certificate": {"type": "string"},
}}


def registry_to_json(registry, with_credential=True):
    """convertRegistry: the secret is masked as ``*****``; empty fields are omitted (omitempty)."""
    body = {
        "id": registry["id"], "name": registry["name"], "type": registry["type"], "url": registry["url"],
        "status": registry.get("status", "healthy"),
        "creation_time": registry["creation_time"], "update_time": registry["update_time"],
    }
    if registry.get("description"):
        body["description"] = registry["description"]
    if registry.get("insecure"):
        body["insecure"] = True
    if with_credential:
        credential = registry.get("credential") or {}
        body["credential"] = {key: credential[key] for key in ("type", "access_key") if credential.get(key)}
        if credential.get("access_secret"):
            body["credential"]["access_secret"] = "*****"
    if registry.get("ca_certificate"):
        body["ca_certificate"] = registry["ca_certificate"]
    return body


def normalise_url(raw):
    """lib.ValidateHTTPURL: default scheme http, keep scheme://host/path only."""
    text = (raw or "").strip(" ").rstrip("/")
    if not text:
        raise core.bad_request("empty string")
    if "://" not in text:
        text = "http://" + text
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise core.bad_request("invalid URL: %s" % exc) from exc
    if parts.scheme not in ("http", "https"):
        raise core.bad_request("invalid HTTP scheme: %s" % parts.scheme)
    return "%s://%s%s" % (parts.scheme, parts.netloc, parts.path)


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_this_harbor(req, url):
    """Whether ``url`` is the emulator itself: the address the request came to, or the external URL."""
    parts = urlsplit(url)
    for own in ("http://" + (req.header("Host") or ""), req.state.config.get("external_url") or ""):
        mine = urlsplit(own)
        if not mine.hostname:
            continue
        if parts.hostname == mine.hostname and parts.port == mine.port:
            return True
        if _is_loopback(parts.hostname or "") and _is_loopback(mine.hostname) and parts.port == mine.port:
            return True
    return False


def _get(url, headers=None):
    """(status, headers) of a GET; HTTP errors are answers too. Raises OSError when nothing answers."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=PING_TIMEOUT) as response:  # nosec - test endpoints
            return response.status, response.headers
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers


def _basic(credential):
    pair = "%s:%s" % (credential.get("access_key") or "", credential.get("access_secret") or "")
    return {"Authorization": "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")}


def _challenge(header):
    """The realm and service of a ``Www-Authenticate: Bearer realm=...,service=...`` header."""
    scheme, _sep, rest = (header or "").partition(" ")
    params = {}
    for item in rest.split(","):
        key, _sep, value = item.strip().partition("=")
        params[key.strip()] = value.strip().strip('"')
    return scheme.lower(), params


def _remote_healthy(registry):
    """The native adapter's HealthCheck: /v2/ answers; with a credential, the credential is accepted."""
    url = registry["url"]
    credential = registry.get("credential") or {}
    if registry["type"] == "harbor":
        status, _headers = _get(url + "/api/version")
        if status != 200:
            raise core.internal_error()
    status, headers = _get(url + "/v2/")
    with_credential = bool(credential.get("access_key") or credential.get("access_secret"))
    if status == 200 or not with_credential:
        return status in (200, 401, 403)
    if status != 401:
        return False
    scheme, params = _challenge(headers.get("Www-Authenticate"))
    if scheme == "basic":
        return _get(url + "/v2/", _basic(credential))[0] == 200
    if scheme == "bearer" and params.get("realm"):
        query = urlencode({"service": params.get("service", "")})
        return _get(params["realm"] + "?" + query, _basic(credential))[0] == 200
    return False


def _local_healthy(state, registry):
    """This emulator: healthy without a credential, or with the password of one of its users."""
    credential = registry.get("credential") or {}
    if not (credential.get("access_key") or credential.get("access_secret")):
        return True
    user = state.user_by_name(credential.get("access_key") or "")
    return user is not None and state.check_password(user, credential.get("access_secret") or "")


def check_health(req, registry):
    """controller.IsHealthy: True/False, or a 500 where Harbor cannot even build the adapter."""
    if registry["type"] not in REGISTRY_TYPES:
        # "adapter factory for <type> not found" is a plain error: masked 500.
        raise core.internal_error()
    host = urlsplit(registry["url"]).hostname or ""
    if registry["type"] not in PINGED_TYPES:
        # Not contacted (no internet in the tests); a host that can never resolve fails as in Harbor.
        if host.endswith(".invalid"):
            raise core.internal_error()
        return True
    try:
        socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError) as exc:
        raise core.internal_error() from exc
    if is_this_harbor(req, registry["url"]):
        # A request to itself would wait for the state lock this request holds.
        return _local_healthy(req.state, registry)
    try:
        return _remote_healthy(registry)
    except (OSError, ValueError) as exc:
        if registry["type"] == "harbor":
            raise core.internal_error() from exc
        return False


def validate_registry(req, registry):
    """controller.validate: name, URL, then the health check done at create and update; then the unique name."""
    if not registry["name"]:
        raise core.bad_request("name cannot be empty")
    if len(registry["name"]) > NAME_MAX:
        raise core.bad_request("the max length of name is 64")
    registry["url"] = normalise_url(registry["url"])
    if not check_health(req, registry):
        raise core.bad_request("the registry is unhealthy")
    registry["status"] = "healthy"
    for other in req.state.table("registries").values():
        if other["name"] == registry["name"] and other["id"] != registry.get("id"):
            raise core.conflict("registry %s already exists" % registry["name"])


def get_registry(state, ident):
    registry = state.get("registries", ident)
    if registry is None:
        raise core.not_found("registry %d not found" % ident)
    return registry


@core.route("POST", r"/registries", body=REGISTRY_SCHEMA, body_name="registry")
def create_registry(req):
    core.require_system_access(req, "registry", "create")
    body = req.body if isinstance(req.body, dict) else {}
    stamp = core.now_iso()
    registry = {
        "name": body.get("name") or "", "description": body.get("description") or "", "type": body.get("type") or "",
        "url": body.get("url") or "", "insecure": bool(body.get("insecure")),
        "ca_certificate": body.get("ca_certificate") or "", "creation_time": stamp, "update_time": stamp,
    }
    if body.get("credential") is not None:
        credential = body["credential"]
        registry["credential"] = {key: credential.get(key) or "" for key in ("type", "access_key", "access_secret")}
    validate_registry(req, registry)
    ident = req.state.insert("registries", registry)
    return core.created(req, ident)


def registry_fields():
    return {key: (lambda record, key=key: record.get(key)) for key in
            ("id", "name", "type", "url", "description", "status", "insecure", "creation_time", "update_time")}


@core.route("GET", r"/registries", paged=True, query={"q": "string", "sort": "string", "name": "string"})
def list_registries(req):
    core.require_system_access(req, "registry", "list")
    keywords = core.parse_q(req.arg("q"))
    if req.args.get("name") is not None:
        keywords["Name"] = core.Fuzzy(req.args["name"])
    fields = registry_fields()
    selected = core.apply_filters(req.state.rows("registries"), keywords, fields)
    selected = core.apply_sort(selected, core.parse_sort(req.arg("sort")), fields, default=[("id", False)])
    return core.paginate(req, selected, render=registry_to_json)


@core.route("GET", r"/registries/(?P<id>[^/]+)")
def read_registry(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "registry", "read")
    return core.as_json(registry_to_json(get_registry(req.state, ident)))


@core.route("PUT", r"/registries/(?P<id>[^/]+)", body=REGISTRY_UPDATE_SCHEMA, body_name="registry", body_required=False)
def update_registry(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "registry", "update")
    if ident == 0:
        raise core.not_found("registry 0 not found")
    stored = get_registry(req.state, ident)
    registry = dict(stored, credential=dict(stored.get("credential") or {}))
    body = req.body if isinstance(req.body, dict) else {}
    for key in ("name", "description", "url", "insecure", "ca_certificate"):
        if body.get(key) is not None:
            registry[key] = body[key]
    for field, key in (("credential_type", "type"), ("access_key", "access_key"), ("access_secret", "access_secret")):
        if body.get(field) is not None:
            registry["credential"][key] = body[field]
    validate_registry(req, registry)
    registry["update_time"] = core.now_iso()
    stored.update(registry)
    return core.ok()


@core.route("DELETE", r"/registries/(?P<id>[^/]+)")
def delete_registry(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "registry", "delete")
    get_registry(req.state, ident)
    for policy in req.state.rows("replication_policies"):
        if ident in (policy.get("src_registry_id"), policy.get("dest_registry_id")):
            raise core.precondition("the registry %d is referenced by replication policies, cannot delete it" % ident)
    for project in req.state.projects().values():
        if project.get("registry_id") == ident:
            raise core.precondition("the registry %d is referenced by proxy cache project, cannot delete it" % ident)
    req.state.delete("registries", ident)
    return core.ok()


PING_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "type": {"type": "string"}, "url": {"type": "string"},
    "credential_type": {"type": "string"}, "access_key": {"type": "string"}, "access_secret": {"type": "string"},
    "insecure": {"type": "boolean"}, "ca_certificate": {"type": "string"},
}}


@core.route("POST", r"/registries/ping", body=PING_SCHEMA, body_name="registry", body_required=False)
def ping_registry(req):
    """The UI's "Test connection": a stored registry (its URL is never overridden) or the fields given."""
    core.require_system_access(req, "registry", "read")
    body = req.body if isinstance(req.body, dict) else {}
    registry = {"type": "", "url": "", "credential": {}}
    if body.get("id") is not None:
        stored = get_registry(req.state, body["id"])
        registry = dict(stored, credential=dict(stored.get("credential") or {}))
    if body.get("type") is not None:
        registry["type"] = body["type"]
    if body.get("url") is not None and body.get("id") is None:
        registry["url"] = normalise_url(body["url"])
    if body.get("insecure") is not None and body.get("id") is None:
        registry["insecure"] = body["insecure"]
    for field, key in (("credential_type", "type"), ("access_key", "access_key"), ("access_secret", "access_secret")):
        if body.get(field) is not None:
            registry["credential"][key] = body[field]
    if not registry["type"] or not registry["url"]:
        raise core.bad_request("type or url cannot be empty")
    if not check_health(req, registry):
        raise core.bad_request("the registry is unhealthy")
    return core.ok()


@core.route("GET", r"/replication/adapters")
def list_adapters(req):
    core.require_system_access(req, "replication-adapter", "list")
    return core.as_json(list(LISTED_TYPES))
