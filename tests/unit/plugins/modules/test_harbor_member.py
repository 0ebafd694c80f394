# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_member and harbor_member_info against scripted Harbor conversations."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_member, harbor_member_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

PROJECT = Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'}))
MEMBERS = '/projects/payments/members'
ALICE = {'id': 14, 'project_id': 12, 'entity_name': 'alice', 'entity_type': 'u', 'entity_id': 5, 'role_id': 4,
         'role_name': 'maintainer'}
DEVS = {'id': 15, 'project_id': 12, 'entity_name': 'payments-dev', 'entity_type': 'g', 'entity_id': 2, 'role_id': 2,
        'role_name': 'developer'}


def members(name, *entries):
    return Call('GET', MEMBERS, FakeResponse(200, list(entries), {'X-Total-Count': '3'}),
                params={'entityname': name, 'page': 1, 'page_size': 100})


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_member.main, monkeypatch, dict(dict(project='payments'), **args), **kwargs)


def test_add_a_user(monkeypatch, harbor):
    harbor([
        PROJECT, members('alice'),
        Call('POST', MEMBERS, FakeResponse(201, headers={'Location': '/api/v2.0/projects/payments/members/14'}),
             json={'role_id': 4, 'member_user': {'username': 'alice'}}),
        members('alice', ALICE),
    ])
    result, failed = run(monkeypatch, dict(user='alice', role='maintainer'), diff=True)
    assert not failed and result['changed'] and result['member'] == ALICE
    assert result['diff'] == {'before': {}, 'after': {'project': 'payments', 'user': 'alice', 'role': 'maintainer'}}


def test_add_a_user_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, members('alice', ALICE)])
    result, failed = run(monkeypatch, dict(user='alice', role='maintainer'))
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_add_a_user_check_mode(monkeypatch, harbor):
    conversation = harbor([PROJECT, members('alice')])
    result, _failed = run(monkeypatch, dict(user='alice', role='maintainer'), check_mode=True)
    assert result['changed'] and result['member']['role_id'] == 4 and conversation.methods == ['GET', 'GET']


def test_add_a_user_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, members('alice', ALICE)])
    result, _failed = run(monkeypatch, dict(user='alice', role='maintainer'), check_mode=True)
    assert not result['changed'] and conversation.methods == ['GET', 'GET']


def test_an_existing_membership_changes_role_in_place(monkeypatch, harbor):
    # A group of the same name is another member.
    same_name_group = dict(DEVS, entity_name='alice', id=20)
    harbor([
        PROJECT, members('alice', same_name_group, ALICE),
        Call('PUT', MEMBERS + '/14', FakeResponse(200), json={'role_id': 1}),
        members('alice', same_name_group, dict(ALICE, role_id=1, role_name='projectAdmin')),
    ])
    result, failed = run(monkeypatch, dict(user='alice', role='project_admin'), diff=True)
    assert not failed and result['changed'] and result['member']['role_id'] == 1
    assert result['diff']['before']['role'] == 'maintainer' and result['diff']['after']['role'] == 'project_admin'


def test_add_an_ldap_group(monkeypatch, harbor):
    harbor([
        PROJECT, members('payments-dev'),
        Call('POST', MEMBERS, FakeResponse(201), json={'role_id': 2, 'member_group': {
            'group_name': 'payments-dev', 'group_type': 1, 'ldap_group_dn': 'cn=payments-dev,dc=example,dc=com'}}),
        members('payments-dev', DEVS),
    ])
    result, failed = run(monkeypatch, dict(group='payments-dev', group_type='ldap', role='developer',
                                           ldap_group_dn='cn=payments-dev,dc=example,dc=com'))
    assert not failed and result['changed'] and result['member']['entity_type'] == 'g'


def test_an_unknown_group_is_explained(monkeypatch, harbor):
    harbor([
        PROJECT, members('ghosts'),
        Call('POST', MEMBERS, FakeResponse(500, error_body('UNKNOWN', 'internal server error')),
             json={'role_id': 3, 'member_group': {'group_name': 'ghosts', 'group_type': 3}}),
        members('ghosts'),
    ])
    result, failed = run(monkeypatch, dict(group='ghosts', group_type='oidc', role='guest'))
    assert failed and "could not add group 'ghosts'" in result['msg'] and 'group_type' in result['msg']


def test_an_unknown_user_is_explained(monkeypatch, harbor):
    harbor([
        PROJECT, members('nobody'),
        Call('POST', MEMBERS, FakeResponse(404, error_body('NOT_FOUND', 'user nobody is not found'))),
    ])
    result, failed = run(monkeypatch, dict(user='nobody', role='guest'))
    assert failed and "Harbor has no user 'nobody'" in result['msg'] and result['status'] == 404


def test_remove_and_remove_again(monkeypatch, harbor):
    harbor([PROJECT, members('alice', ALICE), Call('DELETE', MEMBERS + '/14', FakeResponse(200))])
    result, failed = run(monkeypatch, dict(user='alice', state='absent'))
    assert not failed and result['changed'] and result['member'] == {}
    conversation = harbor([PROJECT, members('alice')])
    result, _failed = run(monkeypatch, dict(user='alice', state='absent'))
    assert not result['changed'] and conversation.methods == ['GET', 'GET']


