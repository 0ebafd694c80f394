#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_schedule_info
short_description: Read Harbor's system job schedules and their last runs
version_added: 0.1.0
description:
  - Returns the schedules of garbage collection, of the scan of all artifacts and of the audit log purge, in the
    terms of M(cloudtemple.harbor.harbor_gc_schedule), M(cloudtemple.harbor.harbor_scan_all_schedule) and
    M(cloudtemple.harbor.harbor_purge_audit_schedule), with their most recent runs.
  - Needs a Harbor system administrator.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  jobs:
    description:
      - The jobs to read - V(gc), V(scan_all), V(purge_audit). Default all three.
    type: list
    elements: str
    choices: [gc, scan_all, purge_audit]
  executions:
    description:
      - How many of the most recent garbage collections and purges to return, newest first, 0 to 100.
      - Harbor keeps no list of the scans of all artifacts, only the progress of the last one (C(last_run) in
        RV(schedules.scan_all)).
    type: int
    default: 5
  query:
    description:
      - A JMESPath expression applied to RV(schedules); the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_gc_schedule
  - module: cloudtemple.harbor.harbor_scan_all_schedule
  - module: cloudtemple.harbor.harbor_purge_audit_schedule
"""

EXAMPLES = r"""
---
- name: Read the system schedules
  cloudtemple.harbor.harbor_schedule_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
  register: system_schedules

- name: Did the last garbage collection fail
  cloudtemple.harbor.harbor_schedule_info:
    jobs: [gc]
    executions: 1
    query: "gc.executions[0].status == 'Error'"
  register: last_gc_failed
"""

RETURN = r"""
---
schedules:
  description: One entry per job read, each in the terms of its module.
  returned: always
  type: dict
  contains:
    gc:
      description:
        - Garbage collection - C(schedule), C(cron), C(delete_untagged), C(workers) (null when nothing is
          scheduled), C(harbor) (Harbor's form), and C(executions), the most recent runs, each with C(id),
          C(status), C(trigger) (V(MANUAL) or V(SCHEDULE)), C(start_time), C(end_time) and C(parameters).
      returned: when O(jobs) includes V(gc)
      type: dict
      sample:
        schedule: 0 30 2 * * *
        cron: 0 30 2 * * *
        delete_untagged: true
        workers: 1
        executions:
          - {id: 12, status: Success, trigger: SCHEDULE, start_time: "2026-01-02T02:30:00.000Z",
             end_time: "2026-01-02T02:31:10.000Z", parameters: {delete_untagged: true, workers: 1}}
    scan_all:
      description:
        - Scan of all artifacts - C(schedule), C(cron), C(harbor), and C(last_run), the progress of the last scan
          of all artifacts (C(total), C(completed), C(metrics) by status, C(trigger), C(ongoing)), empty when none
          ran.
        - C(scanner) is V(false) when Harbor has no default scanner, which the scan of all artifacts needs.
      returned: when O(jobs) includes V(scan_all)
      type: dict
      sample:
        schedule: daily
        cron: 0 0 0 * * *
        scanner: true
        last_run: {total: 10, completed: 10, ongoing: false, trigger: Schedule,
                   metrics: {Success: 10, Error: 0, Pending: 0, Running: 0, Stopped: 0}}
    purge_audit:
      description:
        - Audit log purge - C(schedule), C(cron), C(retention_hours), C(event_types), C(harbor) and C(executions)
          as for RV(schedules.gc).
      returned: when O(jobs) includes V(purge_audit)
      type: dict
      sample:
        schedule: 0 0 3 * * 6
        cron: 0 0 3 * * 6
        retention_hours: 720
        event_types: [pull_artifact]
        executions: []
query_result:
  description: The result of O(query) over RV(schedules).
  returned: when O(query) is set
  type: raw
  sample: false
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import HarborError, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.executions import EXECUTIONS_OPTION, check_executions
from ansible_collections.cloudtemple.harbor.plugins.module_utils.schedule import (
    describe_schedule,
    gc_parameters,
    job_history,
    purge_parameters,
)

ADMIN = ' (system administrators only)'
# job -> (schedule path, history path, RBAC resource, settings reader)
HISTORY_JOBS = dict(
    gc=('/system/gc/schedule', '/system/gc', 'garbage-collection', gc_parameters),
    purge_audit=('/system/purgeaudit/schedule', '/system/purgeaudit', 'purge-audit', purge_parameters),
)


def read_schedule(client, path, rbac_resource):
    body = client.get(path, permission='%s:read%s' % (rbac_resource, ADMIN))
    return body if isinstance(body, dict) else {}


def read_scan_all(client):
    """Harbor answers 412 to every scan-all request while it has no default scanner."""
    try:
        current = read_schedule(client, '/system/scanAll/schedule', 'scan-all')
        last_run = client.get('/scans/all/metrics', permission='scan-all:read' + ADMIN)
    except HarborError as error:
        if error.status != 412:
            raise
        return dict(describe_schedule({}), scanner=False, last_run={})
    return dict(describe_schedule(current), scanner=True, last_run=last_run if isinstance(last_run, dict) else {})


def read(module, client):
    check_executions(module.params)
    schedules = {}
    for job in module.params['jobs'] or ['gc', 'scan_all', 'purge_audit']:
        if job == 'scan_all':
            schedules[job] = read_scan_all(client)
            continue
        path, history, rbac_resource, parameters = HISTORY_JOBS[job]
        schedules[job] = describe_schedule(read_schedule(client, path, rbac_resource), parameters)
        schedules[job]['executions'] = job_history(client, history, rbac_resource, module.params['executions'])
    return schedules


def main():
    run_info('schedules', dict(jobs=dict(type='list', elements='str', choices=['gc', 'scan_all', 'purge_audit']),
                               executions=dict(EXECUTIONS_OPTION)), read)


if __name__ == '__main__':
    main()
