#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_scan
short_description: Scan an artifact in Harbor and gate on its vulnerabilities
version_added: 0.1.0
description:
  - Makes sure an artifact has a completed vulnerability scan (or SBOM), starting one with the project's scanner when
    it has none, and fails when the scan found vulnerabilities at or above O(fail_on_severity) that the CVE allowlist
    in effect does not cover; this is the check to run before promoting an image to production.
  - A completed scan is reused unless O(rescan) is set; a scan that is already running is waited for, not started
    again. Only starting a scan is a change.
  - Optionally writes Harbor's JSON vulnerability report to a file, for the records of a release.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
attributes:
  check_mode:
    details:
      - In check mode no scan is started; the task reports the change a real run would be, and gates on a completed
        scan when there is one to reuse.
  diff_mode:
    support: full
    details:
      - When a scan starts, the diff shows the status and report id of the last scan before and of the new one after.
  idempotent:
    support: partial
    details:
      - Without O(rescan), a second run reuses the completed scan and changes nothing. With it, every run starts a scan.
options:
  project:
    description:
      - The project of the artifact. The account needs C(scan:create) (C(sbom:create) for an SBOM) and
        C(artifact:read) on it, which a project maintainer or a robot with those permissions has.
    type: str
    required: true
  repository:
    description:
      - The repository, without the project, such as V(api) or V(team/api).
    type: str
    required: true
  reference:
    description:
      - The artifact's tag, or its digest (V(sha256:...)). A digest scans exactly what will be promoted.
    type: str
    required: true
  scan_type:
    description:
      - V(vulnerability) scans for known vulnerabilities; V(sbom) has the scanner generate a software bill of materials,
        attached to the artifact as an accessory (Harbor 2.11 or newer).
    type: str
    choices: [vulnerability, sbom]
    default: vulnerability
  rescan:
    description:
      - Start a new scan even when a completed one exists, to take newly published vulnerabilities into account.
    type: bool
    default: false
  wait:
    description:
      - Wait for the scan to end. Without it, the task returns as soon as the scan has started (or is found running).
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait at most; the task fails when the scan is still going then (it goes on in Harbor).
    type: int
    default: 600
  fail_on_severity:
    description:
      - Fail when the scan found a vulnerability of this severity or higher that the CVE allowlist in effect for the
        project does not cover (its own, or the system allowlist when the project reuses it; an expired allowlist
        covers nothing). The failure lists them.
      - V(none) never fails on findings. Needs O(wait) and O(scan_type=vulnerability).
    type: str
    choices: [none, low, medium, high, critical]
    default: none
  report_path:
    description:
      - Write Harbor's JSON vulnerability report (as C(GET .../additions/vulnerabilities) answers it, by report MIME type)
        to this file on the host that runs the module, readable by its owner only (mode 0600). Not written in check mode.
      - Needs O(wait) and O(scan_type=vulnerability).
    type: path
notes:
  - A scan that ends in error fails the task; the scanner's log is in Harbor (Vulnerabilities, Log).
  - A project without a scanner (no default scanner in Harbor, none set for the project) fails with that message.
seealso:
  - module: cloudtemple.harbor.harbor_artifact_info
  - module: cloudtemple.harbor.harbor_system_cve_allowlist
  - module: cloudtemple.harbor.harbor_project
    description: A project's own CVE allowlist, and whether it reuses the system one.
"""

EXAMPLES = r"""
---
- name: Gate the release on a completed scan with nothing High or Critical
  cloudtemple.harbor.harbor_scan:
    harbor_url: https://harbor.example.com
    harbor_username: "robot$payments+ci"
    harbor_password: "{{ vault_ci_robot_secret }}"
    project: payments
    repository: api
    reference: 2.3.4
    fail_on_severity: high
    report_path: "reports/payments-api-2.3.4.json"

- name: Generate an SBOM, without waiting for it
  cloudtemple.harbor.harbor_scan:
    project: payments
    repository: api
    reference: "{{ lookup('cloudtemple.harbor.artifact_digest', 'payments/api:2.3.4') }}"
    scan_type: sbom
    wait: false
"""

RETURN = r"""
---
digest:
  description: The digest of the scanned artifact.
  returned: always
  type: str
  sample: sha256:1d6c2a0e9d5e7b1c1f3a2b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80
