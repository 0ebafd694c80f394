# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pushed content under Harbor's policies and APIs: immutable tags, cosign enforcement, quota,
accessories and referrers, indexes, tags, copy, labels, deletion and retention on real content."""

from __future__ import annotations

import json
import os
import time

from emulator_client import Emulator, error_of, unique
from oci_client import OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, OciClient, digest_of
from test_emulator_registry import needs_registry

pytestmark = needs_registry
BY_NAME = {"X-Is-Resource-Name": "true"}
COSIGN_LAYER = "application/vnd.dev.cosign.simplesigning.v1+json"


def push(emulator, repository, tag=None, **kwargs):
    answer, digest, body = OciClient(emulator.url, emulator.admin).push_image(repository, tag, **kwargs)
    assert answer.status_code == 201, answer.text
    return digest, body


def descriptor(digest, body):
    return {"mediaType": OCI_MANIFEST, "digest": digest, "size": len(body)}


def sign_with_tag(emulator, repository, digest):
    """cosign's legacy layout: a manifest tagged sha256-<hex>.sig with a simplesigning layer."""
    payload = json.dumps({"critical": {"image": {"docker-manifest-digest": digest}}}).encode()
    return push(emulator, repository, "%s.sig" % digest.replace(":", "-"), layer=payload,
                layer_media_type=COSIGN_LAYER)


def artifact(emulator, project, repository, reference, **params):
    response = emulator.get("/projects/%s/repositories/%s/artifacts/%s" % (
        project, repository.replace("/", "%252F"), reference), params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_immutable_tag_refuses_the_repush(emulator):
    project, _unused = emulator.create_project()
    client = OciClient(emulator.url, emulator.admin)
    push(emulator, project + "/api", "1.0")
    rule = {"action": "immutable", "template": "immutable_template",
            "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "1.*"}],
            "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches", "pattern": "**"}]}}
    assert emulator.post("/projects/%s/immutabletagrules" % project, json=rule, headers=BY_NAME).status_code == 201
    head = client.get_manifest(project + "/api", "1.0", method="HEAD")
    assert head.status_code == 412
    answer, _digest, _body = client.push_image(project + "/api", "1.0")
    assert answer.status_code == 412
    assert error_of(answer) == ("PRECONDITION", "Failed to process request due to 'api:1.0' configured as immutable.")
    # a new tag matching the rule can still be pushed once; a pull-only robot still reads the protected tag
    assert client.push_image(project + "/api", "1.1")[0].status_code == 201
    assert client.get_manifest(project + "/api", "1.0").status_code == 200
    puller = emulator.seed(robots=[{"name": unique("p"), "project": project, "secret": "Robot-Secret1"}])["robots"][0]
    head = OciClient(emulator.url, (puller["name"], "Robot-Secret1")).get_manifest(project + "/api", "1.0", "HEAD")
    assert head.status_code == 200


