# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run the demo playbooks twice and prove the second run changes nothing.

Usage: <venv>/bin/python tests/tools/run_demo.py COLLECTIONS_DIR

COLLECTIONS_DIR holds ansible_collections/cloudtemple/harbor (the staged copy), so the FQCNs in the
playbooks resolve. Meant to run under tests/tools/with_emulator.py, which provides HARBOR_URL and
the other connection variables. Steps: playbooks/demo.yml (changes expected), playbooks/demo.yml
again (must report changed=0 on every host), then playbooks/report.yml (prints what exists).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join(REPO_ROOT, 'tests', 'tools', 'demo_inventory.yml')
DEMO = os.path.join(REPO_ROOT, 'playbooks', 'demo.yml')
REPORT = os.path.join(REPO_ROOT, 'playbooks', 'report.yml')
RECAP_LINE = re.compile(r'^(?P<host>\S+)\s*:\s*ok=\d+\s+changed=(?P<changed>\d+)')


def run_playbook(playbook, environment, title):
    """Run one playbook with live output; return (status, {host: changed count})."""
    print('\n==== make demo: %s ====' % title, flush=True)
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    changed = {}
    with subprocess.Popen([ansible_playbook, '-i', INVENTORY, playbook], env=environment, cwd=REPO_ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            match = RECAP_LINE.match(line)
            if match:
                changed[match.group('host')] = int(match.group('changed'))
    sys.stdout.flush()
    return process.returncode, changed


def main():
    """Apply, re-apply and report; exit non-zero if a run fails or the re-run changes anything."""
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(sys.argv[1]))

    status, changed = run_playbook(DEMO, environment, 'first run of playbooks/demo.yml (applies the changes)')
    if status:
        print('make demo: the first run of playbooks/demo.yml failed (status %d)' % status)
        return status
    print('make demo: first run changed %s' % (changed or 'nothing'))

    status, changed = run_playbook(DEMO, environment, 'second run of playbooks/demo.yml (must change nothing)')
    if status:
        print('make demo: the second run of playbooks/demo.yml failed (status %d)' % status)
        return status
    drifting = {host: count for host, count in changed.items() if count}
    if drifting or not changed:
        print('make demo: FAILED, the second run is not idempotent: %s' % (drifting or 'no PLAY RECAP found'))
        return 1
    print('make demo: second run changed=0 on every host (idempotent)')

    status = run_playbook(REPORT, environment, 'playbooks/report.yml (what exists now)')[0]
    if status:
        print('make demo: playbooks/report.yml failed (status %d)' % status)
    return status


if __name__ == '__main__':
    sys.exit(main())
