# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Benchmark of workload W1: this collection against the hand-written uri + kubernetes.core.k8s playbook.

Usage: <venv>/bin/python tests/bench/bench.py --collections-dir DIR [options]

W1 for N projects: each project with its settings, a pull robot and a CI robot, a retention policy and an
immutability rule; one namespace per project with a pull secret and the default service account patched to use
it. Three playbooks build it (the variants):

    collection   tests/bench/w1_collection.yml, the collection's modules, one looping task per kind of object
    anchor       tests/bench/w1_anchor.yml, ansible.builtin.uri against Harbor's API and kubernetes.core.k8s
    bootstrap    playbooks/bootstrap.yml with the same projects, one environment per project (for information)

Each (variant, size, latency) runs on fresh emulators (tests/emulator/run.py, started with this interpreter): a
first converge, then a no-op reconverge of the same variables. For each phase the driver records the wall time, the
PLAY RECAP, the requests both emulators logged (by method; the logs are cleared before each phase), and the peak
memory: of the largest process (wait4) and of the whole ansible-playbook process tree (sampled from /proc).

The latency is what the Harbor emulator makes each authenticated request wait before serving it (--auth-latency-ms
for a user's password, --robot-auth-latency-ms for a robot's secret): 0 shows the collection's own cost, the
measured costs of a real Harbor (84 ms and 4 ms, REAL_LATENCY) predict its time against a real Harbor, where the
number of requests sent as a user is most of the cost.

