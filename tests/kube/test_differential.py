# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The same Kubernetes conversations with the Kubernetes emulator and with a real kube-apiserver, compared.

Each conversation is a list of requests in its own namespace. Both servers get the same requests; their answers
(status code and body) are normalised, then must be equal: where they differ, the emulator is wrong.

Normalised: uid and timestamps (different by nature), resourceVersions (renamed rv1, rv2... in order of first
appearance, so "a no-op keeps the resourceVersion" still shows; a list's own resourceVersion is the whole cluster's
and counts the controllers' writes too, so it is only checked to be there), and managedFields (server-side apply
bookkeeping, not emulated: see tests/emulator/README.md). Namespace deletion takes the real namespace controller a
few seconds; the conversations wait until both servers answer 404, as a client that cares has to.

Needs the control plane binaries (make kube-binaries) and etcd: make kube-tests runs it.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import sys
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from control_plane import ControlPlane  # noqa: E402  pylint: disable=wrong-import-position,import-error

EMULATOR = os.path.join(os.path.dirname(HERE), 'emulator', 'run.py')
JSON = 'application/json'
MERGE = 'application/merge-patch+json'
STRATEGIC = 'application/strategic-merge-patch+json'
JSON_PATCH = 'application/json-patch+json'
WAIT_SECONDS = 60


class Server:
    """One side of the comparison: base URL, admin token, CA file."""

    def __init__(self, name, url, kubeconfig):
        with open(kubeconfig, encoding='utf-8') as handle:
            config = json.load(handle)
        context = next(entry for entry in config['contexts'] if entry['name'] == config['current-context'])
        user = next(entry for entry in config['users'] if entry['name'] == context['context']['user'])
        self.name, self.url, self.token = name, url, user['user']['token']
        self.ca = config['clusters'][0]['cluster']['certificate-authority']

    def call(self, method, path, body=None, content_type=JSON):
        headers = {'Authorization': 'Bearer ' + self.token, 'Accept': JSON}
        data = None
        if body is not None:
            headers['Content-Type'] = content_type
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        response = requests.request(method, self.url + path, headers=headers, data=data, verify=self.ca, timeout=30)
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        return response.status_code, payload

    def wait(self, path, status):
        """Poll path until it answers status (a namespace being deleted, a default service account appearing)."""
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            if self.call('GET', path)[0] == status:
                return
            time.sleep(0.2)
        raise AssertionError('%s: GET %s never answered %d' % (self.name, path, status))


@pytest.fixture(scope='module')
def servers():
    emulator = subprocess.Popen([sys.executable, EMULATOR], stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(emulator.stdout.readline())
        with ControlPlane() as plane:
            yield (Server('emulator', info['kube_url'], info['kubeconfig']),
                   Server('kube-apiserver', plane.kube_url, plane.kubeconfig))
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)


# -- conversations --------------------------------------------------------------------------------------------
# A step is a dict: method, path, body, type (Content-Type); `save` names the answer, so that a later body can say
# "$rv:<name>" for that answer's resourceVersion (stale-write conflicts); `wait` instead polls a path for a status.

def ns(name):
    return '/api/v1/namespaces/' + name


