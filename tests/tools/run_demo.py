# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The newcomer's tour: bootstrap the example setup, prove a re-run changes nothing, rotate, report.

Usage: <venv>/bin/python tests/tools/run_demo.py [--bootstrap-only] COLLECTIONS_DIR

COLLECTIONS_DIR holds ansible_collections/cloudtemple/harbor (the staged copy), so the FQCNs in the
playbooks resolve. Meant to run under tests/tools/with_emulator.py, which provides HARBOR_URL, the other
Harbor connection variables, K8S_AUTH_KUBECONFIG and EMULATOR_KUBE_URL. Steps, all with
playbooks/vars/example.yml:

1. playbooks/bootstrap.yml: creates the project, its policies, the robots and the pull secrets;
2. playbooks/bootstrap.yml again: must report changed=0, and the emulators' request logs must show no
   write at all (only GET and HEAD);
3. playbooks/rotate_robots.yml: a blue/green rotation of every pull robot;
4. playbooks/report.yml: what exists now.

Only changed tasks are printed (plus the report), so the whole tour fits on a screen or two. With
--bootstrap-only the tour stops after step 2: `make demo-versions` runs that check on other ansible-core
versions (each venv's ansible-playbook), where the rotation and the report add time but no coverage of what
differs between versions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
INVENTORY = os.path.join(REPO_ROOT, 'tests', 'tools', 'demo_inventory.yml')
PLAYBOOKS = os.path.join(REPO_ROOT, 'playbooks')
EXAMPLE_VARS = os.path.join(PLAYBOOKS, 'vars', 'example.yml')
RECAP_LINE = re.compile(r'^(?P<host>\S+)\s*:\s*ok=\d+\s+changed=(?P<changed>\d+)')


def run_playbook(name, environment, title, extra=()):
    """Run one playbook with live output; return (status, {host: changed count})."""
    print('\n==== make demo: %s ====' % title, flush=True)
    ansible_playbook = os.path.join(os.path.dirname(sys.executable), 'ansible-playbook')
    command = [ansible_playbook, '-i', INVENTORY, os.path.join(PLAYBOOKS, name), '-e', '@' + EXAMPLE_VARS]
    changed = {}
    started = time.monotonic()
    with subprocess.Popen(command + list(extra), env=environment, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            sys.stdout.write(line)
            match = RECAP_LINE.match(line)
            if match:
                changed[match.group('host')] = int(match.group('changed'))
    sys.stdout.flush()
    print('(%s took %.1f s)' % (name, time.monotonic() - started))
    return process.returncode, changed


def emulator_logs():
    """{emulator: its /_emulator/requests endpoint} for the emulators that are running."""
    endpoints = {'harbor': os.environ['HARBOR_URL'].rstrip('/') + '/_emulator/requests'}
    if os.environ.get('EMULATOR_KUBE_URL'):
        endpoints['kubernetes'] = os.environ['EMULATOR_KUBE_URL'].rstrip('/') + '/_emulator/requests'
    return endpoints


def control(url, method='GET'):
    """Call an emulator control endpoint (loopback only; the Kubernetes emulator's CA is private)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, context=context, timeout=10) as response:  # nosec: loopback test endpoint
        body = response.read()
    return json.loads(body) if body else None


def main():
    """Bootstrap, re-run, rotate and report; exit non-zero if a step fails or the re-run writes anything."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--bootstrap-only', action='store_true', help='stop after the second bootstrap')
    parser.add_argument('collections_dir')
    arguments = parser.parse_args()
    # the playbooks run with this interpreter's venv, so its ansible-core is the version under test
    from ansible.release import __version__ as ansible_core_version  # pylint: disable=import-outside-toplevel
    print('make demo: ansible-core %s on Python %d.%d' % ((ansible_core_version,) + sys.version_info[:2]))
    credentials_dir = tempfile.mkdtemp(prefix='harbor-demo-ci-')
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.abspath(arguments.collections_dir),
                       ANSIBLE_DISPLAY_OK_HOSTS='false', ANSIBLE_DISPLAY_SKIPPED_HOSTS='false')
    extra = ['-e', 'bootstrap_ci_credentials_dir=%s' % credentials_dir]

    status, changed = run_playbook('bootstrap.yml', environment, 'bootstrap (creates everything)', extra)
    if status:
        print('make demo: the first bootstrap failed (status %d)' % status)
        return status
    print('make demo: the first bootstrap changed %s' % (changed or 'nothing'))

    for url in emulator_logs().values():
        control(url, 'DELETE')
    status, changed = run_playbook('bootstrap.yml', environment, 'bootstrap again (must change nothing)', extra)
    if status:
        print('make demo: the second bootstrap failed (status %d)' % status)
        return status
    drifting = {host: count for host, count in changed.items() if count}
    if drifting or not changed:
        print('make demo: FAILED, the second bootstrap is not idempotent: %s' % (drifting or 'no PLAY RECAP found'))
        return 1
    for emulator, url in emulator_logs().items():
        requests = control(url)
        writes = [entry for entry in requests if entry['write']]
        if writes:
            print('make demo: FAILED, the second bootstrap sent writes to %s: %s' % (emulator, writes))
            return 1
        print('make demo: second bootstrap: changed=0, %d read-only requests to %s, no write' % (len(requests), emulator))
    if arguments.bootstrap_only:
        return 0

    status = run_playbook('rotate_robots.yml', environment, 'blue/green rotation of every pull robot', extra)[0]
    if status:
        print('make demo: the rotation failed (status %d)' % status)
        return status

    environment['ANSIBLE_DISPLAY_OK_HOSTS'] = 'true'
    for url in emulator_logs().values():
        control(url, 'DELETE')
    audit_log = os.path.join(credentials_dir, 'audit-log.json')
    status = run_playbook('report.yml', environment, 'what exists now',
                          extra + ['-e', 'report_audit_log_dest=%s' % audit_log])[0]
    if status:
        print('make demo: playbooks/report.yml failed (status %d)' % status)
        return status
    # The report reads with readers only: no write, not even a writer in check mode's login probe.
    for emulator, url in emulator_logs().items():
        writes = [entry for entry in control(url) if entry['write']]
        if writes:
            print('make demo: FAILED, playbooks/report.yml sent writes to %s: %s' % (emulator, writes))
            return 1
    if not os.path.exists(audit_log):
        print('make demo: FAILED, playbooks/report.yml did not export the audit log to %s' % audit_log)
        return 1
    print('make demo: the report only read, and exported the audit log to %s' % audit_log)
    return 0


if __name__ == '__main__':
    sys.exit(main())
