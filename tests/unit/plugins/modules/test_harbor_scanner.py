# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_scanner and harbor_scanner_info against scripted Harbor conversations."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_scanner, harbor_scanner_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

SCANNERS = '/scanners'
KEY = 'api-K3y-of-trivy'
UUID = '5a7e3c1e-0b9a-4c1f-9a43-2f1c5a2e7d11'
TRIVY = {'uuid': UUID, 'name': 'trivy-corp', 'url': 'http://trivy:8080', 'description': 'corp',
         'auth': 'X-ScannerAdapter-API-Key', 'access_credential': '', 'skip_certVerify': False,
         'use_internal_addr': False, 'is_default': True, 'disabled': False, 'adapter': 'Trivy',
         'capabilities': {'support_vulnerability': True}}
OTHER = dict(TRIVY, uuid='other-uuid', name='grype', url='http://grype:8080', auth='', is_default=False)
TASK = dict(name='trivy-corp', url='trivy:8080/', auth='X-ScannerAdapter-API-Key', access_credential=KEY,
            description='corp', default=True)
BODY = {'name': 'trivy-corp', 'url': 'http://trivy:8080', 'description': 'corp', 'auth': 'X-ScannerAdapter-API-Key',
        'access_credential': KEY}


def listing(*registrations, name='trivy-corp'):
    params = {'q': 'name=%s' % name, 'page': 1, 'page_size': 100} if name else None
    return Call('GET', SCANNERS, FakeResponse(200, list(registrations)), params=params)


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_scanner.main, monkeypatch, args, **kwargs)


def test_register_pings_then_creates(monkeypatch, harbor):
    harbor([
        listing(),
        Call('POST', SCANNERS + '/ping', json=BODY),
        Call('POST', SCANNERS, FakeResponse(201), json=BODY),
        listing(dict(TRIVY, is_default=False)),
        Call('PATCH', SCANNERS + '/' + UUID, json={'is_default': True}),
        listing(TRIVY),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed']
    assert result['scanner']['uuid'] == UUID and result['scanner']['default'] is True
    assert 'access_credential' not in result['scanner'] and KEY not in json.dumps(result)
    assert result['diff']['after']['url'] == 'http://trivy:8080'


def test_register_idempotent(monkeypatch, harbor):
    conversation = harbor([listing(TRIVY)])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']
    assert KEY not in json.dumps(result)


def test_register_check_mode(monkeypatch, harbor):
    conversation = harbor([listing()])
    result, failed = run(monkeypatch, TASK, check_mode=True, diff=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']
    assert result['scanner']['url'] == 'http://trivy:8080' and KEY not in json.dumps(result)


def test_register_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([listing(TRIVY)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_an_unreachable_adapter_is_a_clear_error_before_any_write(monkeypatch, harbor):
    conversation = harbor([listing(), Call('POST', SCANNERS + '/ping', FakeResponse(500, error_body(
        'UNKNOWN', 'internal server error')))])
    result, failed = run(monkeypatch, TASK)
    assert failed and 'http://trivy:8080/api/v1/metadata' in result['msg'] and KEY not in json.dumps(result)
    assert conversation.methods == ['GET', 'POST']


def test_a_change_sends_every_field_and_keeps_the_credential(monkeypatch, harbor):
    harbor([
        listing(TRIVY),
        Call('PUT', SCANNERS + '/' + UUID, json={
            'name': 'trivy-corp', 'url': 'http://trivy:8080', 'description': 'new', 'auth': 'X-ScannerAdapter-API-Key',
            'access_credential': '', 'skip_certVerify': True, 'use_internal_addr': False, 'disabled': False}),
        listing(dict(TRIVY, description='new', skip_certVerify=True)),
    ])
    result, failed = run(monkeypatch, dict(name='trivy-corp', description='new', skip_cert_verify=True))
    assert not failed and result['changed'] and result['scanner']['skip_cert_verify'] is True


def test_update_secret_always_sends_the_credential(monkeypatch, harbor):
    harbor([
        listing(TRIVY),
        Call('PUT', SCANNERS + '/' + UUID, json={
            'name': 'trivy-corp', 'url': 'http://trivy:8080', 'description': 'corp', 'auth': 'X-ScannerAdapter-API-Key',
            'access_credential': KEY, 'skip_certVerify': False, 'use_internal_addr': False, 'disabled': False}),
        listing(TRIVY),
    ])
    result, failed = run(monkeypatch, dict(TASK, update_secret='always'), diff=True)
    assert not failed and result['changed'] and KEY not in json.dumps(result)


def test_making_another_scanner_the_default(monkeypatch, harbor):
    harbor([listing(OTHER, name='grype'), Call('PATCH', SCANNERS + '/other-uuid', json={'is_default': True}),
            listing(dict(OTHER, is_default=True), name='grype')])
    result, failed = run(monkeypatch, dict(name='grype', default=True))
    assert not failed and result['changed'] and result['scanner']['default'] is True


@pytest.mark.parametrize('args, message', [
    (dict(name='trivy-corp', default=False), 'set default: true on another scanner'),
    (dict(name='trivy-corp', disabled=True), 'the default scanner cannot be disabled'),
    (dict(name='trivy-corp', auth='Basic'), 'access_credential: required with auth Basic'),
])
def test_refusals_before_any_write(monkeypatch, harbor, args, message):
    conversation = harbor([listing(TRIVY)])
    result, failed = run(monkeypatch, args)
    assert failed and message in result['msg'] and conversation.methods == ['GET']


def test_delete_and_delete_again(monkeypatch, harbor):
    harbor([listing(TRIVY), Call('DELETE', SCANNERS + '/' + UUID)])
    result, failed = run(monkeypatch, dict(name='trivy-corp', state='absent'))
    assert not failed and result['changed'] and result['scanner'] == {}
    conversation = harbor([listing()])
    result, failed = run(monkeypatch, dict(name='trivy-corp', state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


@pytest.mark.parametrize('args, option', [
    (dict(name=''), 'name'),
    (dict(name='s', url='ftp://scanner'), 'url'),
    (dict(name='s', auth='Digest', url='http://s'), 'auth'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and option in result['msg'] and conversation.methods == []


def test_a_new_registration_cannot_take_the_built_in_name(monkeypatch, harbor):
    conversation = harbor([listing(name='Trivy')])
    result, failed = run(monkeypatch, dict(name='Trivy', url='http://trivy:8080'))
    assert failed and 'reserved' in result['msg'] and conversation.methods == ['GET']


def test_info_lists_without_credential_and_queries(monkeypatch, harbor):
    harbor([listing(TRIVY, dict(OTHER, access_credential='leaked?'), name=None)])
    result, failed = run_module(harbor_scanner_info.main, monkeypatch, dict(query='[?default].name | [0]'))
    assert not failed and result['query_result'] == 'trivy-corp'
    assert [scanner['name'] for scanner in result['scanners']] == ['grype', 'trivy-corp']
    assert 'leaked?' not in json.dumps(result) and result['scanners'][0]['auth'] == 'none'
