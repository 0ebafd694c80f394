# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hardening, faults: every module meets, on its own requests, what networks and busy servers do - 429 with
Retry-After, 502/503/504, a dropped connection, an answer slower than the timeout, another run creating the same
object between our lookup and our create, and an outage that outlasts the retries.

Each fault is injected through the emulators' /_emulator/faults just before the module runs, and must have been
met (no fault left pending). The run then either succeeds or fails with a clear message; once the fault is gone a
re-run succeeds and the one after it changes nothing; and in the end each object exists once, as the task says.
"""

from __future__ import annotations

import base64
import json
import threading

import pytest

from conftest import case_block, run_generated, start_emulators, write_playbook  # pylint: disable=import-error

API = r'^/api/v2\.0'
KUBE = r'^/api/v1'
SHARED = 'fa-shared'
EMPTY_LIST = dict(status=200, body=[], headers={'X-Total-Count': '0'})
# An outage longer than the retries: tried on a Harbor resource, a system setting and the cluster only, as the
# retries are the same everywhere and each outage costs several seconds of backoff.
OUTAGE = 50
# The kinds of fault, and where they strike: the module's lookup (read) or its first write.
RETRY_AFTER = dict(status=429, headers={'Retry-After': '1'})
KINDS = {
    '429': ('write', RETRY_AFTER),
    '502': ('read', dict(status=502, count=2)),
    '503': ('write', dict(status=503)),
    '504': ('write', dict(status=504)),
    'drop-read': ('read', dict(drop=True)),
    'drop-write': ('write', dict(drop=True)),
    'slow-read': ('read', dict(delay=2)),
    'slow-write': ('write', dict(delay=2)),
    'race': ('race', None),
    'outage': ('read', dict(status=503, count=OUTAGE)),
}
READ_KINDS = ('429-read', '502', '503-read', '504-read', 'drop-read', 'slow-read', 'outage')
READ_ONLY_KINDS = {
    '429-read': ('read', RETRY_AFTER),
    '503-read': ('read', dict(status=503)),
    '504-read': ('read', dict(status=504)),
}


class Target:
    """How one module is exercised: a task per case, its lookup and first write, and how to count what it made."""

    module = None
    emulator = 'harbor'
    writes = True
    outage = False

    def __repr__(self):
        return str(self.module)

    def args(self, ident):
        raise NotImplementedError

    def setup(self, emulators, ident):
        """Prerequisites of the case, made before the playbook runs."""

    def read(self, ident):
        """(method, path regex) of the module's lookup."""
        raise NotImplementedError

    def write(self, ident, first):
        """(method, path regex) of the module's first write; `first` is True for the first case of a shared object."""
        raise NotImplementedError

    def race(self, emulators, ident):
        """Make the object as another run would (before the playbook), and return the fault that hides it from the
        module's lookup, as if it were created between that lookup and the module's create."""
        raise NotImplementedError

    def check(self, emulators, ident):
        """Assert that the case's object exists once, as the task describes it."""


class Project(Target):
    module = 'harbor_project'
    outage = True

    def args(self, ident):
        return dict(name='fp-' + ident, auto_scan=True, severity='critical')

    def read(self, ident):
        return 'GET', '%s/projects/fp-%s$' % (API, ident)

    def write(self, ident, first):
        return 'POST', API + '/projects$'

    def race(self, emulators, ident):
        assert emulators.harbor('POST', '/projects', json={'project_name': 'fp-' + ident, 'metadata': {}}).ok
        return dict(status=404, body={'errors': [{'code': 'NOT_FOUND', 'message': 'project fp-%s not found' % ident}]})

    def check(self, emulators, ident):
        found = emulators.harbor('GET', '/projects', params={'q': 'name=fp-' + ident}).json()
        assert len(found) == 1
        assert (found[0]['metadata'].get('auto_scan'), found[0]['metadata'].get('severity')) == ('true', 'critical')


class ProjectInfo(Target):
    module = 'harbor_project_info'
    writes = False

    def args(self, ident):
        return dict(name=SHARED)

    def read(self, ident):
        return 'GET', '%s/projects/%s$' % (API, SHARED)


