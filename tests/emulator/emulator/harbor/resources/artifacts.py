# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Artifacts and their tags (read, delete, add/remove tags).

Harbor: src/server/v2.0/handler/artifact.go, src/controller/artifact/controller.go,
src/controller/tag/controller.go, src/pkg/artifact/dao/dao.go (the list's "base" and accessory
filters), src/pkg/accessory.  Artifacts come from pushes to /v2/ (see ``v2.py``) or from seeding.
Deleting the last artifact leaves the (empty) repository, which still blocks the project deletion.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .. import core
from .repositories import delete_artifact, get_repository, repository_param, short_name, touch, visible_artifacts

DIGEST_RE = re.compile(r"sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128}")
TAG_NAME_RE = re.compile(r"[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
ARTIFACT_QUERY = {"q": "string", "sort": "string", "with_tag": "bool", "with_label": "bool",
                  "with_scan_overview": "bool", "with_sbom_overview": "bool", "with_immutable_status": "bool",
                  "with_accessory": "bool", "with_inherited_accessory": "bool", "with_signature": "bool"}
TAG_SORT = [("push_time", True), ("id", True)]


def _filter_tags(state):
    def matches(artifact, matcher):
        names = [tag["name"] for tag in state.tags_of(artifact["id"])]
        if matcher == "nil":
            return not names
        if matcher == "*":
            return bool(names)
        if isinstance(matcher, core.Fuzzy):
            return any(matcher.value.lower() in name.lower() for name in names)
        return str(matcher) in names
    return matches


def artifact_fields(state):
    fields = {key: (lambda record, key=key: record.get(key)) for key in
              ("id", "digest", "type", "media_type", "manifest_media_type", "size", "push_time", "pull_time",
               "project_id", "repository_id")}
    fields["tags"] = ("custom", _filter_tags(state))
    return fields


def tag_fields():
    return {key: (lambda record, key=key: record.get(key)) for key in
            ("id", "name", "push_time", "pull_time", "artifact_id", "repository_id")}


def tag_to_json(state, project, repo, tag, with_immutable):
    immutable = with_immutable and core.is_immutable(state, project, short_name(project, repo), tag["name"])
    return {"id": tag["id"], "repository_id": tag["repository_id"], "artifact_id": tag["artifact_id"],
            "name": tag["name"], "push_time": tag["push_time"], "pull_time": tag["pull_time"], "immutable": immutable}


def artifact_to_json(req, project, repo, artifact):
    state = req.state
    body = {
        "id": artifact["id"], "type": artifact["type"], "media_type": artifact["media_type"],
        "manifest_media_type": artifact["manifest_media_type"], "project_id": artifact["project_id"],
        "repository_id": artifact["repository_id"], "repository_name": repo["name"], "digest": artifact["digest"],
        "size": artifact["size"], "icon": "", "push_time": artifact["push_time"], "pull_time": artifact["pull_time"],
        "extra_attrs": {"architecture": "amd64", "os": "linux", "config": {}},
    }
    if artifact.get("references"):
        body["references"] = [dict(reference, parent_id=artifact["id"]) for reference in artifact["references"]]
    if req.args.get("with_tag") is not False:
        tags = core.apply_sort(state.tags_of(artifact["id"]), [], tag_fields(), TAG_SORT)
        if tags:
            with_immutable = bool(req.args.get("with_immutable_status"))
            body["tags"] = [tag_to_json(state, project, repo, tag, with_immutable) for tag in tags]
    if artifact["type"] == "IMAGE":
        base = "%s/projects/%s/repositories/%s/artifacts/%s/additions" % (
            core.API_BASE, project["name"], quote(quote(short_name(project, repo), safe=""), safe=""),
            artifact["digest"])
        body["addition_links"] = {
            "build_history": {"absolute": False, "href": base + "/build_history"},
            "vulnerabilities": {"absolute": False, "href": base + "/vulnerabilities"},
        }
    if artifact.get("extra_attrs") is not None:
        body["extra_attrs"] = artifact["extra_attrs"]
    if artifact.get("artifact_type") and artifact.get("real"):
        body["artifact_type"] = artifact["artifact_type"]
    if artifact.get("annotations"):
        body["annotations"] = artifact["annotations"]
    if req.args.get("with_accessory") is not False:
        # option(): accessories come by default; the field is omitted when there are none
        accessories = accessories_of(state, artifact)
        if accessories:
            body["accessories"] = [accessory_to_json(accessory) for accessory in accessories]
    if req.args.get("with_label"):
        labels = [state.get("labels", ident) for ident in artifact.get("label_ids") or []]
        body["labels"] = [label_json(label) for label in labels if label is not None]
    if req.args.get("with_scan_overview") and artifact.get("scan_overview"):
        # filled by the scanner (core.on_artifact_push / a scan job): {report mime type: summary}
        body["scan_overview"] = artifact["scan_overview"]
    for renderer in core.ARTIFACT_RENDERERS:
        renderer(req, artifact, body)
    return body


def label_json(label):
    from .labels import label_to_json  # pylint: disable=import-outside-toplevel
    return label_to_json(label)


def accessories_of(state, artifact):
    return [acc for acc in state.rows("accessories") if acc["subject_artifact_id"] == artifact["id"]]


def accessory_to_json(accessory):
    return {"id": accessory["id"], "artifact_id": accessory["artifact_id"],
            "subject_artifact_id": accessory["subject_artifact_id"],
            "subject_artifact_digest": accessory["subject_artifact_digest"],
            "subject_artifact_repo": accessory["subject_artifact_repo"], "size": accessory["size"],
            "digest": accessory["digest"], "type": accessory["type"], "icon": "",
            "creation_time": accessory["creation_time"]}


def listed(state, artifacts, keywords):
    """dao.go setBaseQuery + setAccessoryQuery, with the ``q=base=*`` escape."""
    base = keywords.pop("base", None)
    if base is not None and base != "*":
        raise core.bad_request('the value of "base" query can only be exact match value with "*"')
    return visible_artifacts(state, artifacts, with_children=base is not None)


def find_artifact(state, project_name, repo_name, reference):
    """controller GetByReference: a digest, or a tag (then the repository must exist)."""
    full_name = "%s/%s" % (project_name, repo_name)
    if DIGEST_RE.fullmatch(reference):
        repo = state.repository_by_name(full_name)
        for artifact in state.artifacts_of(repo["id"]) if repo else []:
            if artifact["digest"] == reference:
                return repo, artifact
        raise core.not_found("artifact %s@%s not found" % (full_name, reference))
    repo = get_repository(state, full_name)
    for tag in state.rows("tags"):
        if tag["repository_id"] == repo["id"] and tag["name"] == reference:
            return repo, state.get("artifacts", tag["artifact_id"])
    raise core.not_found("artifact %s:%s not found" % (full_name, reference))


def _context(req, action, resource):
    name = req.params["project"]
    core.require_project_access(req, name, action, resource)
    return name, repository_param(req)


@core.route("GET", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts",
            paged=True, query=ARTIFACT_QUERY)
def list_artifacts(req):
    state = req.state
    name, repo_name = _context(req, "list", "artifact")
    keywords = core.parse_q(req.arg("q"))
    repo = state.repository_by_name("%s/%s" % (name, repo_name))
    artifacts = listed(state, state.artifacts_of(repo["id"]) if repo else [], keywords)
    fields = artifact_fields(state)
    artifacts = core.apply_filters(artifacts, keywords, fields)
    artifacts = core.apply_sort(artifacts, core.parse_sort(req.arg("sort")), fields, [("push_time", True), ("id", True)])
    project = state.project_by_name(name)
    return core.paginate(req, artifacts, render=lambda artifact: artifact_to_json(req, project, repo, artifact))


@core.route("GET", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts/(?P<reference>[^/]+)",
            query=ARTIFACT_QUERY)
def get_artifact(req):
    name, repo_name = _context(req, "read", "artifact")
    repo, artifact = find_artifact(req.state, name, repo_name, req.params["reference"])
    return core.as_json(artifact_to_json(req, req.state.project_by_name(name), repo, artifact))


@core.route("DELETE", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts/(?P<reference>[^/]+)")
def remove_artifact(req):
    name, repo_name = _context(req, "delete", "artifact")
    repo, artifact = find_artifact(req.state, name, repo_name, req.params["reference"])
    delete_artifact(req.state, req.state.project_by_name(name), repo, artifact)
    return core.ok()


@core.route("GET", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts/(?P<reference>[^/]+)/tags",
            paged=True, query={"q": "string", "sort": "string", "with_immutable_status": "bool"})
def list_tags(req):
    state = req.state
    name, repo_name = _context(req, "list", "tag")
    keywords = core.parse_q(req.arg("q"))
    repo, artifact = find_artifact(state, name, repo_name, req.params["reference"])
    tags = core.apply_filters(state.tags_of(artifact["id"]), keywords, tag_fields())
    tags = core.apply_sort(tags, core.parse_sort(req.arg("sort")), tag_fields(), TAG_SORT)
    project = state.project_by_name(name)
    with_immutable = bool(req.args.get("with_immutable_status"))
    return core.paginate(req, tags, render=lambda tag: tag_to_json(state, project, repo, tag, with_immutable))


@core.route("POST", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts/(?P<reference>[^/]+)/tags",
            body={"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}, body_name="tag")
def create_tag(req):
    state = req.state
    name, repo_name = _context(req, "create", "tag")
    project = core.get_project(state, name)
    if project.get("registry_id"):
        raise core.HarborError("METHOD_NOT_ALLOWED", "the operation isn't supported for a proxy cache project")
    repo, artifact = find_artifact(state, name, repo_name, req.params["reference"])
    tag_name = req.body["name"]
    if not TAG_NAME_RE.fullmatch(tag_name):
        raise core.bad_request(cause="invalid tag name: %s" % tag_name)
    for tag in state.rows("tags"):
        if tag["repository_id"] == repo["id"] and tag["name"] == tag_name:
            raise core.conflict("tag %s already exists under the repository %d" % (tag_name, repo["id"]))
    state.insert("tags", {"repository_id": repo["id"], "artifact_id": artifact["id"], "name": tag_name,
                          "push_time": core.now_iso(), "pull_time": artifact["pull_time"]})
    touch(repo)
    # Harbor sets no Location here: there is no API to get a single tag.
    return core.ok(201)


@core.route("DELETE", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts/(?P<reference>[^/]+)"
            r"/tags/(?P<tag>[^/]+)")
def delete_tag(req):
    state = req.state
    name, repo_name = _context(req, "delete", "tag")
    repo, artifact = find_artifact(state, name, repo_name, req.params["reference"])
    matches = [tag for tag in state.tags_of(artifact["id"]) if tag["name"] == req.params["tag"]]
    if not matches:
        raise core.not_found("tag %s attached to artifact %d not found" % (req.params["tag"], artifact["id"]))
    project = state.project_by_name(name)
    if core.is_immutable(state, project, short_name(project, repo), matches[0]["name"]):
        raise core.precondition("the tag %s configured as immutable, cannot be deleted" % matches[0]["name"])
    state.delete("tags", matches[0]["id"])
    touch(repo)
    return core.ok()


@core.route("GET", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts/(?P<reference>[^/]+)"
            r"/accessories", paged=True, query={"q": "string", "sort": "string"})
def list_accessories(req):
    """handler/artifact.go ListAccessories: the accessories whose subject is the artifact."""
    state = req.state
    name, repo_name = _context(req, "list", "accessory")
    keywords = core.parse_q(req.arg("q"))
    _repo, artifact = find_artifact(state, name, repo_name, req.params["reference"])
    fields = {key: (lambda record, key=key: record.get(key)) for key in
              ("id", "type", "digest", "size", "artifact_id", "subject_artifact_id", "creation_time")}
    accessories = core.apply_filters(accessories_of(state, artifact), keywords, fields)
    accessories = core.apply_sort(accessories, core.parse_sort(req.arg("sort")), fields,
                                  [("creation_time", True), ("id", True)])
    return core.paginate(req, accessories, render=accessory_to_json)
