# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_replication and harbor_replication_info against scripted Harbor conversations."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_replication, harbor_replication_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

LOCAL = {'id': 0, 'name': 'Local', 'type': 'harbor', 'url': 'http://harbor.example.com'}
DR = {'id': 3, 'name': 'harbor-dr', 'type': 'harbor', 'url': 'https://harbor-dr.example.com', 'status': 'healthy'}
POLICY = {'id': 7, 'name': 'payments-to-dr', 'src_registry': LOCAL, 'dest_registry': DR,
          'dest_namespace_replace_count': -1, 'enabled': True, 'override': True, 'speed': 0, 'copy_by_chunk': False,
          'single_active_replication': False, 'deletion': True, 'replicate_deletion': True,
          'filters': [{'type': 'name', 'value': 'payments/**'}], 'trigger': {'type': 'event_based'},
          'creation_time': 't', 'update_time': 't'}
TASK = dict(name='payments-to-dr', direction='push', registry='harbor-dr', source_filters=dict(name='payments/**'),
            trigger='event_based', delete_remote=True)
CREATED = {'name': 'payments-to-dr', 'description': '', 'dest_namespace': '', 'dest_namespace_replace_count': -1,
           'filters': [{'type': 'name', 'value': 'payments/**'}], 'trigger': {'type': 'event_based'},
           'override': True, 'deletion': True, 'speed': 0, 'copy_by_chunk': False, 'enabled': True,
           'single_active_replication': False, 'dest_registry': {'id': 3}}


def policies(*found):
    return Call('GET', '/replication/policies', FakeResponse(200, list(found), {'X-Total-Count': str(len(found))}),
                params={'name': 'payments-to-dr', 'page': 1, 'page_size': 100})


def registries(*found):
    return Call('GET', '/registries', FakeResponse(200, list(found), {'X-Total-Count': str(len(found))}),
                params={'q': 'name=harbor-dr', 'page': 1, 'page_size': 100})


def executions(*found):
    return Call('GET', '/replication/executions', FakeResponse(200, list(found)),
                params={'policy_id': 7, 'page': 1, 'page_size': 10})


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_replication.main, monkeypatch, args, **kwargs)