def test_cosign_enforcement(emulator):
    project, _unused = emulator.create_project(metadata={"enable_content_trust_cosign": "true"})
    creds = emulator.seed(robots=[{"name": unique("ci"), "project": project, "secret": "Robot-Secret1", "permissions": [
        {"kind": "project", "namespace": project, "access": [{"resource": "repository", "action": "push"},
                                                             {"resource": "repository", "action": "pull"}]}]}])
    robot = (creds["robots"][0]["name"], "Robot-Secret1")
    client = OciClient(emulator.url, robot)
    digest, _body = push(emulator, project + "/app", "1.0")
    for method in ("GET", "HEAD"):
        refused = client.get_manifest(project + "/app", "1.0", method=method)
        assert refused.status_code == 412
    assert error_of(client.get_manifest(project + "/app", digest)) == (
        "PROJECTPOLICYVIOLATION", "The image is not signed by cosign.")
    # the API still gives the digest
    assert artifact(emulator, project, "app", "1.0")["digest"] == digest
    # util.SkipPolicyChecking: cosign itself (User-Agent) with push access reads it, to sign it
    cosign = client.request("GET", "/v2/%s/app/manifests/1.0" % project, client.scope(project + "/app", "pull"),
                            headers={"User-Agent": "cosign/v3.1.3 (linux; amd64)", "Accept": OCI_MANIFEST})
    assert cosign.status_code == 200
    # basic auth is no token: no bypass; and a system administrator's token holds scanner-pull, which bypasses
    assert OciClient(emulator.url, robot, basic=True).request(
        "GET", "/v2/%s/app/manifests/1.0" % project,
        headers={"User-Agent": "cosign/v3", "Accept": OCI_MANIFEST}).status_code == 412
    assert OciClient(emulator.url, emulator.admin).get_manifest(project + "/app", "1.0").status_code == 200
    assert OciClient(emulator.url, emulator.admin, basic=True).get_manifest(project + "/app", "1.0").status_code == 412
    signature, _unused = sign_with_tag(emulator, project + "/app", digest)
    assert client.get_manifest(project + "/app", "1.0").status_code == 200
    # signatures themselves are readable, and are no artifacts of their own in the listing
    assert client.get_manifest(project + "/app", signature).status_code == 200
    listed = emulator.get("/projects/%s/repositories/app/artifacts" % project).json()
    assert [item["digest"] for item in listed] == [digest]
    accessories = listed[0]["accessories"]
    assert [(acc["type"], acc["digest"], acc["subject_artifact_digest"]) for acc in accessories] == [
        ("signature.cosign", signature, digest)]
    assert emulator.get("/projects/%s/repositories/app" % project).json()["artifact_count"] == 1
    assert "accessories" not in emulator.get("/projects/%s/repositories/app/artifacts" % project,
                                             params={"with_accessory": "false"}).json()[0]


def test_referrers_become_accessories(emulator):
    project, _unused = emulator.create_project(metadata={"enable_content_trust_cosign": "true"})
    repository = project + "/svc"
    client = OciClient(emulator.url, emulator.admin)
    digest, body = push(emulator, repository, "1.0")
    subject = descriptor(digest, body)
    bundle, _unused = push(emulator, repository, config_media_type=OCI_EMPTY, subject=subject,
                           artifact_type="application/vnd.dev.sigstore.bundle.v0.3+json")
    sbom, _unused = push(emulator, repository, config_media_type=OCI_EMPTY, subject=subject,
                         artifact_type="application/vnd.goharbor.harbor.sbom.v1")
    # an SBOM is no signature: under cosign enforcement it is not readable on its own
    sbom_read = OciClient(emulator.url, emulator.admin, basic=True).get_manifest(repository, sbom)
    assert sbom_read.status_code == 412
    other_answer, other, _unused = client.push_image(repository, config_media_type=OCI_EMPTY, subject=subject,
                                                     artifact_type="application/spdx+json")
    assert other_answer.headers["OCI-Subject"] == digest
    accessories = emulator.get("/projects/%s/repositories/svc/artifacts/1.0/accessories" % project).json()
    assert sorted((acc["type"], acc["digest"]) for acc in accessories) == sorted([
        ("signature.cosign", bundle), ("harbor.sbom", sbom), ("subject.accessory", other)])
    assert all(acc["subject_artifact_repo"] == repository for acc in accessories)
    only = emulator.get("/projects/%s/repositories/svc/artifacts/1.0/accessories" % project,
                        params={"q": "type=harbor.sbom"}).json()
    assert [acc["digest"] for acc in only] == [sbom]
    # the bundle signs it: pullable with cosign enforced
    assert client.get_manifest(repository, "1.0").status_code == 200
    referrers = client.request("GET", "/v2/%s/referrers/%s" % (repository, digest), client.scope(repository, "pull"))
    assert referrers.status_code == 200
    assert sorted(item["digest"] for item in referrers.json()["manifests"]) == sorted([bundle, sbom, other])
    filtered = client.request("GET", "/v2/%s/referrers/%s?artifactType=application/spdx%%2Bjson" % (
        repository, digest), client.scope(repository, "pull")).json()["manifests"]
    assert [(item["digest"], item["artifactType"]) for item in filtered] == [(other, "application/spdx+json")]
    # deleting the subject deletes its accessories
    assert emulator.delete("/projects/%s/repositories/svc/artifacts/%s" % (project, digest)).status_code == 200
    assert emulator.get("/projects/%s/repositories/svc/artifacts" % project, params={"q": "base=*"}).json() == []


