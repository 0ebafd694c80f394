# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Kubernetes connection: kubeconfig handling with kubernetes.core's precedence, retries, errors."""

from __future__ import annotations

import json

import pytest
import requests

from ansible_collections.cloudtemple.harbor.plugins.module_utils import k8s, transport
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import FakeResponse
from ansible_collections.cloudtemple.harbor.tests.unit.kube_fakes import (  # pylint: disable=unused-import
    KUBE,
    TOKEN,
    KubeCall,
    cluster,
    ok,
    status,
)

OPTIONS = dict(kubeconfig=None, context=None, host=None, api_key=None, validate_certs=None, ca_cert=None,
               client_cert=None, client_key=None, proxy=None)


def kubeconfig(tmp_path, server=KUBE, ca_file=True):
    ca_path = tmp_path / 'ca.pem'
    ca_path.write_text('not checked before a real TLS handshake\n')
    cluster_entry = {'server': server}
    if ca_file:
        cluster_entry['certificate-authority'] = str(ca_path)
    config = {
        'apiVersion': 'v1', 'kind': 'Config', 'current-context': 'main',
        'clusters': [{'name': 'c', 'cluster': cluster_entry},
                     {'name': 'other', 'cluster': {'server': 'https://other.example.com', 'insecure-skip-tls-verify': True}}],
        'users': [{'name': 'u', 'user': {'token': TOKEN}}, {'name': 'v', 'user': {'token': 'other-token'}}],
        'contexts': [{'name': 'main', 'context': {'cluster': 'c', 'user': 'u'}},
                     {'name': 'edge', 'context': {'cluster': 'other', 'user': 'v'}}],
    }
    path = tmp_path / 'kubeconfig'
    path.write_text(json.dumps(config))
    return str(path), str(ca_path), config


def client(**options):
    return k8s.client_from_params(dict(OPTIONS, **options))


def test_kubeconfig_gives_server_token_and_ca(cluster, tmp_path):
    path, ca_path, _config = kubeconfig(tmp_path)
    kube = client(kubeconfig=path)
    assert kube.host == KUBE and kube._session.verify == ca_path  # pylint: disable=protected-access
    cluster([KubeCall('GET', '/api/v1/namespaces/default', ok({'metadata': {'name': 'default'}}))])
    assert kube.get('/api/v1/namespaces/default') == {'metadata': {'name': 'default'}}


def test_kubeconfig_from_the_environment_and_as_a_dict(cluster, tmp_path, monkeypatch):
    path, _ca_path, config = kubeconfig(tmp_path)
    monkeypatch.setenv('KUBECONFIG', path)
    assert client().host == KUBE
    monkeypatch.delenv('KUBECONFIG')
    assert client(kubeconfig=config).host == KUBE


def test_context_and_explicit_options_win(cluster, tmp_path):
    path, _ca_path, _config = kubeconfig(tmp_path)
    edge = client(kubeconfig=path, context='edge')
    assert edge.host == 'https://other.example.com' and edge._session.verify is False  # pylint: disable=protected-access
    overridden = client(kubeconfig=path, context='edge', host=KUBE, api_key=TOKEN, validate_certs=True)
    assert overridden._session.verify is True  # pylint: disable=protected-access
    cluster([KubeCall('GET', '/version', ok({'gitVersion': 'v1.32.4'}))])
    overridden.get('/version')  # the fake checks the bearer token: the api_key, not the context's


