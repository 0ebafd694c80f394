# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_retention and harbor_retention_info against scripted Harbor conversations."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_retention, harbor_retention_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

RELEASES = dict(retain=dict(most_recently_pushed=10), tags=dict(matching='release-*'), untagged=False)
PULLED = dict(retain=dict(pulled_within_days=30), repositories=dict(excluding='sandbox/**'))
SEED_POLICY = dict(project='payments', rules=[RELEASES], schedule='daily')

HARBOR_RELEASES = {
    'disabled': False, 'action': 'retain', 'template': 'latestPushedK', 'params': {'latestPushedK': 10},
    'tag_selectors': [{'kind': 'doublestar', 'decoration': 'matches', 'pattern': 'release-*',
                       'extras': '{"untagged":false}'}],
    'scope_selectors': {'repository': [{'kind': 'doublestar', 'decoration': 'repoMatches', 'pattern': '**'}]},
}
HARBOR_PULLED = {
    'disabled': False, 'action': 'retain', 'template': 'nDaysSinceLastPull', 'params': {'nDaysSinceLastPull': 30},
    'tag_selectors': [{'kind': 'doublestar', 'decoration': 'matches', 'pattern': '**', 'extras': '{"untagged":true}'}],
    'scope_selectors': {'repository': [{'kind': 'doublestar', 'decoration': 'repoExcludes', 'pattern': 'sandbox/**'}]},
}


def project(retention_id=None):
    metadata = {'public': 'false'}
    if retention_id is not None:
        metadata['retention_id'] = str(retention_id)
    return {'project_id': 12, 'name': 'payments', 'metadata': metadata}


def stored(rules, cron='0 0 0 * * *'):
    """A policy as Harbor returns it: zero values omitted, next_scheduled_time added."""
    rendered = []
    for rule in rules:
        rule = copy.deepcopy(rule)
        if not rule['disabled']:
            del rule['disabled']
        rendered.append(rule)
    settings = {'cron': cron}
    if cron:
        settings['next_scheduled_time'] = '2026-01-02T00:00:00.000Z'
    return {'id': 3, 'algorithm': 'or', 'rules': rendered, 'trigger': {'kind': 'Schedule', 'settings': settings},
            'scope': {'level': 'project', 'ref': 12}}


def sent(rules, cron='0 0 0 * * *', policy_id=None):
    body = {'algorithm': 'or', 'rules': rules, 'trigger': {'kind': 'Schedule', 'settings': {'cron': cron}, 'references': {}},
            'scope': {'level': 'project', 'ref': 12}}
    if policy_id is not None:
        body['id'] = policy_id
    return body


def linked(policy=None):
    return [Call('GET', '/projects/payments', FakeResponse(200, project(3))),
            Call('GET', '/retentions/3', FakeResponse(200, policy or stored([HARBOR_RELEASES])))]


UNLINKED = Call('GET', '/projects/payments', FakeResponse(200, project()))


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_retention.main, monkeypatch, args, **kwargs)


# The four-way matrix on the seed guide's policy: keep the last 10 release-* tags.

def test_create(monkeypatch, harbor):
    harbor([
        UNLINKED,
        Call('POST', '/retentions', FakeResponse(201, headers={'Location': '/api/v2.0/retentions/3'}),
             json=sent([HARBOR_RELEASES])),
        Call('GET', '/retentions/3', FakeResponse(200, stored([HARBOR_RELEASES]))),
    ])
    result, failed = run(monkeypatch, SEED_POLICY, diff=True)
    assert not failed and result['changed']
    assert result['policy']['id'] == 3 and result['policy']['schedule'] == 'daily'
    assert result['policy']['rules'] == [dict(RELEASES, repositories={'matching': '**'}, tags={'matching': 'release-*'},
                                              disabled=False)]
    assert result['policy']['harbor']['rules'][0]['template'] == 'latestPushedK'
    assert result['diff']['before'] == {} and result['diff']['after']['schedule'] == 'daily'