def create_namespace(name, labels=None):
    body = {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': name}}
    if labels:
        body['metadata']['labels'] = labels
    # then wait for the default service account, which the emulator has at once and the real controller soon after
    return [dict(method='POST', path='/api/v1/namespaces', body=body),
            dict(wait=ns(name) + '/serviceaccounts/default', status=200)]


def delete_namespace(name):
    return [dict(method='DELETE', path=ns(name)), dict(wait=ns(name), status=404), dict(method='GET', path=ns(name))]


def dockerconfig(user):
    import base64  # pylint: disable=import-outside-toplevel
    auth = base64.b64encode(('%s:pw' % user).encode()).decode()
    config = json.dumps({'auths': {'harbor.example.com': {'username': user, 'password': 'pw', 'auth': auth}}})
    return base64.b64encode(config.encode()).decode()


SECRETS = 'diff-secrets'
SECRET = ns(SECRETS) + '/secrets/pull'
SECRETS_CONVERSATION = create_namespace(SECRETS) + [
    dict(method='POST', path=ns(SECRETS) + '/secrets', save='created', body={
        'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/dockerconfigjson',
        'metadata': {'name': 'pull', 'labels': {'app.kubernetes.io/managed-by': 'cloudtemple.harbor'},
                     'annotations': {'note': 'first'}},
        'data': {'.dockerconfigjson': dockerconfig('robot$a+pull')}}),
    dict(method='GET', path=SECRET),
    dict(method='POST', path=ns(SECRETS) + '/secrets', body={
        'metadata': {'name': 'pull'}, 'type': 'kubernetes.io/dockerconfigjson',
        'data': {'.dockerconfigjson': dockerconfig('robot$a+pull')}}),
    dict(method='POST', path=ns(SECRETS) + '/secrets', body={
        'metadata': {'name': 'opaque', 'labels': {'tier': 'one'}}, 'stringData': {'a': 'b'}, 'data': {'a': 'eA=='}}),
    dict(method='GET', path=ns(SECRETS) + '/secrets/missing'),
    # update with the resourceVersion read, then again with the now stale one
    dict(method='PUT', path=SECRET, save='updated', body={
        'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/dockerconfigjson',
        'metadata': {'name': 'pull', 'namespace': SECRETS, 'resourceVersion': '$rv:created',
                     'labels': {'app.kubernetes.io/managed-by': 'cloudtemple.harbor'}},
        'data': {'.dockerconfigjson': dockerconfig('robot$a+pull2')}}),
    dict(method='PUT', path=SECRET, body={
        'metadata': {'name': 'pull', 'namespace': SECRETS, 'resourceVersion': '$rv:created'},
        'type': 'kubernetes.io/dockerconfigjson', 'data': {'.dockerconfigjson': dockerconfig('robot$a+pull3')}}),
    dict(method='PATCH', path=SECRET, type=MERGE, body={'metadata': {'resourceVersion': '$rv:created',
                                                                     'labels': {'x': 'y'}}}),
    dict(method='PATCH', path=SECRET, type=MERGE, body={'metadata': {'labels': {'x': 'y'}, 'annotations': None}}),
    # a no-op keeps the resourceVersion
    dict(method='PATCH', path=SECRET, type=MERGE, body={'metadata': {'labels': {'x': 'y'}}}),
    dict(method='PATCH', path=SECRET, type=JSON_PATCH, body=[
        {'op': 'test', 'path': '/metadata/labels/x', 'value': 'not-y'}]),
    dict(method='PATCH', path=SECRET, type=JSON_PATCH, body=[
        {'op': 'replace', 'path': '/metadata/labels/x', 'value': 'z'},
        {'op': 'add', 'path': '/metadata/annotations', 'value': {'k': 'v'}}]),
    dict(method='PATCH', path=SECRET, type=JSON_PATCH, body=[{'op': 'remove', 'path': '/metadata/labels/nope'}]),
    dict(method='PATCH', path=SECRET, type=STRATEGIC, body={'metadata': {'labels': {'x': None}}}),
    dict(method='PATCH', path=ns(SECRETS) + '/secrets/missing', type=MERGE, body={'metadata': {'labels': {'a': 'b'}}}),
    # the type of a secret cannot change; a dockerconfigjson needs its key; names are DNS subdomains
    dict(method='PUT', path=ns(SECRETS) + '/secrets/opaque', body={
        'metadata': {'name': 'opaque', 'namespace': SECRETS}, 'type': 'kubernetes.io/dockerconfigjson',
        'data': {'.dockerconfigjson': dockerconfig('u')}}),
    dict(method='POST', path=ns(SECRETS) + '/secrets', body={
        'metadata': {'name': 'broken'}, 'type': 'kubernetes.io/dockerconfigjson', 'data': {'other': 'eA=='}}),
    dict(method='POST', path=ns(SECRETS) + '/secrets', body={'metadata': {'name': 'Not_Valid'}, 'data': {}}),
    dict(method='POST', path=ns(SECRETS) + '/secrets', body={
        'metadata': {'name': 'bad-label', 'labels': {'bad key!': 'v'}}}),
    dict(method='POST', path=ns(SECRETS) + '/secrets', type='text/plain', body='{}'),
    dict(method='GET', path=ns(SECRETS) + '/secrets?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcloudtemple.harbor'),
    dict(method='GET', path=ns(SECRETS) + '/secrets?labelSelector=tier+in+(one,two)'),
    dict(method='GET', path=ns(SECRETS) + '/secrets?labelSelector=tier!%3Done'),
    dict(method='DELETE', path=SECRET),
    dict(method='DELETE', path=SECRET),
    dict(method='GET', path=SECRET),
    dict(method='POST', path=ns('diff-no-such-namespace') + '/secrets', body={'metadata': {'name': 'x'}}),
    dict(method='GET', path=ns('diff-no-such-namespace') + '/secrets/x'),
] + delete_namespace(SECRETS)

ACCOUNTS = 'diff-accounts'
BUILDER = ns(ACCOUNTS) + '/serviceaccounts/builder'
ACCOUNTS_CONVERSATION = create_namespace(ACCOUNTS) + [
    dict(method='GET', path=ns(ACCOUNTS) + '/serviceaccounts/default'),
    dict(method='POST', path=ns(ACCOUNTS) + '/serviceaccounts', save='builder', body={
        'metadata': {'name': 'builder', 'labels': {'team': 'a'}},
        'imagePullSecrets': [{'name': 'one'}, {'name': 'two'}], 'secrets': [{'name': 's1'}]}),
    dict(method='POST', path=ns(ACCOUNTS) + '/serviceaccounts', body={'metadata': {'name': 'builder'}}),
    # strategic merge: imagePullSecrets has no patch strategy on a ServiceAccount, so the list is replaced;
    # secrets merges by name
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={'imagePullSecrets': [{'name': 'three'}]}),
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={'secrets': [{'name': 's2'}]}),
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={'secrets': [{'name': 's1', '$patch': 'delete'}]}),
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={
        '$setElementOrder/secrets': [{'name': 's3'}, {'name': 's2'}], 'secrets': [{'name': 's3'}]}),
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={'imagePullSecrets': [{'name': 'three'}]}),
    # a new name goes in front of the ones the server had (the patch's list is the order)
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={'secrets': [{'name': 's4'}]}),
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={'secrets': [{'name': 's2'}, {'name': 's5'}]}),
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={'imagePullSecrets': None}),
    dict(method='PATCH', path=BUILDER, type=MERGE, body={'imagePullSecrets': [{'name': 'a'}, {'name': 'b'}]}),
    dict(method='PATCH', path=BUILDER, type=JSON_PATCH, body=[
        {'op': 'add', 'path': '/imagePullSecrets/-', 'value': {'name': 'c'}}]),
    dict(method='PATCH', path=BUILDER, type=JSON_PATCH, body=[{'op': 'remove', 'path': '/imagePullSecrets/0'}]),
    dict(method='PATCH', path=BUILDER, type=JSON_PATCH, body=[
        {'op': 'test', 'path': '/imagePullSecrets/0/name', 'value': 'b'},
        {'op': 'replace', 'path': '/imagePullSecrets/0', 'value': {'name': 'harbor-pull-secret'}}]),
    dict(method='PATCH', path=BUILDER, type=JSON_PATCH, body={'op': 'add'}),
    dict(method='PATCH', path=BUILDER, type=STRATEGIC, body={
        'metadata': {'resourceVersion': '$rv:builder'}, 'imagePullSecrets': [{'name': 'late'}]}),
    dict(method='PATCH', path=BUILDER, type='text/plain', body='{}'),
    dict(method='PATCH', path=ns(ACCOUNTS) + '/serviceaccounts/default', type=STRATEGIC, body={
        'imagePullSecrets': [{'name': 'harbor-pull-secret'}]}),
    dict(method='GET', path=ns(ACCOUNTS) + '/serviceaccounts?labelSelector=team%3Da'),
    dict(method='GET', path=ns(ACCOUNTS) + '/serviceaccounts?labelSelector=team'),
    dict(method='GET', path=ns(ACCOUNTS) + '/serviceaccounts?labelSelector=!team'),
    dict(method='DELETE', path=BUILDER),
    dict(method='GET', path=BUILDER),
] + delete_namespace(ACCOUNTS)