def test_host_and_api_key_alone_need_no_kubeconfig(cluster, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    kube = client(host=KUBE + '/', api_key=TOKEN, proxy='http://proxy.example.com:3128')
    assert kube.host == KUBE
    assert kube._session.proxies == {'http': 'http://proxy.example.com:3128', 'https': 'http://proxy.example.com:3128'}  # pylint: disable=protected-access
    assert kube._session.trust_env is False  # pylint: disable=protected-access


@pytest.mark.parametrize('options, message', [
    (dict(kubeconfig='/nonexistent/kubeconfig'), 'kubeconfig: the file /nonexistent/kubeconfig does not exist'),
    (dict(host=KUBE, ca_cert='/nonexistent/ca.pem'), 'ca_cert: the file /nonexistent/ca.pem does not exist'),
    (dict(host=KUBE, client_cert='/nonexistent/c.pem'), 'client_cert: the file'),
    (dict(), 'No Kubernetes connection: set kubeconfig'),
])
def test_configuration_errors_name_the_option(cluster, tmp_path, monkeypatch, options, message):
    monkeypatch.setenv('HOME', str(tmp_path))
    with pytest.raises(k8s.KubeError) as error:
        client(**options)
    assert str(error.value).startswith(message)


def test_an_unknown_context_is_named(cluster, tmp_path):
    path, _ca_path, _config = kubeconfig(tmp_path)
    with pytest.raises(k8s.KubeError) as error:
        client(kubeconfig=path, context='nope')
    assert str(error.value).startswith('context: cannot use the Kubernetes configuration')


def test_disabled_verification_warns(cluster):
    warnings = []
    kube = k8s.client_from_params(dict(OPTIONS, host=KUBE, api_key=TOKEN, validate_certs=False), warn=warnings.append)
    assert kube._session.verify is False  # pylint: disable=protected-access
    assert len(warnings) == 1 and 'not verified' in warnings[0]


def test_reads_are_retried_on_unavailable_and_rate_limits(cluster):
    slept = []
    kube = k8s.KubeClient(k8s._load_configuration(dict(OPTIONS, host=KUBE, api_key=TOKEN)),  # pylint: disable=protected-access
                          sleep=slept.append)
    cluster([KubeCall('GET', '/api/v1/namespaces', FakeResponse(503, 'busy')),
             KubeCall('GET', '/api/v1/namespaces', FakeResponse(429, 'slow down', headers={'Retry-After': '2'})),
             KubeCall('GET', '/api/v1/namespaces', ok({'items': []}))])
    assert kube.get('/api/v1/namespaces') == {'items': []}
    assert len(slept) == 2 and slept[1] == 2.0


def test_a_post_that_is_not_a_create_is_not_repeated_after_a_lost_answer(cluster):
    kube = client(host=KUBE, api_key=TOKEN)
    kube.sleep = lambda seconds: None
    conversation = cluster([KubeCall('POST', '/api/v1/namespaces/a/secrets/s/x', requests.exceptions.ConnectionError('reset'))])
    with pytest.raises(k8s.KubeError) as error:
        kube.request('POST', '/api/v1/namespaces/a/secrets/s/x', body={})
    assert str(error.value).startswith('Cannot reach the Kubernetes API at %s: POST /api/v1/namespaces/a/secrets/s/x '
                                       'failed' % KUBE)
    assert str(error.value).endswith('then run again')
    assert conversation.requests == ['POST /api/v1/namespaces/a/secrets/s/x']


def test_a_create_whose_answer_was_lost_is_replayed_and_an_applied_one_is_recognised(cluster):
    # A create names its object: replayed after it was applied, it meets AlreadyExists, which callers converge from.
    kube = client(host=KUBE, api_key=TOKEN)
    kube.sleep = lambda seconds: None
    conversation = cluster([
        KubeCall('POST', '/api/v1/namespaces', requests.exceptions.ConnectionError('reset')),
        KubeCall('POST', '/api/v1/namespaces', FakeResponse(503, 'unavailable')),
        KubeCall('POST', '/api/v1/namespaces', status(409, 'AlreadyExists', 'namespaces "x" already exists')),
    ])
    with pytest.raises(k8s.KubeError) as error:
        kube.create('/api/v1/namespaces', {'metadata': {'name': 'x'}})
    assert k8s.already_exists(error.value)
    assert conversation.requests == ['POST /api/v1/namespaces'] * 3


def test_a_patch_whose_answer_was_lost_is_replayed_and_still_counts_as_a_change(cluster):
    # The replay carries the old resourceVersion, so it meets Conflict; the object read again needs nothing more.
    kube = client(host=KUBE, api_key=TOKEN)
    kube.sleep = lambda seconds: None
    before = {'metadata': {'resourceVersion': '5'}, 'data': {'a': 'old'}}
    after = {'metadata': {'resourceVersion': '6'}, 'data': {'a': 'new'}}
    conversation = cluster([
        KubeCall('PATCH', '/api/v1/x', FakeResponse(504, 'gateway timeout')),
        KubeCall('PATCH', '/api/v1/x', status(409, 'Conflict', 'the object has been modified')),
        KubeCall('GET', '/api/v1/x', ok(after)),
    ])
    result = kube.patch_until_applied('/api/v1/x', before,
                                      lambda obj: None if obj['data']['a'] == 'new' else {'data': {'a': 'new'}})
    assert result == (after, True)
    assert conversation.requests == ['PATCH /api/v1/x', 'PATCH /api/v1/x', 'GET /api/v1/x']


def test_an_outage_that_outlasts_the_retries_says_to_run_again(cluster):
    kube = client(host=KUBE, api_key=TOKEN)
    kube.sleep = lambda seconds: None
    cluster([KubeCall('GET', '/api/v1/namespaces', status(503, 'ServiceUnavailable', 'etcd is down'))] * transport.MAX_ATTEMPTS)
    with pytest.raises(k8s.KubeError) as error:
        kube.get('/api/v1/namespaces')
    assert 'answered 503 ServiceUnavailable: etcd is down' in str(error.value)
    assert 'unavailable or overloaded' in str(error.value) and 'run again' in str(error.value)


def test_tls_failures_say_what_to_do(cluster):
    kube = client(host=KUBE, api_key=TOKEN)
    cluster([KubeCall('GET', '/api', requests.exceptions.SSLError('certificate verify failed'))])
    with pytest.raises(k8s.KubeError) as error:
        kube.get('/api')
    assert 'Cannot verify the TLS certificate' in str(error.value) and 'ca_cert' in str(error.value)


@pytest.mark.parametrize('answer, expected', [
    (status(403, 'Forbidden', 'secrets "s" is forbidden: User "ci" cannot get resource "secrets"'),
     'GET /api/v1/namespaces/a/secrets/s answered 403 Forbidden: secrets "s" is forbidden: User "ci" cannot get '
     'resource "secrets". Give this identity the RBAC permission'),
    (status(401, 'Unauthorized', 'Unauthorized'), 'The Kubernetes API rejected the credentials'),
    (status(422, 'Invalid', 'Secret "s" is invalid: data: Too long'), 'answered 422 Invalid: Secret "s" is invalid'),
])
def test_status_answers_become_clear_errors(cluster, answer, expected):
    kube = client(host=KUBE, api_key=TOKEN)
    cluster([KubeCall('GET', '/api/v1/namespaces/a/secrets/s', answer)])
    with pytest.raises(k8s.KubeError) as error:
        kube.get('/api/v1/namespaces/a/secrets/s')
    assert expected in str(error.value)
    assert error.value.details()['status'] == answer.status_code


def test_a_create_conflict_other_than_already_exists_is_an_error(cluster):
    kube = client(host=KUBE, api_key=TOKEN)
    cluster([KubeCall('POST', '/api/v1/namespaces', status(409, 'Conflict', 'Operation cannot be fulfilled'))])
    with pytest.raises(k8s.KubeError) as error:
        kube.create('/api/v1/namespaces', {'metadata': {'name': 'x'}})
    assert not k8s.already_exists(error.value)


def test_patch_until_applied_sends_nothing_when_nothing_changes(cluster):
    kube = client(host=KUBE, api_key=TOKEN)
    conversation = cluster([])
    current = {'metadata': {'resourceVersion': '5'}}
    assert kube.patch_until_applied('/api/v1/x', current, lambda obj: None) == (current, False)
    assert conversation.requests == []


def test_path_of():
    assert k8s.path_of('namespaces') == '/api/v1/namespaces'
    assert k8s.path_of('secrets', 'team-a', 'pull') == '/api/v1/namespaces/team-a/secrets/pull'
