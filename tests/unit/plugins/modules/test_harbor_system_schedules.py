# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_gc_schedule, harbor_purge_audit_schedule and harbor_scan_all_schedule against scripted conversations."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import (
    harbor_gc_schedule,
    harbor_purge_audit_schedule,
    harbor_scan_all_schedule,
    harbor_schedule_info,
)
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

GC = '/system/gc/schedule'
PURGE = '/system/purgeaudit/schedule'
SCAN_ALL = '/system/scanAll/schedule'
NOTHING = FakeResponse(200)  # Harbor's empty body when nothing is scheduled


def history(kind, cron, **parameters):
    return FakeResponse(200, {'id': 4, 'job_kind': cron, 'job_parameters': json.dumps(parameters, sort_keys=True),
                              'job_status': 'Scheduled', 'schedule': {'type': kind, 'cron': cron,
                                                                      'next_scheduled_time': '2026-01-02T00:00:00.000Z'}})


def run(monkeypatch, main, args, **kwargs):
    return run_module(main, monkeypatch, args, **kwargs)


# Garbage collection: the four-way matrix.

GC_SETTINGS = dict(schedule='0 30 2 * * *', delete_untagged=True, workers=2)
GC_SCHEDULED = history('Custom', '0 30 2 * * *', delete_tag=False, delete_untagged=True, workers=2)


def test_gc_create(monkeypatch, harbor):
    harbor([
        Call('GET', GC, NOTHING),
        Call('POST', GC, FakeResponse(201, headers={'Location': '/api/v2.0/system/gc/0'}), json={
            'schedule': {'type': 'Custom', 'cron': '0 30 2 * * *'}, 'parameters': {'delete_untagged': True, 'workers': 2}}),
        Call('GET', GC, GC_SCHEDULED),
    ])
    result, failed = run(monkeypatch, harbor_gc_schedule.main, GC_SETTINGS, diff=True)
    assert not failed and result['changed']
    assert result['schedule']['schedule'] == '0 30 2 * * *' and result['schedule']['workers'] == 2
    assert result['diff']['before']['schedule'] == 'none' and result['diff']['after']['workers'] == 2


def test_gc_create_idempotent(monkeypatch, harbor):
    conversation = harbor([Call('GET', GC, GC_SCHEDULED)])
    result, failed = run(monkeypatch, harbor_gc_schedule.main, GC_SETTINGS)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_gc_create_check_mode(monkeypatch, harbor):
    conversation = harbor([Call('GET', GC, NOTHING)])
    result, _failed = run(monkeypatch, harbor_gc_schedule.main, GC_SETTINGS, check_mode=True)
    assert result['changed'] and conversation.methods == ['GET']


def test_gc_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([Call('GET', GC, GC_SCHEDULED)])
    result, _failed = run(monkeypatch, harbor_gc_schedule.main, GC_SETTINGS, check_mode=True)
    assert not result['changed'] and conversation.methods == ['GET']


def test_gc_named_schedules_carry_a_cron_and_defaults(monkeypatch, harbor):
    harbor([
        Call('GET', GC, NOTHING),
        Call('POST', GC, FakeResponse(201), json={'schedule': {'type': 'Daily', 'cron': '0 0 0 * * *'},
                                                  'parameters': {'delete_untagged': False, 'workers': 1}}),
        Call('GET', GC, history('Daily', '0 0 0 * * *', delete_untagged=False, workers=1)),
    ])
    result, failed = run(monkeypatch, harbor_gc_schedule.main, dict(schedule='daily'))
    assert not failed and result['changed'] and result['schedule']['cron'] == '0 0 0 * * *'


def test_gc_a_cron_equal_to_a_named_schedule_is_unchanged(monkeypatch, harbor):
    harbor([Call('GET', GC, history('Custom', '0 0 * * * *', workers=1))])
    result, _failed = run(monkeypatch, harbor_gc_schedule.main, dict(schedule='hourly'))
    assert not result['changed']


def test_gc_changing_workers_resends_the_schedule_harbor_has(monkeypatch, harbor):
    harbor([
        Call('GET', GC, GC_SCHEDULED),
        Call('PUT', GC, FakeResponse(200), json={'schedule': {'type': 'Custom', 'cron': '0 30 2 * * *'},
                                                 'parameters': {'delete_untagged': True, 'workers': 5}}),
        Call('GET', GC, history('Custom', '0 30 2 * * *', delete_untagged=True, workers=5)),
    ])
    result, failed = run(monkeypatch, harbor_gc_schedule.main, dict(workers=5))
    assert not failed and result['changed']