class Robot(Target):
    module = 'harbor_robot'

    def args(self, ident):
        return dict(project=SHARED, name='r-' + ident, access=['pull'])

    def read(self, ident):
        return 'GET', API + r'/robots\?q=Level'

    def write(self, ident, first):
        return 'POST', API + '/robots$'

    def race(self, emulators, ident):
        body = {'name': 'r-' + ident, 'level': 'project', 'duration': 30, 'permissions': [
            {'kind': 'project', 'namespace': SHARED, 'access': [{'resource': 'repository', 'action': 'pull'}]}]}
        assert emulators.harbor('POST', '/robots', json=body).ok
        return EMPTY_LIST

    def check(self, emulators, ident):
        names = [robot['name'] for robot in emulators.robots(SHARED)]
        assert names.count('robot$%s+r-%s' % (SHARED, ident)) == 1


class RobotInfo(Target):
    module = 'harbor_robot_info'
    writes = False

    def args(self, ident):
        return dict(project=SHARED)

    def read(self, ident):
        return 'GET', API + r'/robots\?q=Level'


class Retention(Target):
    module = 'harbor_retention'
    RULES = [{'retain': {'most_recently_pushed': 5}, 'tags': {'matching': 'release-*'}}]

    def args(self, ident):
        return dict(project='fr-' + ident, rules=self.RULES, schedule='daily')

    def setup(self, emulators, ident):
        assert emulators.harbor('POST', '/projects', json={'project_name': 'fr-' + ident, 'metadata': {}}).ok

    def read(self, ident):
        return 'GET', '%s/projects/fr-%s$' % (API, ident)

    def write(self, ident, first):
        return 'POST', API + '/retentions$'

    def race(self, emulators, ident):
        unlinked = emulators.harbor('GET', '/projects/fr-' + ident).json()
        body = {'algorithm': 'or', 'trigger': {'kind': 'Schedule', 'settings': {'cron': '0 0 0 * * *'}},
                'scope': {'level': 'project', 'ref': unlinked['project_id']},
                'rules': [{'action': 'retain', 'template': 'always', 'params': {},
                           'tag_selectors': [{'kind': 'doublestar', 'decoration': 'matches', 'pattern': '**'}],
                           'scope_selectors': {'repository': [{'kind': 'doublestar', 'decoration': 'repoMatches',
                                                               'pattern': '**'}]}}]}
        assert emulators.harbor('POST', '/retentions', json=body).ok
        return dict(status=200, body=unlinked)

    def check(self, emulators, ident):
        project = emulators.harbor('GET', '/projects/fr-' + ident).json()
        policy = emulators.harbor('GET', '/retentions/%s' % project['metadata']['retention_id']).json()
        assert [rule['template'] for rule in policy['rules']] == ['latestPushedK']
        # Harbor keeps a policy only through the project's link: another one made for it would be an orphan.
        assert policies_of(emulators, project['project_id']) == [int(project['metadata']['retention_id'])]


def policies_of(emulators, project_id):
    """Ids of every retention policy whose scope is the project (Harbor lists none: read ids until a gap of ten)."""
    found, misses, ident = [], 0, 0
    while misses < 10:
        ident += 1
        response = emulators.harbor('GET', '/retentions/%d' % ident)
        if response.status_code != 200:
            misses += 1
            continue
        misses = 0
        if response.json()['scope']['ref'] == project_id:
            found.append(ident)
    return found


