# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The bootstrap's bootstrap_system with what the example vars leave out (they log in with OIDC): local users,
an HTTP group under its old name, a scanner registration and the configuration besides the authentication, and
a project's webhooks. Converge, then a re-run that changes and writes nothing; no secret in the output.
"""

from __future__ import annotations

import pytest

from conftest import RECAP_LINE, run_generated, write_playbook  # pylint: disable=import-error

PASSWORD = 'Sys-Passw0rd-1'
HOOK_HEADER = 'Bearer sys-hook-t0ken'
SYSTEM = dict(
    configuration=dict(robot_token_duration=45, project_creation_restriction='adminonly'),
    cve_allowlist=dict(cve_ids=['CVE-2024-3094']),
    scanners=[dict(name='emulator-scanner', description='the scanner every project uses')],
    users=[dict(username='sys-carol', email='sys-carol@example.com', realname='Carol', password=PASSWORD, admin=True)],
    groups=[dict(name='sys-ops', type='internal')],
    labels=[dict(name='sys-gold', color='#FFD700')],
)
PROJECT = dict(name='sys-app', webhooks=[dict(name='deployer', events=['PUSH_ARTIFACT'], targets=[
    dict(address='https://hooks.example.com/deploy', auth_header=HOOK_HEADER)])],
    members=[dict(group='sys-ops', group_type='http', role='maintainer')])


@pytest.fixture(scope='module')
def bootstrap(emulators, collections_dir, tmp_path_factory):
    path = write_playbook(tmp_path_factory.mktemp('bootstrap-system'), [{
        'name': 'Bootstrap Harbor-wide settings', 'hosts': 'localhost', 'gather_facts': False,
        'roles': [{'role': 'cloudtemple.harbor.bootstrap', 'vars': {
            'bootstrap_projects': [PROJECT], 'bootstrap_environments': [], 'bootstrap_ci_robot_name': '',
            'bootstrap_system': SYSTEM}}]}])

    def run():
        completed = run_generated(path, emulators, collections_dir, '-vvv')
        recaps = RECAP_LINE.findall(completed.output)
        return completed, sum(int(changed) for _host, changed, _failed in recaps)
    return run


def test_converges_harbor_wide_settings_and_webhooks(emulators, bootstrap):
    run, changed = bootstrap()
    assert run.returncode == 0, run.output[-3000:]
    assert changed > 0
    configuration = emulators.harbor('GET', '/configurations').json()
    assert configuration['robot_token_duration']['value'] == 45
    assert configuration['project_creation_restriction']['value'] == 'adminonly'
    assert [item['cve_id'] for item in emulators.harbor('GET', '/system/CVEAllowlist').json()['items']] == ['CVE-2024-3094']
    scanner = [item for item in emulators.harbor('GET', '/scanners').json() if item['name'] == 'emulator-scanner']
    assert scanner[0]['description'] == 'the scanner every project uses'
    assert emulators.login('sys-carol', PASSWORD)
    user = emulators.harbor('GET', '/users', params={'q': 'username=sys-carol'}).json()[0]
    assert user['sysadmin_flag'] is True and user['realname'] == 'Carol'
    group = [item for item in emulators.harbor('GET', '/usergroups').json() if item['group_name'] == 'sys-ops'][0]
    assert group['group_type'] == 2
    assert [label['name'] for label in emulators.harbor('GET', '/labels', params={'scope': 'g'}).json()] == ['sys-gold']
    members = emulators.harbor('GET', '/projects/sys-app/members').json()
    assert {(member['entity_name'], member['role_id']) for member in members if member['entity_type'] == 'g'} == {
        ('sys-ops', 4)}
    hooks = emulators.harbor('GET', '/projects/sys-app/webhook/policies').json()
    assert [(hook['name'], hook['event_types'], hook['targets'][0]['address']) for hook in hooks] == [
        ('deployer', ['PUSH_ARTIFACT'], 'https://hooks.example.com/deploy')]
    for secret in (PASSWORD, HOOK_HEADER.split()[1]):
        assert secret not in run.output


def test_rerun_changes_nothing_and_only_reads(emulators, bootstrap):
    emulators.clear_logs()
    run, changed = bootstrap()
    assert run.returncode == 0, run.output[-3000:]
    assert changed == 0
    assert emulators.writes() == []
    for secret in (PASSWORD, HOOK_HEADER.split()[1]):
        assert secret not in run.output