def test_gc_none_unschedules_once(monkeypatch, harbor):
    harbor([
        Call('GET', GC, GC_SCHEDULED),
        Call('PUT', GC, FakeResponse(200), json={'schedule': {'type': 'None', 'cron': ''},
                                                 'parameters': {'delete_untagged': True, 'workers': 2}}),
        Call('GET', GC, NOTHING),
    ])
    result, failed = run(monkeypatch, harbor_gc_schedule.main, dict(schedule='none'))
    assert not failed and result['changed'] and result['schedule']['schedule'] == 'none'
    conversation = harbor([Call('GET', GC, NOTHING)])
    result, _failed = run(monkeypatch, harbor_gc_schedule.main, dict(schedule='none'))
    assert not result['changed'] and conversation.methods == ['GET']


def test_gc_parameters_need_a_schedule(monkeypatch, harbor):
    conversation = harbor([Call('GET', GC, NOTHING)])
    result, failed = run(monkeypatch, harbor_gc_schedule.main, dict(workers=3))
    assert failed and 'workers needs a schedule' in result['msg'] and conversation.methods == ['GET']


def test_gc_needs_a_system_administrator(monkeypatch, harbor):
    harbor([Call('GET', GC, FakeResponse(403, error_body('FORBIDDEN', 'dev')))])
    result, failed = run(monkeypatch, harbor_gc_schedule.main, dict(schedule='daily', harbor_username='dev'))
    assert failed and 'garbage-collection:read' in result['msg'] and result['status'] == 403


# Audit-log purge.

PURGE_SCHEDULED = history('Weekly', '0 0 0 * * 0', audit_retention_hour=720, dry_run=False,
                          include_event_types='create_artifact,pull_artifact')


def test_purge_create_needs_both_parameters(monkeypatch, harbor):
    conversation = harbor([Call('GET', PURGE, NOTHING)])
    result, failed = run(monkeypatch, harbor_purge_audit_schedule.main, dict(schedule='weekly', retention_hours=720))
    assert failed and 'event_types is required' in result['msg'] and conversation.methods == ['GET']


def test_purge_create_and_again(monkeypatch, harbor):
    args = dict(schedule='weekly', retention_hours=720, event_types=['pull_artifact', 'create_artifact'])
    harbor([
        Call('GET', PURGE, NOTHING),
        Call('POST', PURGE, FakeResponse(201), json={'schedule': {'type': 'Weekly', 'cron': '0 0 0 * * 0'}, 'parameters': {
            'audit_retention_hour': 720, 'include_event_types': 'create_artifact,pull_artifact', 'dry_run': False}}),
        Call('GET', PURGE, PURGE_SCHEDULED),
    ])
    result, failed = run(monkeypatch, harbor_purge_audit_schedule.main, args)
    assert not failed and result['changed'] and result['schedule']['event_types'] == ['create_artifact', 'pull_artifact']
    conversation = harbor([Call('GET', PURGE, PURGE_SCHEDULED)])
    result, _failed = run(monkeypatch, harbor_purge_audit_schedule.main, args)
    assert not result['changed'] and conversation.methods == ['GET']


def test_purge_none_still_sends_the_parameters(monkeypatch, harbor):
    harbor([
        Call('GET', PURGE, PURGE_SCHEDULED),
        Call('PUT', PURGE, FakeResponse(200), json={'schedule': {'type': 'None', 'cron': ''}, 'parameters': {
            'audit_retention_hour': 720, 'include_event_types': 'create_artifact,pull_artifact', 'dry_run': False}}),
        Call('GET', PURGE, NOTHING),
    ])
    result, failed = run(monkeypatch, harbor_purge_audit_schedule.main, dict(schedule='none'))
    assert not failed and result['changed']


# Scan all: POST only when nothing is scheduled, PUT otherwise.

def test_scan_all_create_then_change(monkeypatch, harbor):
    harbor([
        Call('GET', SCAN_ALL, NOTHING),
        Call('POST', SCAN_ALL, FakeResponse(201), json={'schedule': {'type': 'Custom', 'cron': '0 0 1 * * *'}}),
        Call('GET', SCAN_ALL, FakeResponse(200, {'id': 3, 'schedule': {'type': 'Custom', 'cron': '0 0 1 * * *'}})),
    ])
    result, failed = run(monkeypatch, harbor_scan_all_schedule.main, dict(schedule='0 0 1 * * *'))
    assert not failed and result['changed']
    harbor([
        Call('GET', SCAN_ALL, FakeResponse(200, {'id': 3, 'schedule': {'type': 'Custom', 'cron': '0 0 1 * * *'}})),
        Call('PUT', SCAN_ALL, FakeResponse(200), json={'schedule': {'type': 'Weekly', 'cron': '0 0 0 * * 0'}}),
        Call('GET', SCAN_ALL, FakeResponse(200, {'id': 4, 'schedule': {'type': 'Weekly', 'cron': '0 0 0 * * 0'}})),
    ])
    result, failed = run(monkeypatch, harbor_scan_all_schedule.main, dict(schedule='weekly'))
    assert not failed and result['changed'] and result['schedule']['schedule'] == 'weekly'


