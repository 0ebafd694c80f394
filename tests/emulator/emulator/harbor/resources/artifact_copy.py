# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Copy an artifact into a repository: ``POST .../artifacts?from=<repo>:<tag>|<repo>@<digest>``.

Harbor: src/server/v2.0/handler/artifact.go (CopyArtifact, parse), src/controller/artifact/controller.go
(copyDeeply), src/controller/tag/controller.go (Ensure).  The copy brings the
source artifact's tags and accessories along (pushed content is copied in the registry too); an accessory
(signature, SBOM: every kind Harbor knows is a hard reference) cannot be copied on its own (403 DENIED); a
tag of the destination repository that is
attached to another artifact is moved, unless it is immutable: then the
copy answers 412 and, the request being one transaction, nothing changes.
"""

from __future__ import annotations

import re

from .. import core
from .artifacts import find_artifact
from .repositories import ensure_repository, push_artifact, repository_param, short_name

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*"
REFERENCE_RE = re.compile(r"(%s(?:/%s)*)(?::([\w][\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*"
                          r":[0-9a-fA-F]{32,}))?" % (_COMPONENT, _COMPONENT))


def parse_from(text):
    """(source repository, reference) from ``from``; 400 ``invalid input`` when it is no reference."""
    found = REFERENCE_RE.fullmatch(text)
    if not found:
        raise core.bad_request("invalid input: %s" % text)
    repository, tag, digest = found.groups()
    return repository, digest or tag or ""


@core.route("POST", r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts",
            query={"from": "string"})
def copy_artifact(req):
    state = req.state
    source = req.args.get("from")
    if source is None:
        raise core.unprocessable("from in query is required")
    name = req.params["project"]
    core.require_project_access(req, name, "create", "artifact")
    project = core.get_project(state, name)
    if project.get("registry_id"):
        raise core.HarborError("METHOD_NOT_ALLOWED", "the operation isn't supported for a proxy cache project")
    source_repository, reference = parse_from(source)
    source_project, _sep, source_name = source_repository.partition("/")
    core.require_project_access(req, source_project, "read", "artifact")
    _repo, artifact = find_artifact(state, source_project, source_name, reference)
    if any(accessory["artifact_id"] == artifact["id"] for accessory in state.rows("accessories")):
        raise core.denied("the operation isn't supported for an artifact accessory")
    tags = [tag["name"] for tag in state.tags_of(artifact["id"])]
    destination_name = repository_param(req)
    destination = state.repository_by_name("%s/%s" % (name, destination_name))
    if destination is not None:
        for tag in state.rows("tags"):
            if tag["repository_id"] != destination["id"] or tag["name"] not in tags:
                continue
            moved = state.get("artifacts", tag["artifact_id"])["digest"] != artifact["digest"]
            if moved and core.is_immutable(state, project, short_name(project, destination), tag["name"]):
                raise core.precondition("the tag %s configured as immutable, cannot be updated" % tag["name"])
    destination = ensure_repository(state, project, destination_name)
    # Pushed content is really copied in the registry, so the copy is pullable from its new repository.
    from ..v2 import copy_content  # pylint: disable=import-outside-toplevel
    copy_content(state, _repo, artifact, project, destination_name)
    push_artifact(state, project, destination, {
        "digest": artifact["digest"], "size": artifact["size"], "type": artifact["type"],
        "media_type": artifact["media_type"], "tags": tags, "pull_time": None,
    })
    return core.Response(201, headers=[("Location", "%s/%s" % (req.path.rstrip("/"), reference))])
