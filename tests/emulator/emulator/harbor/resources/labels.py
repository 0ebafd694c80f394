# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Labels (``/labels``) and labels on artifacts (``.../artifacts/{ref}/labels``).

Harbor: src/server/v2.0/handler/label.go, src/pkg/label/dao/dao.go, src/pkg/label/manager.go,
handler/artifact.go (AddLabel, RemoveLabel, RequireLabelInProject).  Facts from REAL-HARBOR.md
("Labels"): 409 per scope+project, unchecked colour and empty name, ``scope`` "g" or "p".
"""

from __future__ import annotations

from .. import core
from .artifacts import find_artifact
from .repositories import repository_param

LABEL_SCHEMA = {"type": "object", "properties": {
    "name": {"type": "string"}, "description": {"type": "string"}, "color": {"type": "string"},
    "scope": {"type": "string"}, "project_id": {"type": "integer"}}}
LABEL_FIELDS = {key: (lambda record, key=key: record.get(key)) for key in
                ("id", "name", "scope", "project_id", "creation_time", "update_time")}


def label_to_json(label):
    body = {"id": label["id"], "name": label["name"], "scope": label["scope"], "project_id": label["project_id"],
            "creation_time": label["creation_time"], "update_time": label["update_time"]}
    for key in ("description", "color"):
        if label.get(key):
            body[key] = label[key]
    if not body["name"]:
        del body["name"]
    if not body["project_id"]:
        del body["project_id"]
    return body


def _require(req, label, action):
    if label["scope"] == "g":
        core.require_system_access(req, "label", action)
    elif label["scope"] == "p":
        core.require_project_access(req, label["project_id"], action, "label")
    else:
        raise core.bad_request("unsupported label scope")


def _get(req):
    ident = core.path_int(req, "id")
    label = req.state.get("labels", ident)
    if label is None:
        raise core.not_found("label %d not found" % ident)
    return label


def _duplicate(state, label, ignore=None):
    for other in state.rows("labels"):
        if other["id"] != ignore and other["name"] == label["name"] and other["scope"] == label["scope"] \
                and other["project_id"] == label["project_id"]:
            raise core.conflict("label %s already exists" % label["name"])


@core.route("POST", r"/labels", body=LABEL_SCHEMA, body_name="label")
def create_label(req):
    body = req.body or {}
    scope = body.get("scope") or ""
    label = {"name": body.get("name") or "", "description": body.get("description") or "",
             "color": body.get("color") or "", "scope": scope,
             "project_id": 0 if scope == "g" else int(body.get("project_id") or 0)}
    _require(req, label, "create")
    if len(label["name"]) > 128:
        raise core.internal_error()
    _duplicate(req.state, label)
    label["creation_time"] = label["update_time"] = core.now_iso()
    return core.created(req, req.state.insert("labels", label))


LABEL_QUERY = {"q": "string", "sort": "string", "name": "string", "scope": "string", "project_id": "int"}


@core.route("GET", r"/labels", paged=True, query=LABEL_QUERY)
def list_labels(req):
    scope = req.args.get("scope") or ""
    if scope not in ("g", "p"):
        raise core.bad_request("invalid scope: %s" % scope)
    labels = [label for label in req.state.rows("labels") if label["scope"] == scope]
    if scope == "p":
        project_id = req.args.get("project_id")
        if not project_id:
            raise core.bad_request("must with project ID when to query project labels")
        core.require_project_access(req, project_id, "list", "label")
        labels = [label for label in labels if label["project_id"] == project_id]
    if req.args.get("name"):
        labels = [label for label in labels if req.args["name"].lower() in label["name"].lower()]
    labels = core.apply_filters(labels, core.parse_q(req.arg("q")), LABEL_FIELDS)
    labels = core.apply_sort(labels, core.parse_sort(req.arg("sort")), LABEL_FIELDS, [("id", False)])
    return core.paginate(req, labels, render=label_to_json)


@core.route("GET", r"/labels/(?P<id>[^/]+)")
def get_label(req):
    label = _get(req)
    if label["scope"] == "p":
        core.require_project_access(req, label["project_id"], "read", "label")
    return core.as_json(label_to_json(label))


@core.route("PUT", r"/labels/(?P<id>[^/]+)", body=LABEL_SCHEMA, body_name="label")
def update_label(req):
    label = _get(req)
    _require(req, label, "update")
    body = req.body or {}
    if not body.get("name"):
        raise core.bad_request("cannot be empty")
    changed = dict(label, name=body["name"], description=body.get("description") or "",
                   color=body.get("color") or "")
    _duplicate(req.state, changed, ignore=label["id"])
    label.update(changed, update_time=core.now_iso())
    return core.ok()


@core.route("DELETE", r"/labels/(?P<id>[^/]+)")
def delete_label(req):
    label = _get(req)
    _require(req, label, "delete")
    for artifact in req.state.table("artifacts").values():
        if label["id"] in (artifact.get("label_ids") or []):
            artifact["label_ids"].remove(label["id"])
    req.state.delete("labels", label["id"])
    return core.ok()


@core.on_project_delete
def drop_project_labels(req, project):
    req.state.delete_where("labels", lambda label: label["scope"] == "p" and label["project_id"] == project["project_id"])


ARTIFACT_LABELS = r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts/(?P<reference>[^/]+)/labels"


@core.route("POST", ARTIFACT_LABELS, body={"type": "object", "properties": {"id": {"type": "integer"}}},
            body_name="label")
def add_artifact_label(req):
    state = req.state
    core.require_project_access(req, req.params["project"], "create", "artifact-label")
    project = core.get_project(state, req.params["project"])
    ident = int((req.body or {}).get("id") or 0)
    label = state.get("labels", ident)
    if label is None:
        raise core.not_found("label %d not found" % ident)
    if label["scope"] == "p" and label["project_id"] != project["project_id"]:
        raise core.not_found("project id %d, label %d not found" % (project["project_id"], ident))
    _repo, artifact = find_artifact(state, req.params["project"], repository_param(req), req.params["reference"])
    labels = artifact.setdefault("label_ids", [])
    if ident in labels:
        raise core.conflict("label %d is already added to the artifact %d" % (ident, artifact["id"]))
    labels.append(ident)
    return core.ok()


@core.route("DELETE", ARTIFACT_LABELS + r"/(?P<label>[^/]+)")
def remove_artifact_label(req):
    state = req.state
    core.require_project_access(req, req.params["project"], "delete", "artifact-label")
    ident = core.path_int(req, "label")
    _repo, artifact = find_artifact(state, req.params["project"], repository_param(req), req.params["reference"])
    labels = artifact.get("label_ids") or []
    if ident not in labels:
        raise core.not_found("reference with label %d and artifact %d not found" % (ident, artifact["id"]))
    labels.remove(ident)
    return core.ok()