SCAN_ALL_DAILY = {'schedule': {'type': 'Daily', 'cron': '0 0 0 * * *'}}
ALWAYS_HAD_ONE = 'fail to set schedule for scan all as always had one'
NO_SCANNER = "no scanner is configured, it's not possible to scan"


def test_scan_all_scheduled_by_another_run_in_between_is_converged(monkeypatch, harbor):
    # Harbor refuses a POST while a schedule exists (412): the module looks again and changes that one.
    conversation = harbor([
        Call('GET', SCAN_ALL, NOTHING),
        Call('POST', SCAN_ALL, FakeResponse(412, error_body('PRECONDITION', ALWAYS_HAD_ONE)), json=SCAN_ALL_DAILY),
        Call('GET', SCAN_ALL, FakeResponse(200, {'id': 3, 'schedule': {'type': 'Custom', 'cron': '0 0 5 * * *'}})),
        Call('PUT', SCAN_ALL, FakeResponse(200), json=SCAN_ALL_DAILY),
        Call('GET', SCAN_ALL, FakeResponse(200, {'id': 4, 'schedule': {'type': 'Daily', 'cron': '0 0 0 * * *'}})),
    ])
    result, failed = run(monkeypatch, harbor_scan_all_schedule.main, dict(schedule='daily'))
    assert not failed and result['changed'] and conversation.methods.count('POST') == 1


def test_a_lost_answer_to_a_schedule_create_is_settled_by_looking(monkeypatch, harbor):
    conversation = harbor([
        Call('GET', SCAN_ALL, NOTHING),
        Call('POST', SCAN_ALL, FakeResponse(503, error_body('UNKNOWN', 'internal server error')), json=SCAN_ALL_DAILY),
        Call('GET', SCAN_ALL, NOTHING),
        Call('POST', SCAN_ALL, FakeResponse(201), json=SCAN_ALL_DAILY),
        Call('GET', SCAN_ALL, FakeResponse(200, {'id': 4, 'schedule': {'type': 'Daily', 'cron': '0 0 0 * * *'}})),
    ])
    result, failed = run(monkeypatch, harbor_scan_all_schedule.main, dict(schedule='daily'))
    assert not failed and result['changed'] and conversation.methods.count('POST') == 2


def test_a_refused_schedule_create_without_a_schedule_stays_an_error(monkeypatch, harbor):
    harbor([
        Call('GET', SCAN_ALL, NOTHING),
        Call('POST', SCAN_ALL, FakeResponse(412, error_body('PRECONDITION', NO_SCANNER))),
        Call('GET', SCAN_ALL, NOTHING),
    ])
    result, failed = run(monkeypatch, harbor_scan_all_schedule.main, dict(schedule='daily'))
    assert failed and 'no scanner is configured' in result['msg']


def test_scan_all_without_scanner(monkeypatch, harbor):
    harbor([Call('GET', SCAN_ALL, FakeResponse(412, error_body(
        'PRECONDITION', "no scanner is configured, it's not possible to scan")))])
    result, failed = run(monkeypatch, harbor_scan_all_schedule.main, dict(schedule='daily'))
    assert failed and 'no scanner is configured' in result['msg']


# Bad input fails before the first request.

