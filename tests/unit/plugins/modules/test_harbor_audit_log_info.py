# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_audit_log_info against scripted Harbor conversations: filters, paging, the export file."""

from __future__ import annotations

import datetime
import json
import os
import stat

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils import audit_logs
from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_audit_log_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

NOW = datetime.datetime(2026, 12, 6, 18, 0, 0, tzinfo=datetime.timezone.utc)


def entry(number):
    return {'id': number, 'op_time': '2026-12-06T17:%02d:00.000Z' % (number % 60), 'username': 'admin',
            'operation': 'create', 'resource_type': 'project', 'resource': 'p%d' % number,
            'operation_description': 'create project: p%d' % number, 'operation_result': True}


def page(entries, total, number, size, q=None):
    params = {'page': number, 'page_size': size}
    if q is not None:
        params['q'] = q
    return Call('GET', '/auditlog-exts', FakeResponse(200, entries, {'X-Total-Count': str(total)}), params=params)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    monkeypatch.setattr(audit_logs, 'utc_now', lambda: NOW)


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_audit_log_info.main, monkeypatch, args, **kwargs)


def test_filters_travel_in_q_with_the_time_range_in_utc(monkeypatch, harbor):
    q = ('operation=delete,resource_type=artifact,username=robot$payments%2Bci,resource=~payments/api,'
         'op_time=[2026-12-05T18:00:00~2026-12-06T16:30:00]')
    conversation = harbor([page([entry(1)], 1, 1, 100, q=q)])
    result, failed = run(monkeypatch, dict(since='24h', until='2026-12-06T17:30:00+01:00', operation='delete',
                                           resource_type='artifact', username='robot$payments+ci',
                                           resource='payments/api', query='[].resource'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']
    assert result['entries'] == [entry(1)] and result['total'] == 1 and result['truncated'] is False
    assert result['query_result'] == ['p1']


def test_every_page_is_read_up_to_the_limit(monkeypatch, harbor):
    conversation = harbor([
        page([entry(n) for n in range(100)], 250, 1, 100),
        page([entry(n) for n in range(100, 200)], 250, 2, 100),
        page([entry(n) for n in range(200, 250)], 250, 3, 100),
    ])
    result, failed = run(monkeypatch, dict())
    assert not failed and len(result['entries']) == 250 and result['truncated'] is False
    assert conversation.methods == ['GET'] * 3
    harbor([page([entry(n) for n in range(100)], 250, 1, 100), page([entry(n) for n in range(100, 200)], 250, 2, 100)])
    result, failed = run(monkeypatch, dict(limit=150))
    assert not failed and [item['id'] for item in result['entries']] == list(range(150))
    assert result['total'] == 250 and result['truncated'] is True


def test_the_export_is_private_and_rewritten_only_when_it_changes(monkeypatch, harbor, tmp_path):
    dest = str(tmp_path / 'audit.json')
    harbor([page([entry(1), entry(2)], 2, 1, 10)])
    result, failed = run(monkeypatch, dict(limit=10, dest=dest), check_mode=True)
    assert not failed and result['changed'] and not os.path.exists(dest)
    harbor([page([entry(1), entry(2)], 2, 1, 10)])
    result, failed = run(monkeypatch, dict(limit=10, dest=dest))
    assert not failed and result['changed'] and result['dest'] == dest
    assert json.load(open(dest)) == [entry(1), entry(2)]
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o600
    harbor([page([entry(1), entry(2)], 2, 1, 10)])
    result, failed = run(monkeypatch, dict(limit=10, dest=dest))
    assert not failed and not result['changed']
    harbor([page([entry(3), entry(1), entry(2)], 3, 1, 10)])
    result, failed = run(monkeypatch, dict(limit=10, dest=dest))
    assert not failed and result['changed'] and [item['id'] for item in json.load(open(dest))] == [3, 1, 2]


def test_a_project_reads_its_own_log(monkeypatch, harbor):
    conversation = harbor([
        Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'})),
        Call('GET', '/projects/payments/auditlog-exts', FakeResponse(200, [entry(1)], {'X-Total-Count': '1'}),
             params={'page': 1, 'page_size': 100, 'q': 'operation=create'}),
    ])
    result, failed = run(monkeypatch, dict(project='payments', operation='create'))
    assert not failed and result['entries'] == [entry(1)] and conversation.methods == ['GET', 'GET']


@pytest.mark.parametrize('args, fragment', [
    (dict(since='yesterday'), 'since'),
    (dict(until='2026-13-01'), 'until'),
    (dict(since='1d', until='2d'), 'is after until'),
    (dict(operation='create,delete'), 'operation'),
    (dict(username=' '), 'username'),
    (dict(limit=0), 'limit'),
    (dict(project='Pay ments'), 'project'),
    (dict(dest='/nonexistent-dir/audit.json'), 'dest'),
    (dict(query='[?'), 'query'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, fragment):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and fragment in result['msg'] and conversation.methods == []


def test_times_in_every_accepted_form():
    assert audit_logs.parse_time('since', '2026-12-01', NOW) == datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)
    assert audit_logs.parse_time('since', '2026-12-06T18:42:10Z', NOW).hour == 18
    assert audit_logs.parse_time('since', '90m', NOW) == NOW - datetime.timedelta(minutes=90)
    assert audit_logs.parse_time('since', '2w', NOW) == NOW - datetime.timedelta(days=14)
