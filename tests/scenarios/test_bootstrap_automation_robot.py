# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bootstrap's bootstrap_automation_robot: the system robot the modules authenticate with (docs/connecting.md).

The tests build on each other in order: the bootstrap creates the robot with the role's permission list (the one
the docs show) and stores its credentials; a re-run only reads; the modules then do their work as the robot; a lost
or changed secret heals; a caller who is not a system administrator, or a broken variable, stops the run before any
write; the teardown removes the robot and its file. No robot secret in any output, at -vvvv.
"""

from __future__ import annotations

import json
import os
import re

import pytest
import yaml

from conftest import REPO_ROOT, RECAP_LINE, run_generated, write_playbook  # pylint: disable=import-error

ROLE_VARS = os.path.join(REPO_ROOT, 'roles', 'bootstrap', 'vars', 'main.yml')
CONNECTING = os.path.join(REPO_ROOT, 'docs', 'connecting.md')
ROBOT = 'robot$automation'


def canonical(permissions):
    """{namespace: {(resource, action)}}, as Harbor compares permissions: order and grouping do not matter."""
    merged = {}
    for entry in permissions:
        merged.setdefault(entry['namespace'], set()).update(
            (access['resource'], access['action']) for access in entry['access'])
    return merged


def role_permissions():
    with open(ROLE_VARS, encoding='utf-8') as handle:
        return yaml.safe_load(handle)['_bootstrap_automation_permissions']


def changed_of(run):
    return sum(int(changed) for _host, changed, _failed in RECAP_LINE.findall(run.output))


@pytest.fixture(scope='module')
def work(tmp_path_factory):
    return tmp_path_factory.mktemp('automation-robot')


@pytest.fixture(scope='module')
def credentials_file(work):
    return str(work / 'automation.json')


def bootstrap_play(automation):
    return {'name': 'Bootstrap with the automation robot', 'hosts': 'localhost', 'gather_facts': False,
            'roles': [{'role': 'cloudtemple.harbor.bootstrap', 'vars': {
                'bootstrap_projects': [{'name': 'auto-app'}], 'bootstrap_environments': [],
                'bootstrap_automation_robot': automation}}],
            'post_tasks': [{'name': 'What a later play gets', 'ansible.builtin.debug': {
                'msg': "{{ bootstrap_automation_credentials.username }}"}}]}


@pytest.fixture(scope='module')
def bootstrap(emulators, collections_dir, work, credentials_file):
    directory = work / 'bootstrap'
    directory.mkdir()
    path = write_playbook(directory, [bootstrap_play({'name': 'automation', 'credentials_file': credentials_file,
                                                      'duration_days': 30})])

    def run(*extra, env=None):
        return run_generated(path, emulators, collections_dir, '-vvvv', *extra, env=env)
    return run


def stored(credentials_file):
    with open(credentials_file, encoding='utf-8') as handle:
        return json.load(handle)


def system_robot(emulators):
    robots = emulators.harbor('GET', '/robots', params={'q': 'Level=system'}).json()
    found = [robot for robot in robots if robot['name'] == ROBOT]
    return found[0] if found else None


def test_the_docs_show_the_roles_permission_list():
    """docs/connecting.md shows the robot made by hand; its permissions must be the role's, the reference."""
    with open(CONNECTING, encoding='utf-8') as handle:
        blocks = re.findall(r'```yaml\n(.*?)```', handle.read(), re.S)
    tasks = [task for block in blocks for task in (yaml.safe_load(block) or []) if isinstance(task, dict)
             and 'permissions' in (task.get('cloudtemple.harbor.harbor_robot') or {})]
    assert len(tasks) == 1, 'docs/connecting.md should show the system robot task once'
    assert canonical(tasks[0]['cloudtemple.harbor.harbor_robot']['permissions']) == canonical(role_permissions())


def test_creates_the_system_robot_and_stores_its_credentials(emulators, bootstrap, credentials_file):
    run = bootstrap()
    assert run.returncode == 0, run.output[-3000:]
    robot = system_robot(emulators)
    assert robot is not None and robot['level'] == 'system' and robot['duration'] == 30
    assert robot['description'] == 'Runs the cloudtemple.harbor modules'
    assert canonical(robot['permissions']) == canonical(role_permissions())

    assert oct(os.stat(credentials_file).st_mode & 0o777) == '0o600'
    credentials = stored(credentials_file)
    assert credentials['username'] == ROBOT and emulators.login(ROBOT, credentials['password'])
    assert credentials['password'] not in run.output
    assert run.result('What a later play gets')['msg'] == ROBOT


