# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hardening, TLS: Harbor behind a certificate of a private CA (the emulators with --tls).

Without the CA every module fails with the cause and the fix; harbor_ca_path (as an option, or HARBOR_CA_PATH)
makes everything work, including the login checks of the robot and pull-secret modules; harbor_validate_certs
false works with a warning. A CA bundle in the environment (REQUESTS_CA_BUNDLE, set on many CI runners and in
execution environments) must change none of this.
"""

from __future__ import annotations

import certifi
import pytest

from conftest import case_block, run_generated, start_emulators, write_playbook  # pylint: disable=import-error

PROJECT = 'tls-app'
NAMESPACE = 'tls-team'
# The public CA bundle: a trust store that does not hold the emulators' private CA.
PUBLIC_BUNDLE = certifi.where()


@pytest.fixture(scope='module')
def emulators():
    with start_emulators('--tls') as running:
        yield running


def cases(ca_path):
    """name -> task; the connection comes from HARBOR_URL/USERNAME/PASSWORD in the environment."""
    project = {'cloudtemple.harbor.harbor_project': {'name': PROJECT}}
    return {
        'default verification': {'cloudtemple.harbor.harbor_project_info': {'name': PROJECT}},
        'default verification on a write': project,
        'a CA that did not sign it': {'cloudtemple.harbor.harbor_project': {'name': PROJECT, 'harbor_ca_path': PUBLIC_BUNDLE}},
        'harbor_ca_path': {'cloudtemple.harbor.harbor_project': {'name': PROJECT, 'harbor_ca_path': ca_path,
                                                                 'auto_scan': True}},
        # environment: makes the module run the classic way, in its own process, with the variable set there
        'HARBOR_CA_PATH in the environment': {'cloudtemple.harbor.harbor_robot': {
            'project': PROJECT, 'name': 'puller', 'access': ['pull']}, 'environment': {'HARBOR_CA_PATH': ca_path},
            'register': 'tls_robot', 'no_log': True},
        'a login check through the CA': {'cloudtemple.harbor.harbor_pull_secret': {
            'namespaces': [NAMESPACE], 'create_namespace': True, 'username': '{{ tls_robot.robot.name }}',
            'password': '{{ tls_robot.secret }}', 'harbor_ca_path': ca_path}, 'no_log': True},
        'a login probe through the CA': {'cloudtemple.harbor.harbor_pull_secret_info': {
            'namespaces': [NAMESPACE], 'check_login': True, 'harbor_ca_path': ca_path}},
        'harbor_validate_certs false': {'cloudtemple.harbor.harbor_robot_info': {
            'project': PROJECT, 'harbor_validate_certs': False}},
    }


@pytest.fixture(scope='module')
def outcome(emulators, collections_dir, tmp_path_factory):
    tasks = [case_block(name, task) for name, task in cases(emulators.harbor_ca).items()]
    path = write_playbook(tmp_path_factory.mktemp('tls'), [
        {'name': 'TLS cases', 'hosts': 'localhost', 'gather_facts': False, 'vars': emulators.play_vars(), 'tasks': tasks}])
    run = run_generated(path, emulators, collections_dir, env={'REQUESTS_CA_BUNDLE': PUBLIC_BUNDLE})
    assert run.returncode == 0, run.output[-3000:]
    return run


@pytest.mark.parametrize('name', ['default verification', 'default verification on a write'])
def test_the_default_fails_naming_the_cause_and_the_fix(outcome, name):
    found = outcome.case(name)
    assert found.refused and not found.crashed, found.result
    message = found.message
    assert 'certificate' in message and 'unknown authority' in message, message
    assert 'Fix:' in message and 'harbor_ca_path' in message, message
    assert 'harbor_validate_certs=false only for throw-away tests' in message
    # The handshake failed, so the request never reached Harbor.
    assert found.requests == []


def test_a_ca_path_that_did_not_sign_the_certificate_is_named(outcome):
    found = outcome.case('a CA that did not sign it')
    assert found.refused and not found.crashed, found.result
    assert 'the CA in harbor_ca_path (%s) did not sign it' % PUBLIC_BUNDLE in found.message


@pytest.mark.parametrize('name', ['harbor_ca_path', 'HARBOR_CA_PATH in the environment', 'a login check through the CA'])
def test_the_private_ca_makes_writes_work(outcome, name):
    found = outcome.case(name)
    assert not found.refused, found.message
    assert found.result['changed'] and found.writes
    assert not found.result.get('warnings')


def test_login_probes_use_the_ca(outcome):
    found = outcome.case('a login probe through the CA')
    assert not found.refused, found.message
    assert [entry['login'] for entry in found.result['namespaces']] == [True]


def test_validate_certs_false_works_with_a_warning(outcome):
    found = outcome.case('harbor_validate_certs false')
    assert not found.refused, found.message
    assert [robot['name'] for robot in found.result['robots']] == ['robot$tls-app+puller']
    warnings = found.result.get('warnings') or []
    assert any('harbor_validate_certs is false' in warning and 'harbor_ca_path' in warning for warning in warnings), warnings


def test_the_bootstrap_runs_over_tls_with_the_ca_and_reruns_without_writes(emulators, playbook):
    refused = playbook('bootstrap.yml', env={'REQUESTS_CA_BUNDLE': PUBLIC_BUNDLE})
    assert refused.returncode != 0
    assert 'unknown authority' in refused.output and 'harbor_ca_path' in refused.output
    assert emulators.writes() == []

    environment = {'HARBOR_CA_PATH': emulators.harbor_ca, 'REQUESTS_CA_BUNDLE': PUBLIC_BUNDLE}
    first = playbook('bootstrap.yml', env=environment)
    assert first.returncode == 0, first.output[-3000:]
    username, password = emulators.pull_credentials('payments-prod')
    assert emulators.login(username, password)
    emulators.clear_logs()
    again = playbook('bootstrap.yml', env=environment)
    assert again.returncode == 0 and again.changed == 0, again.output[-3000:]
    assert emulators.writes() == []


def test_the_bootstrap_runs_without_verification_when_told_and_says_so(emulators, playbook):
    run = playbook('bootstrap.yml', env={'HARBOR_VALIDATE_CERTS': 'false', 'REQUESTS_CA_BUNDLE': PUBLIC_BUNDLE})
    assert run.returncode == 0, run.output[-3000:]
    assert run.changed == 0
    assert 'harbor_validate_certs is false' in run.output