ansible-playbook is taken from the directory of this interpreter, so the venv running the driver is the one
measured; for the anchor it must have kubernetes.core on ANSIBLE_COLLECTIONS_PATH (the Makefile's bench target
builds such a venv from PyPI's ansible package). The staged collection (COLLECTIONS_DIR) comes first on that path.

Options: --sizes 10,50,200 (collection), --anchor-sizes 10,50, --bootstrap-size 50 (0: skip), all without latency;
--latency 84/4 (user/robot ms) and --latency-sizes 50 (the three variants at that latency; empty: none); --json FILE,
--markdown FILE (replaces the part of FILE between the bench markers), --smoke (size 5, collection only, no
latency, and exit 1 unless the no-op writes nothing and stays within the requests-per-object targets), --render JSON
(run nothing, rewrite --markdown from an earlier --json).
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import importlib.util
import json
import os
import platform
import re
import secrets
import signal
import ssl
import string
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH_DIR = os.path.join(REPO_ROOT, 'tests', 'bench')
INVENTORY = os.path.join(REPO_ROOT, 'tests', 'tools', 'demo_inventory.yml')
CALLBACKS = os.path.join(BENCH_DIR, 'callback_plugins')
PLAYBOOKS = {
    'collection': os.path.join(BENCH_DIR, 'w1_collection.yml'),
    'anchor': os.path.join(BENCH_DIR, 'w1_anchor.yml'),
    'bootstrap': os.path.join(REPO_ROOT, 'playbooks', 'bootstrap.yml'),
}
# Per project: the project, 2 robots, the retention policy, the immutability rule, the namespace, the pull
# secret and the default service account.
OBJECTS_PER_PROJECT = 8
# Of which on Harbor: the project, 2 robots, the retention policy and the immutability rule.
HARBOR_OBJECTS_PER_PROJECT = 5
# Reads, and LOGIN: a POST /c/login opening a login session (plugins/module_utils/login_session.py), which the
# emulator's log marks as no write. It is counted apart so that the tables show what it costs.
READS = ('GET', 'HEAD', 'LOGIN')
PROJECT_NAME = re.compile(r'\bw1-\d+\b')
NUMBER = re.compile(r'(?<=[/=])\d+\b')
RECAP_LINE = re.compile(r'^\S+\s*:\s*ok=\d+\s+changed=(?P<changed>\d+)\s.*failed=(?P<failed>\d+)', re.M)
MARK_BEGIN = '<!-- bench:begin -->'
MARK_END = '<!-- bench:end -->'

# The targets of the issues, on W1 (50 projects).
W1_SIZE = 50
TARGET_NOOP_SECONDS = 30.0
TARGET_SPEEDUP = 3.0
TARGET_REQUESTS_PER_OBJECT = 1.2
# At the latency of a real Harbor (REAL-HARBOR.md: 84 ms to check a user's password, 3.5 ms a robot's secret).
REAL_LATENCY = (84, 4)
NO_LATENCY = (0, 0)
TARGET_REAL_NOOP_SECONDS = 12.0
TARGET_REAL_FIRST_SECONDS = 70.0
TARGET_BOOTSTRAP_FACTOR = 2.0
TARGET_HARBOR_PER_OBJECT = dict(first=2.5, noop=0.5)
SMOKE_SIZE = 5


def load_tool(name):
    """A module of tests/tools, loaded by path (tests/ is not a package)."""
    path = os.path.join(REPO_ROOT, 'tests', 'tools', name + '.py')
    spec = importlib.util.spec_from_file_location('bench_' + name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


with_emulator = load_tool('with_emulator')


# --- what the playbooks get ------------------------------------------------------------------------------------

def project_names(size):
    return ['w1-%d' % index for index in range(1, size + 1)]


def robot_secret():
    """A secret within Harbor's policy (8-128 characters, upper, lower and digit)."""
    alphabet = string.ascii_letters + string.digits
    return 'Pw1' + ''.join(secrets.choice(alphabet) for _index in range(29))


def w1_variables(size):
    """Variables of the W1 playbooks: the project names and the secret of each pull robot."""
    names = project_names(size)
    return dict(w1_projects=names, w1_pull_secrets=dict((name, robot_secret()) for name in names))


def bootstrap_variables(size):
    """playbooks/bootstrap.yml variables for the same end state: one environment of one namespace per project."""
    projects = [dict(name=name, public=False, auto_scan=True, prevent_vulnerable=True, severity='high',
                     retention_rules=[dict(retain=dict(most_recently_pushed=10), tags=dict(matching='release-*'),
                                           untagged=False)],
                     retention_schedule='daily',
                     immutable_rules=[dict(tags=dict(matching='{v,}[0-9]*.[0-9]*.[0-9]*'))])
                for name in project_names(size)]
    environments = [dict(name=name, projects=[name], namespaces=[name], create_namespace=True,
                         service_accounts=['default'])
                    for name in project_names(size)]
    return dict(bootstrap_projects=projects, bootstrap_environments=environments, bootstrap_ci_robot_name='ci')


# --- the emulators ---------------------------------------------------------------------------------------------

class Emulators:
    """Fresh Harbor and Kubernetes emulators for one (variant, size): their request logs, and reads of what exists."""

    def __init__(self, latency=NO_LATENCY):
        self.process = None
        self.details = None
        self.kube_token = None
        self.latency = latency

    def __enter__(self):
        user, robot = self.latency
        self.process, self.details = with_emulator.start_emulator(arguments=[
            '--auth-latency-ms', str(user), '--robot-auth-latency-ms', str(robot)])
        with open(self.details['kubeconfig'], encoding='utf-8') as handle:
            users = json.load(handle)['users']  # run.py writes the kubeconfig as JSON
        self.kube_token = next(user['user']['token'] for user in users if user['name'] == 'emulator-admin')
        return self

    def __exit__(self, *exc_info):
        with_emulator.stop_emulator(self.process)

    def environment(self):
        return with_emulator.command_environment(self.details)

    @staticmethod
    def _call(url, method='GET', headers=None, missing_ok=False):
        """JSON answer of a loopback emulator (the Kubernetes one has a private CA); None for a 404 with missing_ok."""
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        request = urllib.request.Request(url, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, context=context, timeout=30) as response:  # nosec: test emulator
                return json.loads(response.read() or b'null')
        except urllib.error.HTTPError as error:
            if missing_ok and error.code == 404:
                return None
            raise

    def log_urls(self):
        return dict(harbor=self.details['harbor_url'].rstrip('/') + '/_emulator/requests',
                    kubernetes=self.details['kube_url'].rstrip('/') + '/_emulator/requests')

    def clear_logs(self):
        for url in self.log_urls().values():
            self._call(url, 'DELETE')

    def requests_by_method(self):
        """{emulator: {method: count}} since clear_logs()."""
        counts = {}
        for emulator, url in self.log_urls().items():
            counts[emulator] = {}
            for entry in self._call(url):
                method = 'LOGIN' if entry['method'] not in READS and not entry['write'] else entry['method']
                counts[emulator][method] = counts[emulator].get(method, 0) + 1
        return counts

    def harbor_requests_by_path(self):
        """{'METHOD path': count} of Harbor's log since clear_logs(), project names and numbers folded (w1-<n>, <n>):
        where the requests go, the same for any number of projects."""
        counts = {}
        for entry in self._call(self.log_urls()['harbor']):
            path = urllib.parse.unquote(entry['path'])
            key = '%s %s' % (entry['method'], NUMBER.sub('<n>', PROJECT_NAME.sub('w1-<n>', path)))
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))

    def harbor(self, path, credentials=None, missing_ok=False):
        pair = '%s:%s' % (credentials or (self.details['username'], self.details['password']))
        headers = {'Authorization': 'Basic ' + base64.b64encode(pair.encode('utf-8')).decode('ascii')}
        return self._call(self.details['harbor_url'].rstrip('/') + '/api/v2.0' + path, headers=headers,
                          missing_ok=missing_ok)

    def logs_in(self, username, password):
        """True when Harbor takes these credentials (a robot's GET /users/current answers 412)."""
        try:
            self.harbor('/users/current', credentials=(username, password))
        except urllib.error.HTTPError as error:
            return error.code == 412
        return True

    def kube(self, path):
        return self._call(self.details['kube_url'].rstrip('/') + path, missing_ok=True,
                          headers={'Authorization': 'Bearer ' + self.kube_token})


# Fields that differ between two runs that build the same objects.
VOLATILE = frozenset(('id', 'project_id', 'ref', 'retention_id', 'creation_time', 'update_time', 'expires_at',
                      'next_scheduled_time', 'priority'))


