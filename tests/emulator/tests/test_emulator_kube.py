# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes API emulator over HTTP: discovery, auth, CRUD semantics, validation, selectors, control."""

from __future__ import annotations

import base64
import json
import os
import stat

import pytest

from emulator_client import Emulator, unique

SECRETS = "/api/v1/namespaces/%s/secrets"
SERVICE_ACCOUNTS = "/api/v1/namespaces/%s/serviceaccounts"
DOCKER_CONFIG = base64.b64encode(b'{"auths":{"h.example.com":{"username":"u","password":"p","auth":"dTpw"}}}').decode()


@pytest.fixture(autouse=True)
def clean_controls(emulator):
    for control in ("/_emulator/faults", "/_emulator/interleave", "/_emulator/requests"):
        emulator.kube("DELETE", control, token=None)


def new_namespace(emulator, labels=None):
    name = unique("ns")
    body = {"metadata": {"name": name, "labels": labels or {}}}
    response = emulator.kube("POST", "/api/v1/namespaces", json=body)
    assert response.status_code == 201, response.text
    return name


def create_secret(emulator, namespace, name=None, **fields):
    body = {"metadata": {"name": name or unique("s")}}
    body.update(fields)
    response = emulator.kube("POST", SECRETS % namespace, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def status_of(response):
    body = response.json()
    assert body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure"
    assert body["code"] == response.status_code
    return body


# -- process, discovery, authentication -------------------------------------------------------------------------

def test_json_line_kubeconfig_and_port(emulator):
    assert emulator.kube_url.startswith("https://127.0.0.1:")
    assert stat.S_IMODE(os.stat(emulator.kubeconfig).st_mode) == 0o600
    with open(emulator.kubeconfig, encoding="utf-8") as handle:
        config = json.load(handle)
    assert config["current-context"] == "emulator"
    assert [context["name"] for context in config["contexts"]] == ["emulator", "emulator-restricted"]
    assert config["clusters"][0]["cluster"]["server"] == emulator.kube_url


def test_kube_port_flag_and_kubeconfig_removed_at_exit():
    probe = Emulator()
    port = int(probe.kube_url.rsplit(":", 1)[1])
    probe.stop()
    instance = Emulator(["--kube-port", str(port)])
    kubeconfig = instance.kubeconfig
    try:
        assert instance.kube_url == "https://127.0.0.1:%d" % port
        assert instance.kube("GET", "/version").status_code == 200
    finally:
        assert instance.stop() == 0
    assert not os.path.exists(kubeconfig)


def test_tls_flag_shares_the_harbor_ca():
    instance = Emulator(["--tls"])
    try:
        assert instance.kube_ca == instance.info["ca_path"]
        assert instance.kube("GET", "/api/v1").status_code == 200
    finally:
        assert instance.stop() == 0


def test_discovery(emulator):
    version = emulator.kube("GET", "/version", token=None).json()
    assert version["gitVersion"].startswith("v1.32.")
    assert emulator.kube("GET", "/api").json()["versions"] == ["v1"]
    assert [group["name"] for group in emulator.kube("GET", "/apis").json()["groups"]] == ["apps"]
    resources = emulator.kube("GET", "/api/v1").json()
    assert resources["groupVersion"] == "v1"
    by_name = dict((resource["name"], resource) for resource in resources["resources"])
    assert sorted(by_name) == ["namespaces", "secrets", "serviceaccounts"]
    assert by_name["namespaces"]["namespaced"] is False and by_name["namespaces"]["shortNames"] == ["ns"]
    assert by_name["secrets"]["kind"] == "Secret" and "patch" in by_name["secrets"]["verbs"]


def test_authentication(emulator):
    anonymous = emulator.kube("GET", "/api", token=None)
    assert anonymous.status_code == 403
    assert status_of(anonymous)["message"] == 'forbidden: User "system:anonymous" cannot get path "/api"'
    wrong = emulator.kube("GET", "/api/v1/namespaces", token="not-a-token")
    assert wrong.status_code == 401
    assert status_of(wrong)["reason"] == "Unauthorized"
    assert emulator.kube("GET", "/healthz", token="not-a-token").status_code == 401
    assert emulator.kube("GET", "/healthz", token=None).text == "ok"
    listing = emulator.kube("GET", SECRETS % "default", token=None)
    assert status_of(listing)["message"] == ('secrets is forbidden: User "system:anonymous" cannot list resource '
                                             '"secrets" in API group "" in the namespace "default"')


def test_restricted_user_and_denied_namespaces(emulator):
    denied = emulator.kube("GET", SECRETS % "kube-system" + "/x", token="emulator-restricted")
    assert denied.status_code == 403
    assert status_of(denied)["message"] == ('secrets "x" is forbidden: User "emulator-restricted" cannot get resource '
                                            '"secrets" in API group "" in the namespace "kube-system"')
    assert status_of(denied)["details"] == {"name": "x", "kind": "secrets"}
    create = emulator.kube("POST", "/api/v1/namespaces", token="emulator-restricted", json={"metadata": {"name": "x"}})
    assert create.status_code == 403 and "at the cluster scope" in create.json()["message"]
    assert emulator.kube("GET", "/api/v1/namespaces/default", token="emulator-restricted").status_code == 200
    assert emulator.kube("GET", "/api/v1/secrets", token="emulator-restricted").status_code == 403
    namespace = new_namespace(emulator)
    assert emulator.kube("GET", SECRETS % namespace, token="emulator-restricted").status_code == 200
    try:
        assert emulator.kube_seed(denied_namespaces=[namespace]) == {"denied_namespaces": [namespace]}
        assert emulator.kube("GET", SECRETS % namespace, token="emulator-restricted").status_code == 403
        assert emulator.kube("GET", SECRETS % "kube-system", token="emulator-restricted").status_code == 200
        assert emulator.kube("GET", SECRETS % namespace).status_code == 200
    finally:
        emulator.kube_seed(denied_namespaces=["kube-system"])


def test_unknown_paths_and_methods(emulator):
    assert status_of(emulator.kube("GET", "/api/v1/namespaces/default/pods"))["reason"] == "NotFound"
    assert emulator.kube("GET", "/api/v1/secrets/x").status_code == 404
    assert emulator.kube("GET", "/nope").text == "404 page not found\n"
    assert status_of(emulator.kube("POST", "/api/v1/secrets", json={}))["reason"] == "MethodNotAllowed"
    assert emulator.kube("DELETE", SECRETS % "default").status_code == 405
    assert emulator.kube("GET", SECRETS % "default" + "?watch=true").status_code == 405


# -- namespaces ---------------------------------------------------------------------------------------------------

def test_fresh_cluster_namespaces_and_default_service_accounts(emulator):
    names = [item["metadata"]["name"] for item in emulator.kube("GET", "/api/v1/namespaces").json()["items"]]
    assert {"default", "kube-node-lease", "kube-public", "kube-system"} <= set(names)
    account = emulator.kube("GET", SERVICE_ACCOUNTS % "kube-public" + "/default").json()
    assert account["kind"] == "ServiceAccount" and "imagePullSecrets" not in account


def test_namespace_create_defaults_and_errors(emulator):
    name = unique("ns")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    response = emulator.kube("POST", "/api/v1/namespaces", json=body)
    assert response.status_code == 201
    namespace = response.json()
    metadata = namespace["metadata"]
    assert namespace["kind"] == "Namespace" and "namespace" not in metadata
    assert metadata["uid"] and metadata["resourceVersion"].isdigit() and metadata["creationTimestamp"].endswith("Z")
    assert metadata["labels"] == {"kubernetes.io/metadata.name": name}
    assert namespace["spec"] == {"finalizers": ["kubernetes"]} and namespace["status"] == {"phase": "Active"}
    # the service account controller's work
    assert emulator.kube("GET", SERVICE_ACCOUNTS % name + "/default").status_code == 200

    again = emulator.kube("POST", "/api/v1/namespaces", json={"metadata": {"name": name}})
    assert again.status_code == 409
    assert status_of(again) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": 'namespaces "%s" already exists' % name, "reason": "AlreadyExists",
                                "details": {"name": name, "kind": "namespaces"}, "code": 409}
    invalid = emulator.kube("POST", "/api/v1/namespaces", json={"metadata": {"name": "Team.A"}})
    assert invalid.status_code == 422
    body = status_of(invalid)
    assert body["reason"] == "Invalid"
    assert body["message"].startswith('Namespace "Team.A" is invalid: metadata.name: Invalid value: "Team.A": a '
                                      'lowercase RFC 1123 label must consist of')
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert body["details"]["kind"] == "Namespace"


