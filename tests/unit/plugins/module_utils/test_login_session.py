# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The login session of a process's reads (login_session.py), against a small Harbor that speaks /c/login."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from ansible_collections.cloudtemple.harbor.plugins.module_utils import login_session
from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import HarborClient

BASE = 'https://harbor.example.com'
BEFORE = login_session.READS_BEFORE_LOGIN
PASSWORD = 'Secr3tPassw0rd'
ROBOT_SECRET = 'R0botSecret'


class Answer:
    def __init__(self, status=200, body=None, headers=None, cookies=None):
        self.status_code = status
        self.headers = CaseInsensitiveDict(headers or {})
        self.cookies = dict(cookies or {})
        self.content = json.dumps(body).encode() if body is not None else b''
        if body is not None:
            self.headers['Content-Type'] = 'application/json'

    def json(self):
        return json.loads(self.content.decode())


class LoginHarbor:
    """Answers as Harbor does, and records (method, path, basic credentials or None, Cookie header, form)."""

    def __init__(self):
        self.seen = []
        self.sessions = {}
        self.login_status = 200
        self.session_lost = False

    def __call__(self, session, method, url, auth=None, headers=None, data=None, **_kwargs):
        path = urlsplit(url).path
        credentials = None if auth is login_session.WITHOUT_CREDENTIALS else (auth or session.auth)
        cookie = (headers or {}).get('Cookie')
        self.seen.append((method, path, credentials, cookie, data))
        if path == '/c/log_out':
            return Answer(headers={'X-Harbor-CSRF-Token': 'masked'}, cookies={'_gorilla_csrf': 'real'})
        if path == '/c/login':
            if (headers or {}).get('X-Harbor-CSRF-Token') != 'masked' or '_gorilla_csrf=real' not in cookie:
                return Answer(403)
            if self.login_status != 200 or dict(data) != {'principal': 'admin', 'password': PASSWORD}:
                return Answer(self.login_status)
            self.sessions['s1'] = 'admin'
            return Answer(cookies={'sid': 's1'})
        user = None
        if credentials is not None:
            user = {('admin', PASSWORD): 'admin', ('robot$ci', ROBOT_SECRET): 'robot$ci'}.get(tuple(credentials))
        elif cookie and cookie.startswith('sid=') and not self.session_lost:
            user = self.sessions.get(cookie.split(';')[0][len('sid='):])
        if user is None:
            return Answer(401, {'errors': [{'code': 'UNAUTHORIZED', 'message': 'unauthorized'}]})
        if path == '/api/v2.0/users/current':
            if user.startswith('robot$'):
                return Answer(412)
            return Answer(body={'username': user, 'sysadmin_flag': True, 'user_id': 1})
        if method == 'GET':
            return Answer(body={'name': path.rsplit('/', 1)[-1]})
        return Answer(201)

    def by_path(self, method, path):
        return [entry for entry in self.seen if entry[:2] == (method, path)]


@pytest.fixture
def fake_harbor(monkeypatch):
    monkeypatch.setenv(login_session.SWITCH, 'on')
    fake = LoginHarbor()

    def request(session, *args, **kwargs):  # a function, so that Python binds the session as Session.request does
        return fake(session, *args, **kwargs)

    monkeypatch.setattr(requests.Session, 'request', request)
    return fake


def reads(client, count):
    return [client.get('/projects/p%d' % index)['name'] for index in range(count)]


def test_a_busy_process_logs_in_once_and_reads_with_the_session(fake_harbor):
    client = HarborClient(BASE, username='admin', password=PASSWORD)
    assert client.current_identity()['kind'] == 'user'
    assert reads(client, BEFORE + 4) == ['p%d' % index for index in range(BEFORE + 4)]
    client.post('/projects', json={'project_name': 'x'})
    # another client of the process (the next loop item) reuses the session
    assert reads(HarborClient(BASE, username='admin', password=PASSWORD), 2) == ['p0', 'p1']
    paths = [entry[1] for entry in fake_harbor.seen]
    assert paths.count('/c/login') == 1 and paths.count('/c/log_out') == 1
    login = fake_harbor.by_path('POST', '/c/login')[0]
    assert login[2] is None and login[4] == [('principal', 'admin'), ('password', PASSWORD)]
    project_reads = [entry for entry in fake_harbor.seen if entry[1].startswith('/api/v2.0/projects/')]
    # the first reads with the password, then only the session: no Authorization, the password nowhere
    assert [entry[2] is not None for entry in project_reads] == [True] * BEFORE + [False] * 6
    assert all(entry[3].startswith('sid=s1;') for entry in project_reads[BEFORE:])
    assert all(PASSWORD not in (entry[3] or '') for entry in fake_harbor.seen)
    # writes keep basic auth and carry no cookie
    write = fake_harbor.by_path('POST', '/api/v2.0/projects')[0]
    assert write[2] == ('admin', PASSWORD) and write[3] is None


