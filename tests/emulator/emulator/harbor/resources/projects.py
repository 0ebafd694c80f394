# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Projects: list, head, create, get, update, delete, _deletable, summary.

Harbor: src/server/v2.0/handler/project.go, src/controller/project/controller.go,
src/pkg/project/manager.go, src/pkg/project/dao/dao.go, handler/model/project.go.
"""

from __future__ import annotations

import re

from .. import core
from ..state import ZERO_TIME
from .registries import registry_to_json

NAME_RE = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
NAME_MAX = 255
MAX_STORAGE_LIMIT = 1125899906842624  # 1024 TB (src/pkg/quota/types/resources.go)

# Keys of the typed ProjectMetadata model; anything else is dropped.
METADATA_KEYS = (
    "public", "enable_content_trust", "enable_content_trust_cosign", "prevent_vul", "severity", "auto_scan",
    "auto_sbom_generation", "reuse_sys_cve_allowlist", "retention_id", "proxy_speed_kb", "max_upstream_conn",
    "proxy_cache_local_on_not_found", "proxy_referrer_api", "proxy_cache_filter_pattern",
    "proxy_cache_filter_kind",
)
# Keys unknown to older releases, which therefore drop them silently.
METADATA_MIN_VERSION = {"auto_sbom_generation": "2.11", "proxy_speed_kb": "2.12"}
PROXY_ONLY_KEYS = ("proxy_speed_kb", "max_upstream_conn", "proxy_cache_filter_pattern", "proxy_cache_filter_kind")
PROXY_FILTER_KEYS = ("proxy_cache_filter_pattern", "proxy_cache_filter_kind")
SEVERITIES = ("none", "low", "medium", "high", "critical")
# PERMITTED_REGISTRY_TYPES_FOR_PROXY_CACHE of a default installation (make/photon/prepare/templates/core/env.jinja).
PROXY_CACHE_REGISTRY_TYPES = ("docker-hub", "harbor", "azure-acr", "ali-acr", "aws-ecr", "google-gcr",
                              "docker-registry", "github-ghcr", "jfrog-artifactory")

CVE_ALLOWLIST_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "project_id": {"type": "integer"}, "expires_at": {"type": "integer"},
    "items": {"type": "array", "items": {"type": "object", "properties": {"cve_id": {"type": "string"}}}},
    "creation_time": {"type": "string"}, "update_time": {"type": "string"},
}}
PROJECT_REQ_SCHEMA = {"type": "object", "properties": {
    "project_name": {"type": "string", "maxLength": NAME_MAX},
    "public": {"type": "boolean"},
    "metadata": {"type": "object", "properties": {key: {"type": "string"} for key in METADATA_KEYS}},
    "cve_allowlist": CVE_ALLOWLIST_SCHEMA,
    "storage_limit": {"type": "integer"},
    "registry_id": {"type": "integer"},
}}


def supported_metadata_keys(state):
    return [key for key in METADATA_KEYS
            if key not in METADATA_MIN_VERSION or core.version_at_least(state, METADATA_MIN_VERSION[key])]


def typed_metadata(state, metadata):
    """What survives the JSON copy into the ProjectMetadata model: known, non-null keys."""
    supported = supported_metadata_keys(state)
    return {key: value for key, value in (metadata or {}).items() if key in supported and value is not None}


def is_proxy(project):
    return bool(project.get("registry_id"))


def storage_limit_error(value):
    """lib.ValidateQuotaLimit; returns the error text or None."""
    if value <= 0 and value != -1:
        return "invalid non-positive value for quota limit, value=%d" % value
    if value > MAX_STORAGE_LIMIT:
        return "exceeded 1024TB, which is %d Bytes, value=%d" % (MAX_STORAGE_LIMIT, value)
    return None


def normalise_severity(value):
    """vuln.ParseSeverityVersion3 then lower case: "High" -> "high", "negligible" -> "none"."""
    lowered = value.strip().lower()
    if lowered == "negligible":
        return "none"
    return lowered if lowered in SEVERITIES else "unknown"


def allowlist_of(state, project_id):
    for allowlist in state.table("cve_allowlists").values():
        if allowlist["project_id"] == project_id:
            return allowlist
    return None


def allowlist_to_json(allowlist):
    if allowlist is None:
        return {"id": 0, "project_id": 0, "items": [], "expires_at": None,
                "creation_time": ZERO_TIME, "update_time": ZERO_TIME}
    return {
        "id": allowlist["id"], "project_id": allowlist["project_id"],
        "items": [{"cve_id": item["cve_id"]} for item in allowlist["items"]],
        "expires_at": allowlist["expires_at"],
        "creation_time": allowlist["creation_time"], "update_time": allowlist["update_time"],
    }


def metadata_to_json(state, project):
    metadata = typed_metadata(state, project.get("metadata"))
    if "severity" in metadata:
        metadata["severity"] = normalise_severity(metadata["severity"])
    if not is_proxy(project):
        for key in PROXY_FILTER_KEYS:
            metadata.pop(key, None)
    return metadata


def project_to_json(req, project, detail=True):
    state = req.state
    pid = project["project_id"]
    body = {
        "project_id": pid, "owner_id": project["owner_id"], "name": project["name"],
        "registry_id": project.get("registry_id") or 0,
        "creation_time": project["creation_time"], "update_time": project["update_time"],
        "repo_count": len(state.repositories_of(pid)),
    }
    if detail:
        owner = state.get("users", project["owner_id"])
        if owner is not None:
            body["owner_name"] = owner["username"]
        body["metadata"] = metadata_to_json(state, project)
        body["cve_allowlist"] = allowlist_to_json(allowlist_of(state, pid))
    else:
        body["cve_allowlist"] = allowlist_to_json(None)
    user = req.security.user()
    if req.security.name == "local" and user is not None:
        # Only local users get their roles; the fields are omitted when empty (omitempty).
        roles = state.member_roles(pid, user["user_id"])
        if roles:
            body["current_user_role_id"] = max(roles, key=lambda role: core.ROLE_POWER.get(role, 0))
            body["current_user_role_ids"] = roles
    return body


def _wants_public(matcher):
    """How the public filter reads its value (a bool parameter or a q string)."""
    if isinstance(matcher, bool):
        return matcher
    return isinstance(matcher, str) and core.parse_bool_text(matcher) is True


def project_fields(state):
    """q/sort keys of projects (ORM columns plus FilterByPublic/FilterByOwner)."""
    def filter_owner(project, matcher):
        # FilterByOwner ignores anything but an exact string.
        if not isinstance(matcher, str):
            return True
        owner = state.get("users", project["owner_id"])
        return owner is not None and owner["username"] == matcher

    return {
        "name": lambda p: p["name"],
        "project_id": lambda p: p["project_id"],
        "owner_id": lambda p: p["owner_id"],
        "registry_id": lambda p: p.get("registry_id") or 0,
        "creation_time": lambda p: p["creation_time"],
        "update_time": lambda p: p["update_time"],
        "public": ("custom", lambda project, matcher: core.is_public(project) == _wants_public(matcher)),
        "owner": ("custom", filter_owner),
    }


@core.route("GET", r"/projects", paged=True, query={
    "q": "string", "sort": "string", "name": "string", "public": "bool", "owner": "string", "with_detail": "bool"})
def list_projects(req):
    state = req.state
    keywords = core.parse_q(req.arg("q"))
    sorts = core.parse_sort(req.arg("sort"))
    if req.args.get("name"):
        keywords["name"] = core.Fuzzy(req.args["name"])
    if req.args.get("owner"):
        keywords["owner"] = req.args["owner"]
    if req.args.get("public") is not None:
        keywords["public"] = req.args["public"]

    projects = list(state.projects().values())
    security = req.security
    if security.is_authenticated():
        if not security.can_system("project", "list"):
            # Members see their projects, plus the public ones unless public=false was asked.
            visible = security.listable_project_ids(state, _wants_public(keywords.get("public", True)))
            if visible is not None:
                projects = [project for project in projects if project["project_id"] in visible]
    else:
        if req.args.get("public") is False:
            # Anonymous callers asking for private projects get nothing at all.
            return core.paginate(req, [])
        keywords["public"] = True

    fields = project_fields(state)
    selected = core.apply_filters(projects, keywords, fields)
    selected = core.apply_sort(selected, sorts, fields, default=[("project_id", False)])
    detail = req.args.get("with_detail") is not False
    return core.paginate(req, selected, render=lambda project: project_to_json(req, project, detail))


@core.route("HEAD", r"/projects", query={"project_name": "string"})
def head_project(req):
    name = req.args.get("project_name")
    if name is None:
        raise core.unprocessable("project_name in query is required")
    core.require_authenticated(req)
    if not name:
        raise core.bad_request("project name required")
    core.get_project(req.state, name)
    return core.ok()


def _resolve_creation_quota(req, body):
    """Storage limit applied at creation, or None when per-project quotas are disabled."""
    config = req.state.config
    if not config.get("quota_per_project_enable"):
        return None
    limit = body.get("storage_limit")
    if limit is None or limit == 0 or not req.security.can_system("project", "create"):
        # Non-admins (and admins not asking) get the system default.
        return int(config.get("storage_per_project", -1))
    return limit


def _validate_proxy_request(req, registry_id, metadata):
    state = req.state
    if registry_id <= 0:
        raise core.bad_request(cause="%d is invalid value of registry_id, it should be geater than 0" % registry_id)
    registry = state.get("registries", registry_id)
    if registry is None:
        # Harbor wraps the not-found error in a plain error: a masked 500.
        raise core.internal_error()
    if registry["type"] not in PROXY_CACHE_REGISTRY_TYPES:
        raise core.bad_request(cause="unsupported registry type %s" % registry["type"])
    for key, label in (("proxy_speed_kb", "should by an int32, but got: "), ("max_upstream_conn", "should be an int, but got ")):
        value = metadata.get(key)
        if value is not None and not _is_int32(value):
            raise core.bad_request("metadata.%s %s'%s', err: strconv.ParseInt: parsing %s: invalid syntax" % (
                key, label, value, _go_quote(value)))


def _is_int32(text):
    return re.fullmatch(r"[+-]?\d+", text) is not None and -2 ** 31 <= int(text) < 2 ** 31


def _go_quote(text):
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


@core.route("POST", r"/projects", body=PROJECT_REQ_SCHEMA, body_name="project")
def create_project(req):
    state = req.state
    security = req.security
    body = req.body if isinstance(req.body, dict) else {}
    name_in_location = core.header_bool(req, "X-Resource-Name-In-Location")
    core.require_authenticated(req)
    reason = security.project_creation_error()
    if reason:
        raise core.forbidden(reason)
    if state.config.get("project_creation_restriction") == "adminonly" and not security.can_system("project", "create"):
        raise core.forbidden("Only system admin can create project")
    registry_id = body.get("registry_id")
    if registry_id is not None and not security.can_system("project", "create"):
        raise core.forbidden("Only system admin can create proxy cache project")

    storage_limit = _resolve_creation_quota(req, body)
    metadata = dict(body.get("metadata") or {})
    if body.get("public") is not None and not metadata.get("public"):
        metadata["public"] = "true" if body["public"] else "false"
    if not metadata.get("public"):
        metadata["public"] = "false"
    if metadata["public"] not in ("true", "false"):
        raise core.bad_request("metadata.public should only be 'true' or 'false', but got: '%s'" % metadata["public"])
    if registry_id is None:
        for key in PROXY_ONLY_KEYS:
            metadata.pop(key, None)
    else:
        metadata.pop("enable_content_trust", None)
    if metadata.get("retention_id"):
        raise core.bad_request(cause="the retention_id in the request's payload when creating a project should be "
                                     "omitted, alternatively passing an empty string")
    if registry_id is not None:
        _validate_proxy_request(req, registry_id, metadata)
    if storage_limit is not None:
        problem = storage_limit_error(storage_limit)
        if problem:
            raise core.bad_request(cause=problem)

    owner = security.user()
    if owner is None:
        # Robots and solution users: the first system admin owns the project.
        owner = min((u for u in state.table("users").values() if u.get("sysadmin_flag")), key=lambda u: u["user_id"])
    name = body.get("project_name") or ""
    if not 1 <= len(name) <= NAME_MAX:
        raise core.bad_request("Project name %s is illegal in length. (greater than %d or less than 1)" % (name, NAME_MAX))
    if not NAME_RE.fullmatch(name):
        raise core.bad_request("project name is not in lower case or contains illegal characters")
    if state.project_by_name(name) is not None:
        raise core.conflict("The project named %s already exists" % name)

    metadata = typed_metadata(state, metadata)
    metadata.pop("retention_id", None)
    stamp = core.now_iso()
    project = {
        "name": name, "owner_id": owner["user_id"], "registry_id": registry_id or 0, "deleted": False,
        "creation_time": stamp, "update_time": stamp, "metadata": metadata,
    }
    pid = state.insert("projects", project, id_field="project_id")
    # The CVE allowlist of the request is ignored at creation: an empty one is made.
    state.insert("cve_allowlists", {"project_id": pid, "items": [], "expires_at": None,
                                    "creation_time": stamp, "update_time": stamp})
    state.add_member(pid, "u", owner["user_id"], core.ROLE_PROJECT_ADMIN)
    if storage_limit is not None:
        state.insert("quotas", {"reference": "project", "reference_id": str(pid), "hard": {"storage": storage_limit},
                                "creation_time": stamp, "update_time": stamp})
    for hook in core.PROJECT_CREATE_HOOKS:
        hook(req, project, body)
    return core.created(req, name if name_in_location else pid)


@core.route("GET", r"/projects/(?P<project>[^/]+)")
def get_project(req):
    ref = core.project_ref(req, req.params["project"])
    core.require_project_access(req, ref, "read")
    return core.as_json(project_to_json(req, core.get_project(req.state, ref)))


@core.route("PUT", r"/projects/(?P<project>[^/]+)", body=PROJECT_REQ_SCHEMA, body_name="project")
def update_project(req):
    state = req.state
    ref = core.project_ref(req, req.params["project"])
    core.require_project_access(req, ref, "update")
    project = core.get_project(state, ref)
    pid = project["project_id"]
    body = req.body if isinstance(req.body, dict) else {}

    allowlist_req = body.get("cve_allowlist")
    if allowlist_req is not None:
        given = allowlist_req.get("project_id") or 0
        if given not in (0, pid):
            raise core.bad_request("project_id in cve_allowlist must be %d but it's %d" % (pid, given))

    changes = {}
    if body.get("metadata") is not None:
        changes = dict(body["metadata"])
        if changes.get("public") == "":
            del changes["public"]  # a plain string with omitempty: "" is never sent
        for key in (PROXY_ONLY_KEYS if not is_proxy(project) else ("enable_content_trust",)):
            changes.pop(key, None)
        changes = typed_metadata(state, changes)
    if "retention_id" in changes and project["metadata"].get("retention_id") != changes["retention_id"]:
        raise core.bad_request("the retention_id in the request's payload when updating a project should be omitted, "
                               "alternatively passing the one that has already been associated to this project")
    # Merge only: keys present are created or updated, nothing is deleted, values are not validated.
    project["metadata"].update(changes)
    if allowlist_req is not None:
        allowlist = allowlist_of(state, pid)
        allowlist["items"] = [{"cve_id": item.get("cve_id") or ""} for item in allowlist_req.get("items") or []
                              if isinstance(item, dict)]
        allowlist["expires_at"] = allowlist_req.get("expires_at")
        allowlist["update_time"] = core.now_iso()
    return core.ok()


def deletable_status(state, project):
    if state.repositories_of(project["project_id"]):
        return False, "the project contains repositories, can not be deleted"
    return True, ""


@core.route("DELETE", r"/projects/(?P<project>[^/]+)")
def delete_project(req):
    state = req.state
    ref = core.project_ref(req, req.params["project"])
    core.require_project_access(req, ref, "delete")
    project = core.get_project(state, ref)
    deletable, message = deletable_status(state, project)
    if not deletable:
        raise core.precondition(cause=message)
    pid = project["project_id"]
    # Soft delete: the row is renamed so the name is immediately reusable.
    project["deleted"] = True
    project["name"] = "%s#%d" % (project["name"], pid)
    for hook in core.PROJECT_DELETE_HOOKS:
        hook(req, project)
    state.delete_where("quotas", lambda quota: quota["reference"] == "project" and quota["reference_id"] == str(pid))
    state.delete_where("members", lambda member: member["project_id"] == pid)
    return core.ok()


@core.route("GET", r"/projects/(?P<project>[^/]+)/_deletable")
def get_deletable(req):
    ref = core.project_ref(req, req.params["project"])
    core.require_project_access(req, ref, "delete")
    deletable, message = deletable_status(req.state, core.get_project(req.state, ref))
    body = {"deletable": deletable}
    if message:
        body["message"] = message
    return core.as_json(body)


@core.route("GET", r"/projects/(?P<project>[^/]+)/summary")
def get_summary(req):
    state = req.state
    ref = core.project_ref(req, req.params["project"])
    core.require_project_access(req, ref, "read")
    project = core.get_project(state, ref)
    pid = project["project_id"]
    summary = {"repo_count": len(state.repositories_of(pid))}
    quota = state.quota_of_project(pid)
    if (state.config.get("quota_per_project_enable") and quota is not None
            and req.security.can_project(state, project, "quota", "read")):
        summary["quota"] = {"hard": dict(quota["hard"]), "used": {"storage": state.storage_used(pid)}}
    if req.security.can_project(state, project, "member", "list"):
        counts = {role: 0 for role in core.ROLE_NAMES}
        for member in state.table("members").values():
            if member["project_id"] == pid:
                counts[member["role_id"]] = counts.get(member["role_id"], 0) + 1
        for role, key in ((1, "project_admin_count"), (4, "maintainer_count"), (2, "developer_count"),
                          (3, "guest_count"), (5, "limited_guest_count")):
            if counts.get(role):
                summary[key] = counts[role]  # zero counts are omitted (omitempty)
    if is_proxy(project):
        registry = state.get("registries", project["registry_id"])
        if registry is not None:
            summary["registry"] = registry_to_json(registry, with_credential=False)
    return core.as_json(summary)
