# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Quotas (system admins only); one storage quota per project.

Harbor: src/server/v2.0/handler/quota.go, src/controller/quota/driver/project/project.go,
src/pkg/quota/dao/{dao,util}.go.  ``used.storage`` is the sum of the sizes of
the project's artifacts.
"""

from __future__ import annotations

from .. import core
from .projects import storage_limit_error

UNLIMITED_SORT_VALUE = 2 ** 63 - 1  # -1 sorts as the largest value (dao castQuantity)
QUOTA_UPDATE_SCHEMA = {"type": "object", "properties": {
    "hard": {"type": "object", "additionalProperties": {"type": "integer"}}}}


def quota_to_json(state, quota):
    ref = {}
    if quota["reference"] == "project":
        project = state.get("projects", int(quota["reference_id"]))
        if project is not None:
            owner = state.get("users", project["owner_id"])
            ref = {"id": project["project_id"], "name": project["name"], "owner_name": owner["username"] if owner else ""}
        used = {"storage": state.storage_used(int(quota["reference_id"]))}
    else:
        used = {"storage": 0}
    return {"id": quota["id"], "ref": ref, "hard": dict(quota["hard"]), "used": used,
            "creation_time": quota["creation_time"], "update_time": quota["update_time"]}


def _sort_quotas(state, quotas, raw_sort):
    def amount(section, resource):
        def key(quota):
            data = quota["hard"] if section == "hard" else quota_to_json(state, quota)["used"]
            value = data.get(resource, 0)
            return UNLIMITED_SORT_VALUE if value == -1 else value
        return key

    result = sorted(quotas, key=lambda quota: quota["creation_time"], reverse=True)
    for key, desc in reversed(core.parse_sort(raw_sort)):
        section, _dot, resource = key.partition(".")
        if section in ("hard", "used") and resource:
            result.sort(key=amount(section, resource), reverse=desc)
        elif key in ("creation_time", "update_time"):
            result.sort(key=lambda quota, field=key: quota[field], reverse=desc)
    return result


@core.route("GET", r"/quotas", paged=True, query={"reference": "string", "reference_id": "string", "sort": "string"})
def list_quotas(req):
    core.require_system_access(req, "quota", "list")
    quotas = req.state.rows("quotas")
    for field in ("reference", "reference_id"):
        if req.args.get(field):
            quotas = [quota for quota in quotas if quota[field] == req.args[field]]
    quotas = _sort_quotas(req.state, quotas, req.args.get("sort"))
    return core.paginate(req, quotas, render=lambda quota: quota_to_json(req.state, quota))


def _get_quota(state, ident):
    quota = state.get("quotas", ident)
    if quota is None:
        raise core.not_found("quota %d not found" % ident)
    return quota


@core.route("GET", r"/quotas/(?P<id>[^/]+)")
def get_quota(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "quota", "read")
    return core.as_json(quota_to_json(req.state, _get_quota(req.state, ident)))


@core.route("PUT", r"/quotas/(?P<id>[^/]+)", body=QUOTA_UPDATE_SCHEMA, body_name="hard")
def update_quota(req):
    ident = core.path_int(req, "id")
    core.require_system_access(req, "quota", "update")
    hard = (req.body or {}).get("hard") if isinstance(req.body, dict) else None
    if not hard:
        raise core.bad_request("hard required in body")
    quota = _get_quota(req.state, ident)
    for resource in sorted(hard):
        if resource != "storage":
            raise core.bad_request("resource %s not support" % resource)
        problem = storage_limit_error(hard[resource] or 0)  # JSON null decodes to 0
        if problem:
            raise core.bad_request(problem)
    if "storage" not in hard:
        raise core.bad_request("resource storage not found")
    quota["hard"] = {"storage": hard["storage"] or 0}
    quota["update_time"] = core.now_iso()
    return core.ok()