def test_namespace_label_is_restored_and_finalizers_kept_on_update(emulator):
    name = new_namespace(emulator, labels={"team": "a"})
    current = emulator.kube("GET", "/api/v1/namespaces/" + name).json()
    current["metadata"]["labels"] = {"team": "b"}
    current["spec"] = {"finalizers": []}
    updated = emulator.kube("PUT", "/api/v1/namespaces/" + name, json=current).json()
    assert updated["metadata"]["labels"] == {"team": "b", "kubernetes.io/metadata.name": name}
    assert updated["spec"] == {"finalizers": ["kubernetes"]}


def test_namespace_delete_takes_its_content_and_immortal_ones_stay(emulator):
    name = new_namespace(emulator)
    create_secret(emulator, name, "inside")
    deleted = emulator.kube("DELETE", "/api/v1/namespaces/" + name)
    assert deleted.status_code == 200
    assert deleted.json()["status"] == {"phase": "Terminating"} and deleted.json()["metadata"]["deletionTimestamp"]
    assert emulator.kube("GET", "/api/v1/namespaces/" + name).status_code == 404
    assert emulator.kube("GET", "/api/v1/secrets?fieldSelector=metadata.namespace%3D" + name).json()["items"] == []
    refused = emulator.kube("DELETE", "/api/v1/namespaces/default")
    assert refused.status_code == 403
    assert refused.json()["message"] == 'namespaces "default" is forbidden: this namespace may not be deleted'