def test_rerun_changes_nothing_and_only_reads(emulators, bootstrap, credentials_file):
    before = stored(credentials_file)
    emulators.clear_logs()
    run = bootstrap()
    assert run.returncode == 0, run.output[-3000:]
    assert changed_of(run) == 0, run.output[-3000:]
    assert emulators.writes() == []
    assert stored(credentials_file) == before


def test_check_mode_changes_nothing_and_only_reads(emulators, bootstrap):
    emulators.clear_logs()
    run = bootstrap('--check', '--diff')
    assert run.returncode == 0, run.output[-3000:]
    assert changed_of(run) == 0, run.output[-3000:]
    assert emulators.writes() == []


def test_the_modules_work_as_the_robot(emulators, collections_dir, work, credentials_file):
    """The permission list is enough for projects, retention, immutability and project robots without a chosen
    secret: every task authenticates as the robot, and a second run changes nothing."""
    credentials = stored(credentials_file)
    directory = work / 'as-robot'
    directory.mkdir()
    path = write_playbook(directory, [{
        'name': 'Everything a system robot may do', 'hosts': 'localhost', 'gather_facts': False, 'tasks': [
            {'name': 'project', 'cloudtemple.harbor.harbor_project': {
                'name': 'made-by-robot', 'auto_scan': True, 'severity': 'high', 'prevent_vulnerable': True}},
            {'name': 'retention', 'cloudtemple.harbor.harbor_retention': {
                'project': 'made-by-robot', 'schedule': 'daily',
                'rules': [{'retain': {'most_recently_pushed': 10}, 'tags': {'matching': 'release-*'}}]}},
            {'name': 'immutability', 'cloudtemple.harbor.harbor_immutable_rules': {
                'project': 'made-by-robot', 'rules': [{'tags': {'matching': 'v*'}}]}},
            {'name': 'robot', 'cloudtemple.harbor.harbor_robot': {
                'project': 'made-by-robot', 'name': 'ci', 'access': ['push'], 'duration_days': 30},
             'register': 'ci', 'no_log': True},
            {'name': 'robot secret handed over',
             'ansible.builtin.assert': {'that': ['ci.secret is defined or not ci.changed']}},
            {'name': 'a robot of the project the bootstrap made', 'cloudtemple.harbor.harbor_robot': {
                'project': 'auto-app', 'name': 'pull', 'access': ['pull']}, 'no_log': True},
        ]}])
    environment = dict(HARBOR_USERNAME=credentials['username'], HARBOR_PASSWORD=credentials['password'])

    emulators.clear_logs()
    first = run_generated(path, emulators, collections_dir, env=environment)
    assert first.returncode == 0, first.output[-3000:]
    assert changed_of(first) > 0
    assert emulators.harbor('GET', '/projects/made-by-robot').json()['metadata']['severity'] == 'high'
    assert emulators.harbor('GET', '/projects/made-by-robot/immutabletagrules').json()
    assert [robot['name'] for robot in emulators.robots('made-by-robot')] == ['robot$made-by-robot+ci']
    assert 'robot$auto-app+pull' in [robot['name'] for robot in emulators.robots('auto-app')]
    # Harbor's audit log names who did it
    audit = emulators.harbor('GET', '/auditlog-exts', params={'page_size': 100}).json()
    operators = {entry['username'] for entry in audit if 'made-by-robot' in entry['resource']}
    assert operators == {ROBOT}, operators

    again = run_generated(path, emulators, collections_dir, env=environment)
    assert again.returncode == 0 and changed_of(again) == 0, again.output[-3000:]


def test_a_lost_credentials_file_heals(emulators, bootstrap, credentials_file):
    lost = stored(credentials_file)
    os.remove(credentials_file)
    run = bootstrap()
    assert run.returncode == 0, run.output[-3000:]
    healed = stored(credentials_file)
    assert healed['username'] == ROBOT and emulators.login(ROBOT, healed['password'])
    # the secret was known nowhere any more, so Harbor generated a new one
    assert healed['password'] != lost['password'] and not emulators.login(ROBOT, lost['password'])
    assert healed['password'] not in run.output