def test_index_references_and_types(emulator):
    project, _unused = emulator.create_project()
    repository = project + "/multi"
    client = OciClient(emulator.url, emulator.admin)
    amd, amd_body = push(emulator, repository)
    arm, arm_body = push(emulator, repository)
    answer, index = client.push_index(repository, "1.0", [
        (amd, amd_body, {"architecture": "amd64", "os": "linux"}), (arm, arm_body, {"architecture": "arm64", "os": "linux"})])
    assert answer.status_code == 201, answer.text
    listed = emulator.get("/projects/%s/repositories/multi/artifacts" % project).json()
    assert [item["digest"] for item in listed] == [index]  # untagged children are hidden
    top = listed[0]
    assert (top["type"], top["media_type"], top["manifest_media_type"]) == ("IMAGE", OCI_INDEX, OCI_INDEX)
    assert [(ref["child_digest"], ref["platform"]["architecture"]) for ref in top["references"]] == [
        (amd, "amd64"), (arm, "arm64")]
    children = [artifact(emulator, project, "multi", digest) for digest in (amd, arm)]
    assert top["size"] == len(json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_MANIFEST, "digest": amd, "size": len(amd_body), "platform": {"architecture": "amd64", "os": "linux"}},
        {"mediaType": OCI_MANIFEST, "digest": arm, "size": len(arm_body), "platform": {"architecture": "arm64", "os": "linux"}}
    ]}).encode()) + sum(child["size"] for child in children)
    everything = emulator.get("/projects/%s/repositories/multi/artifacts" % project, params={"q": "base=*"}).json()
    assert len(everything) == 3
    assert emulator.get("/projects/%s/repositories/multi" % project).json()["artifact_count"] == 1
    # a Helm chart and an unknown artifact type
    chart, _unused = push(emulator, project + "/charts/demo", "0.1.0",
                          config_media_type="application/vnd.cncf.helm.config.v1+json",
                          layer_media_type="application/vnd.cncf.helm.chart.content.v1.tar+gzip")
    got = artifact(emulator, project, "charts/demo", chart)
    assert (got["type"], got["media_type"]) == ("CHART", "application/vnd.cncf.helm.config.v1+json")
    odd, _unused = push(emulator, project + "/odd", "1", config_media_type=OCI_EMPTY, artifact_type="application/x-thing")
    assert artifact(emulator, project, "odd", odd)["type"] == "UNKNOWN"


def test_quota_denies_the_upload(emulator):
    project, pid = emulator.create_project(storage_limit=1000)
    client = OciClient(emulator.url, emulator.admin)
    small, small_body = push(emulator, project + "/q", "small", layer=os.urandom(100))
    quota = emulator.get("/quotas?reference_id=%d" % pid).json()[0]
    used = quota["used"]["storage"]
    assert used == artifact(emulator, project, "q", small)["size"]
    refused = client.push_blob(project + "/q", os.urandom(1500))
    assert refused.status_code == 403
    code, message = error_of(refused)
    assert code == "DENIED"
    assert message == ("adding 1.5 KiB of storage resource, which when updated to current usage of %d B will exceed "
                       "the configured upper limit of 1000 B." % used)
    # once over the limit (raised, filled, lowered), the upload POST itself is refused
    quota_id = quota["id"]
    assert emulator.put("/quotas/%d" % quota_id, json={"hard": {"storage": 100000}}).status_code == 200
    push(emulator, project + "/q", "big", layer=os.urandom(2000))
    assert emulator.put("/quotas/%d" % quota_id, json={"hard": {"storage": 1000}}).status_code == 200
    started = client.request("POST", "/v2/%s/q/blobs/uploads/" % project, client.scope(project + "/q"))
    assert started.status_code == 403
    assert error_of(started)[1].endswith("will exceed the configured upper limit of 1000 B.")
    del small_body


