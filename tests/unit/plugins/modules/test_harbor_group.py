# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_group and harbor_group_info against scripted Harbor conversations."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_group, harbor_group_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

DEVS = {'id': 3, 'group_name': 'payments-dev', 'group_type': 3, 'ldap_group_dn': ''}
# Same name, another type: another group.
DEVS_HTTP = {'id': 4, 'group_name': 'payments-dev', 'group_type': 2, 'ldap_group_dn': ''}
OPS_DN = 'cn=payments-ops,ou=groups,dc=example,dc=com'
OPS = {'id': 5, 'group_name': 'payments-ops', 'group_type': 1, 'ldap_group_dn': OPS_DN}
TASK = dict(name='payments-dev', type='oidc')


def groups(*found, name='payments-dev'):
    return Call('GET', '/usergroups', FakeResponse(200, list(found), {'X-Total-Count': str(len(found))}),
                params={'group_name': name, 'page': 1, 'page_size': 100})


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_group.main, monkeypatch, args, **kwargs)


def test_create(monkeypatch, harbor):
    harbor([
        groups(DEVS_HTTP, dict(DEVS, id=9, group_name='payments-dev-old')),
        Call('POST', '/usergroups', FakeResponse(201, headers={'Location': '/api/v2.0/usergroups/3'}),
             json={'group_name': 'payments-dev', 'group_type': 3}),
        groups(DEVS_HTTP, DEVS),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed']
    assert result['group'] == {'id': 3, 'name': 'payments-dev', 'type': 'oidc', 'ldap_dn': ''}
    assert result['diff'] == {'before': {}, 'after': {'name': 'payments-dev', 'type': 'oidc'}}


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor([groups(DEVS_HTTP, DEVS)])
    result, failed = run(monkeypatch, TASK)
    assert not failed and not result['changed'] and result['group']['id'] == 3 and conversation.methods == ['GET']


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([groups(DEVS_HTTP)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']
    assert result['group'] == {'id': None, 'name': 'payments-dev', 'type': 'oidc', 'ldap_dn': ''}


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([groups(DEVS)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_an_ldap_group_is_created_with_its_dn(monkeypatch, harbor):
    harbor([
        groups(name='payments-ops'),
        Call('POST', '/usergroups', FakeResponse(201), json={'group_name': 'payments-ops', 'group_type': 1,
                                                             'ldap_group_dn': OPS_DN}),
        groups(OPS, name='payments-ops'),
    ])
    result, failed = run(monkeypatch, dict(name='payments-ops', type='ldap', ldap_dn=OPS_DN))
    assert not failed and result['changed'] and result['group']['ldap_dn'] == OPS_DN


def test_harbor_refusing_an_ldap_dn_it_cannot_find_is_shown(monkeypatch, harbor):
    harbor([
        groups(name='payments-ops'),
        Call('POST', '/usergroups', FakeResponse(400, error_body('BAD_REQUEST', 'LDAP Group DN is not found: DN:' + OPS_DN))),
    ])
    result, failed = run(monkeypatch, dict(name='payments-ops', type='ldap', ldap_dn=OPS_DN))
    assert failed and 'LDAP Group DN is not found' in result['msg']


def test_another_dn_for_an_existing_ldap_group_is_an_error(monkeypatch, harbor):
    conversation = harbor([groups(OPS, name='payments-ops')])
    result, failed = run(monkeypatch, dict(name='payments-ops', type='ldap', ldap_dn='cn=other,dc=example,dc=com'))
    assert failed and result['msg'].startswith('ldap_dn cannot be changed') and conversation.methods == ['GET']


def test_delete(monkeypatch, harbor):
    harbor([groups(DEVS_HTTP, DEVS), Call('DELETE', '/usergroups/3')])
    result, failed = run(monkeypatch, dict(TASK, state='absent'))
    assert not failed and result['changed'] and result['group'] == {}


def test_delete_idempotent(monkeypatch, harbor):
    conversation = harbor([groups(DEVS_HTTP)])
    result, failed = run(monkeypatch, dict(TASK, state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_delete_check_mode(monkeypatch, harbor):
    conversation = harbor([groups(DEVS)])
    result, failed = run(monkeypatch, dict(TASK, state='absent'), check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']


def test_delete_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([groups()])
    result, failed = run(monkeypatch, dict(TASK, state='absent'), check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_a_refusal_names_the_permission(monkeypatch, harbor):
    harbor([Call('GET', '/usergroups', FakeResponse(403, error_body('FORBIDDEN', 'alice')))])
    result, failed = run(monkeypatch, TASK)
    assert failed and 'user-group:list (system administrators only)' in result['msg']


@pytest.mark.parametrize('args, option', [
    (dict(name=' ', type='oidc'), 'name'),
    (dict(name='ops', type='ldap'), 'ldap_dn'),
    (dict(name='ops', type='oidc', ldap_dn=OPS_DN), 'ldap_dn'),
    (dict(name='ops', type='kerberos'), 'type'),
    (dict(name='ops'), 'type'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and option in result['msg'] and conversation.methods == []


def test_info_filters_by_type_and_sorts(monkeypatch, harbor):
    harbor([Call('GET', '/usergroups', FakeResponse(200, [OPS, DEVS, DEVS_HTTP], {'X-Total-Count': '3'}),
                 params={'page': 1, 'page_size': 100})])
    result, failed = run_module(harbor_group_info.main, monkeypatch, dict(query='[].type'))
    assert not failed and not result['changed']
    assert [(group['name'], group['type']) for group in result['groups']] == [
        ('payments-dev', 'http'), ('payments-dev', 'oidc'), ('payments-ops', 'ldap')]
    assert result['query_result'] == ['http', 'oidc', 'ldap']


def test_info_by_name_and_type_is_exact(monkeypatch, harbor):
    harbor([groups(DEVS_HTTP, DEVS, dict(DEVS, id=9, group_name='payments-dev-old'))])
    result, failed = run_module(harbor_group_info.main, monkeypatch, dict(name='payments-dev', type='oidc'))
    assert not failed and [group['id'] for group in result['groups']] == [3]


@pytest.mark.parametrize('spelling', ['http', 'internal'])
def test_internal_is_another_name_for_http(monkeypatch, harbor, spelling):
    conversation = harbor([groups(DEVS, DEVS_HTTP)])
    result, failed = run(monkeypatch, dict(name='payments-dev', type=spelling))
    assert not failed and not result['changed'] and result['group']['id'] == 4 and result['group']['type'] == 'http'
    assert conversation.methods == ['GET']


def test_info_type_internal_reads_the_http_groups(monkeypatch, harbor):
    harbor([groups(DEVS, DEVS_HTTP)])
    result, failed = run_module(harbor_group_info.main, monkeypatch, dict(name='payments-dev', type='internal'))
    assert not failed and [group['id'] for group in result['groups']] == [4]
