# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_preheat_instance against scripted Harbor conversations."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_preheat_instance, harbor_preheat_instance_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

INSTANCES = '/p2p/preheat/instances'
PASSWORD = 'Dr4gonfly-pass'
DRAGONFLY = {'id': 4, 'name': 'dragonfly-prod', 'vendor': 'dragonfly', 'endpoint': 'http://df:8080',
             'auth_mode': 'BASIC', 'enabled': True, 'default': False, 'insecure': False, 'status': 'Unknown',
             'setup_timestamp': 1767607200}
TASK = dict(name='dragonfly-prod', vendor='dragonfly', endpoint='http://df:8080', auth_mode='BASIC',
            username='harbor', password=PASSWORD)
PUT_BASE = {'id': 4, 'name': 'dragonfly-prod', 'vendor': 'dragonfly', 'endpoint': 'http://df:8080',
            'auth_mode': 'BASIC', 'description': '', 'enabled': True, 'default': False, 'insecure': False,
            'setup_timestamp': 1767607200}


def listing(*instances):
    return Call('GET', INSTANCES, FakeResponse(200, list(instances)),
                params={'q': 'name=dragonfly-prod', 'page': 1, 'page_size': 100})


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_preheat_instance.main, monkeypatch, args, **kwargs)


def test_create(monkeypatch, harbor):
    harbor([listing(), Call('POST', INSTANCES, FakeResponse(201), json={
        'name': 'dragonfly-prod', 'vendor': 'dragonfly', 'endpoint': 'http://df:8080', 'auth_mode': 'BASIC',
        'enabled': True, 'default': False, 'auth_info': {'username': 'harbor', 'password': PASSWORD}}),
        listing(DRAGONFLY)])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed'] and result['instance']['id'] == 4
    assert PASSWORD not in json.dumps(result) and 'username' not in result['diff']['after']


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor([listing(DRAGONFLY)])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([listing()])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']
    assert result['instance']['enabled'] is True and PASSWORD not in json.dumps(result)


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([listing(DRAGONFLY)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_a_new_default_is_set_by_an_update_which_clears_the_old_one(monkeypatch, harbor):
    harbor([listing(), Call('POST', INSTANCES, FakeResponse(201)), listing(DRAGONFLY),
            Call('PUT', INSTANCES + '/dragonfly-prod', json=dict(PUT_BASE, default=True)),
            listing(dict(DRAGONFLY, default=True))])
    result, failed = run(monkeypatch, dict(TASK, default=True))
    assert not failed and result['changed'] and result['instance']['default'] is True


def test_a_change_keeps_the_credentials_harbor_holds(monkeypatch, harbor):
    harbor([listing(DRAGONFLY), Call('PUT', INSTANCES + '/dragonfly-prod', json=dict(PUT_BASE, insecure=True)),
            listing(dict(DRAGONFLY, insecure=True))])
    result, failed = run(monkeypatch, dict(TASK, insecure=True))
    assert not failed and result['changed']


def test_update_secret_always_sends_the_credentials(monkeypatch, harbor):
    harbor([listing(DRAGONFLY), Call('PUT', INSTANCES + '/dragonfly-prod', json=dict(
        PUT_BASE, auth_info={'username': 'harbor', 'password': PASSWORD})), listing(DRAGONFLY)])
    result, failed = run(monkeypatch, dict(TASK, update_secret='always'), diff=True)
    assert not failed and result['changed'] and PASSWORD not in json.dumps(result)


def test_switching_to_no_auth_clears_the_credentials(monkeypatch, harbor):
    harbor([listing(DRAGONFLY), Call('PUT', INSTANCES + '/dragonfly-prod', json=dict(
        PUT_BASE, auth_mode='NONE', auth_info={})), listing(dict(DRAGONFLY, auth_mode='NONE'))])
    result, failed = run(monkeypatch, dict(name='dragonfly-prod', auth_mode='NONE', password=PASSWORD))
    assert not failed and result['changed']


def test_delete_and_delete_again(monkeypatch, harbor):
    harbor([listing(DRAGONFLY), Call('DELETE', INSTANCES + '/dragonfly-prod')])
    result, failed = run(monkeypatch, dict(name='dragonfly-prod', state='absent'))
    assert not failed and result['changed'] and result['instance'] == {}
    conversation = harbor([listing()])
    result, failed = run(monkeypatch, dict(name='dragonfly-prod', state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


@pytest.mark.parametrize('args, message', [
    (dict(name='dragonfly-prod', vendor='kraken'), 'vendor cannot be changed'),
    (dict(name='dragonfly-prod', auth_mode='OAUTH'), 'token: required with auth_mode OAUTH'),
    (dict(name='dragonfly-prod', password='new-Pass1'), 'username: required with auth_mode BASIC'),
])
def test_refusals_before_any_write(monkeypatch, harbor, args, message):
    conversation = harbor([listing(DRAGONFLY)])
    result, failed = run(monkeypatch, args)
    assert failed and message in result['msg'] and conversation.methods == ['GET']


def test_creating_needs_vendor_and_endpoint(monkeypatch, harbor):
    conversation = harbor([listing()])
    result, failed = run(monkeypatch, dict(name='dragonfly-prod'))
    assert failed and 'vendor and endpoint: required' in result['msg'] and conversation.methods == ['GET']


@pytest.mark.parametrize('args, option', [
    (dict(name='bad name'), 'name'),
    (dict(name='ok', endpoint='df:8080'), 'endpoint'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and option in result['msg'] and conversation.methods == []


def test_info_lists_without_credentials_and_queries(monkeypatch, harbor):
    kraken = dict(DRAGONFLY, id=5, name='kraken-a', vendor='kraken', default=True, auth_info={'token': 'leaked?'})
    harbor([Call('GET', INSTANCES, FakeResponse(200, [kraken, DRAGONFLY]), params={'page': 1, 'page_size': 100})])
    result, failed = run_module(harbor_preheat_instance_info.main, monkeypatch, dict(query='[?default].name | [0]'))
    assert not failed and not result['changed'] and result['query_result'] == 'kraken-a'
    assert [instance['name'] for instance in result['instances']] == ['dragonfly-prod', 'kraken-a']
    assert 'leaked?' not in json.dumps(result)


def test_info_name_is_checked_before_any_request(monkeypatch, harbor):
    conversation = harbor([])
    result, failed = run_module(harbor_preheat_instance_info.main, monkeypatch, dict(name='bad name'))
    assert failed and 'name' in result['msg'] and conversation.methods == []
