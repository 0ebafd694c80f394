# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_project_info against scripted Harbor conversations: quotas beside the projects."""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_project_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

ADMIN = Call('GET', '/users/current', FakeResponse(200, {'user_id': 1, 'username': 'admin', 'sysadmin_flag': True}))
PAYMENTS = {'project_id': 12, 'name': 'payments', 'metadata': {'public': 'false'}}
BILLING = {'project_id': 13, 'name': 'billing', 'metadata': {'public': 'false'}}


def quota(project, hard, used):
    return {'id': project['project_id'] + 100, 'ref': {'id': project['project_id'], 'name': project['name']},
            'hard': {'storage': hard}, 'used': {'storage': used}}


def paged(items, path, **params):
    return Call('GET', path, FakeResponse(200, items, {'X-Total-Count': str(len(items))}),
                params=dict(params, page=1, page_size=100))


def test_quotas_of_every_project_come_from_one_listing(monkeypatch, harbor):
    harbor([
        ADMIN, paged([PAYMENTS, BILLING], '/projects', with_detail='true'),
        paged([quota(BILLING, -1, 0), quota(PAYMENTS, 10 * 1024 ** 3, 5 * 1024 ** 3)], '/quotas', reference='project'),
    ])
    result, failed = run_module(harbor_project_info.main, monkeypatch,
                                dict(with_quota=True, query='[?quota.used_percent >= `50`].name'))
    assert not failed, result
    assert [project['quota'] for project in result['projects']] == [
        {'hard': 10 * 1024 ** 3, 'used': 5 * 1024 ** 3, 'used_percent': 50.0, 'storage_quota': '10GiB'},
        {'hard': -1, 'used': 0, 'used_percent': None, 'storage_quota': '-1'}]
    assert result['query_result'] == ['payments']


def test_the_quota_of_one_project(monkeypatch, harbor):
    harbor([
        ADMIN, Call('GET', '/projects/payments', FakeResponse(200, PAYMENTS)),
        Call('GET', '/quotas', FakeResponse(200, [quota(PAYMENTS, 1024 ** 3, 1)]),
             params={'reference': 'project', 'reference_id': 12}),
    ])
    result, failed = run_module(harbor_project_info.main, monkeypatch, dict(name='payments', with_quota=True))
    assert not failed, result
    assert result['projects'][0]['quota'] == {'hard': 1024 ** 3, 'used': 1, 'used_percent': 0.0, 'storage_quota': '1GiB'}


def test_quotas_need_an_administrator(monkeypatch, harbor):
    harbor([
        Call('GET', '/users/current', FakeResponse(200, {'user_id': 5, 'username': 'dev', 'sysadmin_flag': False})),
        paged([PAYMENTS, BILLING], '/projects', with_detail='true'),
        Call('GET', '/quotas', FakeResponse(403, error_body('FORBIDDEN', 'forbidden')),
             params={'reference': 'project', 'page': 1, 'page_size': 100}),
    ])
    result, failed = run_module(harbor_project_info.main, monkeypatch, dict(with_quota=True))
    assert failed
    assert 'storage_quota can only be read by a Harbor system administrator' in result['msg']


def test_without_with_quota_no_quota_is_read(monkeypatch, harbor):
    harbor([ADMIN, paged([PAYMENTS], '/projects', with_detail='true')])
    result, failed = run_module(harbor_project_info.main, monkeypatch, {})
    assert not failed and 'quota' not in result['projects'][0]