def test_a_login_check_always_sends_the_password(fake_harbor):
    client = HarborClient(BASE, username='admin', password=PASSWORD)
    client.current_identity()
    reads(client, BEFORE + 2)
    # a later client of the process (the session is active) checks a login with the password
    assert HarborClient(BASE, username='admin', password=PASSWORD).credentials_valid()
    last = fake_harbor.seen[-1]
    assert last[1] == '/api/v2.0/users/current' and last[2] == ('admin', PASSWORD)


def test_robots_keep_basic_auth(fake_harbor):
    client = HarborClient(BASE, username='robot$ci', password=ROBOT_SECRET)
    assert client.current_identity()['kind'] == 'robot'
    reads(client, BEFORE + 4)
    assert not fake_harbor.by_path('POST', '/c/login')
    assert all(entry[2] == ('robot$ci', ROBOT_SECRET) for entry in fake_harbor.seen)


def test_a_refused_login_leaves_the_process_on_basic_auth(fake_harbor):
    fake_harbor.login_status = 403  # an OIDC user is sent to the provider
    client = HarborClient(BASE, username='admin', password=PASSWORD)
    client.current_identity()
    assert reads(client, BEFORE + 6) == ['p%d' % index for index in range(BEFORE + 6)]
    assert len(fake_harbor.by_path('POST', '/c/login')) == 1  # tried once, not on every read
    assert all(entry[2] == ('admin', PASSWORD) for entry in fake_harbor.seen if entry[1].startswith('/api/'))


def test_a_lost_session_is_read_again_with_the_password(fake_harbor):
    client = HarborClient(BASE, username='admin', password=PASSWORD)
    client.current_identity()
    reads(client, BEFORE + 2)
    fake_harbor.session_lost = True
    assert reads(client, 3) == ['p0', 'p1', 'p2']
    tail = [(entry[1], entry[2] is not None) for entry in fake_harbor.seen[-4:]]
    assert tail == [('/api/v2.0/projects/p0', False), ('/api/v2.0/projects/p0', True),
                    ('/api/v2.0/projects/p1', True), ('/api/v2.0/projects/p2', True)]


def test_off_switch(fake_harbor, monkeypatch):
    monkeypatch.setenv(login_session.SWITCH, 'off')
    client = HarborClient(BASE, username='admin', password=PASSWORD)
    client.current_identity()
    reads(client, BEFORE + 6)
    assert not fake_harbor.by_path('GET', '/c/log_out')


def test_a_session_naming_another_user_is_not_used(fake_harbor, monkeypatch):
    monkeypatch.setattr(fake_harbor, 'sessions', {})
    original = fake_harbor.__call__

    def someone_else(session, method, url, **kwargs):
        answer = original(session, method, url, **kwargs)
        if url.endswith('/c/login') and answer.status_code == 200:
            fake_harbor.sessions['s1'] = 'other'
        return answer

    monkeypatch.setattr(requests.Session, 'request', someone_else)
    client = HarborClient(BASE, username='admin', password=PASSWORD)
    client.current_identity()
    reads(client, BEFORE + 4)
    project_reads = [entry for entry in fake_harbor.seen if entry[1].startswith('/api/v2.0/projects/')]
    assert all(entry[2] == ('admin', PASSWORD) for entry in project_reads)


def test_without_asking_who_it_is_a_user_logs_in_and_a_robot_does_not(fake_harbor):
    # Harbor forbids '$' in user names: a name with one is a robot's
    reads(HarborClient(BASE, username='robot$ci', password=ROBOT_SECRET), BEFORE + 2)
    assert not fake_harbor.by_path('POST', '/c/login')
    reads(HarborClient(BASE, username='admin', password=PASSWORD), BEFORE + 2)
    assert len(fake_harbor.by_path('POST', '/c/login')) == 1
    assert fake_harbor.seen[-1][2] is None and fake_harbor.seen[-1][3].startswith('sid=')


def test_an_idle_session_is_not_trusted_again(monkeypatch):
    monkeypatch.setenv(login_session.SWITCH, 'on')
    now = [1000.0]
    session = login_session.LoginSession(clock=lambda: now[0])
    logins = []

    def log_in():
        logins.append(now[0])
        return 'sid=s%d' % len(logins)

    assert [session.cookie_for_read(log_in) for _read in range(BEFORE + 1)] == [None] * BEFORE + ['sid=s1']
    now[0] += login_session.IDLE_SECONDS - 1  # still in use: each read keeps it alive
    assert session.cookie_for_read(log_in) == 'sid=s1'
    now[0] += login_session.IDLE_SECONDS + 1  # Harbor may have forgotten it: count again, then log in anew
    assert [session.cookie_for_read(log_in) for _read in range(BEFORE + 1)] == [None] * BEFORE + ['sid=s2']
    assert len(logins) == 2
