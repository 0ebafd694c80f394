# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test helpers: one scripted conversation with a Kubernetes API server and Harbor, in order."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from ansible_collections.cloudtemple.harbor.tests.unit import harbor_fakes
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import FakeResponse

KUBE = 'https://kube.example.com:6443'
TOKEN = 'kube-t0ken-value'
KUBE_ARGS = dict(host=KUBE, api_key=TOKEN)


class KubeCall:
    """One expected Kubernetes API request and its answer; `json` and `content_type` are checked when given."""

    def __init__(self, method, path, answer=None, json=None, params=None, content_type=None):
        self.method = method
        self.path = path
        self.answer = answer if answer is not None else FakeResponse(200, {})
        self.json = json
        self.params = params
        self.content_type = content_type


def status(code, reason, message, details=None):
    """A Kubernetes `Status` answer."""
    body = {'kind': 'Status', 'apiVersion': 'v1', 'metadata': {}, 'status': 'Failure', 'message': message,
            'reason': reason, 'code': code}
    if details is not None:
        body['details'] = details
    return FakeResponse(code, body)


def not_found(resource, name):
    return status(404, 'NotFound', '%s "%s" not found' % (resource, name), {'name': name, 'kind': resource})


def namespace(name, version='10'):
    return {'kind': 'Namespace', 'apiVersion': 'v1',
            'metadata': {'name': name, 'uid': 'uid-' + name, 'resourceVersion': version,
                         'labels': {'kubernetes.io/metadata.name': name}},
            'spec': {'finalizers': ['kubernetes']}, 'status': {'phase': 'Active'}}


def docker_config_json(registry, username, password):
    auth = base64.b64encode(('%s:%s' % (username, password)).encode()).decode()
    return base64.b64encode(json.dumps({'auths': {registry: {'username': username, 'password': password,
                                                             'auth': auth}}}, separators=(',', ':')).encode()).decode()


def secret(namespace_name, username='robot$payments+puller', password='Pull-S3cret', registry='harbor.example.com',
           version='20', name='harbor-pull-secret', labels=None, secret_type='kubernetes.io/dockerconfigjson'):
    return {'kind': 'Secret', 'apiVersion': 'v1', 'type': secret_type,
            'metadata': {'name': name, 'namespace': namespace_name, 'uid': 'uid-s-' + namespace_name,
                         'resourceVersion': version,
                         'labels': {'app.kubernetes.io/managed-by': 'cloudtemple.harbor'} if labels is None else labels},
            'data': {'.dockerconfigjson': docker_config_json(registry, username, password)}}


def service_account(namespace_name, references=(), version='30', name='default'):
    account = {'kind': 'ServiceAccount', 'apiVersion': 'v1',
               'metadata': {'name': name, 'namespace': namespace_name, 'uid': 'uid-sa-' + namespace_name,
                            'resourceVersion': version}}
    if references:
        account['imagePullSecrets'] = [{'name': reference} for reference in references]
    return account


def ok(body):
    return FakeResponse(200, copy.deepcopy(body))


class Conversation(harbor_fakes.Conversation):
    """Harbor's scripted conversation, which also serves KubeCall entries for the Kubernetes API, in one order."""

    def __call__(self, method, url, params=None, json=None, headers=None, session_auth=None, **kwargs):
        if not url.startswith(KUBE):
            assert not self.calls or not isinstance(self.calls[0], KubeCall), \
                'expected %s %s on the cluster, got %s %s' % (self.calls[0].method, self.calls[0].path, method, url)
            return super().__call__(method, url, params=params, json=json, headers=headers, session_auth=session_auth,
                                    **kwargs)
        path = url[len(KUBE):]
        assert (headers or {}).get('Authorization') == 'Bearer ' + TOKEN, 'no bearer token on %s %s' % (method, path)
        self.seen.append((method, path, params, json, headers))
        assert self.calls, 'unexpected request %s %s (the script has no more calls)' % (method, path)
        call = self.calls.pop(0)
        assert isinstance(call, KubeCall) and (method, path) == (call.method, call.path), \
            'expected %s %s, got %s %s' % (call.method, call.path, method, path)
        if call.json is not None:
            assert json == call.json, 'body of %s %s: expected %r, got %r' % (method, path, call.json, json)
        if call.params is not None:
            assert dict(params or {}) == call.params, 'query of %s %s: %r' % (method, path, params)
        if call.content_type is not None:
            assert (headers or {}).get('Content-Type') == call.content_type
        if isinstance(call.answer, BaseException):
            raise call.answer
        return call.answer

    @property
    def requests(self):
        return ['%s %s' % (method, path) for method, path, _params, _json, _headers in self.seen]

    @property
    def writes(self):
        return [entry for entry in self.requests if not entry.startswith('GET ')]


@pytest.fixture
def cluster(monkeypatch):
    """cluster(calls) scripts the conversation with the cluster and Harbor; every scripted call must be sent."""
    for variable in ('KUBECONFIG', 'K8S_AUTH_KUBECONFIG', 'K8S_AUTH_CONTEXT', 'K8S_AUTH_HOST', 'K8S_AUTH_API_KEY',
                     'K8S_AUTH_VERIFY_SSL', 'K8S_AUTH_SSL_CA_CERT', 'K8S_AUTH_CERT_FILE', 'K8S_AUTH_KEY_FILE',
                     'K8S_AUTH_PROXY', 'KUBERNETES_SERVICE_HOST', 'HARBOR_URL'):
        monkeypatch.delenv(variable, raising=False)
    yield from harbor_fakes.scripted_requests(monkeypatch, Conversation)