NAMESPACES_CONVERSATION = create_namespace('diff-ns-a', {'diff-env': 'dev'}) + create_namespace(
    'diff-ns-b', {'diff-env': 'prod'}) + [
    dict(method='GET', path=ns('diff-ns-a')),
    dict(method='GET', path='/api/v1/namespaces?labelSelector=diff-env'),
    dict(method='GET', path='/api/v1/namespaces?labelSelector=diff-env+in+(prod)'),
    dict(method='GET', path='/api/v1/namespaces?labelSelector=kubernetes.io%2Fmetadata.name%3Ddiff-ns-b'),
    dict(method='POST', path='/api/v1/namespaces', body={'metadata': {'name': 'diff-ns-a'}}),
    dict(method='POST', path='/api/v1/namespaces', body={'metadata': {'name': 'Diff.NS'}}),
    dict(method='PATCH', path=ns('diff-ns-a'), type=MERGE, body={'metadata': {'labels': {'extra': 'yes'}}}),
    dict(method='PATCH', path=ns('diff-ns-a'), type=STRATEGIC, body={'metadata': {'labels': {'extra': None}}}),
    # metadata.finalizers is a merge list of scalars; the patch's order wins; removed again before the deletion
    dict(method='PATCH', path=ns('diff-ns-b'), type=STRATEGIC, body={'metadata': {'finalizers': ['x.io/one']}}),
    dict(method='PATCH', path=ns('diff-ns-b'), type=STRATEGIC, body={'metadata': {'finalizers': [
        'x.io/two', 'x.io/one']}}),
    dict(method='PATCH', path=ns('diff-ns-b'), type=STRATEGIC, body={'metadata': {'finalizers': ['x.io/three']}}),
    dict(method='PATCH', path=ns('diff-ns-b'), type=STRATEGIC, body={'metadata': {
        '$deleteFromPrimitiveList/finalizers': ['x.io/one', 'x.io/two', 'x.io/three']}}),
    dict(method='GET', path=ns('diff-ns-missing')),
    dict(method='DELETE', path=ns('default')),
    dict(method='DELETE', path=ns('kube-system')),
] + delete_namespace('diff-ns-a') + delete_namespace('diff-ns-b')