def test_remove_check_mode(monkeypatch, harbor):
    conversation = harbor([PROJECT, members('alice', ALICE)])
    result, _failed = run(monkeypatch, dict(user='alice', state='absent'), check_mode=True)
    assert result['changed'] and conversation.methods == ['GET', 'GET']


def test_missing_project(monkeypatch, harbor):
    harbor([Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'x')))])
    result, failed = run(monkeypatch, dict(user='alice', role='guest'))
    assert failed and "project 'payments' does not exist" in result['msg']
    harbor([Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'x')))])
    result, failed = run(monkeypatch, dict(user='alice', state='absent'))
    assert not failed and not result['changed']


@pytest.mark.parametrize('args, fragment', [
    (dict(user='alice', role='owner'), 'role'),
    (dict(user='alice'), 'role'),
    (dict(user='alice', group='devs', role='guest'), 'user|group'),
    (dict(role='guest'), 'user, group'),
    (dict(group='devs', role='guest'), 'group_type'),
    (dict(group='devs', group_type='oidc', ldap_group_dn='cn=devs', role='guest'), 'ldap_group_dn'),
    (dict(group='devs', group_type='team', role='guest'), 'group_type'),
    (dict(project='Payments', user='alice', role='guest'), 'project'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, fragment):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and fragment in result['msg'], result['msg']
    assert conversation.seen == []


@pytest.mark.parametrize('spelling', ['http', 'internal'])
def test_an_http_group_is_harbor_type_2_under_either_name(monkeypatch, harbor, spelling):
    harbor([
        PROJECT, members('payments-dev'),
        Call('POST', MEMBERS, FakeResponse(201), json={'role_id': 2, 'member_group': {
            'group_name': 'payments-dev', 'group_type': 2}}),
        members('payments-dev', DEVS),
    ])
    result, failed = run(monkeypatch, dict(group='payments-dev', group_type=spelling, role='developer'))
    assert not failed and result['changed']


def all_members(*entries):
    return Call('GET', MEMBERS, FakeResponse(200, list(entries), {'X-Total-Count': str(len(entries))}),
                params={'page': 1, 'page_size': 100})


USER_GROUPS = Call('GET', '/usergroups', FakeResponse(200, [
    {'id': 2, 'group_name': 'payments-dev', 'group_type': 2, 'ldap_group_dn': ''},
    {'id': 7, 'group_name': 'other', 'group_type': 1, 'ldap_group_dn': 'cn=other'}], {'X-Total-Count': '2'}),
    params={'page': 1, 'page_size': 100})
BOB = dict(ALICE, id=16, entity_name='bob', entity_id=6, role_id=1)


def test_info_lists_users_then_groups_in_harbor_member_terms(monkeypatch, harbor):
    conversation = harbor([PROJECT, all_members(DEVS, BOB, ALICE), USER_GROUPS])
    result, failed = run_module(harbor_member_info.main, monkeypatch,
                                dict(project='payments', query="[?role == 'project_admin'].user"))
    assert not failed and not result['changed'] and conversation.methods == ['GET'] * 3
    assert result['members'] == [
        {'id': 14, 'user': 'alice', 'role': 'maintainer'},
        {'id': 16, 'user': 'bob', 'role': 'project_admin'},
        {'id': 15, 'group': 'payments-dev', 'group_type': 'http', 'ldap_group_dn': None, 'role': 'developer'},
    ]
    assert result['query_result'] == ['bob']


def test_info_without_the_right_to_list_groups_leaves_their_type_unknown(monkeypatch, harbor):
    harbor([PROJECT, members('payments-dev', DEVS, dict(DEVS, id=17, entity_name='payments-dev-old')),
            Call('GET', '/usergroups', FakeResponse(403, error_body('FORBIDDEN', 'forbidden')))])
    result, failed = run_module(harbor_member_info.main, monkeypatch, dict(project='payments', group='payments-dev'))
    assert not failed and [(member['id'], member['group_type']) for member in result['members']] == [(15, None)]


def test_info_of_users_only_reads_no_groups(monkeypatch, harbor):
    conversation = harbor([PROJECT, members('alice', ALICE, dict(ALICE, id=18, entity_name='alice2'))])
    result, failed = run_module(harbor_member_info.main, monkeypatch, dict(project='payments', user='alice'))
    assert not failed and result['members'] == [{'id': 14, 'user': 'alice', 'role': 'maintainer'}]
    assert conversation.methods == ['GET', 'GET']


def test_info_on_a_missing_project_fails(monkeypatch, harbor):
    harbor([Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'not found')))])
    result, failed = run_module(harbor_member_info.main, monkeypatch, dict(project='payments'))
    assert failed and "project 'payments' does not exist" in result['msg']


@pytest.mark.parametrize('args, option', [
    (dict(project='Pay ments'), 'project'), (dict(project='payments', user=' '), 'user'),
    (dict(project='payments', query='[?'), 'query'),
])
def test_info_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run_module(harbor_member_info.main, monkeypatch, args)
    assert failed and option in result['msg'] and conversation.methods == []