def test_a_loop_creating_policies_reads_the_project_list_once_and_keeps_it_linked(monkeypatch, harbor):
    """Loop items in one process: the project list, read once, answers for every project after the first, and
    each policy created shows in it as the project's retention_id (so the same project again is a no-op)."""

    def of(name, project_id, retention_id=None):
        return dict(project(retention_id), name=name, project_id=project_id)

    def created(policy_id, project_id):
        policy = dict(stored([HARBOR_RELEASES]), id=policy_id, scope={'level': 'project', 'ref': project_id})
        return [Call('POST', '/retentions', FakeResponse(201, headers={'Location': '/api/v2.0/retentions/%d' % policy_id})),
                Call('GET', '/retentions/%d' % policy_id, FakeResponse(200, policy))]
    conversation = harbor(
        [Call('GET', '/projects/p1', FakeResponse(200, of('p1', 1)))] + created(3, 1)
        + [Call('GET', '/projects', FakeResponse(200, [of('p1', 1, 3), of('p2', 2)], {'X-Total-Count': '2'}),
                params={'page': 1, 'page_size': 100, 'with_detail': 'true'})]
        + created(4, 2) + [Call('GET', '/retentions/4', FakeResponse(200, dict(stored([HARBOR_RELEASES]), id=4)))])
    for index, name in enumerate(('p1', 'p2', 'p2')):
        result, failed = run(monkeypatch, dict(SEED_POLICY, project=name), fresh_process=index == 0)
        assert not failed and result['changed'] == (index < 2)
        assert result['policy']['id'] == index + 3 - (index == 2)
    assert conversation.methods == ['GET', 'POST', 'GET', 'GET', 'POST', 'GET', 'GET']


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor(linked())
    result, failed = run(monkeypatch, SEED_POLICY)
    assert not failed and not result['changed']
    assert conversation.methods == ['GET', 'GET']


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([UNLINKED])
    result, failed = run(monkeypatch, SEED_POLICY, check_mode=True)
    assert not failed and result['changed']
    assert result['policy']['rules'][0]['retain'] == {'most_recently_pushed': 10}
    assert conversation.methods == ['GET']


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor(linked())
    result, failed = run(monkeypatch, SEED_POLICY, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_the_same_cron_spelled_out_is_unchanged(monkeypatch, harbor):
    harbor(linked())
    result, _failed = run(monkeypatch, dict(SEED_POLICY, schedule='0  0 0 * * *'))
    assert not result['changed']


def test_rule_order_does_not_matter(monkeypatch, harbor):
    conversation = harbor(linked(stored([HARBOR_PULLED, HARBOR_RELEASES])))
    result, _failed = run(monkeypatch, dict(project='payments', rules=[RELEASES, PULLED]))
    assert not result['changed'] and conversation.methods == ['GET', 'GET']


def test_changing_rules_puts_the_whole_policy_with_scope_and_id(monkeypatch, harbor):
    harbor(linked() + [
        Call('PUT', '/retentions/3', FakeResponse(200), json=sent([HARBOR_RELEASES, HARBOR_PULLED], policy_id=3)),
        Call('GET', '/projects/payments', FakeResponse(200, project(3))),
        Call('GET', '/retentions/3', FakeResponse(200, stored([HARBOR_RELEASES, HARBOR_PULLED]))),
    ])
    result, failed = run(monkeypatch, dict(project='payments', rules=[RELEASES, PULLED]), diff=True)
    assert not failed and result['changed']
    assert len(result['diff']['before']['rules']) == 1 and len(result['diff']['after']['rules']) == 2


def test_changing_only_the_schedule_keeps_harbors_rules(monkeypatch, harbor):
    odd = dict(HARBOR_RELEASES, id=7, priority=1)
    # The rules are sent back as Harbor has them, ids and priorities included.
    unchanged_rules = stored([odd])['rules']
    harbor(linked(stored([odd])) + [
        Call('PUT', '/retentions/3', FakeResponse(200), json=sent(unchanged_rules, cron='0 0 2 * * *', policy_id=3)),
        Call('GET', '/projects/payments', FakeResponse(200, project(3))),
        Call('GET', '/retentions/3', FakeResponse(200, stored([odd], cron='0 0 2 * * *'))),
    ])
    result, failed = run(monkeypatch, dict(project='payments', schedule='0 0 2 * * *'))
    assert not failed and result['changed'] and result['policy']['schedule'] == '0 0 2 * * *'


def test_schedule_none_is_manual_only(monkeypatch, harbor):
    harbor(linked(stored([HARBOR_RELEASES], cron='')))
    result, _failed = run(monkeypatch, dict(project='payments', schedule='none'))
    assert not result['changed']


def test_a_policy_linked_by_a_concurrent_run_is_converged(monkeypatch, harbor):
    harbor([
        UNLINKED,
        Call('POST', '/retentions', FakeResponse(400, error_body(
            'BAD_REQUEST', 'bad request: project 12 already has retention policy 3'))),
        *linked(stored([HARBOR_PULLED])),
        Call('PUT', '/retentions/3', FakeResponse(200), json=sent([HARBOR_RELEASES], policy_id=3)),
        *linked(),
    ])
    result, failed = run(monkeypatch, SEED_POLICY)
    assert not failed and result['changed'] and result['policy']['id'] == 3


def test_a_dangling_link_is_explained(monkeypatch, harbor):
    harbor([
        Call('GET', '/projects/payments', FakeResponse(200, project(9))),
        Call('GET', '/retentions/9', FakeResponse(500, error_body('UNKNOWN', 'internal server error'))),
    ])
    result, failed = run(monkeypatch, SEED_POLICY)
    assert failed and 'linked to retention policy 9' in result['msg'] and 'does not exist' in result['msg']


def test_rules_are_required_to_create(monkeypatch, harbor):
    conversation = harbor([UNLINKED])
    result, failed = run(monkeypatch, dict(project='payments', schedule='daily'))
    assert failed and 'rules is required' in result['msg'] and conversation.methods == ['GET']


def test_missing_project(monkeypatch, harbor):
    harbor([Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))])
    result, failed = run(monkeypatch, SEED_POLICY)
    assert failed and "project 'payments' does not exist" in result['msg']


