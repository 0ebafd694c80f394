# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for the scenario tests: the playbooks and roles run end to end against fresh emulators.

Each test module gets its own emulators (tests/emulator/run.py) and a staged copy of the collection, and runs
ansible-playbook (or ansible-runner) the way a user does. With TEST_KUBE=real (make kube-tests), a real control plane
(tests/kube/control_plane.py) stands in for the Kubernetes emulator: its audit log answers the request log.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import signal
import subprocess
import sys

import pytest
import requests
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATOR = os.path.join(REPO_ROOT, 'tests', 'emulator', 'run.py')
STAGE = os.path.join(REPO_ROOT, 'tests', 'tools', 'stage.py')
KUBE_TOOLS = os.path.join(REPO_ROOT, 'tests', 'kube')
INVENTORY = os.path.join(REPO_ROOT, 'tests', 'tools', 'demo_inventory.yml')
EXAMPLE_VARS = os.path.join(REPO_ROOT, 'playbooks', 'vars', 'example.yml')
# Test-only plugins for generated playbooks: emulator_control (faults and request logs from inside a play) and
# task_results (every task result, by name, in a JSON file).
ACTION_PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'action_plugins')
CALLBACK_PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'callback_plugins')
ANSIBLE_PLAYBOOK = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
RECAP_LINE = re.compile(r'^(?P<host>\S+)\s*:\s*ok=\d+\s+changed=(?P<changed>\d+).*failed=(?P<failed>\d+)', re.M)


class Emulators:
    """The running Harbor and Kubernetes emulators, and how to talk to them directly."""

    def __init__(self, info):
        self.info = info
        self.harbor_url = info['harbor_url']
        self.kube_url = info['kube_url']
        # where the Kubernetes side's /_emulator/requests answers: the emulator, or a real apiserver's audit log reader
        self.kube_control_url = info.get('kube_control_url') or self.kube_url
        self.admin = (info['username'], info['password'])
        # With --tls: the PEM file of the private CA that signed Harbor's certificate.
        self.harbor_ca = info.get('ca_path')
        with open(info['kubeconfig'], encoding='utf-8') as handle:
            kubeconfig = yaml.safe_load(handle)
        # the current context's user: emulator-admin on the emulator, the admin of a real control plane
        context = next(entry for entry in kubeconfig['contexts'] if entry['name'] == kubeconfig['current-context'])
        user = next(entry for entry in kubeconfig['users'] if entry['name'] == context['context']['user'])
        self.kube_token = user['user']['token']
        # The Kubernetes emulator's private CA file, for requests' verify.
        self.kube_ca = kubeconfig['clusters'][0]['cluster']['certificate-authority']

    def environment(self):
        return dict(HARBOR_URL=self.harbor_url, HARBOR_USERNAME=self.admin[0], HARBOR_PASSWORD=self.admin[1],
                    K8S_AUTH_KUBECONFIG=self.info['kubeconfig'], KUBECONFIG=self.info['kubeconfig'])

    # Harbor ------------------------------------------------------------------------------------------

    def harbor(self, method, path, **kwargs):
        kwargs.setdefault('auth', self.admin)
        return requests.request(method, self.harbor_url + '/api/v2.0' + path, timeout=10, verify=self.harbor_ca or True,
                                **kwargs)

    def control(self, method, path, emulator='harbor', **kwargs):
        """Call a control endpoint (/_emulator/<path>) of the Harbor or the Kubernetes emulator."""
        base, verify = ((self.harbor_url, self.harbor_ca or True) if emulator == 'harbor'
                        else (self.kube_control_url, self.kube_ca))
        response = requests.request(method, base + '/_emulator' + path, verify=verify, timeout=10, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def play_vars(self):
        """The variable the test-only emulator_control action reads to find the emulators."""
        return dict(hardening_emulators=dict(harbor=self.harbor_url, kube=self.kube_control_url, ca=self.kube_ca,
                                             harbor_ca=self.harbor_ca))

    def login(self, username, password):
        """True if Harbor accepts these credentials (a robot answers 412 to /users/current, a user 200)."""
        status = self.harbor('GET', '/users/current', auth=(username, password)).status_code
        return status in (200, 412)

    def robots(self, project):
        project_id = self.harbor('GET', '/projects/%s' % project).json()['project_id']
        return self.harbor('GET', '/robots', params={'q': 'Level=project,ProjectID=%d' % project_id}).json()

    # Kubernetes --------------------------------------------------------------------------------------

    def kube(self, method, path, **kwargs):
        return requests.request(method, self.kube_url + path, headers={'Authorization': 'Bearer ' + self.kube_token},
                                verify=self.kube_ca, timeout=10, **kwargs)

    def pull_credentials(self, namespace, secret='harbor-pull-secret'):
        """(username, password) stored in a pull secret, or None if the secret does not exist."""
        response = self.kube('GET', '/api/v1/namespaces/%s/secrets/%s' % (namespace, secret))
        if response.status_code == 404:
            return None
        config = json.loads(base64.b64decode(response.json()['data']['.dockerconfigjson']))
        entry = next(iter(config['auths'].values()))
        return entry['username'], entry['password']

    def image_pull_secrets(self, namespace, service_account='default'):
        response = self.kube('GET', '/api/v1/namespaces/%s/serviceaccounts/%s' % (namespace, service_account))
        return [entry['name'] for entry in response.json().get('imagePullSecrets') or []]

    # Request logs ------------------------------------------------------------------------------------

    def clear_logs(self):
        self.control('DELETE', '/requests')
        self.control('DELETE', '/requests', emulator='kube')

    def requests(self):
        """Every API request both emulators saw since clear_logs(), Harbor's first."""
        return self.control('GET', '/requests') + self.control('GET', '/requests', emulator='kube')

    def writes(self):
        """Every non-read request both emulators saw since clear_logs()."""
        return [entry for entry in self.requests() if entry['write']]


@contextlib.contextmanager
def start_emulators(*arguments):
    """Fresh Harbor and Kubernetes emulators (tests/emulator/run.py ARGUMENTS) for the duration of the block.

    Harbor always has its default scanner (--scanner), as an installation with Trivy does. With TEST_KUBE=real, a
    fresh real control plane replaces the Kubernetes emulator (which then idles).
    """
    process = subprocess.Popen([sys.executable, EMULATOR, '--scanner'] + list(arguments), stdout=subprocess.PIPE,
                               text=True)
    try:
        info = json.loads(process.stdout.readline())
        with contextlib.ExitStack() as stack:
            if os.environ.get('TEST_KUBE') == 'real':
                sys.path.insert(0, KUBE_TOOLS)
                from control_plane import ControlPlane  # pylint: disable=import-outside-toplevel,import-error
                info.update(stack.enter_context(ControlPlane()).details())
            yield Emulators(info)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope='module')
