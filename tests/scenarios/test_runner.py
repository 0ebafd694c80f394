# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bootstrap through ansible-runner, the engine AWX runs job templates with: events, stats, final state."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import ansible_runner
import pytest
import yaml

from conftest import EXAMPLE_VARS, INVENTORY, REPO_ROOT  # pylint: disable=import-error

# The venv of the interpreter running the tests has ansible-playbook and ansible-builder, activated or not.
BIN_DIR = os.path.dirname(sys.executable)


def run_bootstrap(emulators, collections_dir, private_data_dir, credentials_dir):
    with open(EXAMPLE_VARS, encoding='utf-8') as handle:
        extravars = yaml.safe_load(handle)
    extravars['bootstrap_ci_credentials_dir'] = credentials_dir
    envvars = dict(emulators.environment(), ANSIBLE_COLLECTIONS_PATH=collections_dir,
                   PATH=BIN_DIR + os.pathsep + os.environ.get('PATH', ''))
    return ansible_runner.run(private_data_dir=private_data_dir, project_dir=os.path.join(REPO_ROOT, 'playbooks'),
                              playbook='bootstrap.yml', inventory=INVENTORY, envvars=envvars, extravars=extravars,
                              quiet=True)


def secrets_in_play(emulators, credentials_dir):
    """Every robot secret that exists after the bootstrap: in the pull secrets and in the CI credentials file."""
    found = set()
    for environment in ('dev', 'preprod', 'prod'):
        found.add(emulators.pull_credentials('payments-' + environment)[1])
    with open(os.path.join(credentials_dir, 'payments-ci-push.json'), encoding='utf-8') as handle:
        found.add(json.load(handle)['password'])
    return found


@pytest.fixture(scope='module')
def runs(emulators, collections_dir, tmp_path_factory):
    credentials_dir = str(tmp_path_factory.mktemp('runner-ci'))
    first = run_bootstrap(emulators, collections_dir, str(tmp_path_factory.mktemp('runner-1')), credentials_dir)
    emulators.clear_logs()
    second = run_bootstrap(emulators, collections_dir, str(tmp_path_factory.mktemp('runner-2')), credentials_dir)
    return first, second, credentials_dir


def test_runner_reports_a_successful_job_with_changes_then_none(runs, emulators):
    first, second, _credentials_dir = runs
    assert (first.status, first.rc) == ('successful', 0)
    assert (second.status, second.rc) == ('successful', 0)
    assert first.stats['changed'].get('localhost', 0) > 0
    assert second.stats['changed'].get('localhost', 0) == 0
    assert not first.stats['failures'] and not second.stats['failures']
    assert emulators.writes() == []


def test_runner_events_describe_the_work(runs):
    first, _second, _credentials_dir = runs
    events = list(first.events)
    tasks = {event['event_data'].get('task') for event in events if event['event'] == 'runner_on_ok'}
    assert 'Converge the projects and their settings' in tasks
    assert 'Converge the tag retention policies' in tasks
    assert any(task and task.startswith('Distribute the pull credentials') for task in tasks) or \
        'Converge the pull secret and the service accounts that use it' in tasks
    assert not [event for event in events if event['event'] == 'runner_on_failed']
    changed = [event for event in events if event['event'] == 'runner_on_ok' and event['event_data']['res'].get('changed')]
    assert changed, 'no task reported a change on the first run'


def test_no_robot_secret_reaches_runner_output_or_artifacts(runs, emulators):
    first, second, credentials_dir = runs
    secrets = secrets_in_play(emulators, credentials_dir)
    assert len(secrets) == 4
    for run in (first, second):
        for folder, _dirs, files in os.walk(run.config.artifact_dir):
            for name in files:
                with open(os.path.join(folder, name), encoding='utf-8', errors='replace') as handle:
                    content = handle.read()
                leaked = [secret for secret in secrets if secret in content]
                assert not leaked, 'a robot secret is in %s' % os.path.join(folder, name)
        assert not [secret for secret in secrets if secret in run.stdout.read()]


def test_no_password_reaches_the_job_events(runs, emulators):
    first, second, credentials_dir = runs
    # The admin password comes in through the environment, as AWX injects credentials; the events and the
    # output must not show it (runner's own 'command' artifact records the environment, as AWX's does).
    secrets = secrets_in_play(emulators, credentials_dir) | {emulators.admin[1]}
    for run in (first, second):
        for event in run.events:
            text = json.dumps(event)
            assert not [secret for secret in secrets if secret in text], event['event']


@pytest.mark.skipif(not os.path.exists(os.path.join(BIN_DIR, 'ansible-builder')) and not shutil.which('ansible-builder'),
                    reason='ansible-builder is not installed')
def test_execution_environment_dependencies_are_discoverable(collections_dir):
    builder = os.path.join(BIN_DIR, 'ansible-builder')
    if not os.path.exists(builder):
        builder = shutil.which('ansible-builder')
    output = subprocess.run([builder, 'introspect', '--sanitize', collections_dir], check=True, stdout=subprocess.PIPE,
                            text=True).stdout
    dependencies = yaml.safe_load(output[output.index('---'):])
    python = ' '.join(dependencies['python'])
    for library in ('requests', 'jmespath', 'kubernetes'):
        assert library in python
    assert any('ca-certificates' in entry for entry in dependencies['system'])