# Deletion.

def test_delete_and_delete_again(monkeypatch, harbor):
    harbor(linked() + [Call('DELETE', '/retentions/3', FakeResponse(200))])
    result, failed = run(monkeypatch, dict(project='payments', state='absent'))
    assert not failed and result['changed'] and result['policy'] == {}
    conversation = harbor([UNLINKED])
    result, failed = run(monkeypatch, dict(project='payments', state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_delete_check_mode(monkeypatch, harbor):
    conversation = harbor(linked())
    result, _failed = run(monkeypatch, dict(project='payments', state='absent'), check_mode=True)
    assert result['changed'] and conversation.methods == ['GET', 'GET']


# Running the policy.

TASK_LOG = '\n'.join([
    '2026-01-01T00:00:00Z [INFO] [/pkg/retention/job.go:131]: ',
    '|   Digest   |    Tag     | Kind  | Labels | PushedTime | PulledTime | CreatedTime | Retention |',
    '|------------|------------|-------|--------|------------|------------|-------------|-----------|',
    '| sha256:aaa | release-1  | image |        |            |            |             | DEL       |',
    '| sha256:bbb | release-12 | image |        |            |            |             | RETAIN    |',
    '| sha256:ccc | 1.0,latest | image |        |            |            |             | IMMUTABLE |',
    '| sha256:ddd |            | image |        |            |            |             | DEL       |',
])


def executions(status):
    return Call('GET', '/retentions/3/executions', FakeResponse(200, [
        {'id': 41, 'policy_id': 3, 'status': status, 'trigger': 'MANUAL', 'dry_run': True}], {'X-Total-Count': '1'}),
        params={'page': 1, 'page_size': 10})


def test_dry_run_reports_what_a_real_run_would_delete(monkeypatch, harbor):
    tasks = [{'id': 7, 'execution_id': 41, 'repository': 'api', 'status': 'Success', 'total': 4, 'retained': 2}]
    harbor(linked() + [
        Call('POST', '/retentions/3/executions', FakeResponse(201, headers={
            'Location': '/api/v2.0/retentions/3/executions/41', 'Content-Type': 'text/plain'}), json={'dry_run': True}),
        executions('Running'),
        executions('Success'),
        Call('GET', '/retentions/3/executions/41/tasks', FakeResponse(200, tasks, {'X-Total-Count': '1'})),
        Call('GET', '/retentions/3/executions/41/tasks/7', FakeResponse(200, TASK_LOG)),
    ])
    result, failed = run(monkeypatch, dict(SEED_POLICY, run=dict(dry_run=True)))
    assert not failed and not result['changed']
    execution = result['execution']
    assert (execution['id'], execution['status'], execution['total'], execution['retained']) == (41, 'Success', 4, 2)
    assert execution['tasks'][0]['deleted'] == [{'digest': 'sha256:aaa', 'tags': ['release-1']},
                                                {'digest': 'sha256:ddd', 'tags': []}]


def test_real_run_is_a_change_and_reads_no_log(monkeypatch, harbor):
    tasks = [{'id': 7, 'repository': 'api', 'status': 'Success', 'total': 4, 'retained': 2}]
    harbor(linked() + [
        Call('POST', '/retentions/3/executions', FakeResponse(201, headers={
            'Location': '/api/v2.0/retentions/3/executions/41'}), json={'dry_run': False}),
        executions('Success'),
        Call('GET', '/retentions/3/executions/41/tasks', FakeResponse(200, tasks, {'X-Total-Count': '1'})),
    ])
    result, failed = run(monkeypatch, dict(SEED_POLICY, run=dict(dry_run=False)))
    assert not failed and result['changed'] and 'deleted' not in result['execution']['tasks'][0]


def test_run_without_wait_returns_the_execution_id(monkeypatch, harbor):
    harbor(linked() + [Call('POST', '/retentions/3/executions', FakeResponse(201, headers={
        'Location': '/api/v2.0/retentions/3/executions/41'}))])
    result, _failed = run(monkeypatch, dict(project='payments', run=dict(wait=False)))
    assert result['changed'] and result['execution'] == {'id': 41, 'dry_run': False}


def test_run_in_check_mode_sends_nothing(monkeypatch, harbor):
    conversation = harbor(linked())
    result, _failed = run(monkeypatch, dict(SEED_POLICY, run=dict(dry_run=False)), check_mode=True)
    assert result['changed'] and 'execution' not in result and conversation.methods == ['GET', 'GET']
    conversation = harbor(linked())
    result, _failed = run(monkeypatch, dict(SEED_POLICY, run=dict(dry_run=True)), check_mode=True)
    assert not result['changed']


def test_a_failed_run_fails_the_task(monkeypatch, harbor):
    tasks = [{'id': 7, 'repository': 'api', 'status': 'Error', 'total': 0, 'retained': 0}]
    harbor(linked() + [
        Call('POST', '/retentions/3/executions', FakeResponse(201, headers={
            'Location': '/api/v2.0/retentions/3/executions/41'})),
        executions('Error'),
        Call('GET', '/retentions/3/executions/41/tasks', FakeResponse(200, tasks, {'X-Total-Count': '1'})),
    ])
    result, failed = run(monkeypatch, dict(project='payments', run=dict(dry_run=True)))
    assert failed and 'status Error' in result['msg'] and 'api' in result['msg']


def test_waiting_gives_up_after_the_timeout(monkeypatch, harbor):
    harbor(linked() + [
        Call('POST', '/retentions/3/executions', FakeResponse(201, headers={
            'Location': '/api/v2.0/retentions/3/executions/41'})),
        executions('Running'), executions('Running'), executions('Running'),
    ])
    result, failed = run(monkeypatch, dict(project='payments', run=dict(dry_run=True, wait_timeout=1)))
    assert failed and 'still Running after 1 seconds' in result['msg']


# Bad input fails before the first request.

def rules_of(count):
    return [dict(retain=dict(most_recently_pushed=n)) for n in range(count)]


@pytest.mark.parametrize('args, fragment', [
    (dict(rules=rules_of(16)), 'rules has 16 rules'),
    (dict(rules=[]), 'rules has 0 rules'),
    (dict(rules=[RELEASES, dict(RELEASES)]), 'rules[0] and rules[1] are the same rule'),
    (dict(rules=[dict(retain=dict(most_recently_pushed=3, always=True))]), 'rules[0].retain needs exactly one'),
    (dict(rules=[dict(retain=dict())]), 'rules[0].retain needs exactly one'),
    (dict(rules=[dict(retain=dict(always=False))]), 'rules[0].retain.always'),
    (dict(rules=[dict(retain=dict(most_recently_pushed=40000))]), 'rules[0].retain.most_recently_pushed'),
    (dict(rules=[dict(retain=dict(pushed_within_days=-1))]), 'rules[0].retain.pushed_within_days'),
    (dict(rules=[dict(retain=dict(always=True), tags=dict(matching='v*', excluding='dev'))]), 'rules[0].tags'),
    (dict(rules=[dict(retain=dict(always=True), tags=dict(matching='{v,'))]), 'rules[0].tags.matching'),
    (dict(rules=[dict(retain=dict(always=True), repositories=dict(matching='[a'))]), 'rules[0].repositories.matching'),
    (dict(rules=[RELEASES], schedule='0 0 * * *'), 'schedule'),
    (dict(rules=[RELEASES], schedule='5 0 0 * * *'), 'schedule'),
    (dict(rules=[RELEASES], schedule='0 0 25 * * *'), 'schedule'),
    (dict(rules=[RELEASES], schedule='@daily'), 'schedule'),
    (dict(state='absent', run=dict(dry_run=True)), 'run cannot be used with state: absent'),
    (dict(project='Payments', rules=[RELEASES]), 'project'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, fragment):
    conversation = harbor([])
    result, failed = run(monkeypatch, dict(dict(project='payments'), **args))
    assert failed and fragment in result['msg'], result['msg']
    assert conversation.seen == []


# harbor_retention_info

RUNS = [{'id': 42, 'policy_id': 3, 'status': 'Error', 'trigger': 'SCHEDULE', 'dry_run': False,
         'start_time': '2026-01-02T00:00:00.000Z', 'end_time': '2026-01-02T00:00:03.000Z'},
        {'id': 41, 'policy_id': 3, 'status': 'Success', 'trigger': 'MANUAL', 'dry_run': True,
         'start_time': '2026-01-01T10:00:00.000Z', 'end_time': '2026-01-01T10:00:02.000Z'}]


def test_info_reads_the_policy_in_harbor_retention_terms_and_its_runs(monkeypatch, harbor):
    conversation = harbor(linked(stored([HARBOR_RELEASES, HARBOR_PULLED], cron='0 0 2 * * *')) + [
        Call('GET', '/retentions/3/executions', FakeResponse(200, RUNS), params={'page': 1, 'page_size': 2})])
    result, failed = run_module(harbor_retention_info.main, monkeypatch,
                                dict(project='payments', executions=2, query="executions[?status == 'Error'].id"))
    assert not failed and not result['changed'] and conversation.methods == ['GET'] * 3
    policy = result['policy']
    assert policy['id'] == 3 and policy['schedule'] == '0 0 2 * * *'
    assert policy['rules'] == [
        dict(RELEASES, repositories={'matching': '**'}, disabled=False),
        dict(PULLED, tags={'matching': '**'}, untagged=True, disabled=False)]
    assert [run['id'] for run in policy['executions']] == [42, 41] and 'policy_id' not in policy['executions'][0]
    assert result['query_result'] == [42]


def test_info_output_is_an_idempotent_harbor_retention_task(monkeypatch, harbor):
    policy = stored([HARBOR_RELEASES, HARBOR_PULLED])
    harbor(linked(policy))
    read, _failed = run_module(harbor_retention_info.main, monkeypatch, dict(project='payments', executions=0))
    conversation = harbor(linked(policy))
    result, failed = run(monkeypatch, dict(project='payments', rules=read['policy']['rules'],
                                           schedule=read['policy']['schedule']))
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_info_of_a_project_without_policy_is_empty(monkeypatch, harbor):
    conversation = harbor([UNLINKED])
    result, failed = run_module(harbor_retention_info.main, monkeypatch, dict(project='payments'))
    assert not failed and result['policy'] == {} and conversation.methods == ['GET']


@pytest.mark.parametrize('args, option', [
    (dict(project='Pay ments'), 'project'), (dict(project='payments', executions=101), 'executions'),
    (dict(project='payments', query='[?'), 'query'),
])
def test_info_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run_module(harbor_retention_info.main, monkeypatch, args)
    assert failed and option in result['msg'] and conversation.methods == []