def emulators():
    with start_emulators() as running:
        yield running


@pytest.fixture(scope='module', autouse=True)
def secret_records(tmp_path_factory):
    """harbor_robot's records of proven secrets (module_utils/secret_records.py) go to a file of the test module,
    which starts without records like its emulators, never to the user's ~/.cache. Every run inherits it from
    os.environ: ansible-playbook, ansible-runner and the modules run in the test process."""
    path = str(tmp_path_factory.mktemp('secret-records') / 'robots.json')
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv('HARBOR_SECRET_RECORDS', path)
        yield path


@pytest.fixture(scope='session')
def collections_dir(tmp_path_factory):
    """A staged copy of the collection, as ansible_collections/cloudtemple/harbor under a temporary directory."""
    root = tmp_path_factory.mktemp('collections')
    subprocess.run([sys.executable, STAGE, str(root / 'ansible_collections' / 'cloudtemple' / 'harbor')], check=True,
                   stdout=subprocess.DEVNULL, cwd=REPO_ROOT)
    return str(root)


class PlaybookRun:
    def __init__(self, completed):
        self.returncode = completed.returncode
        self.output = completed.stdout
        recaps = RECAP_LINE.findall(self.output)
        self.changed = sum(int(changed) for _host, changed, _failed in recaps)
        self.failed = sum(int(failed) for _host, _changed, failed in recaps)


def ansible_environment(emulators, collections_dir, **extra):
    """The environment a playbook run gets: the staged collection, the emulators' connection variables, no colour."""
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_dir, ANSIBLE_NOCOLOR='1',
                       ANSIBLE_ACTION_PLUGINS=ACTION_PLUGINS, **emulators.environment())
    environment.update(extra)
    return environment


