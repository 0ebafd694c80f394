# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run every molecule scenario of the staged collection, each against a fresh Harbor emulator.

Usage: <venv>/bin/python tests/tools/run_molecule.py COLLECTIONS_DIR [ROLE...]

With ROLE names, only those roles' scenarios run. TEST_KUBE=real (make kube-tests) reaches with_emulator.py through
the environment: the scenarios then meet a real kube-apiserver instead of the Kubernetes emulator.

Scenarios are roles/<role>/molecule/<scenario>/ and extensions/molecule/<scenario>/ inside
COLLECTIONS_DIR/ansible_collections/cloudtemple/harbor. Each runs as ``molecule test -s <scenario>``
from its role (or extensions) directory, under tests/tools/with_emulator.py, with the venv first on
PATH (molecule calls ansible-playbook from PATH) and COLLECTIONS_DIR as the collections path, so
cloudtemple.harbor FQCNs resolve to the staged copy.
"""

from __future__ import annotations

import glob
import os
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
SCENARIO_PATTERNS = (
    os.path.join('roles', '*', 'molecule', '*', 'molecule.yml'),
    os.path.join('extensions', 'molecule', '*', 'molecule.yml'),
)


def find_scenarios(collection_dir):
    """(project directory, scenario name) for each molecule.yml, in a stable order."""
    scenarios = []
    for pattern in SCENARIO_PATTERNS:
        for config in sorted(glob.glob(os.path.join(collection_dir, pattern))):
            scenario_dir = os.path.dirname(config)
            scenarios.append((os.path.dirname(os.path.dirname(scenario_dir)), os.path.basename(scenario_dir)))
    return scenarios


def main():
    """Run the scenarios one after the other; exit non-zero if any failed."""
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    collections_dir = os.path.abspath(sys.argv[1])
    collection_dir = os.path.join(collections_dir, 'ansible_collections', 'cloudtemple', 'harbor')
    scenarios = find_scenarios(collection_dir)
    roles = sys.argv[2:]
    if roles:
        scenarios = [(project, scenario) for project, scenario in scenarios if os.path.basename(project) in roles]
        if not scenarios:
            print('molecule: no scenario for the roles %s' % ', '.join(roles))
            return 1
    if not scenarios:
        print('molecule: SKIPPED, no molecule scenario in roles/*/molecule/ or extensions/molecule/')
        return 0

    bin_dir = os.path.dirname(sys.executable)
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections_dir,
                       PATH=bin_dir + os.pathsep + os.environ.get('PATH', ''))
    results = []
    for project_dir, scenario in scenarios:
        label = '%s (%s)' % (scenario, os.path.relpath(project_dir, collection_dir))
        print('\n==== molecule test -s %s ====' % label, flush=True)
        status = subprocess.call(
            [sys.executable, os.path.join(TOOLS, 'with_emulator.py'), '--',
             os.path.join(bin_dir, 'molecule'), 'test', '-s', scenario],
            cwd=project_dir, env=environment,
        )
        results.append((label, status))

    print('\n==== molecule summary ====')
    for label, status in results:
        print('%-50s %s' % (label, 'PASSED' if status == 0 else 'FAILED (status %d)' % status))
    return 1 if any(status for _label, status in results) else 0


if __name__ == '__main__':
    sys.exit(main())