# -- secrets --------------------------------------------------------------------------------------------------------

def test_secret_create_folds_string_data_and_defaults_type(emulator):
    namespace = new_namespace(emulator)
    secret = create_secret(emulator, namespace, data={"a": base64.b64encode(b"from data").decode()},
                           stringData={"a": "from stringData", "b": "two"})
    assert secret["type"] == "Opaque" and "stringData" not in secret
    assert secret["metadata"]["namespace"] == namespace
    assert base64.b64decode(secret["data"]["a"]) == b"from stringData"
    assert base64.b64decode(secret["data"]["b"]) == b"two"
    read = emulator.kube("GET", SECRETS % namespace + "/" + secret["metadata"]["name"]).json()
    assert read == secret


def test_secret_in_a_missing_namespace(emulator):
    response = emulator.kube("POST", SECRETS % "no-such-namespace", json={"metadata": {"name": "s"}})
    assert response.status_code == 404
    assert status_of(response)["message"] == 'namespaces "no-such-namespace" not found'
    assert status_of(response)["details"] == {"name": "no-such-namespace", "kind": "namespaces"}
    other = emulator.kube("POST", SECRETS % "default", json={"metadata": {"name": "s", "namespace": "kube-public"}})
    assert other.status_code == 400


@pytest.mark.parametrize("body, status, text", [
    ({"metadata": {"name": "s"}, "type": "kubernetes.io/dockerconfigjson"}, 422,
     'Secret "s" is invalid: data[.dockerconfigjson]: Required value'),
    ({"metadata": {"name": "s"}, "type": "kubernetes.io/dockerconfigjson",
      "data": {".dockerconfigjson": base64.b64encode(b"{not json").decode()}}, 422,
     'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>"'),
    ({"metadata": {"name": "s"}, "data": {"a": "not base64!"}}, 400, "illegal base64 data at input byte 3"),
    ({"metadata": {"name": "s"}, "data": {"bad key": "eA=="}}, 422, "a valid config key must consist of"),
    ({"metadata": {"name": "s", "resourceVersion": "12"}}, 500,
     "Internal error occurred: resourceVersion should not be set on objects to be created"),
    ({"metadata": {}}, 422, "metadata.name: Required value: name or generateName is required"),
    ({"metadata": {"name": "s", "labels": {"team": "a b"}}}, 422, "a valid label must be an empty string"),
    ({"metadata": {"name": "s", "labels": {"team": 3}}}, 400, "cannot be handled as a Secret"),
    ({"kind": "ServiceAccount", "metadata": {"name": "s"}}, 400, "must be of type Secret"),
])
def test_secret_validation(emulator, body, status, text):
    response = emulator.kube("POST", SECRETS % "default", json=body)
    assert response.status_code == status
    assert text in status_of(response)["message"]
    assert emulator.kube("GET", SECRETS % "default" + "/s").status_code == 404


