# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Project metadata endpoints ``/projects/{p}/metadatas/``.

Harbor: src/server/v2.0/handler/project_metadata.go, src/pkg/project/metadata.
Unlike PUT /projects, these endpoints validate and normalise values.  Note
the RBAC quirk: listing needs ``metadata:list``, which no project role has.
"""

from __future__ import annotations

import re

from .. import core
from .projects import SEVERITIES, is_proxy, supported_metadata_keys

BOOL_KEYS = ("public", "enable_content_trust", "enable_content_trust_cosign", "auto_sbom_generation", "prevent_vul",
             "auto_scan", "reuse_sys_cve_allowlist", "proxy_cache_local_on_not_found", "proxy_referrer_api")
METADATA_MAP_SCHEMA = {"type": "object", "additionalProperties": {"type": "string"}}
INT32 = re.compile(r"[+-]?\d+")


def _int32(value):
    if INT32.fullmatch(value) and -2 ** 31 <= int(value) < 2 ** 31:
        return int(value)
    raise core.bad_request("invalid value: %s" % value)


def validate_metadata(state, project, metas):
    """Exactly one known key with a valid value; returns the normalised pair."""
    if len(metas) != 1:
        raise core.bad_request("only allow one key/value pair")
    (key, value), = metas.items()
    if key not in supported_metadata_keys(state) or key == "retention_id":
        raise core.bad_request("invalid key: %s" % key)
    if key in BOOL_KEYS:
        parsed = core.go_parse_bool(value)
        if parsed is None:
            raise core.bad_request("invalid value: %s" % value)
        return {key: "true" if parsed else "false"}
    if key == "severity":
        lowered = value.lower()
        if lowered == "negligible":
            lowered = "none"
        if lowered not in SEVERITIES:
            raise core.bad_request("invalid value: %s" % value)
        return {key: lowered}
    if key == "proxy_speed_kb":
        return {key: str(_int32(value))}
    if key == "max_upstream_conn":
        number = _int32(value)
        if number <= 0 and number != -1:
            raise core.bad_request("invalid value for %s: %d" % (key, number))
        return {key: str(number)}
    # proxy_cache_filter_pattern / proxy_cache_filter_kind
    if not is_proxy(project):
        raise core.bad_request("can not update the normal project with proxy cache filter metadata")
    if key == "proxy_cache_filter_kind" and value not in ("", "doublestar", "regex"):
        raise core.bad_request('invalid proxy_cache_filter_kind: "%s", must be "doublestar" or "regex"' % value)
    return {key: value}


def _project(req, action):
    ref = core.project_ref(req, req.params["project"])
    core.require_project_access(req, ref, action, "metadata")
    return core.get_project(req.state, ref)


@core.route("GET", r"/projects/(?P<project>[^/]+)/metadatas/")
def list_metadatas(req):
    return core.as_json(dict(_project(req, "list")["metadata"]))


@core.route("POST", r"/projects/(?P<project>[^/]+)/metadatas/", body=METADATA_MAP_SCHEMA, body_name="metadata",
            body_required=False)
def add_metadatas(req):
    project = _project(req, "create")
    metas = validate_metadata(req.state, project, dict(req.body or {}))
    for key, value in metas.items():
        if key in project["metadata"]:
            raise core.conflict("metadata %s already exists for project %d" % (key, project["project_id"]))
        project["metadata"][key] = value
    return core.ok()


@core.route("GET", r"/projects/(?P<project>[^/]+)/metadatas/(?P<key>[^/]+)")
def get_metadata(req):
    project = _project(req, "read")
    key = req.params["key"]
    return core.as_json({key: project["metadata"][key]} if key in project["metadata"] else {})


@core.route("PUT", r"/projects/(?P<project>[^/]+)/metadatas/(?P<key>[^/]+)", body=METADATA_MAP_SCHEMA,
            body_name="metadata", body_required=False)
def update_metadata(req):
    project = _project(req, "update")
    key = req.params["key"]
    metas = validate_metadata(req.state, project, {key: (req.body or {}).get(key) or ""})
    # An UPDATE of a missing row changes nothing and is not an error.
    if key in project["metadata"]:
        project["metadata"][key] = metas[key]
    return core.ok()


@core.route("DELETE", r"/projects/(?P<project>[^/]+)/metadatas/(?P<key>[^/]+)")
def delete_metadata(req):
    project = _project(req, "delete")
    key = req.params["key"]
    if key == "proxy_cache_filter_kind" and project["metadata"].get("proxy_cache_filter_pattern"):
        raise core.bad_request("cannot delete proxy_cache_filter_kind when proxy_cache_filter_pattern is not empty, "
                               "please clear the pattern first")
    project["metadata"].pop(key, None)
    return core.ok()
