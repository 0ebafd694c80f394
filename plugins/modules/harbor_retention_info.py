#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_retention_info
short_description: Read the tag retention policy of a Harbor project and its recent runs
version_added: 0.1.0
description:
  - Returns the tag retention policy of one project in the terms M(cloudtemple.harbor.harbor_retention) takes
    (its O(cloudtemple.harbor.harbor_retention#module:rules) and
    O(cloudtemple.harbor.harbor_retention#module:schedule)), and its most recent runs.
  - The account needs C(tag-retention:read) and C(tag-retention:list) on the project (maintainers and project
    administrators), and to see the project.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  project:
    description:
      - Name of the project, which must exist.
    type: str
    required: true
  executions:
    description:
      - How many of the most recent runs to return, newest first, 0 to 100. V(0) reads none.
    type: int
    default: 5
  query:
    description:
      - A JMESPath expression applied to RV(policy); the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_retention
  - module: cloudtemple.harbor.harbor_immutable_rules_info
"""

EXAMPLES = r"""
---
- name: Read the retention policy of the payments project
  cloudtemple.harbor.harbor_retention_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
  register: payments_retention

- name: Apply the same policy to another project
  cloudtemple.harbor.harbor_retention:
    project: payments-staging
    rules: "{{ payments_retention.policy.rules }}"
    schedule: "{{ payments_retention.policy.schedule }}"
  when: payments_retention.policy

- name: Did the last run fail
  cloudtemple.harbor.harbor_retention_info:
    project: payments
    executions: 1
    query: "executions[?status == 'Error'] | length(@) > `0`"
  register: last_run_failed
"""

RETURN = r"""
---
policy:
  description:
    - The policy, empty when the project has none.
    - RV(policy.rules) and RV(policy.schedule) are what M(cloudtemple.harbor.harbor_retention) takes.
  returned: always
  type: dict
  contains:
    id:
      description: Harbor's id of the policy.
      type: int
      sample: 3
    project:
      description: The project.
      type: str
      sample: payments
    rules:
      description: The rules in the form of O(cloudtemple.harbor.harbor_retention#module:rules), defaults filled in.
      type: list
      elements: dict
      sample:
        - retain: {most_recently_pushed: 10}
          repositories: {matching: "**"}
          tags: {matching: release-*}
          untagged: false
          disabled: false
    schedule:
      description: V(hourly), V(daily), V(weekly), a cron, or V(none).
      type: str
      sample: daily
    harbor:
      description: The policy as Harbor returns it.
      type: dict
      sample: {id: 3, algorithm: or}
    executions:
      description: The most recent runs, newest first.
      type: list
      elements: dict
      sample:
        - id: 41
          status: Success
          trigger: SCHEDULE
          dry_run: false
          start_time: "2026-01-02T00:00:00.000Z"
          end_time: "2026-01-02T00:00:03.000Z"
query_result:
  description: The result of O(query) over RV(policy).
  returned: when O(query) is set
  type: raw
  sample: false
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.executions import EXECUTIONS_OPTION, check_executions
from ansible_collections.cloudtemple.harbor.plugins.module_utils.retention import (
    describe_policy,
    read_policy,
    recent_executions,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name


def read(module, client):
    project = check_harbor_name('project', module.params['project'])
    check_executions(module.params)
    linked = (client.require_project(project).get('metadata') or {}).get('retention_id')
    if not linked:
        return {}
    policy = describe_policy(read_policy(client, int(linked), project), project)
    policy['executions'] = recent_executions(client, int(linked), project, module.params['executions'])
    return policy


def main():
    run_info('policy', dict(project=dict(type='str', required=True), executions=dict(EXECUTIONS_OPTION)), read)


if __name__ == '__main__':
    main()