def test_generate_name(emulator):
    response = emulator.kube("POST", SECRETS % "default", json={"metadata": {"generateName": "gen-"}})
    assert response.status_code == 201
    secret = response.json()
    assert secret["metadata"]["name"].startswith("gen-") and len(secret["metadata"]["name"]) == 9
    emulator.kube("DELETE", SECRETS % "default" + "/" + secret["metadata"]["name"])


def test_unknown_fields_warn_or_fail_with_strict_validation(emulator):
    namespace = new_namespace(emulator)
    body = {"metadata": {"name": "warned", "colour": "red"}, "extra": 1}
    warned = emulator.kube("POST", SECRETS % namespace, json=body)
    assert warned.status_code == 201
    # one Warning header per dropped field (requests joins repeated headers with ", ")
    assert warned.headers["Warning"] == ('299 - "unknown field \\"extra\\"", '
                                         '299 - "unknown field \\"metadata.colour\\""')
    assert "extra" not in warned.json()
    strict = emulator.kube("POST", SECRETS % namespace + "?fieldValidation=Strict", json=dict(body, metadata={
        "name": "strict"}))
    assert strict.status_code == 400
    assert status_of(strict)["message"] == 'strict decoding error: unknown field "extra"'


def test_update_with_optimistic_concurrency(emulator):
    namespace = new_namespace(emulator)
    secret = create_secret(emulator, namespace, "s", stringData={"a": "1"})
    path = SECRETS % namespace + "/s"
    version = secret["metadata"]["resourceVersion"]

    unchanged = emulator.kube("PUT", path, json=secret).json()
    assert unchanged["metadata"]["resourceVersion"] == version  # nothing changed: no write

    secret["data"]["a"] = base64.b64encode(b"2").decode()
    updated = emulator.kube("PUT", path, json=secret).json()
    assert int(updated["metadata"]["resourceVersion"]) > int(version)
    assert updated["metadata"]["uid"] == secret["metadata"]["uid"]

    stale = emulator.kube("PUT", path, json=secret)  # still carries the old resourceVersion
    assert stale.status_code == 409
    assert status_of(stale)["reason"] == "Conflict"
    assert status_of(stale)["message"] == ('Operation cannot be fulfilled on secrets "s": the object has been modified; '
                                           'please apply your changes to the latest version and try again')

    del secret["metadata"]["resourceVersion"]  # unconditional update
    assert emulator.kube("PUT", path, json=secret).status_code == 200

    secret["type"] = "kubernetes.io/dockerconfigjson"
    secret["data"] = {".dockerconfigjson": DOCKER_CONFIG}
    immutable = emulator.kube("PUT", path, json=secret)
    assert immutable.status_code == 422
    assert 'type: Invalid value: "kubernetes.io/dockerconfigjson": field is immutable' in immutable.json()["message"]

    renamed = emulator.kube("PUT", SECRETS % namespace + "/other", json=dict(updated, metadata={"name": "s"}))
    assert renamed.status_code == 400
    assert emulator.kube("PUT", SECRETS % namespace + "/missing", json={"metadata": {"name": "missing"}}).status_code \
        == 404