APPS = 'diff-apps'
DEPLOYMENTS = '/apis/apps/v1/namespaces/%s/deployments' % APPS
WEB = DEPLOYMENTS + '/web'
DIGEST = 'harbor.example.com/payments-prod/api@sha256:' + '4a7c' * 16


def deployment(name, labels=None, containers=(('api', 'harbor.example.com/payments/api:1.0'), ('proxy', 'envoy'))):
    return {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': name, 'labels': labels or {}},
            'spec': {'selector': {'matchLabels': {'app': name}},
                     'template': {'metadata': {'labels': {'app': name}},
                                  'spec': {'containers': [{'name': container, 'image': image}
                                                          for container, image in containers]}}}}


def rollout_patch(image, rv):
    """What harbor_rollout sends: the one container by name, with the resourceVersion it read."""
    return {'spec': {'template': {'spec': {'containers': [{'name': 'api', 'image': image}]}}},
            'metadata': {'resourceVersion': rv}}


def without(body, *path):
    """body with the key at path removed (an invalid Deployment)."""
    body = json.loads(json.dumps(body))
    container = body
    for key in path[:-1]:
        container = container[key]
    del container[path[-1]]
    return body


def with_spec(body, **fields):
    """body with spec fields replaced (None: removed)."""
    spec = dict(body['spec'], **fields)
    return dict(body, spec=dict((key, value) for key, value in spec.items() if value is not None))


