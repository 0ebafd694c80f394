# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""playbooks/bootstrap.yml and playbooks/teardown.yml with the example vars, end to end on the emulators.

The tests of this module build on each other in order, like an operator's week: bootstrap, re-run, damage,
heal, tear down.
"""

from __future__ import annotations

import json
import os

from conftest import run_generated, write_playbook  # pylint: disable=import-error

ENVIRONMENTS = ('dev', 'preprod', 'prod')


def test_bootstrap_builds_the_example_setup(emulators, playbook):
    run = playbook('bootstrap.yml')
    assert run.returncode == 0, run.output[-3000:]
    assert run.changed > 0

    project = emulators.harbor('GET', '/projects/payments').json()
    assert project['metadata']['public'] == 'false'
    assert project['metadata']['auto_scan'] == 'true'
    assert project['metadata']['prevent_vul'] == 'true'
    assert project['metadata']['severity'] == 'high'
    assert project['metadata']['enable_content_trust_cosign'] == 'true'
    assert project['metadata'].get('retention_id')

    # the seed's charts in a project of their own, without the cosign enforcement that breaks helm push's tag step
    charts = emulators.harbor('GET', '/projects/payments-charts').json()
    assert charts['metadata'].get('enable_content_trust_cosign', 'false') == 'false'
    assert [robot['name'] for robot in emulators.robots('payments-charts')] == ['robot$payments-charts+ci-push']

    names = sorted(robot['name'] for robot in emulators.robots('payments'))
    assert names == ['robot$payments+ci-push', 'robot$payments+pull-dev', 'robot$payments+pull-preprod',
                     'robot$payments+pull-prod']
    for environment in ENVIRONMENTS:
        namespace = 'payments-' + environment
        username, password = emulators.pull_credentials(namespace)
        assert username == 'robot$payments+pull-' + environment
        assert emulators.login(username, password)
        assert 'harbor-pull-secret' in emulators.image_pull_secrets(namespace)

    # bootstrap_system: OIDC login, the system CVE allowlist, a global label, OIDC groups with roles in payments,
    # and the disaster-recovery replication of payments (to the emulator itself, HARBOR_DR_URL being unset)
    configuration = emulators.harbor('GET', '/configurations').json()
    assert configuration['auth_mode']['value'] == 'oidc_auth'
    assert configuration['oidc_endpoint']['value'] == 'https://sso.example.com/realms/corporate'
    assert [registry['name'] for registry in emulators.harbor('GET', '/registries').json()] == ['harbor-dr']
    policies = emulators.harbor('GET', '/replication/policies').json()
    assert [(policy['name'], policy['dest_registry']['name'], policy['trigger']['type']) for policy in policies] == [
        ('payments-to-dr', 'harbor-dr', 'event_based')]
    allowlist = emulators.harbor('GET', '/system/CVEAllowlist').json()
    assert [item['cve_id'] for item in allowlist['items']] == ['CVE-2023-44487']
    assert [label['name'] for label in emulators.harbor('GET', '/labels', params={'scope': 'g'}).json()] == ['pci']
    groups = emulators.harbor('GET', '/usergroups').json()
    assert sorted((group['group_name'], group['group_type']) for group in groups) == [
        ('payments-developers', 3), ('payments-operators', 3)]
    members = emulators.harbor('GET', '/projects/payments/members', headers={'X-Is-Resource-Name': 'true'}).json()
    assert {(member['entity_name'], member['role_id']) for member in members if member['entity_type'] == 'g'} == {
        ('payments-developers', 2), ('payments-operators', 4)}

    ci_file = os.path.join(playbook.credentials_dir, 'payments-ci-push.json')
    assert oct(os.stat(ci_file).st_mode & 0o777) == '0o600'
    with open(ci_file, encoding='utf-8') as handle:
        ci = json.load(handle)
    assert ci['username'] == 'robot$payments+ci-push' and emulators.login(ci['username'], ci['password'])


def test_rerun_changes_nothing_and_only_reads(emulators, playbook):
    emulators.clear_logs()
    run = playbook('bootstrap.yml')
    assert run.returncode == 0, run.output[-3000:]
    assert run.changed == 0
    assert emulators.writes() == []


def test_a_pull_secret_deleted_by_hand_is_healed(emulators, playbook):
    before = emulators.pull_credentials('payments-dev')
    emulators.kube('DELETE', '/api/v1/namespaces/payments-dev/secrets/harbor-pull-secret')
    assert emulators.pull_credentials('payments-dev') is None

    run = playbook('bootstrap.yml')
    assert run.returncode == 0, run.output[-3000:]
    after = emulators.pull_credentials('payments-dev')
    assert after[0] == before[0] and emulators.login(*after)
    # The secret was missing everywhere in dev, so the robot's secret had to be regenerated.
    assert not emulators.login(*before)


def test_a_robot_secret_changed_behind_the_collections_back_is_healed(emulators, playbook):
    stale = emulators.pull_credentials('payments-prod')
    robot = next(robot for robot in emulators.robots('payments') if robot['name'] == stale[0])
    emulators.harbor('PATCH', '/robots/%d' % robot['id'], json={'secret': 'Changed-Behind-1'})
    assert not emulators.login(*stale)

    run = playbook('bootstrap.yml')
    assert run.returncode == 0, run.output[-3000:]
    healed = emulators.pull_credentials('payments-prod')
    assert healed[0] == stale[0] and emulators.login(*healed)
    assert healed[1] not in (stale[1], 'Changed-Behind-1')


def test_stale_ci_credentials_are_regenerated_and_stored(emulators, playbook):
    ci_file = os.path.join(playbook.credentials_dir, 'payments-ci-push.json')
    with open(ci_file, encoding='utf-8') as handle:
        stale = json.load(handle)
    robot = next(robot for robot in emulators.robots('payments') if robot['name'] == stale['username'])
    emulators.harbor('PATCH', '/robots/%d' % robot['id'], json={})

    run = playbook('bootstrap.yml')
    assert run.returncode == 0, run.output[-3000:]
    with open(ci_file, encoding='utf-8') as handle:
        fresh = json.load(handle)
    assert fresh['password'] != stale['password'] and emulators.login(fresh['username'], fresh['password'])

    emulators.clear_logs()
    assert playbook('bootstrap.yml').changed == 0
    assert emulators.writes() == []


def test_teardown_leaves_nothing_the_bootstrap_created(emulators, playbook):
    run = playbook('teardown.yml')
    assert run.returncode == 0, run.output[-3000:]
    assert emulators.harbor('GET', '/projects/payments').status_code == 404
    assert emulators.harbor('GET', '/projects/payments-charts').status_code == 404
    for environment in ENVIRONMENTS:
        namespace = 'payments-' + environment
        assert emulators.pull_credentials(namespace) is None
        assert 'harbor-pull-secret' not in emulators.image_pull_secrets(namespace)
    assert not os.path.exists(os.path.join(playbook.credentials_dir, 'payments-ci-push.json'))

    again = playbook('teardown.yml')
    assert again.returncode == 0 and again.changed == 0


def test_a_charts_project_that_enforces_cosign_is_warned_about(emulators, collections_dir, tmp_path):
    def project_role(name, cosign):
        return {'name': name, 'ansible.builtin.include_role': {'name': 'cloudtemple.harbor.project'},
                'vars': {'project_name': name, 'project_charts': True, 'project_content_trust_cosign': cosign}}

    path = write_playbook(tmp_path, [{'name': 'charts projects', 'hosts': 'localhost', 'gather_facts': False,
                                      'tasks': [project_role('charts-signed', True), project_role('charts-plain', False)]}])
    run = run_generated(path, emulators, collections_dir)
    assert run.returncode == 0, run.output[-3000:]
    warnings = [line for line in run.output.splitlines() if '[WARNING] project ' in line]
    assert len(warnings) == 1 and 'charts-signed' in warnings[0] and 'helm push' in warnings[0], run.output[-3000:]
    assert emulators.harbor('GET', '/projects/charts-signed').json()['metadata']['enable_content_trust_cosign'] == 'true'


def test_more_projects_cost_no_more_tasks(emulators, collections_dir, tmp_path):
    """The role loops over its projects instead of including tasks per project: four projects run the same tasks
    as one (each a loop over the projects), and all four end up built."""
    def bootstrap(label, names):
        directory = tmp_path / label
        directory.mkdir()
        variables = {'bootstrap_projects': [{'name': name} for name in names],
                     'bootstrap_environments': [{'name': name, 'projects': [name], 'namespaces': [name],
                                                 'create_namespace': True} for name in names]}
        path = write_playbook(directory, [{'name': 'bootstrap', 'hosts': 'localhost', 'gather_facts': False,
                                           'roles': [{'role': 'cloudtemple.harbor.bootstrap', 'vars': variables}]}])
        run = run_generated(path, emulators, collections_dir)
        assert run.returncode == 0, run.output[-3000:]
        return sum(len(results) for results in run.results.values())

    one = bootstrap('one', ['hb-loop-one'])
    names = ['hb-loop-%s' % letter for letter in 'abcd']
    four = bootstrap('four', names)
    assert four == one
    for name in names:
        assert sorted(robot['name'] for robot in emulators.robots(name)) == [
            'robot$%s+ci-push' % name, 'robot$%s+pull-%s' % (name, name)]
        assert emulators.pull_credentials(name)[0] == 'robot$%s+pull-%s' % (name, name)