class Immutable(Target):
    module = 'harbor_immutable_rules'

    def args(self, ident):
        return dict(project='fi-' + ident, rules=[{'tags': {'matching': 'v*'}}])

    def setup(self, emulators, ident):
        assert emulators.harbor('POST', '/projects', json={'project_name': 'fi-' + ident, 'metadata': {}}).ok

    def read(self, ident):
        return 'GET', '%s/projects/fi-%s/immutabletagrules' % (API, ident)

    def write(self, ident, first):
        return 'POST', '%s/projects/fi-%s/immutabletagrules$' % (API, ident)

    def race(self, emulators, ident):
        rule = {'action': 'immutable', 'template': 'immutable_template', 'tag_selectors': [
            {'kind': 'doublestar', 'decoration': 'matches', 'pattern': 'v*'}], 'scope_selectors': {'repository': [
                {'kind': 'doublestar', 'decoration': 'repoMatches', 'pattern': '**'}]}}
        assert emulators.harbor('POST', '/projects/fi-%s/immutabletagrules' % ident, json=rule).ok
        return EMPTY_LIST

    def check(self, emulators, ident):
        rules = emulators.harbor('GET', '/projects/fi-%s/immutabletagrules' % ident).json()
        assert [rule['tag_selectors'][0]['pattern'] for rule in rules] == ['v*']


class Member(Target):
    module = 'harbor_member'

    def args(self, ident):
        return dict(project=SHARED, user='m-' + ident, role='developer')

    def setup(self, emulators, ident):
        emulators.control('POST', '/seed', json={'users': [
            {'username': 'm-' + ident, 'password': 'Passw0rd-1', 'email': 'm-%s@example.com' % ident}]})

    def read(self, ident):
        return 'GET', '%s/projects/%s/members\\?entityname=m-%s' % (API, SHARED, ident)

    def write(self, ident, first):
        return 'POST', '%s/projects/%s/members$' % (API, SHARED)

    def race(self, emulators, ident):
        body = {'role_id': 4, 'member_user': {'username': 'm-' + ident}}
        assert emulators.harbor('POST', '/projects/%s/members' % SHARED, json=body).ok
        return EMPTY_LIST

    def check(self, emulators, ident):
        members = emulators.harbor('GET', '/projects/%s/members' % SHARED, params={'entityname': 'm-' + ident}).json()
        assert [(member['entity_name'], member['role_name']) for member in members] == [('m-' + ident, 'developer')]


class Schedule(Target):
    """A system schedule: one object for all the cases, each case asking for another hour."""

    path = None
    extra = {}

    def __init__(self):
        self.hours = {}

    def args(self, ident):
        hour = self.hours.setdefault(ident, len(self.hours) + 1)
        return dict(self.extra, schedule='0 0 %d * * *' % hour)

    def read(self, ident):
        return 'GET', '%s/system/%s/schedule$' % (API, self.path)

    def write(self, ident, first):
        return ('POST' if first else 'PUT'), '%s/system/%s/schedule$' % (API, self.path)

    def race(self, emulators, ident):
        # The schedule exists since the earlier cases; the lookup is made to see none, so the module creates.
        return dict(status=200, body='')


class Gc(Schedule):
    module = 'harbor_gc_schedule'
    outage = True
    path = 'gc'
    extra = {'delete_untagged': True}


class Purge(Schedule):
    module = 'harbor_purge_audit_schedule'
    path = 'purgeaudit'
    extra = {'retention_hours': 72, 'event_types': ['pull_artifact']}


class ScanAll(Schedule):
    module = 'harbor_scan_all_schedule'
    path = 'scanAll'


class PullSecret(Target):
    module = 'harbor_pull_secret'
    emulator = 'kube'
    outage = True

    def args(self, ident):
        return dict(namespaces=['fk-' + ident], service_accounts=['default'], username='admin',
                    password="{{ lookup('ansible.builtin.env', 'HARBOR_PASSWORD') }}")

    def setup(self, emulators, ident):
        emulators.control('POST', '/seed', emulator='kube', json={'namespaces': ['fk-' + ident]})

    def read(self, ident):
        return 'GET', '%s/namespaces/fk-%s/secrets/harbor-pull-secret$' % (KUBE, ident)

    def write(self, ident, first):
        return 'POST', '%s/namespaces/fk-%s/secrets$' % (KUBE, ident)

    def race(self, emulators, ident):
        stale = base64.b64encode(json.dumps({'auths': {}}).encode()).decode()
        return {'interleave': {'method': 'POST', 'path': self.write(ident, True)[1], 'create': {
            'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/dockerconfigjson',
            'metadata': {'name': 'harbor-pull-secret'}, 'data': {'.dockerconfigjson': stale}}}}

    def check(self, emulators, ident):
        assert emulators.pull_credentials('fk-' + ident) == ('admin', emulators.admin[1])
        assert emulators.image_pull_secrets('fk-' + ident) == ['harbor-pull-secret']