# No deployment controller runs: the status stays empty on both and no ReplicaSet appears; the answers compared
# are the apiserver's own (defaults, generation, resourceVersion, validation, patches).
DEPLOYMENTS_CONVERSATION = create_namespace(APPS) + [
    dict(method='POST', path=DEPLOYMENTS, save='created', body=deployment('web', {'tier': 'front'})),
    dict(method='POST', path=DEPLOYMENTS, body=deployment('worker', {'tier': 'back'}, (('job', 'busybox:latest'),))),
    dict(method='GET', path=WEB),
    dict(method='GET', path=DEPLOYMENTS + '?labelSelector=tier%3Dfront'),
    dict(method='GET', path=DEPLOYMENTS + '?labelSelector=tier+in+(front,back)'),
    # the rollout: the api container's image by digest, then the same patch again (a no-op: same generation and rv)
    dict(method='PATCH', path=WEB, type=STRATEGIC, save='rolled', body=rollout_patch(DIGEST, '$rv:created')),
    dict(method='PATCH', path=WEB, type=STRATEGIC, body=rollout_patch(DIGEST, '$rv:rolled')),
    # the stale resourceVersion of the first read: a concurrent rollout happened, 409
    dict(method='PATCH', path=WEB, type=STRATEGIC, body=rollout_patch('envoy:2', '$rv:created')),
    # a metadata-only change keeps the generation
    dict(method='PATCH', path=WEB, type=MERGE, body={'metadata': {'labels': {'rolled': 'yes'}}}),
    # a JSON merge patch replaces the containers list whole: the proxy container is gone
    dict(method='PATCH', path=WEB, type=MERGE, body={'spec': {'replicas': 2, 'template': {'spec': {'containers': [
        {'name': 'api', 'image': 'harbor.example.com/payments/api:2.0'}]}}}}),
    dict(method='PATCH', path=WEB, type=JSON_PATCH, body=[
        {'op': 'test', 'path': '/spec/template/spec/containers/0/name', 'value': 'api'},
        {'op': 'replace', 'path': '/spec/template/spec/containers/0/image', 'value': 'harbor.example.com/p/api'},
        {'op': 'add', 'path': '/spec/template/spec/containers/-', 'value': {'name': 'side', 'image': 'busybox'}}]),
    dict(method='PATCH', path=WEB, type=JSON_PATCH, body=[
        {'op': 'test', 'path': '/spec/template/spec/containers/0/name', 'value': 'proxy'}]),
    # the selector cannot change; a patch cannot remove an image
    dict(method='PATCH', path=WEB, type=STRATEGIC, body={'spec': {
        'selector': {'matchLabels': {'app': 'web', 'x': 'y'}}, 'template': {'metadata': {'labels': {'x': 'y'}}}}}),
    dict(method='PATCH', path=WEB, type=JSON_PATCH, body=[
        {'op': 'remove', 'path': '/spec/template/spec/containers/0/image'}]),
    dict(method='PATCH', path=DEPLOYMENTS + '/missing', type=STRATEGIC, body=rollout_patch(DIGEST, '1')),
    dict(method='POST', path=DEPLOYMENTS, body=deployment('web')),
    dict(method='GET', path=DEPLOYMENTS + '/missing'),
    dict(method='POST', path=DEPLOYMENTS, body=without(deployment('bad'), 'spec', 'selector')),
    dict(method='POST', path=DEPLOYMENTS, body=without(deployment('bad'), 'spec', 'template', 'spec', 'containers', 0,
                                                       'image')),
    dict(method='POST', path=DEPLOYMENTS, body=with_spec(deployment('bad'), template={
        'metadata': {'labels': {'app': 'other'}}, 'spec': {'containers': [{'name': 'a', 'image': 'b'}]}})),
    dict(method='POST', path=DEPLOYMENTS, body=with_spec(deployment('bad'), selector={})),
    dict(method='POST', path=DEPLOYMENTS, body=with_spec(deployment('bad'), selector=None, template={
        'spec': {'containers': [{'name': 'a', 'image': 'b'}]}})),
    # matchExpressions count too: the template lacks tier=back
    dict(method='POST', path=DEPLOYMENTS, body=with_spec(deployment('bad'), selector={
        'matchLabels': {'app': 'bad'}, 'matchExpressions': [{'key': 'tier', 'operator': 'In', 'values': ['back']}]})),
    dict(method='POST', path=DEPLOYMENTS, body=with_spec(deployment('exprs', {'tier': 'back'}), selector={
        'matchExpressions': [{'key': 'app', 'operator': 'Exists'}, {'key': 'tier', 'operator': 'DoesNotExist'}]})),
    dict(method='DELETE', path=WEB),
    dict(method='GET', path=WEB),
    dict(method='DELETE', path=WEB),
    dict(method='GET', path=DEPLOYMENTS),
] + delete_namespace(APPS)