class ResultsRun:
    """A playbook run with the task_results callback: every task result of localhost, by task name, in order."""

    def __init__(self, completed, results_file):
        self.returncode = completed.returncode
        self.output = completed.stdout
        self.results = {}
        if os.path.exists(results_file):
            with open(results_file, encoding='utf-8') as handle:
                self.results = json.load(handle)

    def result(self, name):
        """The result of the task named `name` (the last one if it ran more than once)."""
        assert name in self.results, 'task %r did not run; the output ends with: %s' % (name, self.output[-3000:])
        return self.results[name][-1]

    def case(self, name):
        """The CaseOutcome of the case_block named `name`."""
        return CaseOutcome(self, name)


class CaseOutcome:
    """How one case of a generated playbook went: refused or not, the (failed) result, the requests it caused."""

    def __init__(self, run, name):
        refused = run.results.get(name + ': refused')
        self.refused = bool(refused)
        if refused:
            note = refused[-1]['note']
            self.task, self.result, logs = note['task'], note['result'], refused[-1]
        else:
            self.task, self.result, logs = name + ': run', run.result(name + ': run'), run.result(name + ': accepted')
        self.requests = logs['harbor'] + logs['kube']
        self.writes = [entry for entry in self.requests if entry['write']]

    @property
    def message(self):
        """The failure message, with the reasons of a loop's failed items and of an argument spec."""
        text = self.result.get('msg') or ''
        if self.result.get('argument_errors'):
            text += ' ' + ' '.join(self.result['argument_errors'])
        return text + ''.join(' ' + item.get('msg', '') for item in self.result.get('results') or [] if item.get('failed'))

    @property
    def crashed(self):
        """True when the failure is a Python exception, not a message the collection wrote."""
        return 'unexpectedly' in self.message or 'most recent call last' in str(self.result.get('exception'))


def case_block(name, task, register=None):
    """One case of a generated playbook: run `task`, then pop both request logs, noting the failure if any.

    Read it back with ResultsRun.case(name). The task is a dict such as {'cloudtemple.harbor.harbor_project': {...}},
    with any task keywords. With `register`, that variable is defined once the case has been refused.
    """
    refused = {'name': name + ': refused', 'emulator_control': {'pop_requests': True, 'note': {
        'task': '{{ ansible_failed_task.name }}', 'result': '{{ ansible_failed_result }}'}}}
    if register:
        refused['register'] = register
    return {'name': name, 'block': [
        dict(task, name=name + ': run'),
        {'name': name + ': accepted', 'emulator_control': {'pop_requests': True}},
    ], 'rescue': [refused]}


def write_playbook(directory, plays):
    """Write `plays` (a list of plays as Python data) to directory/playbook.yml and return its path."""
    path = os.path.join(str(directory), 'playbook.yml')
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write('---\n')
        yaml.safe_dump(plays, handle, sort_keys=False, width=200)
    return path


def run_generated(path, emulators, collections_dir, *extra, env=None):
    """Run a generated playbook (see write_playbook) and return its ResultsRun."""
    results_file = os.path.join(os.path.dirname(path), 'task-results.json')
    environment = ansible_environment(emulators, collections_dir, ANSIBLE_CALLBACK_PLUGINS=CALLBACK_PLUGINS,
                                      ANSIBLE_CALLBACKS_ENABLED='task_results', TASK_RESULTS_FILE=results_file,
                                      **(env or {}))
    completed = subprocess.run([ANSIBLE_PLAYBOOK, '-i', INVENTORY, path] + list(extra), env=environment, cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return ResultsRun(completed, results_file)


@pytest.fixture(scope='module')
def playbook(emulators, collections_dir, tmp_path_factory):
    """playbook(name, *extra_args, verbosity=0) runs playbooks/<name> with the example vars; returns a PlaybookRun."""
    credentials_dir = str(tmp_path_factory.mktemp('ci-credentials'))

    def run(name, *extra, env=None):
        environment = ansible_environment(emulators, collections_dir, **(env or {}))
        command = [ANSIBLE_PLAYBOOK, '-i', INVENTORY, os.path.join(REPO_ROOT, 'playbooks', name), '-e', '@' + EXAMPLE_VARS,
                   '-e', 'bootstrap_ci_credentials_dir=' + credentials_dir] + list(extra)
        completed = subprocess.run(command, env=environment, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, check=False)
        return PlaybookRun(completed)

    run.credentials_dir = credentials_dir
    return run
