# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Login sessions end to end (plugins/module_utils/login_session.py): a looping task that reads more than ten times
as a user logs in once and reads on with the session; writes keep basic auth; nothing of it reaches the output at
-vvvv; HARBOR_LOGIN_SESSION=off keeps basic auth for everything."""

from __future__ import annotations

import uuid

import pytest

from conftest import run_generated, write_playbook  # pylint: disable=import-error

PROJECTS = 14  # ten reads before the login, then the session


@pytest.fixture(scope='module')
def projects(emulators):
    names = ['sess-%s-%d' % (uuid.uuid4().hex[:6], index) for index in range(PROJECTS)]
    for name in names:
        assert emulators.harbor('POST', '/projects', json={'project_name': name}).status_code == 201
    return names


def looped_reads(tmp_path, names):
    return write_playbook(tmp_path, [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'Read the robots of each project', 'cloudtemple.harbor.harbor_robot_info': {'project': '{{ item }}'},
         'loop': names, 'register': 'read'},
        {'name': 'No project has robots', 'ansible.builtin.assert': {
            'that': ['read.results | map(attribute="robots") | map("length") | max == 0']}},
    ]}])


def sessions(emulators):
    return emulators.control('GET', '/sessions')


def test_a_long_loop_logs_in_once_and_reads_with_the_session(emulators, collections_dir, projects, tmp_path):
    before = [entry for entry in sessions(emulators) if entry['username'] == 'admin']
    emulators.control('DELETE', '/requests')
    run = run_generated(looped_reads(tmp_path, projects), emulators, collections_dir, '-vvvv')
    assert run.returncode == 0, run.output[-3000:]
    log = emulators.control('GET', '/requests')
    logins = [entry for entry in log if entry['path'] == '/c/login']
    assert [entry['status'] for entry in logins] == [200] and not logins[0]['write']
    assert not [entry for entry in log if entry['write']]
    after = [entry for entry in sessions(emulators) if entry['username'] == 'admin']
    assert len(after) == len(before) + 1
    # the new session authenticated the check of the login and the reads after the tenth
    new = [entry for entry in after if entry not in before]
    assert new and new[0]['requests'] >= 2
    # neither the password nor a session cookie in the output, at -vvvv
    assert emulators.admin[1] not in run.output
    assert 'sid=' not in run.output and '_gorilla_csrf' not in run.output


def test_off_switch_keeps_basic_auth(emulators, collections_dir, projects, tmp_path):
    emulators.control('DELETE', '/requests')
    run = run_generated(looped_reads(tmp_path, projects), emulators, collections_dir,
                        env={'HARBOR_LOGIN_SESSION': 'off'})
    assert run.returncode == 0, run.output[-3000:]
    assert not [entry for entry in emulators.control('GET', '/requests') if entry['path'].startswith('/c/')]
