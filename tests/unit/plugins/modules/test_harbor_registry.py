# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_registry and harbor_registry_info against scripted Harbor conversations."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_registry, harbor_registry_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

SECRET = 'Dr-Replic4tor-secret'
DR = {'id': 3, 'name': 'harbor-dr', 'type': 'harbor', 'url': 'https://harbor-dr.example.com', 'status': 'healthy',
      'credential': {'type': 'basic', 'access_key': 'replicator', 'access_secret': '*****'},
      'creation_time': '2026-01-05T10:00:00.000Z', 'update_time': '2026-01-05T10:00:00.000Z'}
TASK = dict(name='harbor-dr', type='harbor', url='https://harbor-dr.example.com/', access_key='replicator',
            access_secret=SECRET)


def registries(*found):
    return Call('GET', '/registries', FakeResponse(200, list(found), {'X-Total-Count': str(len(found))}),
                params={'q': 'name=harbor-dr', 'page': 1, 'page_size': 100})


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_registry.main, monkeypatch, args, **kwargs)


def test_create(monkeypatch, harbor):
    harbor([
        registries(dict(DR, id=4, name='harbor-dr2')),
        Call('POST', '/registries', FakeResponse(201, headers={'Location': '/api/v2.0/registries/3'}), json={
            'name': 'harbor-dr', 'type': 'harbor', 'url': 'https://harbor-dr.example.com', 'description': '',
            'insecure': False, 'credential': {'type': 'basic', 'access_key': 'replicator', 'access_secret': SECRET}}),
        registries(DR),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed'] and result['registry']['id'] == 3
    assert result['registry']['has_secret'] is True and result['registry']['access_key'] == 'replicator'
    assert result['diff']['after'] == {'name': 'harbor-dr', 'type': 'harbor', 'url': 'https://harbor-dr.example.com',
                                       'access_key': 'replicator'}
    assert SECRET not in json.dumps(result) and '*****' not in json.dumps(result)


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor([registries(DR)])
    result, failed = run(monkeypatch, TASK)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([registries()])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']
    assert result['registry']['url'] == 'https://harbor-dr.example.com' and result['registry']['id'] is None
    assert SECRET not in json.dumps(result)


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([registries(DR)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_a_change_sends_only_the_changed_fields(monkeypatch, harbor):
    harbor([
        registries(DR),
        Call('PUT', '/registries/3', json={'url': 'https://dr2.example.com', 'description': 'Second site'}),
        registries(dict(DR, url='https://dr2.example.com', description='Second site')),
    ])
    result, failed = run(monkeypatch, dict(TASK, url='https://dr2.example.com/', description='Second site'), diff=True)
    assert not failed and result['changed']
    assert result['diff']['before']['url'] == 'https://harbor-dr.example.com'
    assert result['diff']['after']['url'] == 'https://dr2.example.com'
    assert result['registry']['description'] == 'Second site'


def test_a_url_without_scheme_is_http_as_in_harbor(monkeypatch, harbor):
    conversation = harbor([registries(dict(DR, url='http://harbor-dr.example.com'))])
    result, failed = run(monkeypatch, dict(TASK, url='harbor-dr.example.com'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_always_sends_the_secret_and_never_shows_it(monkeypatch, harbor):
    harbor([
        registries(DR),
        Call('PUT', '/registries/3', json={'access_secret': SECRET, 'credential_type': 'basic'}),
        registries(DR),
    ])
    result, failed = run(monkeypatch, dict(TASK, update_secret='always'), diff=True)
    assert not failed and result['changed'] and SECRET not in json.dumps(result)
    assert result['diff']['before'] == result['diff']['after']


def test_an_unreachable_endpoint_is_an_error_naming_its_url(monkeypatch, harbor):
    harbor([
        registries(),
        Call('POST', '/registries', FakeResponse(400, error_body('BAD_REQUEST', 'the registry is unhealthy'))),
    ])
    result, failed = run(monkeypatch, TASK)
    assert failed and 'https://harbor-dr.example.com' in result['msg'] and 'could not reach' in result['msg']
    assert SECRET not in json.dumps(result)


def test_a_masked_500_on_create_is_explained_too(monkeypatch, harbor):
    harbor([registries(), Call('POST', '/registries', FakeResponse(500, error_body('UNKNOWN', 'internal server error')))])
    result, failed = run(monkeypatch, dict(TASK, url='http://127.0.0.1:9'))
    assert failed and 'http://127.0.0.1:9' in result['msg'] and result['status'] == 500
    assert 'refused access_key/access_secret' in result['msg']


def test_an_anonymous_endpoint_is_not_said_to_refuse_a_credential(monkeypatch, harbor):
    harbor([registries(), Call('POST', '/registries', FakeResponse(400, error_body('BAD_REQUEST',
                                                                                   'the registry is unhealthy')))])
    result, failed = run(monkeypatch, dict(name='harbor-dr', type='docker-registry', url='http://127.0.0.1:9'))
    assert failed and 'could not reach the docker-registry registry at http://127.0.0.1:9 (' in result['msg']
    assert 'credential' not in result['msg']


@pytest.mark.parametrize('args, message', [
    (dict(name=''), 'name must be 1 to 64 characters'),
    (dict(name='x' * 65), 'name must be 1 to 64 characters'),
    (dict(name='hub', url='ftp://hub.example.com'), "url 'ftp://hub.example.com' must be an http:// or https://"),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, message):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and message in result['msg'] and conversation.methods == []


def test_creating_needs_type_and_url(monkeypatch, harbor):
    conversation = harbor([registries()])
    result, failed = run(monkeypatch, dict(name='harbor-dr', url='https://harbor-dr.example.com'))
    assert failed and 'type: required to create registry endpoint' in result['msg']
    assert conversation.methods == ['GET']


def test_the_type_cannot_change(monkeypatch, harbor):
    conversation = harbor([registries(DR)])
    result, failed = run(monkeypatch, dict(name='harbor-dr', type='docker-registry'))
    assert failed and 'type cannot be changed' in result['msg'] and conversation.methods == ['GET']


def test_delete(monkeypatch, harbor):
    harbor([registries(DR), Call('DELETE', '/registries/3')])
    result, failed = run(monkeypatch, dict(name='harbor-dr', state='absent'))
    assert not failed and result['changed'] and result['registry'] == {}


def test_delete_idempotent(monkeypatch, harbor):
    conversation = harbor([registries()])
    result, failed = run(monkeypatch, dict(name='harbor-dr', state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_a_registry_in_use_is_not_deleted(monkeypatch, harbor):
    harbor([registries(DR), Call('DELETE', '/registries/3', FakeResponse(412, error_body(
        'PRECONDITION', 'the registry 3 is referenced by replication policies, cannot delete it')))])
    result, failed = run(monkeypatch, dict(name='harbor-dr', state='absent'))
    assert failed and 'referenced by replication policies' in result['msg']


def test_info_never_returns_a_secret(monkeypatch, harbor):
    hub = {'id': 1, 'name': 'docker-hub', 'type': 'docker-hub', 'url': 'https://hub.docker.com', 'status': 'healthy',
           'credential': {}, 'creation_time': 't', 'update_time': 't'}
    harbor([Call('GET', '/registries', FakeResponse(200, [DR, hub], {'X-Total-Count': '2'}))])
    result, failed = run_module(harbor_registry_info.main, monkeypatch, dict(query="[?has_secret].name"))
    assert not failed and [r['name'] for r in result['registries']] == ['docker-hub', 'harbor-dr']
    assert result['query_result'] == ['harbor-dr'] and '*****' not in json.dumps(result)
