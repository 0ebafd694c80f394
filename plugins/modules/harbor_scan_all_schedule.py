#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_scan_all_schedule
short_description: Schedule Harbor's vulnerability scan of every artifact
version_added: 0.1.0
description:
  - Sets when Harbor scans all its artifacts for vulnerabilities (C(Interrogation Services > Vulnerability >
    Schedule to scan all)), so that artifacts pushed long ago are checked against newly published CVEs.
  - Each system job has its own module (this one, M(cloudtemple.harbor.harbor_gc_schedule) and
    M(cloudtemple.harbor.harbor_purge_audit_schedule)) rather than one module with a job option, because the jobs
    take different settings.
  - Harbor refuses to create a second scan-all schedule, so the module creates one only when none exists and
    changes it otherwise.
  - Needs a Harbor system administrator, and a default scanner (Harbor answers 412 without one).
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  schedule:
    description:
      - When the scan of all artifacts runs - V(hourly), V(daily) (at midnight), V(weekly) (Sunday at midnight), a
        cron, or V(none) to stop scanning everything on a schedule.
      - A cron has 6 fields, seconds first - C(second minute hour day-of-month month day-of-week), and Harbor
        requires the seconds to be V(0), for example V(0 0 1 * * *) for 01:00 every day.
    type: str
    required: true
seealso:
  - module: cloudtemple.harbor.harbor_gc_schedule
  - module: cloudtemple.harbor.harbor_purge_audit_schedule
  - module: cloudtemple.harbor.harbor_project
    description: Scan on push per project (O(cloudtemple.harbor.harbor_project#module:auto_scan)).
  - name: Harbor vulnerability scanning
    description: Harbor's documentation on scanning all artifacts.
    link: https://goharbor.io/docs/main/administration/vulnerability-scanning/scan-all-artifacts/
"""

EXAMPLES = r"""
---
- name: Rescan every artifact each night at 01:00
  cloudtemple.harbor.harbor_scan_all_schedule:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    schedule: "0 0 1 * * *"

- name: Rescan once a week instead
  cloudtemple.harbor.harbor_scan_all_schedule:
    schedule: weekly
"""

RETURN = r"""
---
schedule:
  description:
    - The scan-all schedule after the change, in the module's terms, with Harbor's own representation in
      RV(schedule.harbor).
    - In check mode, the schedule as it was.
  returned: always
  type: dict
  contains:
    schedule:
      description: V(hourly), V(daily), V(weekly), a cron, or V(none).
      type: str
      sample: 0 0 1 * * *
    cron:
      description: The cron Harbor runs, empty when nothing is scheduled.
      type: str
      sample: 0 0 1 * * *
    harbor:
      description: The schedule as Harbor returns it (empty when nothing is scheduled).
      type: dict
      sample:
        id: 3
        status: Scheduled
        schedule:
          type: Custom
          cron: 0 0 1 * * *
  sample:
    schedule: 0 0 1 * * *
    cron: 0 0 1 * * *
    harbor:
      id: 3
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import converge
from ansible_collections.cloudtemple.harbor.plugins.module_utils.schedule import SystemSchedule


class ScanAllSchedule(SystemSchedule):
    path = '/system/scanAll/schedule'
    job = 'scan of all artifacts'
    rbac_resource = 'scan-all'


def main():
    converge(ScanAllSchedule, dict(schedule=dict(type='str', required=True)), state=False)


if __name__ == '__main__':
    main()