def test_tags_api_on_pushed_content(emulator):
    project, _unused = emulator.create_project()
    client = OciClient(emulator.url, emulator.admin)
    digest, _unused = push(emulator, project + "/t", "1.0")
    path = "/projects/%s/repositories/t/artifacts/%s/tags" % (project, digest)
    assert emulator.post(path, json={"name": "stable"}).status_code == 201
    again = emulator.post(path, json={"name": "stable"})
    assert again.status_code == 409 and error_of(again)[0] == "CONFLICT"
    assert client.get_manifest(project + "/t", "stable").status_code == 200
    assert emulator.delete(path + "/1.0").status_code == 200
    gone = client.get_manifest(project + "/t", "1.0")
    assert gone.status_code == 404
    listed = client.request("GET", "/v2/%s/t/tags/list" % project, client.scope(project + "/t", "pull")).json()
    assert listed["tags"] == ["stable"]


def test_copy_really_copies(emulator):
    source, _unused = emulator.create_project()
    target, _unused = emulator.create_project()
    digest, body = push(emulator, source + "/app", "1.0")
    signature, _unused = sign_with_tag(emulator, source + "/app", digest)
    copied = emulator.post("/projects/%s/repositories/app/artifacts" % target,
                           params={"from": "%s/app@%s" % (source, digest)})
    assert copied.status_code == 201, copied.text
    got = artifact(emulator, target, "app", "1.0")
    assert got["digest"] == digest
    assert [(acc["type"], acc["digest"]) for acc in got["accessories"]] == [("signature.cosign", signature)]
    client = OciClient(emulator.url, emulator.admin)
    pulled = client.get_manifest(target + "/app", "1.0")
    assert pulled.status_code == 200 and pulled.content == body
    layer = json.loads(body)["layers"][0]["digest"]
    assert client.get_blob(target + "/app", layer).status_code == 200
    by_tag = emulator.post("/projects/%s/repositories/again/artifacts" % target, params={"from": "%s/app:1.0" % source})
    assert by_tag.status_code == 201
    assert client.get_manifest(target + "/again", "1.0").status_code == 200


def test_copy_brings_signatures_and_sboms_and_refuses_what_harbor_refuses(emulator):
    source, _unused = emulator.create_project()
    target, _unused = emulator.create_project()
    digest, body = push(emulator, source + "/team/api", "2.3.4")
    signature, _unused = sign_with_tag(emulator, source + "/team/api", digest)
    sbom, _unused = push(emulator, source + "/team/api", config_media_type=OCI_EMPTY,
                         subject=descriptor(digest, body), artifact_type="application/vnd.goharbor.harbor.sbom.v1")
    copies = "/projects/%s/repositories/team%%252Fapi/artifacts" % target
    copied = emulator.post(copies, params={"from": "%s/team/api:2.3.4" % source})
    assert copied.status_code == 201, copied.text
    got = artifact(emulator, target, "team/api", digest)
    assert [tag["name"] for tag in got["tags"]] == ["2.3.4"]
    assert sorted((acc["type"], acc["digest"]) for acc in got["accessories"]) == sorted([
        ("signature.cosign", signature), ("harbor.sbom", sbom)])
    assert all(acc["subject_artifact_repo"] == target + "/team/api" for acc in got["accessories"])
    # the SBOM is served from its new repository too
    assert OciClient(emulator.url, emulator.admin).get_manifest(target + "/team/api", sbom).status_code == 200
    # an accessory is not copied on its own (handler CopyArtifact: hard references)
    refused = emulator.post(copies, params={"from": "%s/team/api@%s" % (source, sbom)})
    assert refused.status_code == 403
    assert error_of(refused) == ("DENIED", "the operation isn't supported for an artifact accessory")
    missing_source = emulator.post(copies, params={"from": "%s/team/api:9.9.9" % source})
    assert missing_source.status_code == 404
    missing_target = emulator.post("/projects/%s/repositories/api/artifacts" % unique("nowhere"),
                                   params={"from": "%s/team/api:2.3.4" % source})
    assert missing_target.status_code == 404
    # copying what is there already only ensures the tags
    assert emulator.post(copies, params={"from": "%s/team/api@%s" % (source, digest)}).status_code == 201
    listed = emulator.get(copies).json()
    assert [item["digest"] for item in listed] == [digest]


