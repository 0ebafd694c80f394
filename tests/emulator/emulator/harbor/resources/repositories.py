# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Repositories, plus the "push" helpers used by ``POST /_emulator/seed``.

Harbor: src/server/v2.0/handler/repository.go, src/controller/repository/controller.go,
src/pkg/repository/manager.go.  ``{repository_name}`` is the name without the
project prefix and, when it contains ``/``, is URL-encoded twice
(``a/b`` -> ``a%252Fb``): the router decodes once, the handler once more.
"""

from __future__ import annotations

import hashlib
import secrets

from .. import core
from ..state import ZERO_TIME

MEDIA_TYPE = "application/vnd.oci.image.config.v1+json"
MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"

REPOSITORY_FIELDS = {
    "repository_id": lambda r: r["id"], "id": lambda r: r["id"], "name": lambda r: r["name"],
    "project_id": lambda r: r["project_id"], "pull_count": lambda r: r.get("pull_count", 0),
    "description": lambda r: r.get("description", ""),
    "creation_time": lambda r: r["creation_time"], "update_time": lambda r: r["update_time"],
}
REPOSITORY_DEFAULT_SORT = [("creation_time", True), ("repository_id", True)]


def repository_param(req):
    """The second URL-unescape of ``{repository_name}`` (unescapePathParams)."""
    raw = req.params["repository"]
    try:
        return core.go_unescape(raw, plus_is_space=False)
    except ValueError:
        return raw


def visible_artifacts(state, artifacts, with_children=False):
    """What artifact listings and ``artifact_count`` show (dao.go querySetter): never accessories, and
    the untagged children of an index only with ``with_children`` (``q=base=*``)."""
    accessory_ids = {acc["artifact_id"] for acc in state.table("accessories").values()}
    children = {ref["child_id"] for art in state.table("artifacts").values() for ref in art.get("references") or []}
    tagged = {tag["artifact_id"] for tag in state.table("tags").values()}
    result = [art for art in artifacts if art["id"] not in accessory_ids]
    if not with_children:
        result = [art for art in result if art["id"] in tagged or art["id"] not in children]
    return result


def repository_to_json(state, repo):
    body = {
        "id": repo["id"], "project_id": repo["project_id"], "name": repo["name"],
        "artifact_count": len(visible_artifacts(state, state.artifacts_of(repo["id"]))), "pull_count": repo.get("pull_count", 0),
        "creation_time": repo["creation_time"], "update_time": repo["update_time"],
    }
    if repo.get("description"):
        body["description"] = repo["description"]
    return body


def short_name(project, repo):
    """Repository name without the ``<project>/`` prefix (what immutable rules match)."""
    return repo["name"][len(project["name"]) + 1:]


def get_repository(state, full_name):
    repo = state.repository_by_name(full_name)
    if repo is None:
        raise core.not_found("repository %s not found" % full_name)
    return repo


def touch(repo):
    repo["update_time"] = core.now_iso()


def check_tags_deletable(state, project, repo, artifact):
    """tag controller Delete: an immutable tag blocks the deletion (412)."""
    for tag in state.tags_of(artifact["id"]):
        if core.is_immutable(state, project, short_name(project, repo), tag["name"]):
            raise core.precondition("the tag %s configured as immutable, cannot be deleted" % tag["name"])


def delete_artifact(state, project, repo, artifact):
    check_tags_deletable(state, project, repo, artifact)
    drop_artifact(state, project, repo, artifact)


def drop_artifact(state, project, repo, artifact, root=True):
    """Remove an artifact with its tags and its accessories (Harbor deletes those with their subject),
    and tell the hooks (the real registry deletes the manifest).  Like Harbor's deleteDeeply, only the
    artifact asked for (``root``) announces a DELETE_ARTIFACT event, with its first tag."""
    tags = [tag["name"] for tag in state.tags_of(artifact["id"])]
    accessories = [acc for acc in state.rows("accessories") if acc["subject_artifact_id"] == artifact["id"]]
    for accessory in accessories:
        child = state.get("artifacts", accessory["artifact_id"])
        if child is not None and child["id"] != artifact["id"]:
            drop_artifact(state, project, repo, child, root=False)
    state.delete_where("accessories", lambda acc: artifact["id"] in (acc["artifact_id"], acc["subject_artifact_id"]))
    state.delete_where("tags", lambda tag: tag["artifact_id"] == artifact["id"])
    existed = state.delete("artifacts", artifact["id"]) is not None
    for hook in core.ARTIFACT_DELETE_HOOKS:
        hook(state, project, repo, artifact)
    if root and existed:
        core.publish_event(state, "DELETE_ARTIFACT", project["project_id"], repository=repo["name"],
                           digest=artifact["digest"], tag=tags[0] if tags else None)
    touch(repo)


# -- "push" helpers (seed) ----------------------------------------------------

def ensure_repository(state, project, name):
    full_name = "%s/%s" % (project["name"], name)
    repo = state.repository_by_name(full_name)
    if repo is None:
        stamp = core.now_iso()
        repo = {"project_id": project["project_id"], "name": full_name, "description": "", "pull_count": 0,
                "creation_time": stamp, "update_time": stamp}
        state.insert("repositories", repo)
    return repo


def push_artifact(state, project, repo, spec):
    """Create (or find by digest) an artifact and attach tags, like a registry push."""
    digest = spec.get("digest") or "sha256:" + hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    push_time = spec.get("push_time") or core.now_iso()
    artifact = None
    for candidate in state.artifacts_of(repo["id"]):
        if candidate["digest"] == digest:
            artifact = candidate
    if artifact is None:
        artifact = {
            "repository_id": repo["id"], "project_id": project["project_id"], "digest": digest,
            "size": int(spec.get("size") or 0), "type": spec.get("type") or "IMAGE",
            "media_type": spec.get("media_type") or MEDIA_TYPE,
            "manifest_media_type": spec.get("manifest_media_type") or MANIFEST_MEDIA_TYPE,
            "push_time": push_time, "pull_time": spec.get("pull_time") or ZERO_TIME,
        }
        state.insert("artifacts", artifact)
    for tag_name in spec.get("tags") or []:
        existing = [tag for tag in state.rows("tags") if tag["repository_id"] == repo["id"] and tag["name"] == tag_name]
        if existing:
            tag = existing[0]
            if tag["artifact_id"] != artifact["id"]:
                # tag controller Ensure: re-pointing an immutable tag is refused.
                if core.is_immutable(state, project, short_name(project, repo), tag_name):
                    raise core.precondition("the tag %s configured as immutable, cannot be updated" % tag_name)
                tag["artifact_id"] = artifact["id"]
                tag["push_time"] = push_time
            continue
        state.insert("tags", {"repository_id": repo["id"], "artifact_id": artifact["id"], "name": tag_name,
                              "push_time": push_time, "pull_time": spec.get("pull_time") or ZERO_TIME})
    touch(repo)
    return artifact


@core.seed_handler("repositories", order=60)
def seed_repositories(emulator, items):
    state = emulator.state
    created = []
    for item in items:
        project = state.project_by_name(item.get("project") or "")
        if project is None:
            raise core.not_found("project %s not found" % item.get("project"))
        if not item.get("name"):
            raise core.bad_request("repository name required")
        repo = ensure_repository(state, project, item["name"])
        artifacts = []
        for spec in item.get("artifacts") or []:
            if not spec.get("digest"):
                # where the registry runs, a seeded artifact is a real push (pullable, copyable)
                from ..v2 import seed_push  # pylint: disable=import-outside-toplevel
                pushed = seed_push(state, project, repo, spec)
                if pushed is not None:
                    spec = dict(spec, digest=pushed["digest"])
            artifact = push_artifact(state, project, repo, spec)
            artifacts.append({"id": artifact["id"], "digest": artifact["digest"],
                              "tags": [tag["name"] for tag in state.tags_of(artifact["id"])]})
        created.append({"id": repo["id"], "name": repo["name"], "artifacts": artifacts})
    return created


# -- endpoints ----------------------------------------------------------------

@core.route("GET", r"/repositories", paged=True, query={"q": "string", "sort": "string"})
def list_all_repositories(req):
    state = req.state
    keywords = core.parse_q(req.arg("q"))
    repos = state.rows("repositories")
    if not req.security.is_sysadmin():
        visible = req.security.listable_project_ids(state, True)
        if visible is not None:
            repos = [repo for repo in repos if repo["project_id"] in visible]
    repos = core.apply_filters(repos, keywords, REPOSITORY_FIELDS)
    repos = core.apply_sort(repos, core.parse_sort(req.arg("sort")), REPOSITORY_FIELDS, REPOSITORY_DEFAULT_SORT)
    return core.paginate(req, repos, render=lambda repo: repository_to_json(state, repo))


@core.route("GET", r"/projects/(?P<project>[^/]+)/repositories", paged=True, query={"q": "string", "sort": "string"})
def list_repositories(req):
    state = req.state
    name = req.params["project"]
    core.require_project_access(req, name, "list", "repository")
    project = core.get_project(state, name)
    keywords = core.parse_q(req.arg("q"))
    repos = core.apply_filters(state.repositories_of(project["project_id"]), keywords, REPOSITORY_FIELDS)
    repos = core.apply_sort(repos, core.parse_sort(req.arg("sort")), REPOSITORY_FIELDS, REPOSITORY_DEFAULT_SORT)
    return core.paginate(req, repos, render=lambda repo: repository_to_json(state, repo))


@core.route("GET", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)")
def read_repository(req):
    name = req.params["project"]
    core.require_project_access(req, name, "read", "repository")
    repo = get_repository(req.state, "%s/%s" % (name, repository_param(req)))
    return core.as_json(repository_to_json(req.state, repo))


@core.route("PUT", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)",
            body={"type": "object", "properties": {"description": {"type": "string"}}}, body_name="repository")
def update_repository(req):
    name = req.params["project"]
    core.require_project_access(req, name, "update", "repository")
    repo = get_repository(req.state, "%s/%s" % (name, repository_param(req)))
    repo["description"] = (req.body or {}).get("description") or ""
    touch(repo)
    return core.ok()


@core.route("DELETE", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)")
def delete_repository(req):
    state = req.state
    name = req.params["project"]
    core.require_project_access(req, name, "delete", "repository")
    repo = get_repository(state, "%s/%s" % (name, repository_param(req)))
    project = state.get("projects", repo["project_id"])
    artifacts = state.artifacts_of(repo["id"])
    for artifact in artifacts:
        check_tags_deletable(state, project, repo, artifact)
    for artifact in artifacts:
        delete_artifact(state, project, repo, artifact)
    state.delete("repositories", repo["id"])
    return core.ok()
