# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_webhook and harbor_webhook_info against scripted Harbor conversations."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_webhook, harbor_webhook_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

TOKEN = 'Bearer Sup3r-Secret-Token'
PROJECT = Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'}))
NO_PROJECT = Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))
POLICIES = '/projects/payments/webhook/policies'
HOOK = {'id': 4, 'name': 'deployer', 'project_id': 12, 'enabled': True, 'event_types': ['SCANNING_COMPLETED',
                                                                                        'PUSH_ARTIFACT'],
        'targets': [{'type': 'http', 'address': 'https://deployer.example.com/harbor', 'auth_header': TOKEN,
                     'payload_format': 'CloudEvents'}],
        'creation_time': '2026-01-05T10:00:00.000Z', 'update_time': '2026-01-05T10:00:00.000Z'}
TASK = dict(project='payments', name='deployer', events=['PUSH_ARTIFACT', 'SCANNING_COMPLETED'],
            targets=[dict(address='https://deployer.example.com/harbor', auth_header=TOKEN,
                          payload_format='CloudEvents')])
TARGET = {'type': 'http', 'address': 'https://deployer.example.com/harbor', 'skip_cert_verify': False,
          'payload_format': 'CloudEvents'}


def listing(*policies, name='deployer'):
    return Call('GET', POLICIES, FakeResponse(200, list(policies), {'X-Total-Count': str(len(policies))}),
                params={'q': 'name=%s' % name, 'page': 1, 'page_size': 100})


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_webhook.main, monkeypatch, args, **kwargs)


def no_token(result):
    assert 'Sup3r-Secret-Token' not in json.dumps(result)


def test_create(monkeypatch, harbor):
    harbor([
        PROJECT, listing(),
        Call('POST', POLICIES, FakeResponse(201, headers={'Location': '/api/v2.0%s/4' % POLICIES}), json={
            'name': 'deployer', 'description': '', 'enabled': True,
            'event_types': ['PUSH_ARTIFACT', 'SCANNING_COMPLETED'], 'targets': [dict(TARGET, auth_header=TOKEN)]}),
        listing(HOOK),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed']
    assert result['webhook']['targets'] == [dict(TARGET, auth_header_set=True)]
    assert result['webhook']['events'] == ['PUSH_ARTIFACT', 'SCANNING_COMPLETED'] and result['webhook']['id'] == 4
    assert result['diff']['after']['targets'] == [TARGET] and result['diff']['before'] == {}
    no_token(result)


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, listing(HOOK)])
    result, failed = run(monkeypatch, TASK)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']
    no_token(result)


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([PROJECT, listing()])
    result, failed = run(monkeypatch, TASK, check_mode=True, diff=True)
    assert not failed and result['changed'] and conversation.methods == ['GET', 'GET']
    assert result['webhook']['enabled'] and result['webhook']['targets'] == [dict(TARGET, auth_header_set=True)]
    no_token(result)


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, listing(HOOK)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_a_change_puts_the_whole_policy_and_keeps_the_header_and_creation_time(monkeypatch, harbor):
    harbor([
        PROJECT, listing(HOOK),
        Call('PUT', POLICIES + '/4', json={
            'name': 'deployer', 'description': '', 'enabled': True, 'event_types': ['PUSH_ARTIFACT'],
            'targets': [dict(TARGET, auth_header=TOKEN)], 'creator': '',
            'creation_time': '2026-01-05T10:00:00.000Z'}),
        listing(dict(HOOK, event_types=['PUSH_ARTIFACT'])),
    ])
    result, failed = run(monkeypatch, dict(project='payments', name='deployer', events=['PUSH_ARTIFACT']), diff=True)
    assert not failed and result['changed']
    assert result['diff'] == {'before': {'project': 'payments', 'name': 'deployer',
                                         'events': ['PUSH_ARTIFACT', 'SCANNING_COMPLETED']},
                              'after': {'project': 'payments', 'name': 'deployer', 'events': ['PUSH_ARTIFACT']}}