def read_secret(emulators):
    """The pull secret that harbor_pull_secret_info reads in every case, with credentials it can check."""
    auth = base64.b64encode(('admin:' + emulators.admin[1]).encode()).decode()
    entry = {'username': 'admin', 'password': emulators.admin[1], 'auth': auth}
    config = {'auths': {emulators.harbor_url.split('://', 1)[1]: entry}}
    return {'metadata': {'namespace': 'fa-read', 'name': 'harbor-pull-secret'}, 'type': 'kubernetes.io/dockerconfigjson',
            'data': {'.dockerconfigjson': base64.b64encode(json.dumps(config).encode()).decode()}}


class PullSecretInfo(Target):
    module = 'harbor_pull_secret_info'
    emulator = 'kube'
    writes = False

    def args(self, ident):
        return dict(namespaces=['fa-read'], check_login=True)

    def read(self, ident):
        return 'GET', '%s/namespaces/fa-read/secrets/harbor-pull-secret$' % KUBE


# Two halves, each run by its own playbook against its own emulators, at the same time: the faults are mostly
# waiting (Retry-After, timeouts, backoff), and separate emulators keep each half's faults and request logs its own.
HALVES = ([Project(), ProjectInfo(), Retention(), Immutable(), Member(), Gc()],
          [Robot(), RobotInfo(), Purge(), ScanAll(), PullSecret(), PullSecretInfo()])
TARGETS = HALVES[0] + HALVES[1]


class Case:
    def __init__(self, target, kind, first):
        self.target = target
        self.kind = kind
        self.first = first
        self.ident = '%s-%s' % (target.module.replace('harbor_', '').replace('_', '-'), kind)

    def __repr__(self):
        return self.ident


def all_cases():
    cases = []
    for target in TARGETS:
        kinds = list(KINDS) if target.writes else list(READ_KINDS)
        if target.emulator == 'kube':
            # The Kubernetes requests have a fixed 30 s timeout: slowness is tried on the Harbor login check instead.
            kinds = [kind for kind in kinds if kind != 'slow-write']
        if not target.outage:
            kinds = [kind for kind in kinds if kind != 'outage']
        for index, kind in enumerate(kinds):
            cases.append(Case(target, kind, first=index == 0))
    return cases


CASES = all_cases()


def fault_of(case, emulators):
    """(emulator, fault or interleave spec) for the case; made here, before the playbook, for races."""
    target, kind = case.target, case.kind
    where, spec = KINDS.get(kind) or READ_ONLY_KINDS[kind]
    if where == 'race':
        hidden = target.race(emulators, case.ident)
        if 'interleave' in hidden:
            return target.emulator, '/interleave', hidden['interleave']
        method, path = target.read(case.ident)
        return 'harbor', '/faults', dict(hidden, method=method, path=path)
    if kind == 'slow-read' and target.emulator == 'kube':
        method, path = 'GET', API + '/users/current$'
    else:
        method, path = target.read(case.ident) if where == 'read' else target.write(case.ident, case.first)
    emulator = target.emulator if path.startswith(KUBE) else 'harbor'
    return emulator, '/faults', dict(spec, method=method, path=path)


