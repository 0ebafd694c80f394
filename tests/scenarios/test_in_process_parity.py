# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The in-process runner against the classic way: every module, the same steps, the same results.

One playbook takes every module through create, no-op, a change in check mode, the change with --diff, and a
failure with a secret among its arguments. It runs twice on fresh, identically seeded emulators: once with the
modules in the controller process, once the classic way (in_process turned off). Each step must give the same
`changed`, `diff`, returned objects, warnings and error message, and no secret may show in either run.

A new module is covered by adding its entry to STEPS; a module without one fails the test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO_ROOT, run_generated, start_emulators, write_playbook  # pylint: disable=import-error

SECRET = 'Parity-Wr0ng-S3cret'
WEAK_SECRET = 'parity-weak-secret'
ROBOT_SECRET = 'Parity-Robot-S3cret1'
PULL_SECRET = 'Parity-Pull-S3cret1'
PULLER = 'robot$parity+puller'
USER_SECRET = 'Parity-N3w-Passw0rd'
HOOK_SECRET = 'Parity-H00k-T0ken'
P2P_SECRET = 'Parity-P2p-T0ken'

# The image harbor_rollout sets, by digest.
PARITY_IMAGE = 'harbor.example.com/parity/web@sha256:'
# Per module: the arguments of the object (create and no-op), what the change step adds (in check mode, then with
# --diff), and what the failure step adds. Info modules change nothing: their change is empty. The pull secret
# modules set a Kubernetes option and its alias both, which warns.
STEPS = {
    'harbor_artifact': dict(args=dict(project='parity', repository='app', reference='1.0', tags=['stable']),
                            change=dict(tags=['stable', 'beta']), fail=dict(harbor_password=SECRET)),
    # Harbor lets anyone read a public project: the failure needs a write.
    'harbor_project': dict(args=dict(name='parity-a'), change=dict(public=True),
                           fail=dict(harbor_password=SECRET, public=False)),
    'harbor_project_info': dict(args=dict(name='parity'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_robot': dict(args=dict(project='parity', name='ci', access=['push'], duration_days=30, secret=ROBOT_SECRET),
                         change=dict(description='pushes from CI'), fail=dict(secret=WEAK_SECRET)),
    'harbor_robot_info': dict(args=dict(project='parity'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_member': dict(args=dict(project='parity', user='parity-user', role='developer'),
                          change=dict(role='maintainer'), fail=dict(harbor_password=SECRET)),
    'harbor_retention': dict(args=dict(project='parity', schedule='daily', rules=[
        dict(retain=dict(most_recently_pushed=10), tags=dict(matching='release-*'))]),
        change=dict(schedule='weekly'), fail=dict(harbor_password=SECRET)),
    'harbor_immutable_rules': dict(args=dict(project='parity', rules=[dict(tags=dict(matching='v*'))]),
                                   change=dict(exclusive=True, rules=[dict(repositories=dict(matching='charts/**'))]),
                                   fail=dict(harbor_password=SECRET)),
    'harbor_gc_schedule': dict(args=dict(schedule='0 30 2 * * *'), change=dict(schedule='0 0 3 * * *'),
                               fail=dict(harbor_password=SECRET)),
    'harbor_purge_audit_schedule': dict(args=dict(schedule='0 0 3 * * 6', retention_hours=720,
                                                  event_types=['pull_artifact']),
                                        change=dict(retention_hours=168), fail=dict(harbor_password=SECRET)),
    'harbor_scan_all_schedule': dict(args=dict(schedule='0 0 1 * * *'), change=dict(schedule='0 0 2 * * *'),
                                     fail=dict(harbor_password=SECRET)),
    'harbor_pull_secret': dict(args=dict(namespaces=['parity-ns'], create_namespace=True, username=PULLER,
                                         password=PULL_SECRET, service_accounts=['default'], validate_certs=True,
                                         verify_ssl=True),
                               change=dict(annotations=dict(owner='parity')), fail=dict(password=SECRET)),
    'harbor_label': dict(args=dict(project='parity', name='parity-label', color='#112233'),
                         change=dict(description='labels the parity artifacts'), fail=dict(harbor_password=SECRET)),
    # Anonymous callers may not read a private project's labels, users or groups: a wrong password fails them.
    'harbor_label_info': dict(args=dict(project='parity'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_system_cve_allowlist': dict(args=dict(cve_ids=['CVE-2099-0001']), change=dict(expires_at=4102444800),
                                        fail=dict(harbor_password=SECRET)),
    'harbor_user': dict(args=dict(username='parity-new', email='parity-new@example.com', password=USER_SECRET),
                        change=dict(realname='Parity New'), fail=dict(harbor_password=SECRET)),
    'harbor_user_info': dict(args=dict(username='parity-user'), change={}, fail=dict(harbor_password=SECRET)),
    # A group has nothing to change but its existence: the change step deletes it.
    'harbor_group': dict(args=dict(name='parity-group', type='oidc'), change=dict(state='absent'),
                         fail=dict(harbor_password=SECRET)),
    'harbor_group_info': dict(args=dict(name='parity-group'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_system_cve_allowlist_info': dict(args={}, change={}, fail=dict(harbor_password=SECRET)),
    'harbor_retention_info': dict(args=dict(project='parity'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_immutable_rules_info': dict(args=dict(project='parity'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_member_info': dict(args=dict(project='parity'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_schedule_info': dict(args=dict(jobs=['gc', 'purge_audit']), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_audit_log_info': dict(args=dict(resource_type='project', operation='create'), change={},
                                  fail=dict(harbor_password=SECRET)),
    # Docker Hub is not contacted by the emulator; the endpoint's secret must show in neither run.
    'harbor_registry': dict(args=dict(name='parity-registry', type='docker-hub', url='https://hub.docker.com',
                                      access_key='parity', access_secret=USER_SECRET),
                            change=dict(description='mirrors Docker Hub'), fail=dict(harbor_password=SECRET)),
    'harbor_registry_info': dict(args=dict(name='parity-registry'), change={}, fail=dict(harbor_password=SECRET)),
    # Runs after harbor_registry (the modules run in name order), whose endpoint it replicates to.
    'harbor_replication': dict(args=dict(name='parity-replication', direction='push', registry='parity-registry',
                                         source_filters=dict(name='parity/**')),
                               change=dict(trigger='daily'), fail=dict(harbor_password=SECRET)),
    'harbor_replication_info': dict(args=dict(name='parity-replication'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_artifact_info': dict(args=dict(project='parity'), change={}, fail=dict(harbor_password=SECRET)),
    # A scan's only change is starting one: the change step asks for a rescan.
    'harbor_scan': dict(args=dict(project='parity', repository='app', reference='1.0', fail_on_severity='high'),
                        change=dict(rescan=True), fail=dict(harbor_password=SECRET)),
    'harbor_config': dict(args=dict(robot_token_duration=45), change=dict(banner_message=dict(text='parity')),
                          fail=dict(harbor_password=SECRET)),
    'harbor_config_info': dict(args={}, change={}, fail=dict(harbor_password=SECRET)),
    # The emulator's own adapter is registered (run.py --scanner): the steps change that registration.
    'harbor_scanner': dict(args=dict(name='emulator-scanner', description='the parity scanner'),
                           change=dict(skip_cert_verify=True), fail=dict(harbor_password=SECRET)),
    'harbor_scanner_info': dict(args={}, change={}, fail=dict(harbor_password=SECRET)),
    'harbor_preheat_instance': dict(args=dict(name='parity-p2p', vendor='dragonfly', endpoint='http://parity-p2p:8080',
                                              auth_mode='OAUTH', token=P2P_SECRET),
                                    change=dict(description='preheats the parity images'),
                                    fail=dict(harbor_password=SECRET)),
    'harbor_webhook': dict(args=dict(project='parity', name='parity-hook', events=['PUSH_ARTIFACT'], targets=[
        dict(address='https://hooks.example.com/parity', auth_header='Bearer ' + HOOK_SECRET)]),
        change=dict(description='announces the parity pushes'), fail=dict(harbor_password=SECRET)),
    'harbor_webhook_info': dict(args=dict(project='parity'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_preheat_instance_info': dict(args=dict(name='parity-p2p'), change={}, fail=dict(harbor_password=SECRET)),
    'harbor_pull_secret_info': dict(args=dict(namespaces=['parity-ns'], check_login=True, validate_certs=True,
                                              verify_ssl=True),
                                    change={}, fail=dict(api_key=SECRET)),
    # the Deployment is seeded (see seed); a container it does not have fails
    'harbor_rollout': dict(args=dict(namespace='parity-apps', name='web', container='web', image=PARITY_IMAGE + 'a' * 64),
                           change=dict(image=PARITY_IMAGE + 'b' * 64), fail=dict(container='nope')),
}
STEP_NAMES = ('create', 'no-op', 'check mode', 'diff', 'failure')
# What the two runs may differ in: the times objects were made (the runs are seconds apart), Harbor's request ids,
# the ids of scan reports and the random uuids of scanner registrations (uuids), and the digests of seeded images
# (each carries a random annotation).
VOLATILE = re.compile(r'(_time|_at|_timestamp|^creation|^update|^start|^end|^request_id|^report_id|^uuid|^digest)$')


def module_names():
    return sorted(name[:-3] for name in os.listdir(os.path.join(REPO_ROOT, 'plugins', 'modules'))
                  if name.endswith('.py') and name != '__init__.py')


def tasks_for(module, steps):
    fqcn = 'cloudtemple.harbor.' + module
    changed = dict(steps['args'], **steps['change'])
    # A step that fails unexpectedly must not hide the others: every step goes on, and the tests judge each one.
    return [
        {'name': module + ': create', fqcn: steps['args'], 'ignore_errors': True},
        {'name': module + ': no-op', fqcn: steps['args'], 'ignore_errors': True},
        {'name': module + ': check mode', fqcn: changed, 'check_mode': True, 'ignore_errors': True},
        {'name': module + ': diff', fqcn: changed, 'diff': True, 'ignore_errors': True},
        {'name': module + ': failure', fqcn: dict(changed, **steps['fail']), 'ignore_errors': True},
    ]


def seed(emulators):
    """What the steps need before they start: a project with an image, a user, and a pull robot whose secret is known."""
    assert emulators.harbor('POST', '/projects', json={'project_name': 'parity'}).status_code == 201
    emulators.control('POST', '/seed', json={
        'users': [{'username': 'parity-user', 'password': 'Parity-Us3r-Passw0rd', 'email': 'parity@example.com'}],
        'robots': [{'name': 'puller', 'project': 'parity', 'secret': PULL_SECRET}],
        'repositories': [{'project': 'parity', 'name': 'app', 'artifacts': [{'tags': ['1.0']}]}]})
    assert emulators.kube('POST', '/api/v1/namespaces', json={'metadata': {'name': 'parity-apps'}}).status_code == 201
    assert emulators.kube('POST', '/apis/apps/v1/namespaces/parity-apps/deployments', json={
        'metadata': {'name': 'web'}, 'spec': {
            'selector': {'matchLabels': {'app': 'web'}},
            'template': {'metadata': {'labels': {'app': 'web'}},
                         'spec': {'containers': [{'name': 'web', 'image': 'harbor.example.com/parity/web:1'}]}}}}
    ).status_code == 201


def normalized(value, emulators):
    """`value` with what differs between two emulator runs replaced: their addresses, ports and the object times."""
    text = json.dumps(value, sort_keys=True, default=str)
    for url in (emulators.harbor_url, emulators.kube_url, emulators.info['scanner_url']):
        text = text.replace(url.split('://', 1)[1], '<emulator>')
    text = text.replace(emulators.info['kubeconfig'], '<kubeconfig>')

    def scrub(item):
        if isinstance(item, dict):
            return dict((key, '<time>' if VOLATILE.search(key) and item[key] else scrub(item[key])) for key in item)
        if isinstance(item, list):
            return [scrub(entry) for entry in item]
        return item
    return scrub(json.loads(text))


class Way:
    """One run of the playbook on its own emulators: the results by task name, the output, the secrets in play."""

    def __init__(self, emulators, run):
        self.output = run.output
        self.returncode = run.returncode
        self.secrets = {SECRET, WEAK_SECRET, ROBOT_SECRET, PULL_SECRET, USER_SECRET, HOOK_SECRET, P2P_SECRET,
                        emulators.admin[1],
                        emulators.kube_token}
        # Not compared: `exception`, the traceback of the module's own code. At -vvv on ansible-core 2.16 to 2.18
        # the classic way adds one to every failure raised while handling an exception; in process there is none.
        self.results = dict((name, normalized(dict((key, value) for key, value in entries[-1].items() if key != 'exception'),
                                              emulators)) for name, entries in run.results.items())
        self.raw = json.dumps(run.results, default=str)


@pytest.fixture(scope='module')
def ways(collections_dir, tmp_path_factory):
    plays = [{'name': 'Every module, in process or the classic way', 'hosts': 'localhost', 'gather_facts': False,
              'tasks': [task for module in sorted(STEPS) for task in tasks_for(module, STEPS[module])]}]
    path = write_playbook(tmp_path_factory.mktemp('parity'), plays)
    found = {}
    for way, setting in (('in process', 'true'), ('classic', 'false')):
        with start_emulators() as emulators:
            seed(emulators)
            run = run_generated(path, emulators, collections_dir, '-vvv',
                                env={'ANSIBLE_CLOUDTEMPLE_HARBOR_IN_PROCESS': setting})
            found[way] = Way(emulators, run)
    return found


def test_every_module_has_parity_steps():
    assert sorted(STEPS) == module_names()


def test_both_ways_ran_as_intended(ways):
    for way in ways.values():
        assert way.returncode == 0, way.output[-3000:]
    # The classic way sends every module as an AnsiballZ payload; in process, no module of the collection is sent.
    for module in STEPS:
        assert 'AnsiballZ_%s.py' % module in ways['classic'].output, module
    assert 'AnsiballZ_harbor' not in ways['in process'].output


@pytest.mark.parametrize('module', sorted(STEPS))
def test_each_step_gives_the_same_result_both_ways(ways, module):
    for step in STEP_NAMES:
        name = '%s: %s' % (module, step)
        in_process, classic = ways['in process'].results.get(name), ways['classic'].results.get(name)
        assert in_process is not None and classic is not None, name
        assert in_process == classic, name


@pytest.mark.parametrize('module', sorted(STEPS))
def test_the_steps_do_what_they_say(ways, module):
    results = dict((step, ways['in process'].results['%s: %s' % (module, step)]) for step in STEP_NAMES)
    writes = bool(STEPS[module]['change'])
    assert results['create'].get('changed') is writes, results['create']
    assert results['no-op'].get('changed') is False, results['no-op']
    assert results['check mode'].get('changed') is writes, results['check mode']
    assert results['diff'].get('changed') is writes, results['diff']
    assert ('diff' in results['diff']) is writes, results['diff']
    assert results['failure']['_status'] == 'failed' and results['failure'].get('msg'), results['failure']


def test_the_alias_warning_reaches_the_result_both_ways(ways):
    for way in ways.values():
        warnings = way.results['harbor_pull_secret: create'].get('warnings') or []
        assert [warning for warning in warnings if 'alias verify_ssl' in str(warning)], warnings


def test_no_secret_in_any_result_or_output(ways):
    for way in ways.values():
        for secret in way.secrets:
            assert secret not in way.raw, secret[:3] + '...'
            assert secret not in way.output, secret[:3] + '...'


def test_a_python_without_requests_runs_the_classic_way_and_says_what_is_missing(emulators, collections_dir, tmp_path_factory):
    """The controller's python runs the module in process; a venv without requests gets the classic path's message."""
    directory = tmp_path_factory.mktemp('bare-python')
    # A venv of the controller's own Python binary: the same real file, but none of the controller's packages.
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip', str(directory / 'venv')], check=True)
    bare_python = str(directory / 'venv' / 'bin' / 'python')
    task = {'cloudtemple.harbor.harbor_project_info': {'name': 'library'}, 'ignore_errors': True}
    path = write_playbook(directory, [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        dict(task, name='controller python'),
        dict(task, name='python without requests', vars={'ansible_python_interpreter': bare_python}),
    ]}])
    run = run_generated(path, emulators, collections_dir, '-vvv')
    assert run.result('controller python')['_status'] == 'ok', run.result('controller python')
    missing = run.result('python without requests')
    assert missing['_status'] == 'failed'
    assert 'Failed to import the required Python library (requests)' in missing['msg']
    assert run.output.count('AnsiballZ_harbor_project_info.py') > 0
    assert run.output.count('running the module the classic way: the Python interpreter %s' % bare_python) == 1


def test_ansible_cfg_turns_running_in_process_off(emulators, collections_dir, tmp_path_factory):
    directory = tmp_path_factory.mktemp('ansible-cfg')
    config = directory / 'ansible.cfg'
    config.write_text('[cloudtemple_harbor]\nin_process = false\n', encoding='utf-8')
    path = write_playbook(directory, [{'hosts': 'localhost', 'gather_facts': False, 'tasks': [
        {'name': 'read', 'cloudtemple.harbor.harbor_project_info': {'name': 'library'}}]}])
    run = run_generated(path, emulators, collections_dir, '-vvv', env={'ANSIBLE_CONFIG': str(config)})
    assert run.returncode == 0, run.output[-3000:]
    assert 'AnsiballZ_harbor_project_info.py' in run.output