def test_immutable_secret(emulator):
    namespace = new_namespace(emulator)
    secret = create_secret(emulator, namespace, "frozen", stringData={"a": "1"}, immutable=True)
    secret["data"]["a"] = base64.b64encode(b"2").decode()
    response = emulator.kube("PUT", SECRETS % namespace + "/frozen", json=secret)
    assert response.status_code == 422
    assert "data: Forbidden: field is immutable when `immutable` is set" in response.json()["message"]


# -- patches ---------------------------------------------------------------------------------------------------------

def patch(emulator, path, body, content_type):
    return emulator.kube("PATCH", path, data=json.dumps(body), headers={"Content-Type": content_type})


def test_strategic_merge_patch_replaces_image_pull_secrets_and_merges_secrets(emulator):
    namespace = new_namespace(emulator)
    path = SERVICE_ACCOUNTS % namespace + "/default"
    first = patch(emulator, path, {"imagePullSecrets": [{"name": "a"}, {"name": "b"}],
                                   "secrets": [{"name": "s1"}, {"name": "s2"}]},
                  "application/strategic-merge-patch+json")
    assert first.status_code == 200, first.text
    second = patch(emulator, path, {"imagePullSecrets": [{"name": "c"}], "secrets": [{"name": "s3"}]},
                   "application/strategic-merge-patch+json").json()
    # imagePullSecrets has no patch strategy (replaced); secrets merges by name, the new name first, as
    # kube-apiserver 1.35 orders it (tests/kube/test_differential.py)
    assert second["imagePullSecrets"] == [{"name": "c"}]
    assert second["secrets"] == [{"name": "s3"}, {"name": "s1"}, {"name": "s2"}]
    third = patch(emulator, path, {"secrets": [{"name": "s2", "$patch": "delete"}]},
                  "application/strategic-merge-patch+json").json()
    assert third["secrets"] == [{"name": "s3"}, {"name": "s1"}]
    fourth = patch(emulator, path, {"secrets": [{"name": "only"}, {"$patch": "replace"}]},
                   "application/strategic-merge-patch+json").json()
    assert fourth["secrets"] == [{"name": "only"}]


def test_strategic_merge_patch_of_metadata(emulator):
    name = new_namespace(emulator, labels={"a": "1", "b": "2"})
    path = "/api/v1/namespaces/" + name
    patched = patch(emulator, path, {"metadata": {"labels": {"a": None, "c": "3"}, "finalizers": ["x.io/one"]}},
                    "application/strategic-merge-patch+json").json()
    assert patched["metadata"]["labels"] == {"b": "2", "c": "3", "kubernetes.io/metadata.name": name}
    again = patch(emulator, path, {"metadata": {"finalizers": ["x.io/two", "x.io/one"]}},
                  "application/strategic-merge-patch+json").json()
    # a merge list of scalars: union, in the patch's order (as kube-apiserver 1.35 orders it)
    assert again["metadata"]["finalizers"] == ["x.io/two", "x.io/one"]
    removed = patch(emulator, path, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["x.io/one"]}},
                    "application/strategic-merge-patch+json").json()
    assert removed["metadata"]["finalizers"] == ["x.io/two"]


def test_merge_patch(emulator):
    namespace = new_namespace(emulator)
    path = SERVICE_ACCOUNTS % namespace + "/default"
    patch(emulator, path, {"secrets": [{"name": "s1"}]}, "application/merge-patch+json")
    replaced = patch(emulator, path, {"secrets": [{"name": "s2"}], "metadata": {"annotations": {"k": "v"}}},
                     "application/merge-patch+json").json()
    assert replaced["secrets"] == [{"name": "s2"}]  # a merge patch replaces every list
    emptied = patch(emulator, path, {"secrets": None}, "application/merge-patch+json").json()
    assert "secrets" not in emptied and emptied["metadata"]["annotations"] == {"k": "v"}