def test_labels_on_artifacts(emulator):
    project, pid = emulator.create_project()
    digest, _unused = push(emulator, project + "/l", "1")
    created = emulator.post("/labels", json={"name": unique("lbl"), "scope": "p", "project_id": pid})
    assert created.status_code == 201
    label_id = int(created.headers["Location"].rsplit("/", 1)[1])
    path = "/projects/%s/repositories/l/artifacts/%s/labels" % (project, digest)
    assert emulator.post(path, json={"id": label_id}).status_code == 200
    twice = emulator.post(path, json={"id": label_id})
    assert twice.status_code == 409
    assert error_of(twice)[1] == "label %d is already added to the artifact %d" % (label_id, artifact(
        emulator, project, "l", digest)["id"])
    assert [lbl["id"] for lbl in artifact(emulator, project, "l", digest, with_label="true")["labels"]] == [label_id]
    assert "labels" not in artifact(emulator, project, "l", digest)
    assert emulator.delete(path + "/%d" % label_id).status_code == 200
    assert emulator.delete(path + "/%d" % label_id).status_code == 404


def test_deletion_removes_registry_content(tmp_path):
    """With --state-file the registry storage sits next to the state, where the revisions can be seen."""
    state = tmp_path / "state.json"
    instance = Emulator(["--state-file", str(state)])
    try:
        project, _unused = instance.create_project()
        client = OciClient(instance.url, instance.admin)

        def revision(repository, digest):
            return tmp_path / "state.json.registry" / "docker" / "registry" / "v2" / "repositories" / project / \
                repository / "_manifests" / "revisions" / "sha256" / digest.split(":")[1] / "link"

        digest, _unused = push(instance, project + "/d", "1")
        assert revision("d", digest).exists()
        assert instance.delete("/projects/%s/repositories/d/artifacts/1" % project).status_code == 200
        assert not revision("d", digest).exists()
        assert client.get_manifest(project + "/d", digest).status_code == 404
        other, _unused = push(instance, project + "/e", "1")
        assert instance.delete("/projects/%s/repositories/e" % project).status_code == 200
        assert not revision("e", other).exists()
        # the collection's force deletion: repositories first, then the project
        assert instance.delete("/projects/%s/repositories/d" % project).status_code == 200
        assert instance.delete("/projects/%s" % project).status_code == 200
    finally:
        assert instance.stop() == 0


