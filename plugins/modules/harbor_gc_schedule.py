#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_gc_schedule
short_description: Schedule Harbor's garbage collection
version_added: 0.1.0
description:
  - Sets when Harbor's garbage collection runs (C(Administration > Clean Up > Garbage Collection)), and how.
    Garbage collection removes the blobs no artifact uses any more, which is what frees the storage after
    retention or deletions.
  - Each system job has its own module (this one, M(cloudtemple.harbor.harbor_purge_audit_schedule) and
    M(cloudtemple.harbor.harbor_scan_all_schedule)) rather than one module with a job option, because the jobs
    take different settings; so every option here applies, and is checked, for garbage collection.
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
      - When garbage collection runs - V(hourly), V(daily) (at midnight), V(weekly) (Sunday at midnight), a cron,
        or V(none) to stop running it on a schedule.
      - A cron has 6 fields, seconds first - C(second minute hour day-of-month month day-of-week), and Harbor
        requires the seconds to be V(0), for example V(0 30 2 * * *) for 02:30 every day. It is checked before
        any request; a cron equal to a named schedule counts as that name.
    type: str
  delete_untagged:
    description:
      - Also delete the artifacts that have no tag left (C(Allow garbage collection on untagged artifacts)).
      - When a schedule is created without it, Harbor's default V(false) is used.
    type: bool
  workers:
    description:
      - How many workers delete blobs in parallel, 1 to 10.
      - When a schedule is created without it, V(1) is used, as in the Harbor UI.
    type: int
notes:
  - Harbor answers an empty body when nothing is scheduled; the module reports that as O(schedule=none).
seealso:
  - module: cloudtemple.harbor.harbor_purge_audit_schedule
  - module: cloudtemple.harbor.harbor_scan_all_schedule
  - module: cloudtemple.harbor.harbor_retention
  - name: Harbor garbage collection
    description: Harbor's documentation on garbage collection.
    link: https://goharbor.io/docs/main/administration/garbage-collection/
"""

EXAMPLES = r"""
---
- name: Collect garbage every night at 02:30, untagged artifacts included
  cloudtemple.harbor.harbor_gc_schedule:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    schedule: "0 30 2 * * *"
    delete_untagged: true
    workers: 2

- name: Stop the scheduled garbage collection
  cloudtemple.harbor.harbor_gc_schedule:
    schedule: none
"""

RETURN = r"""
---
schedule:
  description:
    - The garbage collection schedule after the change, in the module's terms, with Harbor's own representation
      in RV(schedule.harbor).
    - In check mode, the schedule as it was.
  returned: always
  type: dict
  contains:
    schedule:
      description: V(hourly), V(daily), V(weekly), a cron, or V(none).
      type: str
      sample: 0 30 2 * * *
    cron:
      description: The cron Harbor runs, empty when nothing is scheduled.
      type: str
      sample: 0 30 2 * * *
    delete_untagged:
      description: Whether untagged artifacts are deleted too; null when nothing is scheduled.
      type: bool
      sample: true
    workers:
      description: The number of workers; null when nothing is scheduled.
      type: int
      sample: 2
    harbor:
      description: The schedule as Harbor returns it (empty when nothing is scheduled).
      type: dict
      sample:
        id: 4
        job_kind: 0 30 2 * * *
        job_parameters: '{"delete_tag":false,"delete_untagged":true,"workers":2}'
        schedule:
          type: Custom
          cron: 0 30 2 * * *
          next_scheduled_time: "2026-01-02T02:30:00.000Z"
  sample:
    schedule: 0 30 2 * * *
    cron: 0 30 2 * * *
    delete_untagged: true
    workers: 2
    harbor:
      id: 4
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import Option, ValidationError, converge
from ansible_collections.cloudtemple.harbor.plugins.module_utils.schedule import SystemSchedule, gc_parameters

MIN_WORKERS = 1
MAX_WORKERS = 10


class GarbageCollectionSchedule(SystemSchedule):
    path = '/system/gc/schedule'
    job = 'garbage collection'
    rbac_resource = 'garbage-collection'
    options = SystemSchedule.options + (Option('delete_untagged'), Option('workers'))
    parameter_options = ('delete_untagged', 'workers')

    def validate(self, desired):
        super().validate(desired)
        if 'workers' in desired and not MIN_WORKERS <= desired['workers'] <= MAX_WORKERS:
            raise ValidationError('workers must be %d to %d, got %d' % (MIN_WORKERS, MAX_WORKERS, desired['workers']))

    def parameters_of(self, current):
        return gc_parameters(current)

    def harbor_parameters(self, values):
        workers = values.get('workers')
        return dict(delete_untagged=bool(values.get('delete_untagged')), workers=MIN_WORKERS if workers is None else workers)


def main():
    converge(GarbageCollectionSchedule, dict(schedule=dict(type='str'), delete_untagged=dict(type='bool'),
                                             workers=dict(type='int')),
             state=False, required_one_of=[('schedule', 'delete_untagged', 'workers')])


if __name__ == '__main__':
    main()
