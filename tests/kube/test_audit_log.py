# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit log reader that answers /_emulator/requests for a real control plane (no binaries needed)."""

from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from control_plane import AuditLog  # noqa: E402  pylint: disable=wrong-import-position,import-error


def event(verb, uri, code, user='kube-admin', stage='ResponseComplete'):
    return {'kind': 'Event', 'stage': stage, 'verb': verb, 'requestURI': uri, 'user': {'username': user},
            'responseStatus': {'code': code}}


def write(path, *events, partial=''):
    with open(path, 'a', encoding='utf-8') as handle:
        for entry in events:
            handle.write(json.dumps(entry) + '\n')
        handle.write(partial)


def test_the_audit_log_reads_as_the_emulators_request_log(tmp_path, monkeypatch):
    monkeypatch.setattr(AuditLog, 'SETTLE', 0.01)
    path = str(tmp_path / 'audit.log')
    log = AuditLog(path)
    assert log.entries() == []    # no file yet

    write(path, event('create', '/api/v1/namespaces', 201))
    log.clear()
    write(path,
          event('get', '/api/v1/namespaces/a/secrets/s', 404),
          event('list', '/api/v1/namespaces?labelSelector=x%3Dy', 200),
          event('patch', '/api/v1/namespaces/a/serviceaccounts/default', 409),
          event('update', '/api/v1/namespaces/a/secrets/s', 200),
          event('delete', '/api/v1/namespaces/a/secrets/s', 200),
          # the controllers and the harness are not the test's requests
          event('create', '/api/v1/namespaces/a/serviceaccounts', 201, user='system:serviceaccount:kube-system:x'),
          event('get', '/readyz', 200, user='system:test-harness'),
          # a request still being served is logged again when complete
          event('create', '/api/v1/namespaces/a/secrets', 201, stage='ResponseStarted'),
          partial='{"kind": "Event", "stage": "Respon')

    assert log.entries() == [
        {'method': 'GET', 'path': '/api/v1/namespaces/a/secrets/s', 'status': 404, 'write': False},
        {'method': 'GET', 'path': '/api/v1/namespaces?labelSelector=x%3Dy', 'status': 200, 'write': False},
        {'method': 'PATCH', 'path': '/api/v1/namespaces/a/serviceaccounts/default', 'status': 409, 'write': True},
        {'method': 'PUT', 'path': '/api/v1/namespaces/a/secrets/s', 'status': 200, 'write': True},
        {'method': 'DELETE', 'path': '/api/v1/namespaces/a/secrets/s', 'status': 200, 'write': True},
    ]
    log.clear()
    assert log.entries() == []