def canonical(value):
    """value without volatile fields, every list sorted: two runs that built the same objects compare equal."""
    if isinstance(value, dict):
        return dict((key, canonical(item)) for key, item in value.items() if key not in VOLATILE)
    if isinstance(value, list):
        return sorted((canonical(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    return value


def end_state(emulators, variables):
    """What W1 built, per project, in a form that two variants can be compared on."""
    state = {}
    for name in variables['w1_projects']:
        project = emulators.harbor('/projects/%s' % name, missing_ok=True)
        if project is None:
            state[name] = None
            continue
        metadata = project['metadata']
        query = urllib.parse.quote('Level=project,ProjectID=%d' % project['project_id'])
        robots = emulators.harbor('/robots?page_size=100&q=' + query)
        secret = emulators.kube('/api/v1/namespaces/%s/secrets/harbor-pull-secret' % name)
        pull = None
        if secret is not None:
            auths = json.loads(base64.b64decode(secret['data']['.dockerconfigjson']))['auths']
            # The emulator's port changes from run to run; what matters is that the secret is for this Harbor.
            harbor_host = urllib.parse.urlsplit(emulators.details['harbor_url']).netloc
            pull = dict(('<harbor>' if registry == harbor_host else registry,
                         dict(username=entry['username'],
                              password_is_the_vault_copy=entry['password'] == variables['w1_pull_secrets'][name],
                              logs_in=emulators.logs_in(entry['username'], entry['password'])))
                        for registry, entry in auths.items())
        account = emulators.kube('/api/v1/namespaces/%s/serviceaccounts/default' % name) or {}
        state[name] = canonical(dict(
            metadata=metadata,
            robots=[dict((key, robot.get(key)) for key in ('name', 'level', 'duration', 'disable', 'permissions'))
                    for robot in robots],
            retention=emulators.harbor('/retentions/%s' % metadata['retention_id']) if 'retention_id' in metadata else None,
            immutable_rules=emulators.harbor('/projects/%s/immutabletagrules?page_size=100' % name),
            namespace=emulators.kube('/api/v1/namespaces/%s' % name) is not None,
            pull_secret=pull and dict(type=secret['type'], auths=pull),
            image_pull_secrets=account.get('imagePullSecrets'),
        ))
    return state


def incomplete(state):
    """What the W1 end state lacks, per project ([] when every object is there and the pull secrets work)."""
    problems = []
    for name, project in state.items():
        missing = []
        if project is None:
            missing.append('the project')
        else:
            robots = [robot['name'] for robot in project['robots']]
            missing += ['robot %s' % robot for robot in ('pull', 'ci') if not any(full.endswith('+' + robot) for full in robots)]
            missing += [what for what, present in (('retention policy', project['retention']),
                                                   ('immutability rule', project['immutable_rules']),
                                                   ('namespace', project['namespace']),
                                                   ('pull secret', project['pull_secret'])) if not present]
            auths = (project['pull_secret'] or {}).get('auths') or {}
            if project['pull_secret'] and not all(entry['logs_in'] for entry in auths.values()):
                missing.append('pull credentials that log in')
            if {'name': 'harbor-pull-secret'} not in (project['image_pull_secrets'] or []):
                missing.append('harbor-pull-secret in the default service account')
        if missing:
            problems.append('%s lacks %s' % (name, ', '.join(missing)))
    return problems


def differences(left, right, path=''):
    """Where two canonical states differ, as 'path: left != right' lines (at most a few)."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in sorted(set(left) | set(right)):
            found += differences(left.get(key), right.get(key), '%s/%s' % (path, key))
        return found
    return [] if left == right else ['%s: %s != %s' % (path, json.dumps(left), json.dumps(right))]


# --- one measured ansible-playbook run -------------------------------------------------------------------------

def tree_pss_kib(root_pid):
    """Memory of root_pid and all its descendants, in KiB: the sum of their proportional set sizes (PSS), so pages
    that Ansible's forked workers share with their parent count once. Workers start their own sessions, so the tree
    is found through the parent ids."""
    parents = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry, encoding='utf-8') as handle:
                parents[int(entry)] = int(handle.read().rsplit(')', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, grew = {root_pid}, True
    while grew:
        members = set(pid for pid, parent in parents.items() if parent in tree) | tree
        grew, tree = len(members) > len(tree), members
    total = 0
    for pid in tree:
        try:
            with open('/proc/%d/smaps_rollup' % pid, encoding='utf-8') as handle:
                total += next((int(line.split()[1]) for line in handle if line.startswith('Pss:')), 0)
        except (OSError, ValueError):
            continue
    return total


class TreeMemory(threading.Thread):
    """Samples the memory (PSS) of a process tree every `interval` seconds; `peak` is the highest seen."""

    def __init__(self, root_pid, interval=0.25):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.peak = 0
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, tree_pss_kib(self.root_pid))


def merge_tasks(tasks):
    """[{name, seconds, requests}] from the callback's {name: {seconds, requests}}, in order of first start; names
    that differ only by the project (the bootstrap role's templated task names) are one entry."""
    merged = {}
    for name, task in tasks.items():
        entry = merged.setdefault(PROJECT_NAME.sub('w1-<n>', name), dict(seconds=0.0, requests={}))
        entry['seconds'] += task['seconds']
        for method, count in task['requests'].items():
            entry['requests'][method] = entry['requests'].get(method, 0) + count
    return [dict(name=name, seconds=round(entry['seconds'], 2), requests=entry['requests'])
            for name, entry in merged.items()]


def run_playbook(playbook, variables_file, environment, log_path, request_logs):
    """Run one playbook; returns the measurements of the run. The output goes to log_path."""
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', INVENTORY, playbook,
               '-e', '@' + variables_file]
    tasks_file = log_path + '.tasks.json'
    environment = dict(environment, ANSIBLE_CALLBACK_PLUGINS=CALLBACKS, ANSIBLE_CALLBACKS_ENABLED='bench_tasks',
                       BENCH_TASKS_FILE=tasks_file, BENCH_REQUEST_LOGS=' '.join(request_logs))
    load = os.getloadavg()[0]
    started = time.monotonic()
    with open(log_path, 'w', encoding='utf-8') as log:
        # Waited with wait4, which gives the largest resident size in the tree.
        process = subprocess.Popen(command, env=environment, cwd=REPO_ROOT, stdout=log,  # pylint: disable=consider-using-with
                                   stderr=subprocess.STDOUT)
        sampler = TreeMemory(process.pid)
        sampler.start()
        try:
            _pid, status, usage = os.wait4(process.pid, 0)
        except KeyboardInterrupt:
            process.terminate()
            process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
    seconds = time.monotonic() - started
    with open(log_path, encoding='utf-8') as log:
        output = log.read()
    recaps = RECAP_LINE.findall(output)
    tasks = []
    if os.path.exists(tasks_file):
        with open(tasks_file, encoding='utf-8') as handle:
            tasks = merge_tasks(json.load(handle))
    return dict(seconds=round(seconds, 2), cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
                returncode=process.returncode,
                changed=sum(int(changed) for changed, _failed in recaps) if recaps else None,
                failed=sum(int(failed) for _changed, failed in recaps) if recaps else None,
                peak_rss_process_mib=round(usage.ru_maxrss / 1024.0, 1),
                peak_pss_tree_mib=round(sampler.peak / 1024.0, 1),
                load_before=round(load, 2), log=log_path, tasks=tasks)


def add_harbor_counts(run):
    """The Harbor-only counts of each phase of a run (results of before they were recorded lack them)."""
    run.setdefault('harbor_objects', run['size'] * HARBOR_OBJECTS_PER_PROJECT)
    for phase in run['phases'].values():
        harbor = phase['requests'].get('harbor') or {}
        phase.setdefault('harbor_requests', sum(harbor.values()))
        phase.setdefault('harbor_writes', sum(count for method, count in harbor.items() if method not in READS))
        phase.setdefault('harbor_requests_per_object', round(phase['harbor_requests'] / float(run['harbor_objects']), 3))


def latency_text(latency):
    return '%g/%g ms' % tuple(latency) if any(latency) else 'none'


def measure(variant, size, collections_path, work_dir, latency=NO_LATENCY):
    """First converge and no-op reconverge of one variant at one size and Harbor latency, on fresh emulators."""
    variables = bootstrap_variables(size) if variant == 'bootstrap' else w1_variables(size)
    label = '%s-%d-%gms' % (variant, size, latency[0])
    variables_file = os.path.join(work_dir, '%s-vars.json' % label)
    with open(variables_file, 'w', encoding='utf-8') as handle:
        json.dump(variables, handle)
    result = dict(variant=variant, size=size, latency_ms=list(latency), objects=size * OBJECTS_PER_PROJECT,
                  harbor_objects=size * HARBOR_OBJECTS_PER_PROJECT, phases={})
    with Emulators(latency) as emulators:
        # harbor_robot's records of proven secrets start empty with the emulators, as on a new controller, and
        # the no-op uses those of the first converge, as a user's second run does.
        environment = dict(emulators.environment(), ANSIBLE_COLLECTIONS_PATH=collections_path, ANSIBLE_NOCOLOR='1',
                           ANSIBLE_RETRY_FILES_ENABLED='0',
                           HARBOR_SECRET_RECORDS=os.path.join(work_dir, '%s-secret-records.json' % label))
        for phase in ('first', 'noop'):
            emulators.clear_logs()
            log_path = os.path.join(work_dir, '%s-%s.log' % (label, phase))
            # Requests per task cost two reads of the whole request logs per task: fine for W1's few tasks, a
            # distortion for the bootstrap role's thousands of included tasks.
            run = run_playbook(PLAYBOOKS[variant], variables_file, environment, log_path,
                               emulators.log_urls().values() if variant != 'bootstrap' else ())
            run['requests'] = emulators.requests_by_method()
            run['harbor_requests_by_path'] = emulators.harbor_requests_by_path()
            run['total_requests'] = sum(sum(methods.values()) for methods in run['requests'].values())
            run['writes'] = sum(count for methods in run['requests'].values()
                                for method, count in methods.items() if method not in READS)
            run['requests_per_object'] = round(run['total_requests'] / float(result['objects']), 3)
            result['phases'][phase] = run
            add_harbor_counts(result)
            print('  %-10s %4d projects latency %-9s %-5s %7.1f s (cpu %6.1f s, load %4.2f)  changed=%s  requests=%d '
                  '(writes %d; harbor %d, %.2f per harbor object)  memory %.0f MiB'
                  % (variant, size, latency_text(latency), phase, run['seconds'], run['cpu_seconds'], run['load_before'],
                     run['changed'], run['total_requests'], run['writes'], run['harbor_requests'],
                     run['harbor_requests_per_object'], run['peak_pss_tree_mib']), flush=True)
            if run['returncode'] != 0:
                result['error'] = '%s phase failed (status %d), see %s' % (phase, run['returncode'], log_path)
                print('  ' + result['error'], flush=True)
                return result
        if variant != 'bootstrap':  # the role names its robots differently
            state = end_state(emulators, variables)
            result['incomplete'] = incomplete(state)
            result['end_state'] = state
    return result


# --- results ---------------------------------------------------------------------------------------------------

def package_version(name):
    try:
        from importlib import metadata  # pylint: disable=import-outside-toplevel
        return metadata.version(name)
    except Exception:  # pylint: disable=broad-exception-caught  # only informative
        return None


def collection_version(collections_path, namespace, name):
    for root in collections_path.split(os.pathsep):
        manifest = os.path.join(root, 'ansible_collections', namespace, name, 'MANIFEST.json')
        try:
            with open(manifest, encoding='utf-8') as handle:
                return json.load(handle)['collection_info']['version']
        except (OSError, ValueError, KeyError):
            continue
    return None


def source_revision():
    """The commit measured, and the paths of the collection with uncommitted changes (the staged copy has them)."""
    def git(*args):
        return subprocess.run(('git',) + args, cwd=REPO_ROOT, capture_output=True, text=True, check=False).stdout.rstrip()
    dirty = git('status', '--porcelain', '--', 'plugins', 'roles', 'playbooks', 'meta')
    return dict(commit=git('rev-parse', '--short', 'HEAD') or None,
                uncommitted=[line[3:] for line in dirty.splitlines()])


def machine():
    cpu = None
    memory_kib = None
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            cpu = next((line.split(':', 1)[1].strip() for line in handle if line.startswith('model name')), None)
        with open('/proc/meminfo', encoding='utf-8') as handle:
            memory_kib = next(int(line.split()[1]) for line in handle if line.startswith('MemTotal:'))
    except (OSError, StopIteration, ValueError):
        pass
    return dict(cpus=os.cpu_count(), cpu=cpu, memory_gib=round(memory_kib / 1024.0 / 1024.0, 1) if memory_kib else None,
                os=platform.platform(), python=platform.python_version(), ansible_core=package_version('ansible-core'),
                ansible=package_version('ansible'), kubernetes=package_version('kubernetes'))


def run_latency(run):
    """The (user, robot) latency of a run, in ms; results of before the latency option had none."""
    return tuple(run.get('latency_ms') or NO_LATENCY)


def find(results, variant, size, latency=NO_LATENCY):
    return next((run for run in results if run['variant'] == variant and run['size'] == size and 'error' not in run
                 and run_latency(run) == tuple(latency)), None)


def real_targets(results):
    """The targets at a real Harbor's latency (issue 16): [(target, value, met)]; met None for what is reported only."""
    real = latency_text(REAL_LATENCY)
    ours = find(results, 'collection', W1_SIZE, REAL_LATENCY)
    bootstrap = find(results, 'bootstrap', W1_SIZE, REAL_LATENCY)
    anchor = find(results, 'anchor', W1_SIZE, REAL_LATENCY)
    # Request counts do not depend on the latency: the run without it stands in when the other is missing.
    counted = ours or find(results, 'collection', W1_SIZE)
    targets = []
    for phase, limit, what in (('noop', TARGET_REAL_NOOP_SECONDS, 'no-op W1 reconverge'),
                               ('first', TARGET_REAL_FIRST_SECONDS, 'first converge of W1')):
        seconds = ours and ours['phases'][phase]['seconds']
        targets.append(('%s at %s <= %d s' % (what, real, limit), ours and '%.1f s' % seconds,
                        ours is not None and seconds <= limit))
    for phase, what in (('noop', 'no-op'), ('first', 'first converge')):
        limit = TARGET_HARBOR_PER_OBJECT[phase]
        measured = counted and counted['phases'][phase]
        targets.append(('<= %.1f Harbor requests per Harbor object on the %s (writes included)' % (limit, what),
                        measured and '%.2f (%d requests, %d writes, %d Harbor objects)' % (
                            measured['harbor_requests_per_object'], measured['harbor_requests'],
                            measured['harbor_writes'], counted['harbor_objects']),
                        measured is not None and measured['harbor_requests_per_object'] <= limit))
    for phase, what in (('noop', 'no-op'), ('first', 'first converge')):
        factor = ours and bootstrap and bootstrap['phases'][phase]['seconds'] / ours['phases'][phase]['seconds']
        targets.append(('bootstrap.yml %s at %s within %.0fx of the looped modules' % (what, real, TARGET_BOOTSTRAP_FACTOR),
                        factor and '%.1fx (%.1f s against %.1f s)' % (
                            factor, bootstrap['phases'][phase]['seconds'], ours['phases'][phase]['seconds']),
                        bool(factor) and factor <= TARGET_BOOTSTRAP_FACTOR))
    if ours and anchor:
        targets.append(('anchor / collection at %s (reported)' % real, 'first %.1fx, no-op %.1fx' % tuple(
            anchor['phases'][phase]['seconds'] / ours['phases'][phase]['seconds'] for phase in ('first', 'noop')),
            None))
    return targets


def evaluate(results):
    """The targets on W1 (50 projects): [(target, value, met)]; value None when not measured."""
    ours, anchor = find(results, 'collection', W1_SIZE), find(results, 'anchor', W1_SIZE)
    noop = ours['phases']['noop'] if ours else None
    speedups = None
    if ours and anchor:
        speedups = dict((phase, anchor['phases'][phase]['seconds'] / ours['phases'][phase]['seconds'])
                        for phase in ('first', 'noop'))
    return real_targets(results) + [
        ('no-op W1 reconverge <= %d s' % TARGET_NOOP_SECONDS, noop and '%.1f s' % noop['seconds'],
         noop is not None and noop['seconds'] <= TARGET_NOOP_SECONDS),
        ('>= %dx faster than the anchor (first converge and no-op)' % TARGET_SPEEDUP,
         speedups and 'first %.1fx, no-op %.1fx' % (speedups['first'], speedups['noop']),
         speedups is not None and min(speedups.values()) >= TARGET_SPEEDUP),
        ('zero writes on a no-op', noop and '%d writes' % noop['writes'], noop is not None and noop['writes'] == 0),
        ('<= %.1f requests per managed object on a no-op' % TARGET_REQUESTS_PER_OBJECT,
         noop and '%.2f (%d requests, %d objects)' % (noop['requests_per_object'], noop['total_requests'],
                                                      ours['objects']),
         noop is not None and noop['requests_per_object'] <= TARGET_REQUESTS_PER_OBJECT),
    ]


def met_text(value, met, markdown_style=True):
    if not value or met is None:
        return ''
    if markdown_style:
        return 'yes' if met else '**no**'
    return 'met' if met else 'NOT MET'


def methods_text(requests):
    parts = []
    for emulator in ('harbor', 'kubernetes'):
        methods = requests.get(emulator) or {}
        if methods:
            parts.append('%s %s' % (emulator, ' '.join('%s %d' % (method, methods[method]) for method in sorted(methods))))
    return '; '.join(parts) or 'none'


def markdown(report):
    """The generated part of docs/performance.md."""
    info = report['machine']
    lines = [
        MARK_BEGIN,
        '<!-- Written by `make bench` (tests/bench/bench.py); edit the text around these markers, not inside. -->',
        '',
        '### The run',
        '',
        '| | |',
        '|---|---|',
        '| date | %s |' % report['date'],
        '| collection | commit %s%s |' % (report['source']['commit'], ''.join(
            ' (uncommitted changes in %s)' % ', '.join(report['source']['uncommitted'])
            if report['source']['uncommitted'] else '')),
        '| CPUs | %s (%s) |' % (info['cpus'], info['cpu'] or 'unknown model'),
        '| memory | %s GiB |' % info['memory_gib'],
        '| system | %s |' % info['os'],
        '| Python | %s |' % info['python'],
        '| ansible-core | %s (ansible package %s, kubernetes.core %s) |' % (
            info['ansible_core'], info['ansible'], info.get('kubernetes_core')),
        '| kubernetes client | %s |' % info['kubernetes'],
        '| load average (1 min) at start / end | %s / %s |' % (report['load_start'], report['load_end']),
        '',
        '### Targets (W1, %d projects; without latency unless said)' % W1_SIZE,
        '',
        '| target | measured | met |',
        '|---|---|---|',
    ]
    for target, value, met in evaluate(report['results']):
        lines.append('| %s | %s | %s |' % (target, value or 'not measured', met_text(value, met)))
    for size, found in sorted(report.get('end_state_differences', {}).items(),
                              key=lambda item: [int(part) if part.isdigit() else part for part in item[0].split()]):
        lines.append('')
        lines.append('End state at %s projects, read back from both emulators after the no-op: %s' % (
            size, 'the collection and the anchor built the same objects.' if not found
            else 'the collection and the anchor differ: %s' % '; '.join(found[:5])))
    for run in report['results']:
        if run.get('incomplete'):
            lines += ['', '**%s at %d projects (latency %s) left W1 incomplete**: %s'
                      % (run['variant'], run['size'], latency_text(run_latency(run)), '; '.join(run['incomplete'][:5]))]
    lines += [
        '',
        '### Every run',
        '',
        'Latency is what the Harbor emulator makes each request authenticated as a user / as a robot wait (a real',
        'Harbor: 84 / 4 ms). Time is wall-clock; CPU is the user and system time of ansible-playbook and everything it',
        'started (not the emulators), which other jobs on the machine disturb much less; requests are what both',
        'emulators logged during the phase, per managed object (8 per project) and, for Harbor alone, per Harbor object',
        '(5 per project); memory is the peak of the whole ansible-playbook process tree (proportional set size, sampled',
        'every 0.25 s) and the peak resident size of its largest process.',
        '',
        '| variant | projects | latency | phase | time | CPU | changed | requests | per object | writes '
        '| Harbor per Harbor object | by method | memory tree / largest |',
        '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    ]
    for run in report['results']:
        for phase_name, phase in run['phases'].items():
            harbor = phase.get('harbor_requests_per_object')
            lines.append('| %s | %d | %s | %s | %.1f s | %.1f s | %s | %d | %.2f | %d | %s | %s | %.0f / %.0f MiB |' % (
                run['variant'], run['size'], latency_text(run_latency(run)),
                'first converge' if phase_name == 'first' else 'no-op',
                phase['seconds'], phase['cpu_seconds'], phase['changed'], phase['total_requests'], phase['requests_per_object'],
                phase['writes'], '%.2f' % harbor if harbor is not None else '', methods_text(phase['requests']),
                phase['peak_pss_tree_mib'], phase['peak_rss_process_mib']))
        if 'error' in run:
            lines.append('| %s | %d | %s | **failed** | %s | | | | | | | | |' % (
                run['variant'], run['size'], latency_text(run_latency(run)), run['error']))
    ratio_lines = []
    for size, latency in sorted(set((run['size'], run_latency(run)) for run in report['results'])):
        ours = find(report['results'], 'collection', size, latency)
        anchor = find(report['results'], 'anchor', size, latency)
        if ours and anchor:
            ratio_lines.append('| %d | %s | %.1fx | %.1fx | %.1fx | %.1fx | %.1fx | %.1fx |' % (
                size, latency_text(latency),
                anchor['phases']['first']['seconds'] / ours['phases']['first']['seconds'],
                anchor['phases']['noop']['seconds'] / ours['phases']['noop']['seconds'],
                anchor['phases']['first']['cpu_seconds'] / ours['phases']['first']['cpu_seconds'],
                anchor['phases']['noop']['cpu_seconds'] / ours['phases']['noop']['cpu_seconds'],
                anchor['phases']['noop']['total_requests'] / float(ours['phases']['noop']['total_requests']),
                anchor['phases']['noop']['peak_pss_tree_mib'] / ours['phases']['noop']['peak_pss_tree_mib']))
    if ratio_lines:
        lines += ['', '### Anchor / collection', '',
                  '| projects | latency | time, first converge | time, no-op | CPU, first converge | CPU, no-op '
                  '| requests, no-op | memory, no-op |',
                  '|---|---|---|---|---|---|---|---|'] + ratio_lines
    for variant in ('collection', 'anchor'):
        latency = REAL_LATENCY if find(report['results'], variant, W1_SIZE, REAL_LATENCY) else NO_LATENCY
        run = find(report['results'], variant, W1_SIZE, latency)
        if run:
            title = '### Where the time goes: %s, %d projects, latency %s' % (variant, W1_SIZE, latency_text(latency))
            lines += ['', title, '',
                      '| task | first converge | requests | no-op | requests |', '|---|---|---|---|---|']
            first, noop = [dict((task['name'], task) for task in run['phases'][phase]['tasks'])
                           for phase in ('first', 'noop')]
            for name in first:
                lines.append('| %s | %s |' % (name, ' | '.join(
                    '%.1f s | %s' % (phase[name]['seconds'], ', '.join(
                        '%s %d' % (method, count) for method, count in sorted(phase[name]['requests'].items())) or '0')
                    if name in phase else ' | ' for phase in (first, noop))))
    skipped = report.get('skipped') or []
    if skipped:
        lines += [''] + ['Not measured: %s.' % reason for reason in skipped]
    lines += ['', MARK_END]
    return '\n'.join(lines)


def write_markdown(path, section):
    """Replace the text between the markers of path with section (append it when the markers are missing)."""
    text = ''
    if os.path.exists(path):
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
    if MARK_BEGIN in text and MARK_END in text:
        text = text[:text.index(MARK_BEGIN)] + section + text[text.index(MARK_END) + len(MARK_END):]
    else:
        text = text + ('\n' if text else '') + section + '\n'
    with open(path, 'w', encoding='utf-8') as handle:
        handle.write(text)


def skipped_sizes(results):
    """Why the anchor was not run at the larger sizes the collection was, with an estimate of what it would take."""
    ours = set(run['size'] for run in results if run['variant'] == 'collection' and run_latency(run) == NO_LATENCY)
    anchors = sorted((run for run in results if run['variant'] == 'anchor' and 'error' not in run
                      and run_latency(run) == NO_LATENCY), key=lambda run: run['size'])
    if not anchors:
        return []
    largest = anchors[-1]
    notes = []
    for size in sorted(size for size in ours if size > largest['size']):
        minutes = sum(phase['seconds'] for phase in largest['phases'].values()) * size / largest['size'] / 60.0
        notes.append('the anchor at %d projects: its time grows in proportion to the projects, so its two phases '
                     'would take about %.0f minutes (extrapolated from %d projects); pass --anchor-sizes to include it'
                     % (size, minutes, largest['size']))
    return notes


def compare_end_states(report):
    """Record, per size, where the collection's end state differs from the anchor's; keep only a digest of each."""
    report['end_state_differences'] = {}
    for run in report['results']:
        anchor = find(report['results'], 'anchor', run['size'], run_latency(run))
        if run['variant'] == 'collection' and anchor and 'end_state' in run and 'end_state' in anchor:
            key = str(run['size']) + ('' if run_latency(run) == NO_LATENCY
                                      else ' (latency %s)' % latency_text(run_latency(run)))
            report['end_state_differences'][key] = differences(run['end_state'], anchor['end_state'])
    for run in report['results']:
        if 'end_state' in run:
            encoded = json.dumps(run.pop('end_state'), sort_keys=True).encode('utf-8')
            run['end_state_sha256'] = hashlib.sha256(encoded).hexdigest()


def smoke_failures(run):
    """Why the smoke run fails its checks ([] when it passes)."""
    if 'error' in run:
        return [run['error']]
    first, noop = run['phases']['first'], run['phases']['noop']
    problems = list(run.get('incomplete') or [])
    if not first['changed']:
        problems.append('the first converge changed nothing')
    if noop['changed'] != 0:
        problems.append('the no-op reconverge reported changed=%s' % noop['changed'])
    if noop['writes']:
        problems.append('the no-op reconverge sent %d writes: %s' % (noop['writes'], methods_text(noop['requests'])))
    if noop['requests_per_object'] > TARGET_REQUESTS_PER_OBJECT:
        problems.append('the no-op reconverge sent %.2f requests per managed object (%d for %d), more than %.1f: %s'
                        % (noop['requests_per_object'], noop['total_requests'], run['objects'],
                           TARGET_REQUESTS_PER_OBJECT, methods_text(noop['requests'])))
    return problems


def sizes(text):
    return [int(size) for size in text.split(',') if size.strip()] if text else []


def latency_pair(text):
    """'84/4' -> (84.0, 4.0): the ms a request authenticated as a user, and as a robot, waits."""
    try:
        user, robot = (float(part) for part in text.split('/'))
    except ValueError:
        raise argparse.ArgumentTypeError('%r is not USER/ROBOT milliseconds, such as 84/4' % text) from None
    return (int(user) if user.is_integer() else user, int(robot) if robot.is_integer() else robot)


def main():
    parser = argparse.ArgumentParser(description='Benchmark workload W1: the collection against uri + kubernetes.core.')
    parser.add_argument('--collections-dir',
                        help='directory holding ansible_collections/cloudtemple/harbor (the staged collection)')
    parser.add_argument('--extra-collections', default='',
                        help='more collection roots for ANSIBLE_COLLECTIONS_PATH (where kubernetes.core is)')
    parser.add_argument('--sizes', type=sizes, default=[10, W1_SIZE, 200], help='project counts for the collection')
    parser.add_argument('--anchor-sizes', type=sizes, default=[10, W1_SIZE], help='project counts for the anchor')
    parser.add_argument('--bootstrap-size', type=int, default=W1_SIZE, help='projects for bootstrap.yml (0: skip)')
    parser.add_argument('--latency', type=latency_pair, default=REAL_LATENCY,
                        help='USER/ROBOT ms each authenticated Harbor request waits in the runs of --latency-sizes '
                             '(default: %d/%d, a real Harbor)' % REAL_LATENCY)
    parser.add_argument('--latency-sizes', type=sizes, default=[W1_SIZE],
                        help='project counts at which the collection, the anchor and bootstrap.yml also run with '
                             '--latency (default: %d; empty: none)' % W1_SIZE)
    parser.add_argument('--variants', default='collection,anchor,bootstrap',
                        help='which playbooks to run, of collection, anchor and bootstrap (default: all three)')
    parser.add_argument('--json', help='write every measurement to this JSON file')
    parser.add_argument('--markdown', help='write the tables into this file, between the bench markers')
    parser.add_argument('--work-dir', help='where the variables and playbook logs go (default: a temporary directory)')
    parser.add_argument('--render', metavar='JSON',
                        help='run nothing: write --markdown from the results of an earlier run')
    parser.add_argument('--smoke', action='store_true',
                        help='W1 at %d projects, collection only; fail unless the no-op writes nothing and sends '
                             'at most %.1f requests per object' % (SMOKE_SIZE, TARGET_REQUESTS_PER_OBJECT))
    options = parser.parse_args()
    signal.signal(signal.SIGTERM, with_emulator.raise_keyboard_interrupt)  # stop the emulators and the playbook
    if options.render:
        with open(options.render, encoding='utf-8') as handle:
            report = json.load(handle)
        for run in report['results']:
            add_harbor_counts(run)
        report['skipped'] = skipped_sizes(report['results'])
        if options.markdown:
            write_markdown(options.markdown, markdown(report))
        return 0
    if not options.collections_dir:
        parser.error('--collections-dir is required, except with --render')

    collections_path = os.pathsep.join([os.path.abspath(options.collections_dir)]
                                       + [os.path.abspath(path) for path in options.extra_collections.split(os.pathsep)
                                          if path])
    work_dir = options.work_dir or tempfile.mkdtemp(prefix='harbor-bench-')
    os.makedirs(work_dir, exist_ok=True)
    if options.smoke:
        plan = [('collection', SMOKE_SIZE, NO_LATENCY)]
    else:
        plan = []
        for size in sorted(set(options.sizes) | set(options.anchor_sizes)):
            wanted_sizes = (('collection', options.sizes), ('anchor', options.anchor_sizes))
            plan += [(variant, size, NO_LATENCY) for variant, wanted in wanted_sizes if size in wanted]
        if options.bootstrap_size:
            plan.append(('bootstrap', options.bootstrap_size, NO_LATENCY))
        if any(options.latency):
            for size in sorted(options.latency_sizes):
                plan += [(variant, size, options.latency) for variant in ('collection', 'anchor', 'bootstrap')]
        plan = [step for step in plan if step[0] in options.variants.split(',')]

    report = dict(date=datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'), machine=machine(),
                  source=source_revision(), load_start=round(os.getloadavg()[0], 2), results=[], skipped=[])
    report['machine']['kubernetes_core'] = collection_version(collections_path, 'kubernetes', 'core')
    print('W1 benchmark: %s; logs in %s' % (', '.join('%s@%d (latency %s)' % (variant, size, latency_text(latency))
                                                      for variant, size, latency in plan), work_dir), flush=True)
    for variant, size, latency in plan:
        report['results'].append(measure(variant, size, collections_path, work_dir, latency))
    report['load_end'] = round(os.getloadavg()[0], 2)
    report['skipped'] = skipped_sizes(report['results'])
    compare_end_states(report)

    if options.json:
        with open(options.json, 'w', encoding='utf-8') as handle:
            json.dump(report, handle, indent=2, sort_keys=True)
    if options.markdown:
        write_markdown(options.markdown, markdown(report))

    if options.smoke:
        problems = smoke_failures(report['results'][0])
        for problem in problems:
            print('W1 smoke: FAILED, %s' % problem)
        if not problems:
            print('W1 smoke: passed, the no-op reconverge wrote nothing and sent %.2f requests per object'
                  % report['results'][0]['phases']['noop']['requests_per_object'])
        return 1 if problems else 0
    print()
    for target, value, met in evaluate(report['results']):
        print('%-75s %-45s %s' % (target, value or 'not measured', met_text(value, met, markdown_style=False)))
    return 1 if any('error' in run for run in report['results']) else 0


if __name__ == '__main__':
    sys.exit(main())
