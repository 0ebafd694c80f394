# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""P2P preheat providers and their instances (``/p2p/preheat/providers``, ``/p2p/preheat/instances``).

Harbor: src/server/v2.0/handler/preheat.go (convertParamInstanceToModelInstance: the name rule, errors as plain
500s; mergePreheatInstanceAuthOnUpdate; convertInstanceToPayload: no ``auth_info``, ``status`` always
"Unknown"), src/controller/p2p/preheat/controller.go (a duplicate endpoint is ErrorConflict, a plain error; the
vendor cannot change; an update finds the instance by the body's ``id``), src/pkg/p2p/preheat/dao/instance
(409 "instance <n> already exists", an update with ``default`` clears the others' flag; a create does not) and
src/pkg/p2p/preheat/provider (the drivers' metadata and health paths).  REAL-HARBOR.md: create neither pings
nor checks ``vendor``/``auth_mode``; PUT without ``id`` is 404 "instance 0 not found".
"""

from __future__ import annotations

import base64
import re
import time
import urllib.error
import urllib.request

from .. import core

NAME_PATTERN = re.compile(r"^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$")
PROVIDERS = (
    {"id": "dragonfly", "name": "Dragonfly", "version": "2.1.59", "source": "https://github.com/dragonflyoss/Dragonfly2",
     "icon": "https://raw.githubusercontent.com/dragonflyoss/Dragonfly2/master/docs/images/logo/dragonfly-linear.png",
     "maintainers": ["chlins.zhang@gmail.com", "gaius.qi@gmail.com"]},
    {"id": "kraken", "name": "Kraken", "version": "0.1.3", "source": "https://github.com/uber/kraken",
     "icon": "https://github.com/uber/kraken/blob/master/assets/kraken-logo-color.svg",
     "maintainers": ["mmpei/peimingming@corp.netease.com"]},
)
HEALTH_PATHS = {"dragonfly": "/healthy", "kraken": "/health"}
PING_TIMEOUT = 5
INSTANCE_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "description": {"type": "string"},
    "vendor": {"type": "string"}, "endpoint": {"type": "string"}, "auth_mode": {"type": "string"},
    "auth_info": {"type": "object"}, "status": {"type": "string"}, "enabled": {"type": "boolean"},
    "default": {"type": "boolean"}, "insecure": {"type": "boolean"}, "setup_timestamp": {"type": "integer"}}}
FIELDS = {key: (lambda record, key=key: record.get(key)) for key in
          ("id", "name", "description", "vendor", "endpoint", "auth_mode", "enabled", "default", "insecure",
           "setup_timestamp")}


def instances(state):
    return state.rows("preheat_instances")


def _by_name(state, name):
    for instance in instances(state):
        if instance["name"] == name:
            return instance
    raise core.not_found("instance %s not found" % name)


def _to_json(instance):
    """The payload: status is always "Unknown", credentials never leave Harbor; empty strings are omitted."""
    body = {"id": instance["id"], "enabled": instance["enabled"], "default": instance["default"],
            "insecure": instance["insecure"], "setup_timestamp": instance["setup_timestamp"], "status": "Unknown"}
    for key in ("name", "description", "vendor", "endpoint", "auth_mode"):
        if instance[key]:
            body[key] = instance[key]
    return body


def _from_body(body):
    """convertParamInstanceToModelInstance: the name must match Harbor's rule, else a plain (500) error."""
    name = body.get("name") or ""
    if not NAME_PATTERN.match(name):
        raise core.internal_error()  # fmt.Errorf("name %s is invalid")
    return {"id": body.get("id") or 0, "name": name, "description": body.get("description") or "",
            "vendor": body.get("vendor") or "", "endpoint": body.get("endpoint") or "",
            "auth_mode": body.get("auth_mode") or "", "auth_info": dict(body.get("auth_info") or {}),
            "enabled": bool(body.get("enabled")), "default": bool(body.get("default")),
            "insecure": bool(body.get("insecure"))}


@core.route("GET", r"/p2p/preheat/providers")
def list_providers(req):
    core.require_system_access(req, "preheat-instance", "list")
    return core.as_json(list(PROVIDERS))


@core.route("GET", r"/p2p/preheat/instances", paged=True, query={"q": "string", "sort": "string"})
def list_instances(req):
    core.require_system_access(req, "preheat-instance", "list")
    records = core.apply_filters(instances(req.state), core.parse_q(req.arg("q")), FIELDS)
    records = core.apply_sort(records, core.parse_sort(req.arg("sort")), FIELDS, [])
    return core.paginate(req, records, render=_to_json)


@core.route("POST", r"/p2p/preheat/instances", body=INSTANCE_SCHEMA, body_name="instance")
def create_instance(req):
    core.require_system_access(req, "preheat-instance", "create")
    instance = _from_body(req.body)
    instance.pop("id")
    if any(other["endpoint"] == instance["endpoint"] for other in instances(req.state)):
        raise core.internal_error()  # ErrorConflict is a plain error
    if any(other["name"] == instance["name"] for other in instances(req.state)):
        raise core.conflict("instance %s already exists" % instance["name"])
    instance["setup_timestamp"] = int(time.time())
    req.state.insert("preheat_instances", instance)
    return core.created(req, instance["name"])


@core.route("GET", r"/p2p/preheat/instances/(?P<name>[^/]+)")
def get_instance(req):
    core.require_system_access(req, "preheat-instance", "read")
    return core.as_json(_to_json(_by_name(req.state, req.params["name"])))


@core.route("PUT", r"/p2p/preheat/instances/(?P<name>[^/]+)", body=INSTANCE_SCHEMA, body_name="instance")
def update_instance(req):
    core.require_system_access(req, "preheat-instance", "update")
    existing = _by_name(req.state, req.params["name"])
    body = dict(req.body)
    if not body.get("auth_info") and (body.get("auth_mode") or existing["auth_mode"]) != "NONE":
        body["auth_info"] = dict(existing["auth_info"])  # mergePreheatInstanceAuthOnUpdate
    instance = _from_body(body)
    target = req.state.get("preheat_instances", instance["id"])
    if target is None:
        raise core.not_found("instance %d not found" % instance["id"])
    if target["vendor"] != instance["vendor"]:
        raise core.internal_error()  # "provider [<n>] vendor cannot be changed", a plain error
    if any(other["name"] == instance["name"] and other is not target for other in instances(req.state)):
        raise core.conflict("instance %s already exists" % instance["name"])
    if instance["default"]:
        for other in instances(req.state):
            other["default"] = False
    # The ORM update writes every column, setup_timestamp included (the body's, 0 when absent).
    target.update(instance, setup_timestamp=req.body.get("setup_timestamp") or 0)
    return core.ok()


@core.route("DELETE", r"/p2p/preheat/instances/(?P<name>[^/]+)")
def delete_instance(req):
    core.require_system_access(req, "preheat-instance", "delete")
    instance = _by_name(req.state, req.params["name"])
    req.state.delete("preheat_instances", instance["id"])
    return core.ok()


def _healthy(instance):
    """The driver's GetHealth: GET <endpoint><health path> with the instance's credential."""
    path = HEALTH_PATHS.get(instance["vendor"])
    if path is None or not instance["endpoint"].startswith(("http://", "https://")):
        return False
    headers = {}
    info = instance["auth_info"]
    if instance["auth_mode"] == "BASIC" and info:
        # Harbor's BasicAuthHandler sends the first key of auth_info as the user and its value as the password;
        # the emulator sends the UI's username and password, which is what a provider is meant to get.
        pair = "%s:%s" % (info.get("username", ""), info.get("password", ""))
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
    elif instance["auth_mode"] == "OAUTH":
        headers["Authorization"] = "Bearer %s" % info.get("token", "")
    request = urllib.request.Request(instance["endpoint"].rstrip("/") + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=PING_TIMEOUT):  # nosec - test endpoints
            return True
    except (urllib.error.URLError, OSError, ValueError):
        return False


@core.route("POST", r"/p2p/preheat/instances/ping", body=INSTANCE_SCHEMA, body_name="instance")
def ping_instance(req):
    core.require_system_access(req, "preheat-instance", "read")
    if (req.body.get("id") or 0) > 0:
        instance = req.state.get("preheat_instances", req.body["id"])
        if instance is None:
            return core.ok(404)  # NewPingInstancesNotFound: no body
    else:
        if not req.body.get("endpoint"):
            return core.ok(400)  # NewPingInstancesBadRequest: no body
        instance = _from_body(req.body)
    if not _healthy(instance):
        raise core.internal_error()
    return core.ok()