def test_create(monkeypatch, harbor):
    harbor([
        policies(), registries(DR),
        Call('POST', '/replication/policies', FakeResponse(201, headers={'Location': '/api/v2.0/replication/policies/7'}),
             json=CREATED),
        policies(POLICY),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed'] and result['policy']['id'] == 7
    assert result['policy']['registry'] == 'harbor-dr' and result['policy']['direction'] == 'push'
    assert result['diff']['after']['trigger'] == 'event_based'


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor([policies(POLICY)])
    result, failed = run(monkeypatch, TASK)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([policies(), registries(DR)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET', 'GET']
    assert result['policy']['enabled'] is True and result['policy']['source_filters']['name'] == 'payments/**'


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([policies(POLICY)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_a_change_replaces_the_whole_policy_keeping_what_the_task_leaves_out(monkeypatch, harbor):
    harbor([
        policies(POLICY),
        Call('PUT', '/replication/policies/7', json=dict(
            CREATED, trigger={'type': 'scheduled', 'trigger_settings': {'cron': '0 0 2 * * *'}},
            filters=[{'type': 'name', 'value': 'payments/**'}, {'type': 'tag', 'value': 'v*', 'decoration': 'excludes'}])),
        policies(POLICY),
    ])
    result, failed = run(monkeypatch, dict(name='payments-to-dr', trigger='0 0 2 * * *', source_filters=dict(
        name='payments/**', tag='v*', tag_match='excluding')), diff=True)
    assert not failed and result['changed']
    assert result['diff']['before']['trigger'] == 'event_based'
    assert result['diff']['after']['trigger'] == '0 0 2 * * *'


def test_a_pull_policy_names_its_source(monkeypatch, harbor):
    pull = dict(POLICY, src_registry=DR, dest_registry=LOCAL)
    conversation = harbor([policies(pull)])
    result, failed = run(monkeypatch, dict(TASK, direction='pull'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_a_named_schedule_and_its_cron_are_the_same(monkeypatch, harbor):
    daily = dict(POLICY, trigger={'type': 'scheduled', 'trigger_settings': {'cron': '0 0 0 * * *'}})
    conversation = harbor([policies(daily)])
    result, failed = run(monkeypatch, dict(name='payments-to-dr', trigger='daily'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_run_waits_for_the_replication(monkeypatch, harbor):
    running = {'id': 21, 'policy_id': 7, 'status': 'InProgress', 'total': 0}
    done = dict(running, status='Succeed', total=2, succeed=2, failed=0)
    harbor([
        policies(POLICY),
        Call('POST', '/replication/executions', FakeResponse(201, headers={
            'Location': '/api/v2.0/replication/executions/21'}), json={'policy_id': 7}),
        executions(running),
        executions(done),
    ])
    result, failed = run(monkeypatch, dict(TASK, run=True))
    assert not failed and result['changed']
    assert result['execution']['status'] == 'Succeed' and result['execution']['succeed'] == 2


def test_a_failed_replication_fails_the_task(monkeypatch, harbor):
    failed_run = {'id': 21, 'policy_id': 7, 'status': 'Failed', 'total': 2, 'failed': 1,
                  'status_text': 'failed to create adapter'}
    harbor([
        policies(POLICY),
        Call('POST', '/replication/executions', FakeResponse(201, headers={
            'Location': '/api/v2.0/replication/executions/21'})),
        executions(failed_run),
    ])
    result, failed = run(monkeypatch, dict(TASK, run=True))
    assert failed and 'ended with status Failed (1 of 2 tasks failed): failed to create adapter' in result['msg']


def test_run_without_wait_returns_the_id(monkeypatch, harbor):
    harbor([
        policies(POLICY),
        Call('POST', '/replication/executions', FakeResponse(201, headers={
            'Location': '/api/v2.0/replication/executions/21'})),
    ])
    result, failed = run(monkeypatch, dict(TASK, run=True, wait=False))
    assert not failed and result['changed'] and result['execution'] == {'id': 21}


def test_run_in_check_mode_starts_nothing(monkeypatch, harbor):
    conversation = harbor([policies(POLICY)])
    result, failed = run(monkeypatch, dict(TASK, run=True), check_mode=True)
    assert not failed and result['changed'] and 'execution' not in result and conversation.methods == ['GET']


def test_a_disabled_policy_cannot_run(monkeypatch, harbor):
    conversation = harbor([policies(POLICY)])
    result, failed = run(monkeypatch, dict(TASK, enabled=False, run=True))
    assert failed and 'run: policy' in result['msg'] and 'disabled' in result['msg']
    assert conversation.methods == ['GET']


def test_an_unknown_registry_is_an_error_before_any_write(monkeypatch, harbor):
    conversation = harbor([policies(), registries()])
    result, failed = run(monkeypatch, TASK)
    assert failed and "no registry endpoint named 'harbor-dr'" in result['msg']
    assert conversation.methods == ['GET', 'GET']


@pytest.mark.parametrize('args, message', [
    (dict(trigger='0 * 2 * * *'), 'Harbor refuses * in the minutes field'),
    (dict(trigger='0 0 2 * *'), 'has 5 fields'),
    (dict(trigger='none'), 'use manual'),
    (dict(destination_namespace='Bad NS'), "destination_namespace 'Bad NS' is not a valid namespace"),
    (dict(dest_namespace_replace_count=-2), 'dest_namespace_replace_count must be -1'),
    (dict(run=True, state='absent'), 'run cannot be used with state: absent'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, message):
    conversation = harbor([])
    result, failed = run(monkeypatch, dict(dict(TASK, **args)))
    assert failed and message in result['msg'] and conversation.methods == []


def test_creating_needs_direction_and_registry(monkeypatch, harbor):
    conversation = harbor([policies()])
    result, failed = run(monkeypatch, dict(name='payments-to-dr', trigger='manual'))
    assert failed and 'direction and registry: required to create' in result['msg']
    assert conversation.methods == ['GET']


def test_delete(monkeypatch, harbor):
    harbor([policies(POLICY), Call('DELETE', '/replication/policies/7')])
    result, failed = run(monkeypatch, dict(name='payments-to-dr', state='absent'))
    assert not failed and result['changed'] and result['policy'] == {}


def test_delete_idempotent(monkeypatch, harbor):
    conversation = harbor([policies()])
    result, failed = run(monkeypatch, dict(name='payments-to-dr', state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_info_with_recent_executions(monkeypatch, harbor):
    done = {'id': 21, 'policy_id': 7, 'status': 'Succeed', 'trigger': 'manual', 'total': 2, 'succeed': 2}
    harbor([
        Call('GET', '/replication/policies', FakeResponse(200, [POLICY], {'X-Total-Count': '1'})),
        Call('GET', '/replication/executions', FakeResponse(200, [done]),
             params={'policy_id': 7, 'page': 1, 'page_size': 2, 'sort': '-id'}),
    ])
    result, failed = run_module(harbor_replication_info.main, monkeypatch, dict(
        executions=2, query="[?executions[0].status=='Succeed'].name"))
    assert not failed and result['policies'][0]['delete_remote'] is True
    assert result['policies'][0]['executions'][0]['succeed'] == 2
    assert result['query_result'] == ['payments-to-dr']


def test_info_without_executions_reads_only_the_policies(monkeypatch, harbor):
    conversation = harbor([Call('GET', '/replication/policies', FakeResponse(200, [POLICY], {'X-Total-Count': '1'}))])
    result, failed = run_module(harbor_replication_info.main, monkeypatch, dict(executions=0))
    assert not failed and result['policies'][0]['executions'] == [] and conversation.methods == ['GET']