CONVERSATIONS = {
    'secrets': SECRETS_CONVERSATION,
    'serviceaccounts': ACCOUNTS_CONVERSATION,
    'namespaces': NAMESPACES_CONVERSATION,
    'deployments': DEPLOYMENTS_CONVERSATION,
}


# -- running and normalising ------------------------------------------------------------------------------------

def substitute(body, saved):
    """Replace "$rv:<name>" strings with the resourceVersion of the saved answer <name>."""
    if isinstance(body, dict):
        return dict((key, substitute(value, saved)) for key, value in body.items())
    if isinstance(body, list):
        return [substitute(value, saved) for value in body]
    if isinstance(body, str) and body.startswith('$rv:'):
        return saved[body[4:]]['metadata']['resourceVersion']
    return body


class Normaliser:
    TIME = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')

    def __init__(self):
        self.versions = {}

    def version(self, value):
        return self.versions.setdefault(value, 'rv%d' % (len(self.versions) + 1))

    def __call__(self, value, key=None):
        if isinstance(value, dict):
            result = {}
            for name, item in value.items():
                if name == 'managedFields':
                    continue
                if name == 'uid':
                    result[name] = '<uid>'
                elif name == 'resourceVersion' and isinstance(item, str):
                    # a list's resourceVersion is the cluster's: only its presence is comparable
                    result[name] = '<list rv>' if 'selfLink' in value or 'continue' in value or key == 'list' \
                        else self.version(item)
                else:
                    result[name] = self(item, 'list' if name == 'metadata' and 'items' in value else name)
            return result
        if isinstance(value, list):
            return [self(item) for item in value]
        if isinstance(value, str) and self.TIME.match(value):
            return '<time>'
        return value


def run(server, conversation):
    """The normalised transcript of the conversation with one server: one line of JSON per answer."""
    saved, normalise, transcript = {}, Normaliser(), []
    for step in conversation:
        if 'wait' in step:
            server.wait(step['wait'], step['status'])
            continue
        body = substitute(step.get('body'), saved)
        status, answer = server.call(step['method'], step['path'], body, step.get('type', JSON))
        if step.get('save'):
            saved[step['save']] = answer
        transcript.append('%s %s -> %d %s' % (step['method'], step['path'], status,
                                              json.dumps(normalise(answer), sort_keys=True)))
    return transcript


@pytest.mark.parametrize('name', sorted(CONVERSATIONS))
def test_the_emulator_answers_as_kube_apiserver(servers, name):
    emulator, real = servers
    expected = run(real, CONVERSATIONS[name])
    actual = run(emulator, CONVERSATIONS[name])
    differences = []
    for index, (want, got) in enumerate(zip(expected, actual)):
        if want != got:
            request, want_answer = want.split(' -> ', 1)
            got_answer = got.split(' -> ', 1)[1]
            differences.append('step %d, %s:\n%s' % (index + 1, request, '\n'.join(difflib.unified_diff(
                pretty(want_answer), pretty(got_answer), 'kube-apiserver', 'emulator', lineterm='', n=2))))
    assert len(actual) == len(expected)
    if differences:
        pytest.fail('the emulator differs from kube-apiserver in %d of %d answers of conversation %r:\n\n%s' % (
            len(differences), len(expected), name, '\n\n'.join(differences)), pytrace=False)


def pretty(answer):
    """'<status> <json>' as indented lines, for a readable diff."""
    status, body = answer.split(' ', 1)
    return [status] + json.dumps(json.loads(body), indent=1, sort_keys=True).splitlines()