def test_json_patch(emulator):
    namespace = new_namespace(emulator)
    path = SERVICE_ACCOUNTS % namespace + "/default"
    version = emulator.kube("GET", path).json()["metadata"]["resourceVersion"]
    added = patch(emulator, path, [{"op": "test", "path": "/metadata/resourceVersion", "value": version},
                                   {"op": "add", "path": "/imagePullSecrets", "value": [{"name": "a"}]},
                                   {"op": "add", "path": "/imagePullSecrets/-", "value": {"name": "b"}},
                                   {"op": "copy", "from": "/imagePullSecrets/0", "path": "/imagePullSecrets/0"}],
                  "application/json-patch+json")
    assert added.json()["imagePullSecrets"] == [{"name": "a"}, {"name": "a"}, {"name": "b"}]
    failed = patch(emulator, path, [{"op": "test", "path": "/metadata/resourceVersion", "value": version}],
                   "application/json-patch+json")
    assert failed.status_code == 422
    # kube-apiserver 1.35 says no more than this (tests/kube/test_differential.py)
    assert status_of(failed)["message"] == "the server rejected our request due to an error in our request"
    assert status_of(failed)["details"] == {}
    missing = patch(emulator, path, [{"op": "remove", "path": "/secrets/0"}], "application/json-patch+json")
    assert missing.status_code == 422
    wrong_shape = patch(emulator, path, {"imagePullSecrets": []}, "application/json-patch+json")
    assert wrong_shape.status_code == 400


def test_patch_errors(emulator):
    namespace = new_namespace(emulator)
    path = SERVICE_ACCOUNTS % namespace + "/default"
    stale = patch(emulator, path, {"metadata": {"resourceVersion": "1"}, "imagePullSecrets": []},
                  "application/merge-patch+json")
    assert stale.status_code == 409 and status_of(stale)["reason"] == "Conflict"
    apply = emulator.kube("PATCH", path, data="{}", headers={"Content-Type": "application/apply-patch+yaml"})
    assert apply.status_code == 415
    assert emulator.kube("PATCH", SERVICE_ACCOUNTS % namespace + "/nobody", data="{}",
                         headers={"Content-Type": "application/merge-patch+json"}).status_code == 404
    invalid = patch(emulator, path, {"metadata": {"labels": {"bad key!": "x"}}}, "application/merge-patch+json")
    assert invalid.status_code == 422


def test_unchanged_patch_keeps_the_resource_version(emulator):
    namespace = new_namespace(emulator)
    path = SERVICE_ACCOUNTS % namespace + "/default"
    first = patch(emulator, path, {"imagePullSecrets": [{"name": "a"}]}, "application/merge-patch+json").json()
    second = patch(emulator, path, {"imagePullSecrets": [{"name": "a"}]}, "application/merge-patch+json").json()
    assert first["metadata"]["resourceVersion"] == second["metadata"]["resourceVersion"]


# -- lists, selectors, dry run, delete -----------------------------------------------------------------------------

def test_label_and_field_selectors(emulator):
    namespace = new_namespace(emulator)
    for name, labels in (("one", {"tier": "web", "env": "prod"}), ("two", {"tier": "db"}), ("three", {})):
        create_secret(emulator, namespace, name, metadata={"name": name, "labels": labels})

    def names(query):
        response = emulator.kube("GET", SECRETS % namespace + "?" + query)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["kind"] == "SecretList" and "kind" not in (body["items"] or [{}])[0]
        return [item["metadata"]["name"] for item in body["items"]]

    assert names("") == ["one", "three", "two"]
    assert names("labelSelector=tier%3Dweb") == ["one"]
    assert names("labelSelector=tier%21%3Dweb") == ["three", "two"]
    assert names("labelSelector=tier+in+(web,db)") == ["one", "two"]
    assert names("labelSelector=tier+notin+(web)") == ["three", "two"]
    assert names("labelSelector=env") == ["one"]
    assert names("labelSelector=%21env,tier") == ["two"]
    assert names("fieldSelector=metadata.name%3Dtwo") == ["two"]
    assert names("fieldSelector=type%3DOpaque,metadata.name%21%3Done") == ["three", "two"]
    for bad in ("labelSelector=tier+in+()", "labelSelector=a+b", "labelSelector=Bad%20Key%3Dx",
                "fieldSelector=spec.colour%3Dred"):
        response = emulator.kube("GET", SECRETS % namespace + "?" + bad)
        assert response.status_code == 400 and status_of(response)["reason"] == "BadRequest", bad
    selected = emulator.kube("GET", "/api/v1/namespaces?labelSelector=kubernetes.io/metadata.name%3D" + namespace)
    assert [item["metadata"]["name"] for item in selected.json()["items"]] == [namespace]