scan:
  description:
    - The scan (see RV(cloudtemple.harbor.harbor_artifact_info#module:artifacts[].scan)); for an SBOM its status, digest
      and end time. V(null) in check mode when the artifact was never scanned.
  returned: always
  type: dict
  sample: {"status": "Success", "severity": "High", "summary": {"High": 1, "Low": 2}, "total": 3}
findings:
  description: The vulnerabilities at or above O(fail_on_severity) not covered by the allowlist, highest first.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The vulnerability id.
      type: str
      sample: CVE-2099-0001
    package:
      description: The package that has it.
      type: str
      sample: libfixture-high
    version:
      description: The package's installed version.
      type: str
      sample: 1.0.0-1
    fix_version:
      description: The first version that fixes it, V(null) when none does yet.
      type: str
      sample: 1.2.0-1
    severity:
      description: Its severity.
      type: str
      sample: High
"""

import time

from ansible_collections.cloudtemple.harbor.plugins.module_utils import artifacts
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    HarborError,
    ValidationError,
    harbor_module,
    run_module,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name


def check(params):
    check_harbor_name('project', params['project'])
    artifacts.check_repository('repository', params['repository'])
    artifacts.check_reference('reference', params['reference'])
    needs_report = [option for option in ('fail_on_severity', 'report_path')
                    if params[option] not in (None, 'none')]
    if needs_report and params['scan_type'] != 'vulnerability':
        raise ValidationError('%s needs scan_type: vulnerability (an SBOM has no findings)' % needs_report[0])
    if needs_report and not params['wait']:
        raise ValidationError('%s needs wait: true, to read the completed scan' % needs_report[0])
    if params['wait_timeout'] <= 0:
        raise ValidationError('wait_timeout must be a positive number of seconds, got %d' % params['wait_timeout'])


def main():
    module = harbor_module(dict(
        project=dict(type='str', required=True),
        repository=dict(type='str', required=True),
        reference=dict(type='str', required=True),
        scan_type=dict(type='str', choices=list(artifacts.SCAN_TYPES), default='vulnerability'),
        rescan=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=600),
        fail_on_severity=dict(type='str', choices=['none', 'low', 'medium', 'high', 'critical'], default='none'),
        report_path=dict(type='path'),
    ))
    params = module.params

    def scan(client):
        check(params)
        name, repository, reference, scan_type = (params['project'], params['repository'], params['reference'],
                                                  params['scan_type'])
        project = client.require_project(name, permission='scan:create')
        artifact = artifacts.require_artifact(client, name, repository, reference)
        overview = artifacts.scan_overview(artifact, scan_type)
        status = (overview or {}).get('scan_status')
        running = status in artifacts.RUNNING_SCAN_STATUSES
        start = not running and (params['rescan'] or status != 'Success')
        if start and not artifacts.project_scanner(client, name):
            raise HarborError('project %r has no scanner: register one in Harbor (Interrogation Services) and make it '
                              'the default or the project\'s, then scan' % name)
        result = dict(changed=start, digest=artifact['digest'], findings=[])
        before = overview
        if module.check_mode and start:
            return dict(result, scan=artifacts.describe_overview(overview, scan_type),
                        **scan_diff(before, dict(scan_status='Pending'), start))
        if start:
            artifacts.start_scan(client, name, repository, artifact['digest'], scan_type)
        if params['wait'] and (start or running):
            replaced = (overview or {}).get('report_id') if start else None
            overview = artifacts.wait_for_scan(client, name, repository, artifact['digest'], scan_type,
                                               params['wait_timeout'], replaced)
        elif start:
            overview = artifacts.scan_overview(artifacts.require_artifact(client, name, repository, artifact['digest']),
                                               scan_type)
        result['scan'] = artifacts.describe_overview(overview, scan_type)
        result.update(scan_diff(before, overview, start))
        if not params['wait']:
            return result
        what = '%s scan of %s' % (scan_type, artifacts.format_reference(name, repository, reference))
        if result['scan']['status'] != 'Success':
            module.fail_json(msg='the %s ended with status %s; the scanner\'s log is in Harbor' % (
                what, result['scan']['status']), **result)
        return gate(client, project, artifact, result, what)

    def scan_diff(before, after, started):
        """With --diff, the scan a started one replaces and the new one (status and report id)."""
        if not module._diff or not started:
            return {}
        return dict(diff=dict(before=artifacts.scan_state(before), after=artifacts.scan_state(after)))

    def gate(client, project, artifact, result, what):
        if params['fail_on_severity'] == 'none' and not params['report_path']:
            return result
        report = artifacts.vulnerability_report(client, params['project'], params['repository'], artifact['digest'])
        if params['report_path'] and not module.check_mode:
            artifacts.write_report(params['report_path'], report)
        if params['fail_on_severity'] == 'none':
            return result
        allowlist = artifacts.effective_allowlist(client, project, int(time.time()))
        result['findings'] = artifacts.blocking_findings(artifacts.report_vulnerabilities(report),
                                                         params['fail_on_severity'], allowlist)
        if result['findings']:
            count = len(result['findings'])
            module.fail_json(msg='the %s found %d %s at or above %s that no CVE allowlist covers: %s' % (
                what, count, 'vulnerability' if count == 1 else 'vulnerabilities', params['fail_on_severity'],
                artifacts.describe_findings(result['findings'])), **result)
        return result

    run_module(module, scan)


if __name__ == '__main__':
    main()
