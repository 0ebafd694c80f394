# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry endpoints (targets of proxy-cache projects and replication).

Harbor: src/server/v2.0/handler/registry.go, src/controller/registry/controller.go,
src/pkg/reg/dao/dao.go, src/lib/endpoint.go.  The emulator never contacts the
registry: any http(s) URL is healthy except hosts ending in ``.invalid``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .. import core

# Adapter types registered in a default build (src/pkg/reg/model/registry.go).
REGISTRY_TYPES = ("harbor", "docker-hub", "docker-registry", "huawei-SWR", "google-gcr", "aws-ecr", "azure-acr",
                  "ali-acr", "jfrog-artifactory", "quay", "gitlab", "dtr", "tencent-tcr", "github-ghcr",
                  "volcengine-cr", "artifact-hub")
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
    """Never expose the secret: Harbor masks it as ``*****`` when one is stored."""
    body = {
        "id": registry["id"], "name": registry["name"], "description": registry.get("description", ""),
        "type": registry["type"], "url": registry["url"], "insecure": registry.get("insecure", False),
        "status": registry.get("status", "healthy"),
        "creation_time": registry["creation_time"], "update_time": registry["update_time"],
    }
    credential = registry.get("credential")
    if with_credential and credential is not None:
        body["credential"] = {"type": credential.get("type", ""), "access_key": credential.get("access_key", "")}
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


def validate_registry(state, registry):
    """controller.validate: name, URL, then the health check done at create and update."""
    if not registry["name"]:
        raise core.bad_request("name cannot be empty")
    if len(registry["name"]) > NAME_MAX:
        raise core.bad_request("the max length of name is 64")
    registry["url"] = normalise_url(registry["url"])
    if registry["type"] not in REGISTRY_TYPES:
        # "adapter factory for <type> not found" is a plain error: masked 500.
        raise core.internal_error()
    host = urlsplit(registry["url"]).hostname or ""
    if host.endswith(".invalid"):
        raise core.bad_request("the registry is unhealthy")
    registry["status"] = "healthy"
    for other in state.table("registries").values():
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
    validate_registry(req.state, registry)
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
    if registry["url"] != stored["url"] and body.get("access_secret") is None:
        # A new endpoint without a new secret must not receive the old one.
        if normalise_url(registry["url"]) != stored["url"]:
            registry["credential"]["access_secret"] = ""
    validate_registry(req.state, registry)
    registry["update_time"] = core.now_iso()
    stored.update(registry)
    return core.ok()


@core.route("DELETE", r"/registries/(?P<id>[^/]+)")
def delete_registry(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "registry", "delete")
    get_registry(req.state, ident)
    for project in req.state.projects().values():
        if project.get("registry_id") == ident:
            raise core.precondition("the registry %d is referenced by proxy cache project, cannot delete it" % ident)
    req.state.delete("registries", ident)
    return core.ok()