def test_limit_and_continue(emulator):
    namespace = new_namespace(emulator)
    for index in range(5):
        create_secret(emulator, namespace, "s%d" % index)
    first = emulator.kube("GET", SECRETS % namespace + "?limit=2").json()
    assert [item["metadata"]["name"] for item in first["items"]] == ["s0", "s1"]
    assert first["metadata"]["remainingItemCount"] == 3
    second = emulator.kube("GET", SECRETS % namespace, params={"limit": 2, "continue": first["metadata"]["continue"]})
    assert [item["metadata"]["name"] for item in second.json()["items"]] == ["s2", "s3"]
    assert emulator.kube("GET", SECRETS % namespace + "?continue=garbage").status_code == 400
    everywhere = emulator.kube("GET", "/api/v1/secrets").json()
    assert namespace in {item["metadata"]["namespace"] for item in everywhere["items"]}


def test_dry_run(emulator):
    namespace = new_namespace(emulator)
    created = emulator.kube("POST", SECRETS % namespace + "?dryRun=All", json={"metadata": {"name": "dry"}})
    assert created.status_code == 201 and created.json()["metadata"]["uid"]
    assert emulator.kube("GET", SECRETS % namespace + "/dry").status_code == 404
    assert emulator.kube("POST", SECRETS % namespace + "?dryRun=Yes", json={"metadata": {"name": "x"}}).status_code \
        == 400


def test_delete(emulator):
    namespace = new_namespace(emulator)
    secret = create_secret(emulator, namespace, "gone")
    path = SECRETS % namespace + "/gone"
    refused = emulator.kube("DELETE", path, json={"preconditions": {"resourceVersion": "1"}})
    assert refused.status_code == 409 and "Precondition failed" in refused.json()["message"]
    deleted = emulator.kube("DELETE", path, json={"propagationPolicy": "Background"})
    assert deleted.status_code == 200
    assert deleted.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                              "details": {"name": "gone", "kind": "secrets", "uid": secret["metadata"]["uid"]}}
    again = emulator.kube("DELETE", path)
    assert again.status_code == 404 and status_of(again)["message"] == 'secrets "gone" not found'


def encode_field(number, payload):
    """One length-delimited protobuf field (enough for the strings and messages below)."""
    def varint(value):
        out = b""
        while True:
            byte, value = value & 0x7F, value >> 7
            out += bytes([byte | (0x80 if value else 0)])
            if not value:
                return out
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def test_protobuf_bodies_as_kubectl_1_32_sends_them(emulator):
    name = unique("proto")
    label = encode_field(1, b"team") + encode_field(2, b"a")
    metadata = encode_field(1, name.encode()) + encode_field(2, b"") + encode_field(11, label)
    raw = encode_field(1, metadata) + encode_field(2, b"") + encode_field(3, b"")
    envelope = b"k8s\x00" + encode_field(1, encode_field(1, b"v1") + encode_field(2, b"Namespace")) \
        + encode_field(2, raw) + encode_field(3, b"") + encode_field(4, b"")
    response = emulator.kube("POST", "/api/v1/namespaces", data=envelope,
                             headers={"Content-Type": "application/vnd.kubernetes.protobuf"})
    assert response.status_code == 201, response.text
    assert response.json()["metadata"]["labels"] == {"team": "a", "kubernetes.io/metadata.name": name}
    assert "generateName" not in response.json()["metadata"]
    garbage = emulator.kube("POST", "/api/v1/namespaces", data=b"k8s\x00\xff",
                            headers={"Content-Type": "application/vnd.kubernetes.protobuf"})
    assert garbage.status_code == 400
    yaml = emulator.kube("POST", "/api/v1/namespaces", data=b"metadata: {}", headers={"Content-Type": "text/yaml"})
    assert yaml.status_code == 415


