# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hardening, secret leaks: the bootstrap (creating, healing, regenerating) and both rotations at -vvvv with --diff
and ANSIBLE_LOG_PATH, the modules run in the controller process and the classic way, and the same through
ansible-runner: no robot secret, password or token, nor an encoding of one, in the output, the log file, a diff, or
the runner's events and artifacts.
"""

from __future__ import annotations

import base64
import json
import os

import ansible_runner
import pytest
import yaml

from conftest import ANSIBLE_PLAYBOOK, EXAMPLE_VARS, INVENTORY, REPO_ROOT, write_playbook  # pylint: disable=import-error

NAMESPACES = ('payments-dev', 'payments-preprod', 'payments-prod')
VERBOSE = ('-vvvv', '--diff')


class Secrets:
    """Every secret seen so far, with the encodings in which one could leak."""

    def __init__(self, emulators, credentials_dir):
        self.emulators = emulators
        self.credentials_dir = credentials_dir
        self.plain = {emulators.admin[1], emulators.kube_token}
        with open(emulators.info['kubeconfig'], encoding='utf-8') as handle:
            self.plain.update(user['user']['token'] for user in yaml.safe_load(handle)['users'])
        self.encoded = set()

    def collect(self):
        """Add the robot secrets that exist now: in every pull secret (and its stored form) and in the CI file."""
        for namespace in NAMESPACES:
            response = self.emulators.kube('GET', '/api/v1/namespaces/%s/secrets/harbor-pull-secret' % namespace)
            if response.status_code != 200:
                continue
            stored = response.json()['data']['.dockerconfigjson']
            self.encoded.add(stored)
            for entry in json.loads(base64.b64decode(stored))['auths'].values():
                self.plain.add(entry['password'])
                self.encoded.add(entry['auth'])
        ci_file = os.path.join(self.credentials_dir, 'payments-ci-push.json')
        if os.path.exists(ci_file):
            with open(ci_file, encoding='utf-8') as handle:
                self.plain.add(json.load(handle)['password'])

    def without_admin(self):
        """Everything but the admin password, which ansible-runner records with the environment it was given."""
        return self.plain - {self.emulators.admin[1]}

    def found_in(self, text, include_admin=True):
        """The secrets (or encodings) that `text` contains, shortened so the failure does not print them either."""
        candidates = (self.plain if include_admin else self.without_admin()) | self.encoded
        return sorted(secret[:3] + '...' for secret in candidates if secret and secret in text)


@pytest.fixture(scope='module')
def story(emulators, playbook, collections_dir, tmp_path_factory):
    """Run the bootstrap and the rotations loudly, collecting every secret after each step."""
    log_file = str(tmp_path_factory.mktemp('ansible-log') / 'ansible.log')
    env = {'ANSIBLE_LOG_PATH': log_file}
    secrets = Secrets(emulators, playbook.credentials_dir)
    outputs = []

    def step(name, *extra):
        run = playbook(name, *(VERBOSE + extra), env=env)
        assert run.returncode == 0, run.output[-3000:]
        outputs.append(run.output)
        secrets.collect()
        return run

    assert step('bootstrap.yml').changed > 0
    # The classic way (a task environment makes the collection's action plugin run the module in its own process),
    # healing a pull secret deleted by hand: the robot's secret is regenerated.
    emulators.kube('DELETE', '/api/v1/namespaces/payments-dev/secrets/harbor-pull-secret')
    classic = write_playbook(tmp_path_factory.mktemp('classic'), [{
        'name': 'Bootstrap with a task environment', 'hosts': 'localhost', 'gather_facts': False,
        'environment': {'HARBOR_TIMEOUT': '30'}, 'roles': [{'role': 'cloudtemple.harbor.bootstrap'}]}])
    assert step(classic).changed > 0
    assert 'AnsiballZ_harbor_robot.py' in outputs[-1], 'the modules did not run the classic way'
    # The CI robot's secret changed behind the collection's back: the stored copy is rejected, a new one is set.
    ci_robot = next(robot for robot in emulators.robots('payments') if robot['name'].endswith('+ci-push'))
    emulators.harbor('PATCH', '/robots/%d' % ci_robot['id'], json={'secret': 'Changed-Behind-1'})
    secrets.plain.add('Changed-Behind-1')
    assert step('bootstrap.yml').changed > 0
    step('rotate_robots.yml')
    step('rotate_robots.yml', '-e', 'rotation_strategy=refresh')

    # ansible-runner, as AWX runs job templates: a bootstrap that regenerates a secret, then a refresh rotation.
    emulators.kube('DELETE', '/api/v1/namespaces/payments-preprod/secrets/harbor-pull-secret')
    with open(EXAMPLE_VARS, encoding='utf-8') as handle:
        extravars = dict(yaml.safe_load(handle), bootstrap_ci_credentials_dir=playbook.credentials_dir)
    runs = []
    for name, more in (('bootstrap.yml', {}), ('rotate_robots.yml', {'rotation_strategy': 'refresh'})):
        runner = ansible_runner.run(
            private_data_dir=str(tmp_path_factory.mktemp('runner')), project_dir=os.path.join(REPO_ROOT, 'playbooks'),
            playbook=name, inventory=INVENTORY, extravars=dict(extravars, **more), verbosity=4, cmdline='--diff',
            envvars=dict(emulators.environment(), ANSIBLE_COLLECTIONS_PATH=collections_dir,
                         PATH=os.path.dirname(ANSIBLE_PLAYBOOK) + os.pathsep + os.environ.get('PATH', '')),
            quiet=True)
        assert (runner.status, runner.rc) == ('successful', 0), runner.stdout.read()[-3000:]
        runs.append(runner)
        secrets.collect()
    with open(log_file, encoding='utf-8') as handle:
        log = handle.read()
    return dict(secrets=secrets, outputs=outputs, log=log, runs=runs)


def test_the_story_made_many_secrets(story):
    # Robot secrets - bootstrap (4), healed pull robot, regenerated CI robot, blue/green successors (3), refreshes
    # (3, and 3 by the runner), the runner's healed pull robot - and the two cluster tokens.
    assert len(story['secrets'].without_admin()) >= 15


def test_no_secret_in_the_output_at_vvvv_with_diff(story):
    for output in story['outputs']:
        assert 'task path:' in output, 'not a verbose run'
        assert story['secrets'].found_in(output) == []


def test_no_secret_in_the_log_file(story):
    assert 'rotate' in story['log'] or 'Rotate' in story['log']
    assert story['secrets'].found_in(story['log']) == []


def test_no_secret_in_the_runner_events(story):
    for runner in story['runs']:
        events = list(runner.events)
        assert events
        for event in events:
            assert story['secrets'].found_in(json.dumps(event)) == [], event['event']
        assert story['secrets'].found_in(runner.stdout.read()) == []


def test_no_robot_secret_in_any_runner_artifact(story):
    # The admin password is in the runner's record of its own environment, like the credentials AWX injects.
    for runner in story['runs']:
        for folder, _dirs, files in os.walk(runner.config.artifact_dir):
            for name in files:
                with open(os.path.join(folder, name), encoding='utf-8', errors='replace') as handle:
                    content = handle.read()
                assert story['secrets'].found_in(content, include_admin=False) == [], os.path.join(folder, name)
