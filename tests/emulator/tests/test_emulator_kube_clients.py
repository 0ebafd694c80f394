# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Real clients against the Kubernetes API emulator: kubectl (when installed) and the kubernetes Python client.

The objects are the ones harbor_pull_secret writes: a kubernetes.io/dockerconfigjson Secret and a service
account's imagePullSecrets.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess

import pytest

from emulator_client import unique

KUBECTL = shutil.which("kubectl")
needs_kubectl = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed on this machine (on Debian: "
                                                           "apt-get install kubernetes-client); kubectl cases skipped")


@pytest.fixture
def kubectl(emulator, tmp_path):
    """Run kubectl with the emulator's kubeconfig and a private discovery cache; return (status, stdout, stderr)."""
    def run(*args, context=None):
        command = [KUBECTL, "--kubeconfig", emulator.kubeconfig, "--cache-dir", str(tmp_path / "cache")]
        if context:
            command += ["--context", context]
        environment = dict((name, value) for name, value in os.environ.items() if not name.startswith("KUBE"))
        environment.update(HOME=str(tmp_path), KUBECACHEDIR=str(tmp_path / "cache"))
        completed = subprocess.run(command + list(args), capture_output=True, text=True, timeout=60, check=False,
                                   env=environment)
        return completed.returncode, completed.stdout, completed.stderr
    return run


@needs_kubectl
def test_kubectl_creates_and_reads_a_pull_secret(emulator, kubectl):
    namespace = unique("kubectl")
    assert kubectl("create", "namespace", namespace)[0] == 0
    status, _out, err = kubectl("create", "secret", "docker-registry", "harbor-pull-secret", "-n", namespace,
                                "--docker-server=harbor.example.com", "--docker-username=robot$payments+puller",
                                "--docker-password=S3cret")
    assert status == 0, err
    status, out, err = kubectl("get", "secret", "harbor-pull-secret", "-n", namespace, "-o", "json")
    assert status == 0, err
    secret = json.loads(out)
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    config = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))
    entry = config["auths"]["harbor.example.com"]
    assert entry["username"] == "robot$payments+puller" and entry["password"] == "S3cret"
    assert base64.b64decode(entry["auth"]) == b"robot$payments+puller:S3cret"
    # the same object through the raw API: what kubectl wrote is what the modules read
    raw = emulator.kube("GET", "/api/v1/namespaces/%s/secrets/harbor-pull-secret" % namespace).json()
    assert raw["data"] == secret["data"] and raw["metadata"]["uid"] == secret["metadata"]["uid"]


@needs_kubectl
def test_kubectl_patch_replaces_image_pull_secrets(emulator, kubectl):
    namespace = unique("kubectl")
    emulator.kube_seed(namespaces=[namespace])
    assert kubectl("patch", "serviceaccount", "default", "-n", namespace, "-p",
                   '{"imagePullSecrets":[{"name":"other"},{"name":"harbor-pull-secret"}]}')[0] == 0
    assert kubectl("patch", "sa", "default", "-n", namespace, "-p", '{"imagePullSecrets":[{"name":"only"}]}')[0] == 0
    status, out, err = kubectl("get", "sa", "default", "-n", namespace, "-o", "json")
    assert status == 0, err
    assert json.loads(out)["imagePullSecrets"] == [{"name": "only"}]  # strategic merge: no patch strategy, replaced


@needs_kubectl
def test_kubectl_lists_with_selectors_and_deletes(emulator, kubectl):
    namespace = unique("kubectl")
    emulator.kube_seed(namespaces=[{"metadata": {"name": namespace, "labels": {"harbor-pull": "yes"}}}],
                       secrets=[{"metadata": {"namespace": namespace, "name": "one", "labels": {"app": "a"}}},
                                {"metadata": {"namespace": namespace, "name": "two"}}])
    status, out, _err = kubectl("get", "namespaces", "-l", "harbor-pull=yes", "-o", "name")
    assert status == 0 and out.split() == ["namespace/" + namespace]
    status, out, _err = kubectl("get", "secrets", "-n", namespace, "-l", "app=a", "-o", "name")
    assert out.split() == ["secret/one"]
    assert kubectl("delete", "secret", "one", "-n", namespace)[0] == 0
    status, _out, err = kubectl("get", "secret", "one", "-n", namespace)
    assert status == 1 and 'Error from server (NotFound): secrets "one" not found' in err
    status, _out, err = kubectl("get", "secrets", "-n", "kube-system", context="emulator-restricted")
    assert status == 1 and "Error from server (Forbidden)" in err and 'User "emulator-restricted"' in err


def test_python_client(emulator):
    kubernetes = pytest.importorskip("kubernetes")
    configuration = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(config_file=emulator.kubeconfig, client_configuration=configuration)
    api = kubernetes.client.CoreV1Api(kubernetes.client.ApiClient(configuration))
    namespace = unique("python")
    created = api.create_namespace({"metadata": {"name": namespace, "labels": {"team": "a"}}})
    assert created.status.phase == "Active"
    assert [item.metadata.name for item in api.list_namespace(label_selector="team=a").items] == [namespace]

    secret = api.create_namespaced_secret(namespace, {"metadata": {"name": "pull"}, "type": "kubernetes.io/dockerconfigjson",
                                                      "stringData": {".dockerconfigjson": '{"auths":{}}'}})
    assert base64.b64decode(secret.data[".dockerconfigjson"]) == b'{"auths":{}}'
    assert api.read_namespaced_secret("pull", namespace).metadata.uid == secret.metadata.uid

    patched = api.patch_namespaced_service_account(
        "default", namespace, {"imagePullSecrets": [{"name": "pull"}]},
        _content_type="application/strategic-merge-patch+json")
    assert [reference.name for reference in patched.image_pull_secrets] == ["pull"]

    stale = api.read_namespaced_secret("pull", namespace)
    stale.metadata.labels = {"changed": "yes"}
    api.replace_namespaced_secret("pull", namespace, stale)
    with pytest.raises(kubernetes.client.exceptions.ApiException) as conflict:
        api.replace_namespaced_secret("pull", namespace, stale)
    assert conflict.value.status == 409 and json.loads(conflict.value.body)["reason"] == "Conflict"

    with pytest.raises(kubernetes.client.exceptions.ApiException) as missing:
        api.read_namespaced_secret("nope", namespace)
    assert missing.value.status == 404
    api.delete_namespaced_secret("pull", namespace)
    assert api.list_namespaced_secret(namespace).items == []
