#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_purge_audit_schedule
short_description: Schedule the purge of Harbor's audit log
version_added: 0.1.0
description:
  - Sets when Harbor purges old entries of its audit log (C(Administration > Clean Up > Log Rotation)), how old
    they must be and which kinds of events are purged.
  - Each system job has its own module (this one, M(cloudtemple.harbor.harbor_gc_schedule) and
    M(cloudtemple.harbor.harbor_scan_all_schedule)) rather than one module with a job option, because the jobs
    take different settings.
  - Only the options set in the task are compared. Harbor replaces the whole schedule on every change, so the
    module re-sends the settings the task does not mention as Harbor has them.
  - Needs a Harbor system administrator.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  schedule:
    description:
      - When the purge runs - V(hourly), V(daily) (at midnight), V(weekly) (Sunday at midnight), a cron, or V(none)
        to stop purging on a schedule.
      - A cron has 6 fields, seconds first - C(second minute hour day-of-month month day-of-week), and Harbor
        requires the seconds to be V(0), for example V(0 0 3 * * 6) for Saturdays at 03:00.
    type: str
  retention_hours:
    description:
      - Audit log entries older than this many hours are purged, 1 to 240000 (that is, up to 10000 days).
      - Required when the task creates the schedule.
    type: int
  event_types:
    description:
      - The kinds of events whose old entries are purged, for example V(create_artifact), V(delete_artifact),
        V(pull_artifact), or V(other). The Harbor UI lists the kinds this Harbor records.
      - Order does not matter. Required when the task creates the schedule.
    type: list
    elements: str
seealso:
  - module: cloudtemple.harbor.harbor_gc_schedule
  - module: cloudtemple.harbor.harbor_scan_all_schedule
  - name: Harbor log rotation
    description: Harbor's documentation on purging the audit log.
    link: https://goharbor.io/docs/main/administration/log-rotation/
"""

EXAMPLES = r"""
---
- name: Every Saturday at 03:00, purge pull events older than 30 days
  cloudtemple.harbor.harbor_purge_audit_schedule:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    schedule: "0 0 3 * * 6"
    retention_hours: 720
    event_types:
      - pull_artifact

- name: Keep the same schedule, purge more kinds of events
  cloudtemple.harbor.harbor_purge_audit_schedule:
    event_types: [create_artifact, delete_artifact, pull_artifact, other]
"""

RETURN = r"""
---
schedule:
  description:
    - The purge schedule after the change, in the module's terms, with Harbor's own representation in
      RV(schedule.harbor).
    - In check mode, the schedule as it was.
  returned: always
  type: dict
  contains:
    schedule:
      description: V(hourly), V(daily), V(weekly), a cron, or V(none).
      type: str
      sample: 0 0 3 * * 6
    cron:
      description: The cron Harbor runs, empty when nothing is scheduled.
      type: str
      sample: 0 0 3 * * 6
    retention_hours:
      description: Age in hours of the entries purged; null when nothing is scheduled.
      type: int
      sample: 720
    event_types:
      description: The kinds of events purged, sorted; null when nothing is scheduled.
      type: list
      elements: str
      sample: [pull_artifact]
    harbor:
      description: The schedule as Harbor returns it (empty when nothing is scheduled).
      type: dict
      sample:
        id: 7
        job_kind: 0 0 3 * * 6
        job_parameters: '{"audit_retention_hour":720,"dry_run":false,"include_event_types":"pull_artifact"}'
        schedule:
          type: Custom
          cron: 0 0 3 * * 6
  sample:
    schedule: 0 0 3 * * 6
    cron: 0 0 3 * * 6
    retention_hours: 720
    event_types: [pull_artifact]
    harbor:
      id: 7
"""

import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import Option, ValidationError, as_set, converge
from ansible_collections.cloudtemple.harbor.plugins.module_utils.schedule import SystemSchedule, purge_parameters

MAX_RETENTION_HOURS = 240000
EVENT_TYPE = re.compile(r'^[a-z][a-z_]*$')


def event_types(values):
    bad = [value for value in values if not EVENT_TYPE.match(str(value))]
    if bad or not values:
        raise ValidationError('event_types must list kinds of events such as create_artifact or pull_artifact '
                              '(lower-case words joined by "_"), got %r' % (bad or values))
    return as_set(values)


class AuditPurgeSchedule(SystemSchedule):
    path = '/system/purgeaudit/schedule'
    job = 'audit log purge'
    rbac_resource = 'purge-audit'
    options = SystemSchedule.options + (Option('retention_hours'), Option('event_types', normalize=event_types))
    parameter_options = ('retention_hours', 'event_types')

    def validate(self, desired):
        super().validate(desired)
        hours = desired.get('retention_hours')
        if hours is not None and not 1 <= hours <= MAX_RETENTION_HOURS:
            raise ValidationError('retention_hours must be 1 to %d, got %d' % (MAX_RETENTION_HOURS, hours))

    def parameters_of(self, current):
        return purge_parameters(current)

    def check_new_schedule(self, desired):
        missing = [name for name in self.parameter_options if name not in desired]
        if missing:
            raise ValidationError('%s is required to create the audit log purge schedule: Harbor needs both '
                                  'retention_hours and event_types' % missing[0])

    def harbor_parameters(self, values):
        return dict(audit_retention_hour=values['retention_hours'], include_event_types=','.join(values['event_types']),
                    dry_run=False)


def main():
    converge(AuditPurgeSchedule, dict(schedule=dict(type='str'), retention_hours=dict(type='int'),
                                      event_types=dict(type='list', elements='str')),
             state=False, required_one_of=[('schedule', 'retention_hours', 'event_types')])


if __name__ == '__main__':
    main()
