# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""apps/v1 Deployments in the Kubernetes API emulator: discovery, defaults, validation, and the patches of a rollout
by image (strategic merge by container name, JSON merge patch, JSON patch) with generation and resourceVersion."""

from __future__ import annotations

import json

import pytest

from emulator_client import unique

DEPLOYMENTS = "/apis/apps/v1/namespaces/%s/deployments"
SMP = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"


@pytest.fixture(autouse=True)
def clean_controls(emulator):
    for control in ("/_emulator/faults", "/_emulator/interleave", "/_emulator/requests"):
        emulator.kube("DELETE", control, token=None)


def namespace(emulator):
    name = unique("ns")
    assert emulator.kube("POST", "/api/v1/namespaces", json={"metadata": {"name": name}}).status_code == 201
    return name


def deployment(name, *containers):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": container, "image": image}
                                                          for container, image in containers]}}}}


def create(emulator, ns, body):
    response = emulator.kube("POST", DEPLOYMENTS % ns, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def patch(emulator, path, body, content_type):
    return emulator.kube("PATCH", path, data=json.dumps(body), headers={"Content-Type": content_type})


def images(obj):
    return [(container["name"], container["image"]) for container in obj["spec"]["template"]["spec"]["containers"]]


def test_discovery_serves_the_apps_group(emulator):
    groups = emulator.kube("GET", "/apis").json()
    assert groups["kind"] == "APIGroupList"
    assert groups["groups"] == [{"name": "apps", "versions": [{"groupVersion": "apps/v1", "version": "v1"}],
                                 "preferredVersion": {"groupVersion": "apps/v1", "version": "v1"}}]
    assert emulator.kube("GET", "/apis/apps").json()["kind"] == "APIGroup"
    resources = emulator.kube("GET", "/apis/apps/v1").json()
    assert resources["groupVersion"] == "apps/v1"
    assert [(entry["name"], entry["kind"], entry["shortNames"]) for entry in resources["resources"]] == [
        ("deployments", "Deployment", ["deploy"])]
    # the core group does not serve them, nor does an unknown group
    assert emulator.kube("GET", "/api/v1/namespaces/default/deployments").status_code == 404
    assert emulator.kube("GET", "/apis/batch/v1/namespaces/default/jobs").status_code == 404


def test_create_fills_in_the_defaults_and_generation(emulator):
    ns = namespace(emulator)
    created = create(emulator, ns, deployment("web", ("app", "h.example.com/p/web:1.0"), ("side", "busybox")))
    assert created["apiVersion"] == "apps/v1" and created["kind"] == "Deployment"
    assert created["metadata"]["generation"] == 1 and created["metadata"]["namespace"] == ns
    assert created["spec"]["replicas"] == 1 and created["spec"]["strategy"]["type"] == "RollingUpdate"
    pod = created["spec"]["template"]["spec"]
    assert pod["restartPolicy"] == "Always" and pod["dnsPolicy"] == "ClusterFirst"
    assert [container["imagePullPolicy"] for container in pod["containers"]] == ["IfNotPresent", "Always"]
    # structs Go's encoder writes even when empty, as kube-apiserver answers (tests/kube/test_differential.py)
    assert [container["resources"] for container in pod["containers"]] == [{}, {}]
    assert created["status"] == {}
    fetched = emulator.kube("GET", DEPLOYMENTS % ns + "/web").json()
    assert fetched == created
    listed = emulator.kube("GET", DEPLOYMENTS % ns).json()
    assert listed["kind"] == "DeploymentList" and listed["apiVersion"] == "apps/v1"
    assert [item["metadata"]["name"] for item in listed["items"]] == ["web"]


def test_missing_and_duplicate_deployments_name_the_group(emulator):
    ns = namespace(emulator)
    missing = emulator.kube("GET", DEPLOYMENTS % ns + "/nope")
    assert missing.status_code == 404 and missing.json()["message"] == 'deployments.apps "nope" not found'
    # the details split the group resource, as StatusDetails does
    assert missing.json()["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}
    created = create(emulator, ns, deployment("web", ("app", "nginx:1")))
    again = emulator.kube("POST", DEPLOYMENTS % ns, json=deployment("web", ("app", "nginx:1")))
    assert again.status_code == 409 and again.json()["message"] == 'deployments.apps "web" already exists'
    assert again.json()["details"] == {"name": "web", "group": "apps", "kind": "deployments"}
    denied = emulator.kube("GET", DEPLOYMENTS % "kube-system" + "/x", token="emulator-restricted")
    assert denied.status_code == 403
    assert denied.json()["message"] == ('deployments.apps "x" is forbidden: User "emulator-restricted" cannot get '
                                        'resource "deployments" in API group "apps" in the namespace "kube-system"')
    assert denied.json()["details"] == {"name": "x", "group": "apps", "kind": "deployments"}
    deleted = emulator.kube("DELETE", DEPLOYMENTS % ns + "/web").json()
    assert (deleted["kind"], deleted["status"]) == ("Status", "Success")
    assert deleted["details"] == {"name": "web", "group": "apps", "kind": "deployments",
                                  "uid": created["metadata"]["uid"]}


@pytest.mark.parametrize("change, field", [
    (lambda body: body["spec"].pop("selector"), "spec.selector: Required value"),
    (lambda body: body["spec"]["template"]["metadata"].update(labels={"app": "other"}),
     'spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`'),
    (lambda body: body["spec"]["template"]["spec"].update(containers=[]), "spec.template.spec.containers: Required value"),
    (lambda body: body["spec"]["template"]["spec"]["containers"][0].pop("image"),
     "spec.template.spec.containers[0].image: Required value"),
    (lambda body: body.update(apiVersion="v1"), "does not match the expected API version (apps/v1)"),
])
def test_validation(emulator, change, field):
    body = deployment("bad", ("app", "nginx:1"))
    change(body)
    response = emulator.kube("POST", DEPLOYMENTS % namespace(emulator), json=body)
    assert response.status_code in (400, 422), response.text
    assert field in response.json()["message"]


MISMATCH = "`selector` does not match template `labels`"


@pytest.mark.parametrize("selector, labels, message", [
    # no selector matches nothing: the template is reported too, its labels printed as JSON (null when none)
    (None, {"app": "bad"}, '[spec.selector: Required value, spec.template.metadata.labels: Invalid value: '
                           '{"app":"bad"}: %s]' % MISMATCH),
    (None, None, "[spec.selector: Required value, spec.template.metadata.labels: Invalid value: null: %s]" % MISMATCH),
    # an empty selector matches everything, and is refused on its own
    ({}, {"app": "bad"}, "spec.selector: Invalid value: {}: empty selector is invalid for deployment"),
    # expressions count as well as matchLabels
    ({"matchLabels": {"app": "bad"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]},
     {"app": "bad"}, 'spec.template.metadata.labels: Invalid value: {"app":"bad"}: %s' % MISMATCH),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, {"app": "bad", "tier": "front"},
     'spec.template.metadata.labels: Invalid value: {"app":"bad","tier":"front"}: %s' % MISMATCH),
])
def test_selector_validation_as_kube_apiserver_words_it(emulator, selector, labels, message):
    body = deployment("bad", ("app", "nginx:1"))
    body["spec"]["selector"] = selector
    body["spec"]["template"]["metadata"] = {"labels": labels} if labels else {}
    response = emulator.kube("POST", DEPLOYMENTS % namespace(emulator), json=body)
    assert response.status_code == 422, response.text
    status = response.json()
    # the kind is qualified by its group in the message and split in the details, as NewInvalid's GroupKind
    assert status["message"] == 'Deployment.apps "bad" is invalid: ' + message
    assert (status["details"]["group"], status["details"]["kind"]) == ("apps", "Deployment")


def test_a_selector_of_expressions_the_template_matches_is_accepted(emulator):
    body = deployment("exprs", ("app", "nginx:1"))
    body["spec"]["selector"] = {"matchExpressions": [{"key": "app", "operator": "In", "values": ["exprs", "x"]},
                                                     {"key": "tier", "operator": "DoesNotExist"}]}
    created = create(emulator, namespace(emulator), body)
    assert created["spec"]["selector"] == body["spec"]["selector"]


def test_strategic_merge_patch_sets_one_containers_image_by_name(emulator):
    ns = namespace(emulator)
    created = create(emulator, ns, deployment("api", ("api", "h/p/api:1"), ("proxy", "envoy:1")))
    path = DEPLOYMENTS % ns + "/api"
    patched = patch(emulator, path, {"spec": {"template": {"spec": {"containers": [
        {"name": "api", "image": "h/prod/api@sha256:" + "a" * 64}]}}}}, SMP)
    assert patched.status_code == 200, patched.text
    body = patched.json()
    # merged by name: the other container is kept, in place
    assert images(body) == [("api", "h/prod/api@sha256:" + "a" * 64), ("proxy", "envoy:1")]
    assert body["metadata"]["generation"] == 2
    assert body["metadata"]["resourceVersion"] != created["metadata"]["resourceVersion"]
    # the same patch again changes nothing: same generation and resourceVersion
    again = patch(emulator, path, {"spec": {"template": {"spec": {"containers": [
        {"name": "api", "image": "h/prod/api@sha256:" + "a" * 64}]}}}}, SMP).json()
    assert again["metadata"]["resourceVersion"] == body["metadata"]["resourceVersion"]
    assert again["metadata"]["generation"] == 2
    # a merge patch replaces the list whole, as RFC 7386 says: the proxy container is gone
    merged = patch(emulator, path, {"spec": {"template": {"spec": {"containers": [
        {"name": "api", "image": "h/p/api:2"}]}}}}, MERGE).json()
    assert images(merged) == [("api", "h/p/api:2")]
    assert merged["metadata"]["generation"] == 3


def test_a_patch_carrying_an_old_resource_version_conflicts(emulator):
    ns = namespace(emulator)
    created = create(emulator, ns, deployment("api", ("api", "h/p/api:1")))
    path = DEPLOYMENTS % ns + "/api"
    assert patch(emulator, path, {"metadata": {"labels": {"touched": "yes"}}}, SMP).status_code == 200
    stale = patch(emulator, path, {"metadata": {"resourceVersion": created["metadata"]["resourceVersion"]},
                                   "spec": {"template": {"spec": {"containers": [{"name": "api", "image": "x:2"}]}}}},
                  SMP)
    assert stale.status_code == 409
    assert stale.json()["message"].startswith('Operation cannot be fulfilled on deployments.apps "api"')
    # a metadata-only change is not a new generation
    assert emulator.kube("GET", path).json()["metadata"]["generation"] == 1


def test_json_patch_and_immutable_selector(emulator):
    ns = namespace(emulator)
    create(emulator, ns, deployment("api", ("api", "h/p/api:1")))
    path = DEPLOYMENTS % ns + "/api"
    replaced = patch(emulator, path, [
        {"op": "test", "path": "/spec/template/spec/containers/0/name", "value": "api"},
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "h/p/api:3"}], JSON_PATCH)
    assert replaced.status_code == 200 and images(replaced.json()) == [("api", "h/p/api:3")]
    moved = patch(emulator, path, {"spec": {"selector": {"matchLabels": {"app": "api", "x": "y"}},
                                            "template": {"metadata": {"labels": {"x": "y"}}}}}, SMP)
    assert moved.status_code == 422
    assert moved.json()["message"] == ('Deployment.apps "api" is invalid: spec.selector: Invalid value: '
                                       '{"matchLabels":{"app":"api","x":"y"}}: field is immutable')


def test_seed_and_namespace_deletion(emulator):
    ns = namespace(emulator)
    seeded = emulator.kube_seed(deployments=[dict(deployment("seeded", ("app", "nginx:1")),
                                                  metadata={"name": "seeded", "namespace": ns})])
    assert seeded == {"deployments": [ns + "/seeded"]}
    assert emulator.kube("DELETE", "/api/v1/namespaces/" + ns).status_code == 200
    assert emulator.kube("GET", DEPLOYMENTS % ns + "/seeded").status_code == 404
