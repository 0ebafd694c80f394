# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hardening, troubleshooting: the three problems the user guide's troubleshooting table starts from, met through
every module, each answered with that table's advice in the collection's own words, and nothing written.

- rejected credentials (the guide: 401 when pulling, expired credentials): say the credentials were rejected, which
  options hold them, and for a robot its full name, enabled, not expired;
- a robot lacking a permission (the guide: "denied: requested access to the resource is denied", check the robot's
  permissions on the project): say which account lacks which permission, on which project, and how to grant it;
- a missing project (the guide: "name unknown", the project does not exist or is misspelled): name the project and
  say to create it or fix the name - also for a robot, to which Harbor answers 403 rather than 404.
"""

from __future__ import annotations

import pytest

from conftest import case_block, run_generated, write_playbook  # pylint: disable=import-error

PROJECT = 'ts-app'
MISSING = 'ts-nowhere'
NAMESPACE = 'ts-team'
PULLER = ('robot$ts-app+puller', 'Puller-Secret-1')
EXPIRED = ('robot$ts-app+old', 'Old-Secret-12')
DISABLED = ('robot$ts-app+off', 'Off-Secret-12')
ALICE = ('ts-alice', 'Alice-Passw0rd')

REJECTED = ('rejected the credentials', 'harbor_username', 'harbor_password')
ROBOT_ADVICE = ('robot$project+name', 'enabled', 'not expired')
DENIED = ('denied: requested access to the resource is denied', 'lacks', 'give it that permission')
MISSING_ADVICE = ("'%s' does not exist" % MISSING, 'create it')


def as_account(account, **args):
    return dict(args, harbor_username=account[0], harbor_password=account[1])


WRONG_ADMIN = ('admin', 'Not-The-Password-1')
SCHEDULE = dict(schedule='0 0 3 * * *')
RULES = [{'tags': {'matching': 'v*'}}]
RETENTION = [{'retain': {'most_recently_pushed': 3}}]

# name -> (module, arguments, the words the message must have)
CASES = {
    # rejected credentials, on every Harbor module
    'wrong password, project': ('harbor_project', as_account(WRONG_ADMIN, name=PROJECT, auto_scan=True), REJECTED),
    'wrong password, project info': ('harbor_project_info', as_account(WRONG_ADMIN), REJECTED),
    'wrong password, robot': ('harbor_robot', as_account(WRONG_ADMIN, project=PROJECT, name='ci', access=['push']),
                              REJECTED),
    'wrong password, robot info': ('harbor_robot_info', as_account(WRONG_ADMIN, project=PROJECT), REJECTED),
    'wrong password, retention': ('harbor_retention', as_account(WRONG_ADMIN, project=PROJECT, rules=RETENTION),
                                  REJECTED),
    'wrong password, immutable rules': ('harbor_immutable_rules', as_account(WRONG_ADMIN, project=PROJECT, rules=RULES),
                                        REJECTED),
    'wrong password, member': ('harbor_member', as_account(WRONG_ADMIN, project=PROJECT, user=ALICE[0], role='guest'),
                               REJECTED),
    'wrong password, gc': ('harbor_gc_schedule', as_account(WRONG_ADMIN, **SCHEDULE), REJECTED),
    'wrong password, audit purge': ('harbor_purge_audit_schedule', as_account(WRONG_ADMIN, retention_hours=48),
                                    REJECTED),
    'wrong password, scan all': ('harbor_scan_all_schedule', as_account(WRONG_ADMIN, **SCHEDULE), REJECTED),
    'wrong robot secret': ('harbor_robot_info', as_account((PULLER[0], 'Wrong-Secret-1'), project=PROJECT),
                           REJECTED + ROBOT_ADVICE),
    'expired robot': ('harbor_retention', as_account(EXPIRED, project=PROJECT, rules=RETENTION), REJECTED + ROBOT_ADVICE),
    'disabled robot': ('harbor_immutable_rules', as_account(DISABLED, project=PROJECT, rules=RULES),
                       REJECTED + ROBOT_ADVICE),
    'robot without its prefix': ('harbor_project', as_account(('ts-app+puller', PULLER[1]), name=PROJECT),
                                 REJECTED + ROBOT_ADVICE),
    'pull secret with an expired robot': (
        'harbor_pull_secret', dict(namespaces=[NAMESPACE], username=EXPIRED[0], password=EXPIRED[1]),
        ('verify_credentials', 'rejected', EXPIRED[0], 'not expired', 'written to no namespace')),
    # a robot lacking a permission
    'robot creates a robot': ('harbor_robot', as_account(PULLER, project=PROJECT, name='ci', access=['push']),
                              DENIED + (PULLER[0], 'project:read on project ' + PROJECT)),
    'robot changes the project': ('harbor_project', as_account(PULLER, name=PROJECT, auto_scan=True),
                                  DENIED + (PULLER[0], 'project', PROJECT)),
    'robot lists robots': ('harbor_robot_info', as_account(PULLER, project=PROJECT), DENIED + (PULLER[0], 'robot:list')),
    'robot sets retention': ('harbor_retention', as_account(PULLER, project=PROJECT, rules=RETENTION),
                             DENIED + (PULLER[0], PROJECT)),
    'robot sets immutable rules': ('harbor_immutable_rules', as_account(PULLER, project=PROJECT, rules=RULES),
                                   DENIED + (PULLER[0], PROJECT)),
    'robot adds a member': ('harbor_member', as_account(PULLER, project=PROJECT, user=ALICE[0], role='guest'),
                            DENIED + (PULLER[0], PROJECT)),
    'robot schedules gc': ('harbor_gc_schedule', as_account(PULLER, **SCHEDULE), DENIED + (PULLER[0],)),
    'robot schedules audit purge': ('harbor_purge_audit_schedule', as_account(PULLER, retention_hours=48),
                                    DENIED + (PULLER[0],)),
    'robot schedules scan all': ('harbor_scan_all_schedule', as_account(PULLER, **SCHEDULE), DENIED + (PULLER[0],)),
    'robot creates a project': ('harbor_project', as_account(PULLER, name='ts-other'), DENIED + (PULLER[0], 'project')),
    'user without a role changes the project': ('harbor_project', as_account(ALICE, name=PROJECT, auto_scan=True),
                                                DENIED + (ALICE[0], 'project role')),
    # a missing project
    'missing project, robot': ('harbor_robot', dict(project=MISSING, name='ci', access=['push']), MISSING_ADVICE),
    'missing project, robot info': ('harbor_robot_info', dict(project=MISSING), MISSING_ADVICE),
    'missing project, retention': ('harbor_retention', dict(project=MISSING, rules=RETENTION), MISSING_ADVICE),
    'missing project, immutable rules': ('harbor_immutable_rules', dict(project=MISSING, rules=RULES), MISSING_ADVICE),
    'missing project, member': ('harbor_member', dict(project=MISSING, user=ALICE[0], role='guest'), MISSING_ADVICE),
    'missing project, as a robot': ('harbor_robot', as_account(PULLER, project=MISSING, name='ci', access=['pull']),
                                    MISSING_ADVICE),
    'missing project, robot info as a robot': ('harbor_robot_info', as_account(PULLER, project=MISSING), MISSING_ADVICE),
}


@pytest.fixture(scope='module')
def outcome(emulators, collections_dir, tmp_path_factory):
    assert emulators.harbor('POST', '/projects', json={'project_name': PROJECT, 'metadata': {'public': 'false'}}).ok
    pull_only = [{'kind': 'project', 'namespace': PROJECT, 'access': [{'resource': 'repository', 'action': 'pull'}]}]
    emulators.control('POST', '/seed', json={
        'users': [{'username': ALICE[0], 'password': ALICE[1], 'email': 'ts-alice@example.com'}],
        'robots': [
            {'name': 'puller', 'project': PROJECT, 'secret': PULLER[1], 'duration': -1, 'permissions': pull_only},
            {'name': 'old', 'project': PROJECT, 'secret': EXPIRED[1], 'duration': 10, 'created_days_ago': 30},
            {'name': 'off', 'project': PROJECT, 'secret': DISABLED[1], 'duration': -1, 'disabled': True},
        ]})
    emulators.control('POST', '/seed', emulator='kube', json={'namespaces': [NAMESPACE]})
    emulators.clear_logs()
    tasks = [case_block(name, {'cloudtemple.harbor.' + module: args}) for name, (module, args, _words) in CASES.items()]
    tasks.append(case_block('expired credentials in a pull secret', {'cloudtemple.harbor.harbor_pull_secret_info': {
        'namespaces': [NAMESPACE], 'name': 'stale-secret', 'check_login': True}}))
    path = write_playbook(tmp_path_factory.mktemp('troubleshooting'), [
        {'name': 'Troubleshooting cases', 'hosts': 'localhost', 'gather_facts': False, 'vars': emulators.play_vars(),
         'tasks': tasks[:-1]},
        {'name': 'A pull secret holding expired credentials', 'hosts': 'localhost', 'gather_facts': False,
         'vars': emulators.play_vars(), 'tasks': [
             {'name': 'Write the expired credentials without checking them',
              'cloudtemple.harbor.harbor_pull_secret': {'namespaces': [NAMESPACE], 'name': 'stale-secret',
                                                        'username': EXPIRED[0], 'password': EXPIRED[1],
                                                        'verify_credentials': False}, 'no_log': True},
             tasks[-1]]}])
    run = run_generated(path, emulators, collections_dir)
    assert run.returncode == 0, run.output[-3000:]
    return run


@pytest.mark.parametrize('name', list(CASES))
def test_each_problem_gets_the_advice_that_fixes_it(outcome, name):
    found = outcome.case(name)
    assert found.refused, '%s was accepted: %s' % (name, found.result)
    assert not found.crashed, found.message
    for words in CASES[name][2]:
        assert words.lower() in found.message.lower(), '%s: %r is not in: %s' % (name, words, found.message)
    # Harbor may have to be asked to find out (a robot may or may not create projects): it refuses, nothing changes.
    assert [entry for entry in found.writes if entry['status'] < 400] == [], found.writes
    for secret in (PULLER[1], EXPIRED[1], DISABLED[1], ALICE[1], WRONG_ADMIN[1], 'Wrong-Secret-1'):
        assert secret not in found.message


def test_a_missing_project_is_not_reported_as_a_denial(outcome):
    for name in CASES:
        if name.startswith('missing project'):
            assert 'denied' not in outcome.case(name).message


def test_expired_credentials_in_a_pull_secret_show_as_a_failed_login(outcome):
    found = outcome.case('expired credentials in a pull secret')
    assert not found.refused, found.message
    namespace = found.result['namespaces'][0]
    assert (namespace['exists'], namespace['username'], namespace['login']) == (True, EXPIRED[0], False)
