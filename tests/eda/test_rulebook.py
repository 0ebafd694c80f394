# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harbor_events rulebook end to end: ansible-rulebook, the event source and the collection's playbooks against
the Harbor emulator, which scans on push and sends its webhooks as Harbor does.

A clean image pushed to `payments` is scanned, the emulator sends SCANNING_COMPLETED to the rulebook, which runs
playbooks/promote.yml: the artifact appears in `payments-prod` by the same digest. An image with a High finding is
scanned too, and stays where it is. A push that takes the project past 85% of its quota sends QUOTA_WARNING, and the
rulebook raises the quota.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator', 'tests'))

from images import dpkg_status, layer, push_image  # noqa: E402 pylint: disable=import-error,wrong-import-position

_spec = importlib.util.spec_from_file_location('scenario_fixtures', os.path.join(ROOT, 'tests', 'scenarios', 'conftest.py'))
scenario_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenario_fixtures)
collections_dir = scenario_fixtures.collections_dir  # the staged collection, a fixture

TOKEN = 'Bearer eda-e2e-Token-4c1d'
SOURCE, TARGET = 'payments', 'payments-prod'
GIB = 1024 ** 3
WAIT = 150


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def wait_for(what, check, timeout=WAIT, rulebook=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        if rulebook is not None and rulebook.poll() is not None:
            break
        time.sleep(1)
    output = rulebook.output() if rulebook is not None else ''
    pytest.fail('%s did not happen within %d s; ansible-rulebook said:\n%s' % (what, timeout, output[-6000:]))


class Rulebook:
    """ansible-rulebook running cloudtemple.harbor.harbor_events, its output in a file."""

    def __init__(self, directory, emulators, collections, port, variables):
        self.log_path = os.path.join(str(directory), 'rulebook.log')
        inventory = os.path.join(str(directory), 'inventory.yml')
        with open(inventory, 'w', encoding='utf-8') as handle:
            yaml.safe_dump({'all': {'hosts': {'localhost': {'ansible_connection': 'local',
                                                            'ansible_python_interpreter': sys.executable}}}}, handle)
        vars_file = os.path.join(str(directory), 'eda-vars.yml')
        with open(vars_file, 'w', encoding='utf-8') as handle:
            yaml.safe_dump(dict(variables, harbor_webhook_host='127.0.0.1', harbor_webhook_port=port), handle)
        binary = shutil.which('ansible-rulebook', path=os.path.dirname(sys.executable)) or shutil.which('ansible-rulebook')
        if binary is None:
            pytest.fail('ansible-rulebook is not installed in this venv (make venv-eda)')
        environment = dict(os.environ, **emulators.environment())
        environment.update(HARBOR_WEBHOOK_TOKEN=TOKEN, ANSIBLE_COLLECTIONS_PATH=collections,
                           PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', ''),
                           ANSIBLE_LOCAL_TEMP=os.path.join(str(directory), 'tmp'))
        self.log = open(self.log_path, 'w', encoding='utf-8')  # pylint: disable=consider-using-with
        self.process = subprocess.Popen(  # pylint: disable=consider-using-with
            [binary, '--rulebook', 'cloudtemple.harbor.harbor_events', '-i', inventory, '--vars', vars_file,
             '--env-vars', 'HARBOR_WEBHOOK_TOKEN', '-v'],
            cwd=str(directory), env=environment, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.port = port

    def poll(self):
        return self.process.poll()

    def output(self):
        self.log.flush()
        with open(self.log_path, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def listening(self):
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(('127.0.0.1', self.port)) == 0

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


@pytest.fixture(scope='module')
def world(collections_dir, tmp_path_factory):  # pylint: disable=redefined-outer-name
    with scenario_fixtures.start_emulators() as emulators:
        for name, metadata in ((SOURCE, {'public': 'false', 'auto_scan': 'true'}), (TARGET, {'public': 'false'})):
            assert emulators.harbor('POST', '/projects', json={'project_name': name, 'metadata': metadata}).ok
        port = free_port()
        policy = {'name': 'eda', 'enabled': True, 'event_types': ['SCANNING_COMPLETED', 'QUOTA_WARNING'],
                  'targets': [{'type': 'http', 'address': 'http://127.0.0.1:%d/harbor' % port, 'auth_header': TOKEN,
                               'skip_cert_verify': True, 'payload_format': 'CloudEvents'}]}
        created = emulators.harbor('POST', '/projects/%s/webhook/policies' % SOURCE, json=policy)
        assert created.status_code == 201, created.text
        variables = dict(promote_from_project=SOURCE, promote_target_project=TARGET, promote_max_severity='high',
                         promote_require_signature=False, promote_require_sbom=False, promote_deployments=[],
                         raise_quota_step_gib=1, raise_quota_ceiling_gib=2)
        rulebook = Rulebook(tmp_path_factory.mktemp('rulebook'), emulators, collections_dir, port, variables)
        try:
            wait_for('the rulebook listening on port %d' % port, rulebook.listening, timeout=90, rulebook=rulebook)
            yield emulators, rulebook
        finally:
            rulebook.stop()


def artifact(emulators, project, repository, reference):
    answer = emulators.harbor('GET', '/projects/%s/repositories/%s/artifacts/%s' % (project, repository, reference))
    return answer.json() if answer.status_code == 200 else None


def scanned(emulators, project, repository, digest):
    found = emulators.harbor('GET', '/projects/%s/repositories/%s/artifacts/%s' % (project, repository, digest),
                             params={'with_scan_overview': 'true'})
    overview = (found.json().get('scan_overview') or {}) if found.ok else {}
    return any(report.get('scan_status') == 'Success' for report in overview.values())


def push(emulators, repository, tag, packages=None, blob=None):
    """Push an image with a dpkg database of ``packages``, or with one opaque ``blob`` as its layer."""
    user, password = emulators.admin
    layers = [blob] if blob is not None else [layer({'var/lib/dpkg/status': dpkg_status(*packages)})]
    return push_image(emulators.harbor_url, user, password, '%s/%s' % (SOURCE, repository), tag, layers)


def test_a_clean_scan_promotes_the_artifact_by_digest(world):
    emulators, rulebook = world
    digest = push(emulators, 'api', '2.3.4', [('libc6', '2.36-9'), ('libfixture-high', '1.2.0-1')])
    promoted = wait_for('the promotion of payments/api@%s' % digest,
                        lambda: artifact(emulators, TARGET, 'api', digest), rulebook=rulebook)
    assert promoted['digest'] == digest
    output = rulebook.output()
    assert 'eda-e2e-Token' not in output
    assert emulators.admin[1] not in output


def test_a_high_finding_is_not_promoted(world):
    emulators, rulebook = world
    digest = push(emulators, 'worker', '1.0.0', [('libfixture-high', '1.0.0-1')])
    wait_for('the scan of payments/worker', lambda: scanned(emulators, SOURCE, 'worker', digest), rulebook=rulebook)
    # the notification and a promotion, had there been one, take a few seconds; the clean image above took as long
    time.sleep(8)
    assert artifact(emulators, TARGET, 'worker', digest) is None


def test_a_quota_warning_raises_the_quota_within_the_ceiling(world):
    emulators, rulebook = world
    project_id = emulators.harbor('GET', '/projects/%s' % SOURCE).json()['project_id']
    [quota] = emulators.harbor('GET', '/quotas', params={'reference': 'project', 'reference_id': project_id}).json()
    used = quota['used']['storage']
    # a 20,000-byte layer (and its config and manifest, under 1,000 bytes) takes usage past 85% of this limit
    limit = used + 22000
    assert emulators.harbor('PUT', '/quotas/%d' % quota['id'], json={'hard': {'storage': limit}}).ok
    push(emulators, 'quota', '1', blob=os.urandom(20000))

    def raised():
        hard = emulators.harbor('GET', '/quotas/%d' % quota['id']).json()['hard']['storage']
        return hard if hard > limit else None

    hard = wait_for('the quota raise of %s' % SOURCE, raised, rulebook=rulebook)
    assert hard == min(limit + GIB, 2 * GIB)
