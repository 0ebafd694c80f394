# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test helpers: a scripted Harbor conversation, and running a module's main() as Ansible would."""

from __future__ import annotations

import contextlib
import json

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import forget_lookups

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19
    from unittest import mock

    @contextlib.contextmanager
    def patch_module_args(args):
        with mock.patch.object(basic, '_ANSIBLE_ARGS', to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))):
            yield

API = 'https://harbor.example.com/api/v2.0'


class FakeResponse:
    def __init__(self, status=200, body=None, headers=None):
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers or {})
        if body is None:
            self.content = b''
        elif isinstance(body, (dict, list)):
            self.content = json.dumps(body).encode()
            self.headers.setdefault('Content-Type', 'application/json; charset=utf-8')
        else:
            self.content = str(body).encode()
            self.headers.setdefault('Content-Type', 'text/plain')

    @property
    def text(self):
        return self.content.decode()

    def json(self):
        return json.loads(self.content.decode())


def error_body(code, message):
    return {'errors': [{'code': code, 'message': message}]}


class Call:
    """One expected request and the answer to give.

    `answer` is a FakeResponse or an exception instance to raise (a dropped connection, a timeout).
    `json` (optional) is compared with the request body; `params` likewise with the query, and `auth` with the
    (username, password) the client logs in with.
    """

    def __init__(self, method, path, answer=None, json=None, params=None, auth=None):
        self.method = method
        self.path = path
        self.answer = answer if answer is not None else FakeResponse(200)
        self.json = json
        self.params = params
        self.auth = auth


class Conversation:
    """Replaces requests.Session.request: every request must be the next scripted Call, in order."""

    def __init__(self, calls):
        self.calls = list(calls)
        self.seen = []

    def __call__(self, method, url, params=None, json=None, headers=None, session_auth=None, **kwargs):
        assert url.startswith(API), url
        path = url[len(API):]
        self.seen.append((method, path, params, json, headers))
        assert self.calls, 'unexpected request %s %s (the script has no more calls)' % (method, path)
        call = self.calls.pop(0)
        assert (method, path) == (call.method, call.path), 'expected %s %s, got %s %s' % (
            call.method, call.path, method, path)
        if call.json is not None:
            assert json == call.json, 'body of %s %s: expected %r, got %r' % (method, path, call.json, json)
        if call.params is not None:
            assert dict(params or {}) == call.params, 'query of %s %s: %r' % (method, path, params)
        if call.auth is not None:
            assert tuple(session_auth or ()) == tuple(call.auth), 'credentials of %s %s' % (method, path)
        if isinstance(call.answer, BaseException):
            raise call.answer
        return call.answer

    def finished(self):
        assert not self.calls, 'requests never sent: %s' % ', '.join('%s %s' % (c.method, c.path) for c in self.calls)

    @property
    def methods(self):
        return [method for method, _path, _params, _json, _headers in self.seen]


def scripted_requests(monkeypatch, conversation_class=Conversation):
    """The body of the fixtures: yields install(calls), which replaces requests.Session.request by a scripted
    conversation and returns it; at teardown, every scripted call must have been sent."""
    state = {}

    def install(calls):
        conversation = conversation_class(calls)

        def request(session, *args, **kwargs):
            return conversation(*args, session_auth=session.auth, **kwargs)

        monkeypatch.setattr(requests.Session, 'request', request)
        state['conversation'] = conversation
        return conversation

    yield install
    if 'conversation' in state:
        state['conversation'].finished()


@pytest.fixture
def harbor(monkeypatch):
    """harbor(calls) installs a scripted conversation and returns it; the test checks .finished()."""
    yield from scripted_requests(monkeypatch)


class ModuleExit(Exception):
    def __init__(self, result, failed):
        super().__init__(result.get('msg', ''))
        self.result = result
        self.failed = failed


def run_module(module_main, monkeypatch, args, check_mode=False, diff=False, fresh_process=True):
    """Run a module's main() with `args` and return (result, failed), as a fresh module process would; with
    fresh_process=False, as the next item of a loop run in the same process (lookups remembered so far kept)."""
    if fresh_process:
        forget_lookups()

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise ModuleExit(kwargs, failed=False)

    def fail_json(self, **kwargs):
        raise ModuleExit(kwargs, failed=True)

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    full_args = dict(harbor_url='https://harbor.example.com', harbor_username='admin', harbor_password='Secr3tPassw0rd',
                     _ansible_check_mode=check_mode, _ansible_diff=diff)
    full_args.update(args)
    with patch_module_args(full_args):
        with pytest.raises(ModuleExit) as outcome:
            module_main()
    return outcome.value.result, outcome.value.failed
