# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_pull_secret_info against scripted Kubernetes API and Harbor conversations."""

from __future__ import annotations

import json

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_pull_secret_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import Call, FakeResponse, run_module
from ansible_collections.cloudtemple.harbor.tests.unit.kube_fakes import (  # pylint: disable=unused-import
    KUBE_ARGS,
    KubeCall,
    cluster,
    namespace,
    not_found,
    ok,
    secret,
    service_account,
)

SECRET = 'harbor-pull-secret'


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_pull_secret_info.main, monkeypatch, dict(KUBE_ARGS, **args), **kwargs)


def reads(name, found_secret, account):
    return [KubeCall('GET', '/api/v1/namespaces/%s/secrets/%s' % (name, SECRET), found_secret),
            KubeCall('GET', '/api/v1/namespaces/%s/serviceaccounts/default' % name, account)]


def test_reports_each_namespace_and_checks_each_login_once(monkeypatch, cluster):
    conversation = cluster([
        KubeCall('GET', '/api/v1/namespaces/team-a', ok(namespace('team-a'))),
        KubeCall('GET', '/api/v1/namespaces/team-b', ok(namespace('team-b'))),
        KubeCall('GET', '/api/v1/namespaces/team-c', ok(namespace('team-c'))),
        KubeCall('GET', '/api/v1/namespaces/ghost', not_found('namespaces', 'ghost')),
    ] + reads('team-a', ok(secret('team-a')), ok(service_account('team-a', [SECRET]))) + [
        Call('GET', '/users/current', FakeResponse(412, {'errors': [{'code': 'PRECONDITION', 'message': 'robot'}]})),
    ] + reads('team-b', ok(secret('team-b')), ok(service_account('team-b', ['other']))) + reads(
        'team-c', ok(secret('team-c', password='Revoked')), not_found('serviceaccounts', 'default')) + [
        Call('GET', '/users/current', FakeResponse(401, {'errors': [{'code': 'UNAUTHORIZED', 'message': 'x'}]})),
    ])
    result, failed = run(monkeypatch, dict(namespaces=['team-a', 'team-b', 'team-c', 'ghost'],
                                           service_accounts=['default'], check_login=True,
                                           query="[?login == `false`].namespace"))
    assert not failed and not result['changed']
    first = result['namespaces'][0]
    assert first == dict(namespace='team-a', namespace_exists=True, exists=True, type='kubernetes.io/dockerconfigjson',
                         registry='harbor.example.com', registries=['harbor.example.com'],
                         username='robot$payments+puller', labels={'app.kubernetes.io/managed-by': 'cloudtemple.harbor'},
                         service_accounts={'default': True}, login=True)
    assert result['namespaces'][1]['service_accounts'] == {'default': False} and result['namespaces'][1]['login']
    assert result['namespaces'][2]['service_accounts'] == {'default': False}
    assert result['namespaces'][3] == dict(namespace='ghost', namespace_exists=False, exists=False, type=None,
                                           registry=None, registries=[], username=None, labels={},
                                           service_accounts={'default': False}, login=None)
    assert result['query_result'] == ['team-c']
    assert 'Pull-S3cret' not in json.dumps(result) and 'Revoked' not in json.dumps(result)
    assert conversation.writes == []


def test_the_entry_for_harbor_is_preferred_and_the_password_returned_only_under_no_log(monkeypatch, cluster):
    cluster([KubeCall('GET', '/api/v1/namespaces/team-a', ok(namespace('team-a'))),
             KubeCall('GET', '/api/v1/namespaces/team-a/secrets/' + SECRET,
                      ok(secret('team-a', registry='harbor.example.com')))])
    result, failed = run(monkeypatch, dict(namespaces=['team-a'], return_password=True, _ansible_no_log=True))
    assert not failed and result['namespaces'][0]['password'] == 'Pull-S3cret'


def test_return_password_without_no_log_fails_before_any_request(monkeypatch, cluster):
    conversation = cluster([])
    result, failed = run(monkeypatch, dict(namespaces=['team-a'], return_password=True))
    assert failed and result['msg'].startswith('return_password: true needs no_log: true on the task')
    assert conversation.requests == []


def test_check_login_needs_harbor_url(monkeypatch, cluster):
    conversation = cluster([])
    result, failed = run(monkeypatch, dict(namespaces=['team-a'], check_login=True, harbor_url=None))
    assert failed and result['msg'].startswith('check_login') and conversation.requests == []


def test_a_bad_query_fails_before_any_request(monkeypatch, cluster):
    conversation = cluster([])
    result, failed = run(monkeypatch, dict(namespaces=['team-a'], query='[?'))
    assert failed and result['msg'].startswith('query is not a valid JMESPath expression')
    assert conversation.requests == []
