# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_user and harbor_user_info against scripted Harbor conversations."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_user, harbor_user_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

PASSWORD = 'Alice-Passw0rd'
ALICE = {'user_id': 5, 'username': 'alice', 'email': 'alice@example.com', 'realname': 'Alice Martin',
         'sysadmin_flag': False, 'creation_time': '2026-01-05T10:00:00.000Z', 'update_time': '2026-01-05T10:00:00.000Z'}
TASK = dict(username='alice', email='alice@example.com', realname='Alice Martin', password=PASSWORD)


def users(*found):
    # q=username= is exact in Harbor; a longer name would still be filtered out.
    return Call('GET', '/users', FakeResponse(200, list(found), {'X-Total-Count': str(len(found))}),
                params={'q': 'username=alice', 'page': 1, 'page_size': 100})


def login(status):
    return Call('GET', '/users/current', FakeResponse(status, ALICE if status == 200 else error_body('UNAUTHORIZED', 'unauthorized')),
                auth=('alice', PASSWORD))


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_user.main, monkeypatch, args, **kwargs)


def test_create(monkeypatch, harbor):
    harbor([
        users(dict(ALICE, user_id=6, username='alice2')),
        Call('POST', '/users', FakeResponse(201, headers={'Location': '/api/v2.0/users/5'}),
             json={'username': 'alice', 'email': 'alice@example.com', 'realname': 'Alice Martin', 'password': PASSWORD}),
        users(ALICE),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed'] and result['user']['user_id'] == 5 and result['user']['admin'] is False
    after = {'username': 'alice', 'email': 'alice@example.com', 'realname': 'Alice Martin'}
    assert result['diff'] == {'before': {}, 'after': after}
    assert PASSWORD not in json.dumps(result)


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor([users(ALICE)])
    result, failed = run(monkeypatch, TASK)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([users()])
    result, failed = run(monkeypatch, dict(TASK, admin=True), check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']
    assert result['user']['username'] == 'alice' and result['user']['admin'] is True
    assert PASSWORD not in json.dumps(result)


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([users(ALICE)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_an_administrator_is_created_then_flagged(monkeypatch, harbor):
    harbor([
        users(),
        Call('POST', '/users', FakeResponse(201, headers={'Location': '/api/v2.0/users/5'})),
        Call('PUT', '/users/5/sysadmin', json={'sysadmin_flag': True}),
        users(dict(ALICE, sysadmin_flag=True)),
    ])
    result, failed = run(monkeypatch, dict(TASK, admin=True))
    assert not failed and result['changed'] and result['user']['admin'] is True


def test_a_profile_change_sends_the_whole_profile_and_the_flag_its_own_request(monkeypatch, harbor):
    harbor([
        users(ALICE),
        Call('PUT', '/users/5', json={'email': 'alice@example.org', 'realname': 'Alice Martin', 'comment': ''}),
        Call('PUT', '/users/5/sysadmin', json={'sysadmin_flag': True}),
        users(dict(ALICE, email='alice@example.org', sysadmin_flag=True)),
    ])
    result, failed = run(monkeypatch, dict(username='alice', email='alice@example.org', admin=True), diff=True)
    assert not failed and result['changed']
    assert result['diff']['before'] == {'username': 'alice', 'email': 'alice@example.com', 'admin': False}
    assert result['diff']['after'] == {'username': 'alice', 'email': 'alice@example.org', 'admin': True}


def test_on_create_never_checks_nor_sets_the_password_of_an_existing_user(monkeypatch, harbor):
    conversation = harbor([users(ALICE)])
    result, failed = run(monkeypatch, dict(username='alice', password='Other-Passw0rd'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_always_logs_in_and_leaves_a_password_that_works(monkeypatch, harbor):
    conversation = harbor([users(ALICE), login(200)])
    result, failed = run(monkeypatch, dict(username='alice', password=PASSWORD, update_secret='always'))
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_always_sets_a_password_that_does_not_work_and_never_shows_it(monkeypatch, harbor):
    harbor([
        users(ALICE), login(401),
        Call('PUT', '/users/5/password', json={'new_password': PASSWORD}),
        users(ALICE),
    ])
    result, failed = run(monkeypatch, dict(username='alice', password=PASSWORD, update_secret='always'), diff=True)
    assert not failed and result['changed'] and PASSWORD not in json.dumps(result)
    assert result['diff'] == {'before': {'username': 'alice'}, 'after': {'username': 'alice'}}


def test_always_in_check_mode_only_logs_in(monkeypatch, harbor):
    conversation = harbor([users(ALICE), login(401)])
    result, failed = run(monkeypatch, dict(username='alice', password=PASSWORD, update_secret='always'),
                         check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET', 'GET']


def test_delete(monkeypatch, harbor):
    harbor([users(ALICE), Call('DELETE', '/users/5')])
    result, failed = run(monkeypatch, dict(username='alice', state='absent'))
    assert not failed and result['changed'] and result['user'] == {}


def test_delete_idempotent(monkeypatch, harbor):
    conversation = harbor([users()])
    result, failed = run(monkeypatch, dict(username='alice', state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_delete_check_mode(monkeypatch, harbor):
    conversation = harbor([users(ALICE)])
    result, failed = run(monkeypatch, dict(username='alice', state='absent'), check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']


def test_delete_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([users()])
    result, failed = run(monkeypatch, dict(username='alice', state='absent'), check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_creating_needs_an_email_and_a_password_before_any_write(monkeypatch, harbor):
    conversation = harbor([users()])
    result, failed = run(monkeypatch, dict(username='alice', realname='Alice'))
    assert failed and result['msg'].startswith('email and password: required to create user')
    assert conversation.methods == ['GET']


def test_a_refusal_names_the_permission(monkeypatch, harbor):
    harbor([users(), Call('POST', '/users', FakeResponse(403, error_body('FORBIDDEN', 'bob')))])
    result, failed = run(monkeypatch, TASK)
    assert failed and 'user:create (system administrators only)' in result['msg'] and PASSWORD not in json.dumps(result)


@pytest.mark.parametrize('args, option', [
    (dict(username=''), 'username'),
    (dict(username='al,ice'), 'username'),
    (dict(username='admin'), 'username'),
    (dict(username='alice', email='alice'), 'email'),
    (dict(username='alice', realname=''), 'realname'),
    (dict(username='alice', comment='x' * 31), 'comment'),
    (dict(username='alice', password='alllowercase1'), 'password'),
    (dict(username='alice', password='Sh0rt'), 'password'),
    (dict(username='alice', update_secret='sometimes'), 'update_secret'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and option in result['msg'] and conversation.methods == []
    assert 'alllowercase1' not in result['msg'] and 'Sh0rt' not in result['msg']


def test_info_lists_users_sorted_without_passwords(monkeypatch, harbor):
    bob = dict(ALICE, user_id=6, username='bob', sysadmin_flag=True, comment='ops')
    harbor([Call('GET', '/users', FakeResponse(200, [bob, ALICE], {'X-Total-Count': '2'}),
                 params={'page': 1, 'page_size': 100})])
    result, failed = run_module(harbor_user_info.main, monkeypatch, dict(query='[?admin].username'))
    assert not failed and not result['changed']
    assert [user['username'] for user in result['users']] == ['alice', 'bob'] and result['query_result'] == ['bob']
    assert result['users'][0] == {'user_id': 5, 'username': 'alice', 'email': 'alice@example.com',
                                  'realname': 'Alice Martin', 'comment': '', 'admin': False,
                                  'creation_time': '2026-01-05T10:00:00.000Z', 'update_time': '2026-01-05T10:00:00.000Z'}


def test_info_by_name_is_exact(monkeypatch, harbor):
    harbor([users(dict(ALICE, user_id=6, username='alice2'), ALICE)])
    result, failed = run_module(harbor_user_info.main, monkeypatch, dict(username='alice'))
    assert not failed and [user['user_id'] for user in result['users']] == [5]