def test_a_secret_changed_behind_the_collections_back_heals(emulators, bootstrap, credentials_file):
    stale = stored(credentials_file)
    emulators.harbor('PATCH', '/robots/%d' % system_robot(emulators)['id'], json={'secret': 'Changed-Behind-1'})
    assert not emulators.login(ROBOT, stale['password'])
    run = bootstrap()
    assert run.returncode == 0, run.output[-3000:]
    healed = stored(credentials_file)
    assert emulators.login(ROBOT, healed['password'])
    assert healed['password'] not in (stale['password'], 'Changed-Behind-1')

    emulators.clear_logs()
    assert changed_of(bootstrap()) == 0
    assert emulators.writes() == []


def test_a_caller_who_is_not_a_system_administrator_is_stopped_before_any_write(emulators, bootstrap):
    user = dict(username='auto-dev', email='auto-dev@example.com', realname='Dev', password='Dev-Passw0rd-1')
    assert emulators.harbor('POST', '/users', json=user).status_code == 201
    emulators.clear_logs()
    run = bootstrap(env=dict(HARBOR_USERNAME='auto-dev', HARBOR_PASSWORD='Dev-Passw0rd-1'))
    assert run.returncode != 0
    stop = [results[-1] for name, results in run.results.items()
            if name.endswith('Stop unless the account is a system administrator')]
    assert stop, run.output[-3000:]
    assert stop[0]['msg'].startswith('bootstrap_automation_robot: creating the system robot automation needs a Harbor'
                                     ' system administrator'), stop[0]['msg']
    assert emulators.writes() == []


def test_a_vault_encrypted_credentials_file_is_written_and_read_back(emulators, collections_dir, work):
    vaulted = str(work / 'automation.vault')
    directory = work / 'vaulted'
    directory.mkdir()
    play = bootstrap_play({'name': 'automation', 'credentials_file': vaulted, 'duration_days': 30})
    play['roles'][0]['vars']['bootstrap_ci_credentials_vault_password'] = 'Vault-Passw0rd'
    path = write_playbook(directory, [play])
    first = run_generated(path, emulators, collections_dir)
    assert first.returncode == 0, first.output[-3000:]
    with open(vaulted, encoding='utf-8') as handle:
        text = handle.read()
    assert text.startswith('$ANSIBLE_VAULT;')
    emulators.clear_logs()
    again = run_generated(path, emulators, collections_dir)
    assert again.returncode == 0 and changed_of(again) == 0, again.output[-3000:]
    assert emulators.writes() == [] and open(vaulted, encoding='utf-8').read() == text


def test_teardown_deletes_the_robot_and_its_credentials(emulators, playbook, work, credentials_file):
    automation = work / 'automation-vars.json'
    automation.write_text(json.dumps({'bootstrap_projects': [{'name': 'auto-app'}], 'bootstrap_environments': [],
                                      'bootstrap_automation_robot': {'name': 'automation',
                                                                     'credentials_file': credentials_file}}))
    for attempt in range(2):
        run = playbook('teardown.yml', '-e', '@' + str(automation))
        assert run.returncode == 0, run.output[-3000:]
        assert system_robot(emulators) is None and not os.path.exists(credentials_file)
        assert attempt == 0 or run.changed == 0


@pytest.mark.parametrize('automation, message', [
    ({'name': 'Automation!', 'credentials_file': '/tmp/unused.json'}, "bootstrap_automation_robot.name 'Automation!'"),
    ({'name': 'automation'}, 'bootstrap_automation_robot.credentials_file is required'),
    ({'name': 'automation', 'credentials_file': '/nonexistent-dir/automation.json'},
     'bootstrap_automation_robot.credentials_file: its directory /nonexistent-dir does not exist'),
    ({'name': 'automation', 'credentials_file': '/tmp/unused.json', 'duration_days': 0},
     'bootstrap_automation_robot.duration_days must be -1'),
    ({'name': 'automation', 'credentials_file': '/tmp/unused.json', 'secret': 'x'},
     'bootstrap_automation_robot.secret. Supported parameters include'),
])
def test_bad_settings_are_refused_before_any_request(emulators, collections_dir, tmp_path, automation, message):
    path = write_playbook(tmp_path, [bootstrap_play(automation)])
    emulators.clear_logs()
    run = run_generated(path, emulators, collections_dir)
    assert run.returncode != 0 and message in run.output, run.output[-3000:]
    assert emulators.requests() == []
