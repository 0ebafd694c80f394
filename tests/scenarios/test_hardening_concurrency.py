# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hardening, concurrency: two bootstraps of the same vars at once, as two CI pipelines triggered together would.

Both must end successfully, and the result must be what one bootstrap makes: one project, one robot of each name,
one retention policy and one immutable rule, one pull secret per namespace referenced once, credentials that log in,
and a third run that changes nothing.
"""

from __future__ import annotations

import json
import os
import threading

import pytest

ENVIRONMENTS = ('dev', 'preprod', 'prod')
ROBOTS = ['robot$payments+ci-push', 'robot$payments+pull-dev', 'robot$payments+pull-preprod',
          'robot$payments+pull-prod']


def together(playbook, *extra):
    """Start two runs of the bootstrap at the same moment and return both."""
    runs = [None, None]
    start = threading.Barrier(2)

    def one(index):
        start.wait()
        runs[index] = playbook('bootstrap.yml', *extra)

    threads = [threading.Thread(target=one, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return runs


def assert_converged(emulators, credentials_dir):
    projects = emulators.harbor('GET', '/projects', params={'q': 'name=payments'}).json()
    assert [project['name'] for project in projects] == ['payments']
    project = emulators.harbor('GET', '/projects/payments').json()

    names = [robot['name'] for robot in emulators.robots('payments')]
    assert sorted(names) == ROBOTS, names

    retention = emulators.harbor('GET', '/retentions/%s' % project['metadata']['retention_id']).json()
    assert len(retention['rules']) == 1
    rules = emulators.harbor('GET', '/projects/payments/immutabletagrules').json()
    assert len(rules) == 1, rules

    for environment in ENVIRONMENTS:
        namespace = 'payments-' + environment
        secrets = emulators.kube('GET', '/api/v1/namespaces/%s/secrets' % namespace).json()['items']
        assert [secret['metadata']['name'] for secret in secrets] == ['harbor-pull-secret']
        assert emulators.image_pull_secrets(namespace) == ['harbor-pull-secret']
        username, password = emulators.pull_credentials(namespace)
        assert username == 'robot$payments+pull-' + environment
        assert emulators.login(username, password), 'the pull secret of %s does not log in' % namespace

    with open(os.path.join(credentials_dir, 'payments-ci-push.json'), encoding='utf-8') as handle:
        ci = json.load(handle)
    assert emulators.login(ci['username'], ci['password']), 'the stored CI credentials do not log in'


@pytest.fixture(scope='module')
def first_race(playbook):
    return together(playbook)


def test_two_bootstraps_from_nothing_both_succeed(first_race):
    for run in first_race:
        assert run.returncode == 0, run.output[-4000:]
    assert sum(run.changed for run in first_race) > 0


def test_two_bootstraps_from_nothing_make_one_setup(first_race, emulators, playbook):
    del first_race
    assert_converged(emulators, playbook.credentials_dir)


def test_a_third_run_changes_nothing(first_race, emulators, playbook):
    del first_race
    emulators.clear_logs()
    run = playbook('bootstrap.yml')
    assert run.returncode == 0 and run.changed == 0, run.output[-3000:]
    assert emulators.writes() == []


def test_two_bootstraps_healing_the_same_lost_secrets_agree(emulators, playbook):
    # Every copy of the pull credentials is gone, and the CI file too: both runs must regenerate, and whichever
    # secret wins must be the one every namespace and the file hold.
    for environment in ENVIRONMENTS:
        emulators.kube('DELETE', '/api/v1/namespaces/payments-%s/secrets/harbor-pull-secret' % environment)
    os.remove(os.path.join(playbook.credentials_dir, 'payments-ci-push.json'))
    runs = together(playbook)
    for run in runs:
        assert run.returncode == 0, run.output[-4000:]
    assert_converged(emulators, playbook.credentials_dir)
    emulators.clear_logs()
    again = playbook('bootstrap.yml')
    assert again.returncode == 0 and again.changed == 0, again.output[-3000:]
    assert emulators.writes() == []