def case_tasks(index, case, emulator, endpoint, fault):
    args = dict(case.target.args(case.ident))
    if case.kind.startswith('slow'):
        args['harbor_timeout'] = 1
    run = {'cloudtemple.harbor.' + case.target.module: args, 'no_log': case.target.module == 'harbor_pull_secret'}
    rerun = dict(run)
    rerun['cloudtemple.harbor.' + case.target.module] = case.target.args(case.ident)
    name = 'case %s' % case.ident
    refused = 'fault_case_%d_refused' % index
    tasks = [
        {'name': name + ': inject',
         'emulator_control': {'emulator': emulator, 'method': 'POST', 'path': endpoint, 'body': fault}},
        case_block(name, run, register=refused),
        {'name': name + ': left', 'emulator_control': {'pop_faults': True}},
    ]
    if case.kind == 'slow-write':
        # The slow request is still being served: let it land (and leave the request log) before the re-runs look.
        tasks += [{'name': name + ': settle', 'ansible.builtin.pause': {'seconds': 1}},
                  {'name': name + ': landed', 'emulator_control': {'pop_requests': True}}]
    # Once the fault is gone a re-run succeeds; the run after the first success must change nothing.
    tasks += [case_block(name + ' again', rerun), dict(case_block(name + ' once more', rerun), when=refused + ' is defined')]
    return tasks


def prepare(emulators, targets, directory):
    """Make the prerequisites and the races of the half's cases in its emulators; return its playbook."""
    assert emulators.harbor('POST', '/projects', json={'project_name': SHARED, 'metadata': {}}).ok
    emulators.control('POST', '/seed', emulator='kube', json={'namespaces': ['fa-read']})
    emulators.control('POST', '/seed', emulator='kube', json={'secrets': [read_secret(emulators)]})
    tasks = []
    for index, case in enumerate(CASES):
        if case.target in targets:
            case.target.setup(emulators, case.ident)
            tasks += case_tasks(index, case, *fault_of(case, emulators))
    emulators.clear_logs()
    return write_playbook(directory, [{'name': 'Faults, case by case', 'hosts': 'localhost', 'gather_facts': False,
                                       'vars': emulators.play_vars(), 'tasks': tasks}])


@pytest.fixture(scope='module')
def halves(emulators, collections_dir, tmp_path_factory):
    """{target: (its half's ResultsRun, its half's emulators)}, the two halves run at the same time."""
    with start_emulators() as second:
        pairs = list(zip((emulators, second), HALVES))
        paths = [prepare(running, targets, tmp_path_factory.mktemp('faults')) for running, targets in pairs]
        runs = [None, None]

        def run_half(index):
            runs[index] = run_generated(paths[index], pairs[index][0], collections_dir)

        threads = [threading.Thread(target=run_half, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for run in runs:
            assert run.returncode == 0, run.output[-3000:]
        yield dict((target, (run, running)) for run, (running, targets) in zip(runs, pairs) for target in targets)


@pytest.mark.parametrize('case', CASES, ids=str)
def test_each_fault_is_met_then_overcome_or_reported_clearly(halves, case):
    outcome = halves[case.target][0]
    name = 'case %s' % case.ident
    left = outcome.result(name + ': left')
    if case.kind == 'outage':
        assert left['faults'][0]['count'] < OUTAGE, 'the outage never struck'
    else:
        assert left['faults'] == [] and left['interleaved'] == [], 'the fault never struck: %s' % left
    first = outcome.case(name)
    assert not first.crashed, first.message
    again = outcome.case(name + ' again')
    assert not again.refused, again.message
    if case.kind == 'outage':
        # Nothing to retry into success: a clear failure that names what failed and what to do, and no write.
        assert first.refused and 'run again' in first.message and first.writes == [], first.message
        once_more = outcome.case(name + ' once more')
        assert not once_more.refused and not once_more.result['changed'] and once_more.writes == [], once_more.result
    else:
        assert not first.refused, '%s was neither retried nor recovered: %s' % (case.ident, first.message)
        assert not again.result['changed'] and again.writes == [], again.result


@pytest.mark.parametrize('case', [case for case in CASES if case.target.writes and not isinstance(case.target, Schedule)],
                         ids=str)
def test_nothing_is_duplicated_or_half_made(halves, case):
    case.target.check(halves[case.target][1], case.ident)


@pytest.mark.parametrize('target', [target for target in TARGETS if isinstance(target, Schedule)], ids=str)
def test_a_schedule_ends_as_the_last_task_set_it(halves, target):
    last = [case for case in CASES if case.target is target][-1]
    body = halves[target][1].harbor('GET', '/system/%s/schedule' % target.path).json()
    assert body['schedule']['cron'] == target.args(last.ident)['schedule']
