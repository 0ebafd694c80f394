# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import time

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_robot_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

NOW = int(time.time())
PULL = [{'kind': 'project', 'namespace': 'payments', 'access': [{'resource': 'repository', 'action': 'pull'}]}]


def robot(ident, name, expires_at, **extra):
    body = {'id': ident, 'name': name, 'level': 'project', 'disable': False, 'duration': 30, 'expires_at': expires_at,
            'permissions': PULL}
    body.update(extra)
    return body


ROBOTS = [
    robot(1, 'robot$payments+soon', NOW + 5 * 86400 + 600),
    robot(2, 'robot$payments+later', NOW + 60 * 86400),
    robot(3, 'robot$payments+never', -1, duration=-1),
    robot(4, 'robot$payments+gone', NOW - 3 * 86400, disable=True),
]


def project_robots(robots=None):
    robots = ROBOTS if robots is None else robots
    return [
        Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'})),
        Call('GET', '/robots', FakeResponse(200, robots, {'X-Total-Count': str(len(robots))}),
             params={'q': 'Level=project,ProjectID=12', 'page': 1, 'page_size': 100}),
    ]


def run(monkeypatch, args):
    return run_module(harbor_robot_info.main, monkeypatch, args)


def test_project_robots_with_their_expiry(monkeypatch, harbor):
    harbor(project_robots())
    result, failed = run(monkeypatch, dict(project='payments'))
    assert not failed and not result['changed']
    by_name = dict((robot['name'], robot) for robot in result['robots'])
    assert [robot['name'] for robot in result['robots']] == sorted(by_name)
    assert by_name['robot$payments+soon']['expires_in_days'] == 5
    assert by_name['robot$payments+never']['expires_in_days'] is None
    assert by_name['robot$payments+gone']['expired'] is True and by_name['robot$payments+gone']['disabled'] is True


@pytest.mark.parametrize('within, names', [
    (7, ['robot$payments+gone', 'robot$payments+soon']),
    (0, ['robot$payments+gone']),
    (90, ['robot$payments+gone', 'robot$payments+later', 'robot$payments+soon']),
])
def test_expiring_within_days(monkeypatch, harbor, within, names):
    harbor(project_robots())
    result, failed = run(monkeypatch, dict(project='payments', expiring_within_days=within))
    assert not failed and [robot['name'] for robot in result['robots']] == names


def test_name_and_query(monkeypatch, harbor):
    harbor(project_robots())
    result, failed = run(monkeypatch, dict(project='payments', name='soon', query='[].expires_in_days'))
    assert not failed and [robot['id'] for robot in result['robots']] == [1] and result['query_result'] == [5]


def test_system_robot_by_name_uses_the_configured_prefix(monkeypatch, harbor):
    system = [robot(5, 'bot-ci', -1, level='system', permissions=[]),
              robot(6, 'bot-aci', -1, level='system', permissions=[])]
    harbor([
        Call('GET', '/robots', FakeResponse(200, system, {'X-Total-Count': '2'}),
             params={'q': 'Level=system', 'page': 1, 'page_size': 100}),
        Call('GET', '/configurations', FakeResponse(200, {'robot_name_prefix': {'value': 'bot-'}})),
    ])
    result, failed = run(monkeypatch, dict(name='ci'))
    assert not failed and [robot['name'] for robot in result['robots']] == ['bot-ci']


@pytest.mark.parametrize('args, fragment', [
    (dict(project='Payments'), 'project'),
    (dict(project='payments', name='a+b'), 'name'),
    (dict(project='payments', expiring_within_days=-1), 'expiring_within_days'),
    (dict(project='payments', query='[?'), 'query'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, fragment):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and fragment in result['msg'] and conversation.seen == []


def test_missing_project_is_an_error(monkeypatch, harbor):
    harbor([Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))])
    result, failed = run(monkeypatch, dict(project='payments'))
    assert failed and 'does not exist' in result['msg']