@pytest.mark.parametrize('main, args, fragment', [
    (harbor_gc_schedule.main, dict(schedule='0 0 * * *'), 'schedule'),
    (harbor_gc_schedule.main, dict(schedule='30 0 0 * * *'), 'first field'),
    (harbor_gc_schedule.main, dict(schedule='0 0 0 32 * *'), 'day of month'),
    (harbor_gc_schedule.main, dict(schedule='0 0 0 * * funday'), 'day of week'),
    (harbor_gc_schedule.main, dict(schedule='daily', workers=11), 'workers must be 1 to 10'),
    (harbor_gc_schedule.main, dict(schedule='none', workers=2), 'workers only applies to a schedule'),
    (harbor_gc_schedule.main, dict(), 'schedule, delete_untagged, workers'),
    (harbor_purge_audit_schedule.main, dict(schedule='daily', retention_hours=0, event_types=['x']), 'retention_hours'),
    (harbor_purge_audit_schedule.main, dict(schedule='daily', retention_hours=1, event_types=['Pull Artifact']),
     'event_types'),
    (harbor_scan_all_schedule.main, dict(schedule='every day'), 'schedule'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, main, args, fragment):
    conversation = harbor([])
    result, failed = run(monkeypatch, main, args)
    assert failed and fragment in result['msg'], result['msg']
    assert conversation.seen == []


# harbor_schedule_info

GC_RUN = {'id': 12, 'job_name': 'GARBAGE_COLLECTION', 'job_kind': 'SCHEDULE', 'job_status': 'Error',
          'job_parameters': '{"delete_untagged":true,"workers":2}', 'schedule': {'type': 'SCHEDULE'},
          'creation_time': '2026-01-02T02:30:00.000Z', 'update_time': '2026-01-02T02:31:10.000Z'}
METRICS = {'total': 3, 'completed': 3, 'ongoing': False, 'trigger': 'Manual',
           'metrics': {'Success': 3, 'Error': 0, 'Pending': 0, 'Running': 0, 'Stopped': 0}}


def test_info_reads_every_job_in_its_module_terms_with_its_runs(monkeypatch, harbor):
    conversation = harbor([
        Call('GET', GC, GC_SCHEDULED),
        Call('GET', '/system/gc', FakeResponse(200, [GC_RUN]), params={'page': 1, 'page_size': 5}),
        Call('GET', SCAN_ALL, history('Daily', '0 0 0 * * *')),
        Call('GET', '/scans/all/metrics', FakeResponse(200, METRICS)),
        Call('GET', PURGE, NOTHING),
        Call('GET', '/system/purgeaudit', FakeResponse(200, []), params={'page': 1, 'page_size': 5}),
    ])
    result, failed = run(monkeypatch, harbor_schedule_info.main, dict(query="gc.executions[0].status == 'Error'"))
    assert not failed and not result['changed'] and conversation.methods == ['GET'] * 6
    gc = result['schedules']['gc']
    assert (gc['schedule'], gc['cron'], gc['delete_untagged'], gc['workers']) == ('0 30 2 * * *', '0 30 2 * * *', True, 2)
    assert gc['executions'] == [{'id': 12, 'status': 'Error', 'trigger': 'SCHEDULE', 'start_time': '2026-01-02T02:30:00.000Z',
                                 'end_time': '2026-01-02T02:31:10.000Z',
                                 'parameters': {'delete_untagged': True, 'workers': 2}}]
    scan_all = result['schedules']['scan_all']
    assert (scan_all['schedule'], scan_all['scanner'], scan_all['last_run']) == ('daily', True, METRICS)
    purge = result['schedules']['purge_audit']
    assert (purge['schedule'], purge['retention_hours'], purge['event_types'], purge['executions']) == ('none', None, None, [])
    assert result['query_result'] is True


def test_info_the_settings_read_back_make_an_idempotent_task(monkeypatch, harbor):
    scheduled = history('Custom', '0 0 3 * * 6', audit_retention_hour=720, include_event_types='pull_artifact,create_artifact',
                        dry_run=False)
    harbor([Call('GET', PURGE, scheduled)])
    read, failed = run(monkeypatch, harbor_schedule_info.main, dict(jobs=['purge_audit'], executions=0))
    purge = read['schedules']['purge_audit']
    assert not failed and list(read['schedules']) == ['purge_audit']
    conversation = harbor([Call('GET', PURGE, scheduled)])
    result, failed = run(monkeypatch, harbor_purge_audit_schedule.main, dict(
        (key, purge[key]) for key in ('schedule', 'retention_hours', 'event_types')))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_info_without_a_default_scanner_says_so(monkeypatch, harbor):
    harbor([Call('GET', SCAN_ALL, FakeResponse(412, error_body('PRECONDITION', 'no scanner is configured')))])
    result, failed = run(monkeypatch, harbor_schedule_info.main, dict(jobs=['scan_all']))
    assert not failed and result['schedules']['scan_all']['scanner'] is False
    assert result['schedules']['scan_all']['schedule'] == 'none'


@pytest.mark.parametrize('args, option', [(dict(executions=-1), 'executions'), (dict(query='[?'), 'query'),
                                          (dict(jobs=['replication']), 'jobs')])
def test_info_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, harbor_schedule_info.main, args)
    assert failed and option in result['msg'] and conversation.methods == []