def test_on_create_leaves_the_header_of_an_existing_target(monkeypatch, harbor):
    conversation = harbor([PROJECT, listing(HOOK)])
    task = dict(TASK, targets=[dict(TASK['targets'][0], auth_header='Bearer another')])
    result, failed = run(monkeypatch, task)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_always_changes_a_different_header_and_never_shows_it(monkeypatch, harbor):
    harbor([
        PROJECT, listing(dict(HOOK, targets=[dict(HOOK['targets'][0], auth_header='Bearer old-value')])),
        Call('PUT', POLICIES + '/4', json={
            'name': 'deployer', 'description': '', 'enabled': True,
            'event_types': ['PUSH_ARTIFACT', 'SCANNING_COMPLETED'], 'targets': [dict(TARGET, auth_header=TOKEN)],
            'creator': '', 'creation_time': '2026-01-05T10:00:00.000Z'}),
        listing(HOOK),
    ])
    result, failed = run(monkeypatch, dict(TASK, update_secret='always'), diff=True)
    assert not failed and result['changed']
    assert result['diff']['before'] == result['diff']['after']
    assert 'old-value' not in json.dumps(result)
    no_token(result)


def test_always_with_the_same_header_changes_nothing(monkeypatch, harbor):
    conversation = harbor([PROJECT, listing(HOOK)])
    result, failed = run(monkeypatch, dict(TASK, update_secret='always'))
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_a_new_target_gets_its_header_beside_the_kept_one(monkeypatch, harbor):
    slack = {'type': 'slack', 'address': 'https://hooks.slack.com/services/T0/B0/x', 'skip_cert_verify': False,
             'payload_format': ''}
    harbor([
        PROJECT, listing(HOOK),
        Call('PUT', POLICIES + '/4', json={
            'name': 'deployer', 'description': '', 'enabled': True,
            'event_types': ['PUSH_ARTIFACT', 'SCANNING_COMPLETED'],
            'targets': [dict(TARGET, auth_header=TOKEN), dict(slack, auth_header='')],
            'creator': '', 'creation_time': '2026-01-05T10:00:00.000Z'}),
        listing(HOOK),
    ])
    task = dict(TASK, targets=[dict(address=TARGET['address'], payload_format='CloudEvents'),
                               dict(type='slack', address=slack['address'])])
    result, failed = run(monkeypatch, task)
    assert not failed and result['changed']


def test_delete_and_delete_again(monkeypatch, harbor):
    harbor([PROJECT, listing(HOOK), Call('DELETE', POLICIES + '/4')])
    result, failed = run(monkeypatch, dict(project='payments', name='deployer', state='absent'))
    assert not failed and result['changed'] and result['webhook'] == {}
    harbor([PROJECT, listing()])
    result, failed = run(monkeypatch, dict(project='payments', name='deployer', state='absent'))
    assert not failed and not result['changed']
    harbor([NO_PROJECT])
    result, failed = run(monkeypatch, dict(project='payments', name='deployer', state='absent'))
    assert not failed and not result['changed']


def test_missing_project_and_missing_options_fail_before_any_write(monkeypatch, harbor):
    conversation = harbor([NO_PROJECT])
    result, failed = run(monkeypatch, TASK)
    assert failed and "project 'payments' does not exist" in result['msg'] and conversation.methods == ['GET']
    harbor([PROJECT, listing()])
    result, failed = run(monkeypatch, dict(project='payments', name='deployer', events=['PUSH_ARTIFACT']))
    assert failed and result['msg'] == "targets: required to create webhook policy 'deployer', which does not exist"


def test_harbors_refusal_is_reported(monkeypatch, harbor):
    harbor([PROJECT, listing(),
            Call('POST', POLICIES, FakeResponse(403, error_body('FORBIDDEN', 'forbidden')))])
    result, failed = run(monkeypatch, TASK)
    assert failed and 'notification-policy:create on project payments' in result['msg']
    no_token(result)