# -- control endpoints ---------------------------------------------------------------------------------------------

def test_request_log_and_faults_render_status(emulator):
    emulator.kube("GET", "/api/v1/namespaces/default")
    assert emulator.kube("GET", "/_emulator/requests", token=None).json() == [
        {"method": "GET", "path": "/api/v1/namespaces/default", "status": 200, "write": False}]
    fault = {"method": "GET", "path": "/namespaces/default$", "status": 503}
    emulator.kube("POST", "/_emulator/faults", token=None, json=fault)
    faulted = emulator.kube("GET", "/api/v1/namespaces/default")
    assert faulted.status_code == 503
    assert status_of(faulted)["reason"] == "ServiceUnavailable"
    assert emulator.kube("GET", "/api/v1/namespaces/default").status_code == 200


def test_seed_and_reset():
    instance = Emulator()
    try:
        seeded = instance.kube_seed(
            namespaces=["team-a", {"metadata": {"name": "team-b", "labels": {"pull": "yes"}}}],
            serviceaccounts=[{"metadata": {"namespace": "team-a", "name": "builder"},
                              "imagePullSecrets": [{"name": "other"}]}],
            secrets=[{"metadata": {"namespace": "team-a", "name": "other"}, "stringData": {"k": "v"}}])
        assert seeded == {"namespaces": ["/team-a", "/team-b"], "serviceaccounts": ["team-a/builder"],
                          "secrets": ["team-a/other"]}
        assert instance.kube("GET", SERVICE_ACCOUNTS % "team-b" + "/default").status_code == 200
        duplicate = instance.kube("POST", "/_emulator/seed", token=None, json={"namespaces": ["team-a"]})
        assert duplicate.status_code == 400 and "already exists" in duplicate.json()["error"]
        assert instance.kube("POST", "/_emulator/seed", token=None, json={"pods": []}).status_code == 400
        assert instance.kube("POST", "/_emulator/reset", token=None).status_code == 200
        assert instance.kube("GET", "/api/v1/namespaces/team-a").status_code == 404
        assert instance.kube("GET", "/api/v1/namespaces/default").status_code == 200
    finally:
        assert instance.stop() == 0


def test_interleaved_writer_makes_a_real_conflict(emulator):
    namespace = new_namespace(emulator)
    path = SERVICE_ACCOUNTS % namespace + "/default"
    current = emulator.kube("GET", path).json()
    added = emulator.kube("POST", "/_emulator/interleave", token=None, json={
        "method": "PATCH", "path": "/serviceaccounts/default$", "merge_patch": {"imagePullSecrets": [{"name": "x"}]}})
    assert added.status_code == 201
    assert len(emulator.kube("GET", "/_emulator/interleave", token=None).json()) == 1
    body = {"metadata": {"resourceVersion": current["metadata"]["resourceVersion"]},
            "imagePullSecrets": [{"name": "mine"}]}
    conflict = patch(emulator, path, body, "application/merge-patch+json")
    assert conflict.status_code == 409
    assert emulator.kube("GET", path).json()["imagePullSecrets"] == [{"name": "x"}]
    assert emulator.kube("GET", "/_emulator/interleave", token=None).json() == []


def test_interleaved_create_makes_already_exists(emulator):
    namespace = new_namespace(emulator)
    emulator.kube("POST", "/_emulator/interleave", token=None, json={
        "method": "POST", "path": "/secrets$", "create": {"metadata": {"name": "raced"}, "stringData": {"a": "theirs"}}})
    response = emulator.kube("POST", SECRETS % namespace, json={"metadata": {"name": "raced"}})
    assert response.status_code == 409 and status_of(response)["reason"] == "AlreadyExists"
    stored = emulator.kube("GET", SECRETS % namespace + "/raced").json()
    assert base64.b64decode(stored["data"]["a"]) == b"theirs"
    bad = emulator.kube("POST", "/_emulator/interleave", token=None, json={"path": "x"})
    assert bad.status_code == 400
