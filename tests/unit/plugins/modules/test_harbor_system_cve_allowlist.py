# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_system_cve_allowlist against scripted Harbor conversations."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_system_cve_allowlist, harbor_system_cve_allowlist_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

ALLOWLIST = '/system/CVEAllowlist'
FRESH = {'items': [], 'creation_time': '0001-01-01T00:00:00.000Z', 'update_time': '0001-01-01T00:00:00.000Z'}
SET = {'id': 1, 'items': [{'cve_id': 'CVE-2024-3094'}, {'cve_id': 'CVE-2023-44487'}], 'expires_at': 1798761599,
       'creation_time': '2026-01-05T10:00:00.000Z', 'update_time': '2026-01-05T10:00:00.000Z'}
TASK = dict(cve_ids=['CVE-2024-3094', 'CVE-2023-44487', 'CVE-2024-3094'], expires_at=1798761599)


def get(body):
    return Call('GET', ALLOWLIST, FakeResponse(200, body))


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_system_cve_allowlist.main, monkeypatch, args, **kwargs)


def test_set_the_allowlist(monkeypatch, harbor):
    harbor([
        get(FRESH),
        Call('PUT', ALLOWLIST, json={'items': [{'cve_id': 'CVE-2023-44487'}, {'cve_id': 'CVE-2024-3094'}],
                                     'expires_at': 1798761599}),
        get(SET),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed']
    assert result['allowlist'] == {'cve_ids': ['CVE-2023-44487', 'CVE-2024-3094'], 'expires_at': 1798761599,
                                   'update_time': '2026-01-05T10:00:00.000Z'}
    assert result['diff'] == {'before': {'cve_ids': [], 'expires_at': 0},
                              'after': {'cve_ids': ['CVE-2023-44487', 'CVE-2024-3094'], 'expires_at': 1798761599}}


def test_set_the_allowlist_idempotent(monkeypatch, harbor):
    conversation = harbor([get(SET)])
    result, failed = run(monkeypatch, TASK)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_set_the_allowlist_check_mode(monkeypatch, harbor):
    conversation = harbor([get(FRESH)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']
    assert result['allowlist']['cve_ids'] == []


def test_set_the_allowlist_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([get(SET)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_changing_the_items_keeps_the_expiry_harbor_would_otherwise_drop(monkeypatch, harbor):
    harbor([
        get(SET),
        Call('PUT', ALLOWLIST, json={'items': [{'cve_id': 'CVE-2024-3094'}], 'expires_at': 1798761599}),
        get(dict(SET, items=[{'cve_id': 'CVE-2024-3094'}])),
    ])
    result, failed = run(monkeypatch, dict(items=['CVE-2024-3094']))
    assert not failed and result['changed'] and result['allowlist']['expires_at'] == 1798761599


def test_never_expiring_sends_no_expiry_and_keeps_the_items(monkeypatch, harbor):
    harbor([
        get(SET),
        Call('PUT', ALLOWLIST, json={'items': [{'cve_id': 'CVE-2023-44487'}, {'cve_id': 'CVE-2024-3094'}],
                                     'expires_at': None}),
        get(dict(SET, expires_at=None)),
    ])
    result, failed = run(monkeypatch, dict(expires_at=0))
    assert not failed and result['changed'] and result['allowlist']['expires_at'] == 0
    assert result['allowlist']['cve_ids'] == ['CVE-2023-44487', 'CVE-2024-3094']


def test_a_user_who_is_not_an_administrator_is_told_so(monkeypatch, harbor):
    harbor([get(FRESH), Call('PUT', ALLOWLIST, FakeResponse(403, error_body('FORBIDDEN', 'alice')))])
    result, failed = run(monkeypatch, TASK)
    assert failed and 'configuration:update (system administrators only)' in result['msg']


@pytest.mark.parametrize('args, option', [
    (dict(cve_ids=['CVE-2024-3094', 'log4shell']), 'cve_ids'),
    (dict(cve_ids=['']), 'cve_ids'),
    (dict(expires_at=-1), 'expires_at'),
    (dict(), 'cve_ids, expires_at'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and option in result['msg'] and conversation.methods == []


def test_info_reads_the_allowlist_in_the_writer_terms(monkeypatch, harbor):
    conversation = harbor([get(SET)])
    result, failed = run_module(harbor_system_cve_allowlist_info.main, monkeypatch,
                                dict(query="contains(cve_ids, 'CVE-2024-3094')"))
    assert not failed and not result['changed'] and conversation.methods == ['GET']
    assert result['allowlist'] == {'cve_ids': ['CVE-2023-44487', 'CVE-2024-3094'], 'expires_at': 1798761599,
                                   'update_time': '2026-01-05T10:00:00.000Z'}
    assert result['query_result'] is True
    conversation = harbor([get(SET)])
    result, failed = run(monkeypatch, dict((key, value) for key, value in result['allowlist'].items() if key != 'update_time'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_info_of_a_fresh_harbor_and_a_bad_query(monkeypatch, harbor):
    harbor([get(FRESH)])
    result, failed = run_module(harbor_system_cve_allowlist_info.main, monkeypatch, {})
    assert not failed and result['allowlist']['cve_ids'] == [] and result['allowlist']['expires_at'] == 0
    conversation = harbor([])
    result, failed = run_module(harbor_system_cve_allowlist_info.main, monkeypatch, dict(query='[?'))
    assert failed and 'query' in result['msg'] and conversation.methods == []