def test_retention_deletes_real_tags(emulator):
    project, pid = emulator.create_project()
    client = OciClient(emulator.url, emulator.admin)
    for tag in ("1", "2", "3"):
        push(emulator, project + "/r", tag)
        time.sleep(0.01)
    body = {"algorithm": "or", "trigger": {"kind": "Schedule", "settings": {"cron": ""}},
            "scope": {"level": "project", "ref": pid},
            "rules": [{"action": "retain", "template": "latestPushedK", "params": {"latestPushedK": 1},
                       "tag_selectors": [{"kind": "doublestar", "decoration": "matches", "pattern": "**"}],
                       "scope_selectors": {"repository": [{"kind": "doublestar", "decoration": "repoMatches",
                                                           "pattern": "**"}]}}]}
    created = emulator.post("/retentions", json=body)
    assert created.status_code == 201, created.text
    ident = int(created.headers["Location"].rsplit("/", 1)[1])
    assert emulator.post("/retentions/%d/executions" % ident, json={"dry_run": False}).status_code == 201
    for _attempt in range(50):
        if client.get_manifest(project + "/r", "1").status_code == 404:
            break
        time.sleep(0.1)
    assert client.get_manifest(project + "/r", "1").status_code == 404
    assert client.get_manifest(project + "/r", "2").status_code == 404
    assert client.get_manifest(project + "/r", "3").status_code == 200


def test_seeded_artifacts_are_real_pushes(emulator):
    project, _unused = emulator.create_project()
    created = emulator.seed(repositories=[{"project": project, "name": "seeded",
                                           "artifacts": [{"tags": ["1.0"], "size": 2048}]}])
    digest = created["repositories"][0]["artifacts"][0]["digest"]
    pulled = OciClient(emulator.url, emulator.admin).get_manifest(project + "/seeded", "1.0")
    assert pulled.status_code == 200
    assert digest_of(pulled.content) == digest
    # a seeded digest cannot be forged: that artifact stays API-only
    fake = "sha256:" + "ab" * 32
    emulator.seed(repositories=[{"project": project, "name": "fake", "artifacts": [{"digest": fake, "tags": ["x"]}]}])
    assert artifact(emulator, project, "fake", "x")["digest"] == fake


def test_v2_manifest_delete_is_by_digest(emulator):
    project, _unused = emulator.create_project()
    client = OciClient(emulator.url, emulator.admin)
    digest, _unused = push(emulator, project + "/del", "1")
    scope = client.scope(project + "/del", "delete")
    by_tag = client.request("DELETE", "/v2/%s/del/manifests/1" % project, scope)
    assert by_tag.status_code == 400
    assert error_of(by_tag) == ("UNSUPPORTED", "unsupported digest 1: invalid checksum digest format")
    assert client.request("DELETE", "/v2/%s/del/manifests/%s" % (project, digest), scope).status_code == 202
    assert emulator.get("/projects/%s/repositories/del/artifacts" % project).json() == []
    assert client.get_manifest(project + "/del", digest).status_code == 404


def test_read_only_mode_denies_pushes(fresh_emulator):
    project, _unused = fresh_emulator.create_project()
    digest, _unused = push(fresh_emulator, project + "/ro", "1")
    assert fresh_emulator.put("/configurations", json={"read_only": True}).status_code == 200
    client = OciClient(fresh_emulator.url, fresh_emulator.admin)
    refused = client.push_blob(project + "/ro", b"data")
    assert refused.status_code == 403
    assert error_of(refused) == ("DENIED", "The system is in read only mode. Any modification is prohibited.")
    assert client.get_manifest(project + "/ro", digest).status_code == 200


def test_copy_of_an_index_brings_its_children(emulator):
    source, _pid = emulator.create_project()
    target, _pid = emulator.create_project()
    client = OciClient(emulator.url, emulator.admin)
    amd, amd_body = push(emulator, source + "/multi")
    answer, index = client.push_index(source + "/multi", "2.0", [(amd, amd_body, {"architecture": "amd64", "os": "linux"})])
    assert answer.status_code == 201
    copied = emulator.post("/projects/%s/repositories/multi/artifacts" % target, params={"from": "%s/multi:2.0" % source})
    assert copied.status_code == 201, copied.text
    got = artifact(emulator, target, "multi", "2.0")
    assert got["digest"] == index and [ref["child_digest"] for ref in got["references"]] == [amd]
    assert client.get_manifest(target + "/multi", "2.0").status_code == 200
    assert client.get_manifest(target + "/multi", amd).content == amd_body
