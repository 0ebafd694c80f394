# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The benchmark's workload W1 at 5 projects, with the collection only: the quick form of `make bench`.

tests/bench/bench.py --smoke starts its own emulators, converges W1 (each project with its settings, two robots, a
retention policy and an immutability rule; a namespace per project with a pull secret and the default service
account using it), converges it again, and reads back what exists. The no-op must only read, and stay within the
request budget of the benchmark's targets; both runs within the Harbor request counts measured for this workload.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(REPO_ROOT, 'tests', 'bench', 'bench.py')
REQUESTS_PER_OBJECT = 1.2
# What W1 at 5 projects (25 Harbor objects) sends Harbor, counted on the emulator: deterministic, unlike time, and
# on a real Harbor each request sent as a user costs ~84 ms (docs/performance.md). A change that sends more fails
# here; one that sends fewer lowers these numbers.
HARBOR_REQUESTS = dict(
    # the project list (read from the second project on; the first by name), the robot prefix, each project's robot
    # list, each retention policy and immutability rule list; no login as the pull robots: the records of the first
    # run vouch for their secrets (module_utils/secret_records.py)
    noop=22,
    # each loop reads the project list once (from its second project on; a project or retention policy created
    # joins it, robot writes do not change it), who the account is once (is the list whole for it?); each project
    # created and read back; each project's robot list read once (a robot created joins it), the pull robots'
    # secrets set and read back (the update_time they are recorded with; no login there); retention policies created
    # and read back; immutability rules listed and created; a login before each pull secret is written, which also
    # proves the pull robot's new record; and the robot loop, past ten reads, logs in once for the rest of its reads
    # (module_utils/login_session.py: three requests, one password check)
    first=72,
)
HARBOR_WRITES = dict(noop=0, first=30)  # per project: the project, 2 robots and the pull robot's secret, 2 policies
# Logins (POST /c/login), not counted as writes: the robot loop of the first converge is the only task that reads
# more than ten times at 5 projects.
HARBOR_LOGINS = dict(noop=0, first=1)


def test_w1_builds_everything_then_reconverges_with_reads_only(collections_dir, tmp_path):
    results = tmp_path / 'w1.json'
    completed = subprocess.run([sys.executable, BENCH, '--smoke', '--collections-dir', collections_dir,
                                '--json', str(results), '--work-dir', str(tmp_path)],
                               cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert results.exists(), completed.stdout + completed.stderr
    run = json.loads(results.read_text(encoding='utf-8'))['results'][0]
    logs = dict((phase, open(data['log'], encoding='utf-8').read()[-3000:]) for phase, data in run['phases'].items())
    assert 'error' not in run, logs

    first, noop = run['phases']['first'], run['phases']['noop']
    assert run['incomplete'] == []
    assert first['changed'] > 0 and first['writes'] >= run['objects']

    assert noop['changed'] == 0, logs['noop']
    assert noop['writes'] == 0, noop['requests']
    assert noop['total_requests'] <= REQUESTS_PER_OBJECT * run['objects'], noop['requests']
    for phase, measured in (('first', first), ('noop', noop)):
        assert measured['harbor_requests'] <= HARBOR_REQUESTS[phase], (phase, measured['requests'])
        assert measured['harbor_writes'] == HARBOR_WRITES[phase], (phase, measured['requests'])
        assert measured['requests']['harbor'].get('LOGIN', 0) == HARBOR_LOGINS[phase], (phase, measured['requests'])
    assert completed.returncode == 0, completed.stdout