@pytest.mark.parametrize('args, word', [
    (dict(events=[]), 'events must name at least one'),
    (dict(targets=[]), 'targets must hold at least one'),
    (dict(targets=[dict(address='deployer.example.com')]), 'targets[0].address must be an http:// or https://'),
    (dict(targets=[dict(address='ftp://x')]), 'targets[0].address'),
    (dict(targets=[dict(address='https://a'), dict(address='https://a')]), 'https://a appears more than once'),
    (dict(targets=[dict(type='slack', address='https://s', payload_format='Default')]), 'slack'),
    (dict(targets=[dict(type='slack', address='https://s', auth_header=TOKEN)]), 'takes no auth header'),
    (dict(events=['CREATE_TAG']), 'events'),
    (dict(name=' '), 'name must not be empty'),
    (dict(update_secret='sometimes'), 'update_secret'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, word):
    conversation = harbor([])
    result, failed = run(monkeypatch, dict(TASK, **args))
    assert failed and word in result['msg'] and conversation.methods == []
    no_token(result)


# -- harbor_webhook_info ----------------------------------------------------------------------------------------

def info(monkeypatch, args):
    return run_module(harbor_webhook_info.main, monkeypatch, args)


def test_info_lists_policies_without_headers_and_queries(monkeypatch, harbor):
    other = dict(HOOK, id=5, name='alerts', targets=[{'type': 'slack', 'address': 'https://s'}])
    harbor([PROJECT, Call('GET', POLICIES, FakeResponse(200, [HOOK, other], {'X-Total-Count': '2'}),
                          params={'page': 1, 'page_size': 100})])
    result, failed = info(monkeypatch, dict(project='payments', query='[].targets[].auth_header_set'))
    assert not failed and [hook['name'] for hook in result['webhooks']] == ['alerts', 'deployer']
    assert result['query_result'] == [False, True]
    assert 'deliveries' not in result['webhooks'][0]
    no_token(result)


def test_info_reads_recent_deliveries_with_logs(monkeypatch, harbor):
    execution = {'id': 31, 'vendor_type': 'WEBHOOK', 'vendor_id': 4, 'status': 'Success', 'trigger': 'EVENT',
                 'extra_attrs': {'event_type': 'PUSH_ARTIFACT', 'payload': '{}'},
                 'start_time': '2026-01-05T10:00:00Z', 'end_time': '2026-01-05T10:00:01Z'}
    task = {'id': 30, 'status': 'Success', 'status_message': '', 'run_count': 3,
            'start_time': '2026-01-05T10:00:00Z', 'end_time': '2026-01-05T10:00:01Z'}
    harbor([
        PROJECT, listing(HOOK),
        Call('GET', POLICIES + '/4/executions', FakeResponse(200, [execution]), params={'page': 1, 'page_size': 2}),
        Call('GET', POLICIES + '/4/executions/31/tasks', FakeResponse(200, [dict(task, execution_id=31)])),
        Call('GET', POLICIES + '/4/executions/31/tasks/30/log', FakeResponse(200, 'start to run webhook job\n')),
    ])
    result, failed = info(monkeypatch, dict(project='payments', name='deployer', deliveries=2, logs=True))
    assert not failed
    delivery = result['webhooks'][0]['deliveries'][0]
    assert (delivery['event_type'], delivery['target_type'], delivery['status']) == ('PUSH_ARTIFACT', 'http', 'Success')
    assert delivery['tasks'] == [dict(task, log='start to run webhook job\n')]


def test_info_refuses_a_bad_count_before_any_request(monkeypatch, harbor):
    conversation = harbor([])
    result, failed = info(monkeypatch, dict(project='payments', deliveries=-1))
    assert failed and 'deliveries must be between 0 and 100' in result['msg'] and conversation.methods == []
