#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_replication_info
short_description: Read Harbor replication policies and their recent replications
version_added: 0.1.0
description:
  - Returns the replication policies of Harbor, in the terms of M(cloudtemple.harbor.harbor_replication), each
    with its most recent replications (executions).
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  name:
    description:
      - Return only the policy of exactly this name.
    type: str
  executions:
    description:
      - How many of the most recent replications of each policy to return, newest first; V(0) for none, which
        saves a request per policy.
    type: int
    default: 5
  query:
    description:
      - A JMESPath expression applied to the list of policies; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
notes:
  - Reading replication needs a Harbor system administrator.
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_replication
  - module: cloudtemple.harbor.harbor_registry_info
"""

EXAMPLES = r"""
---
- name: Read the replication policies and their last replications
  cloudtemple.harbor.harbor_replication_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
  register: replication

- name: Policies whose last replication failed
  cloudtemple.harbor.harbor_replication_info:
    executions: 1
    query: "[?executions[0].status=='Failed'].name"
  register: failing
"""

RETURN = r"""
---
policies:
  description:
    - The policies, sorted by name; empty when none matches. Each has the keys that
      M(cloudtemple.harbor.harbor_replication) returns, and RV(policies[].executions).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Harbor's id of the policy.
      type: int
      sample: 4
    name:
      description: The name.
      type: str
      sample: payments-to-dr
    direction:
      description: V(push) or V(pull).
      type: str
      sample: push
    registry:
      description: The name of the registry endpoint on the other side.
      type: str
      sample: harbor-dr
    source_filters:
      description: The filters, every key present (V(null) when unset).
      type: dict
      sample: {name: payments/**, tag: null, tag_match: null, labels: null, label_match: null, resource_type: null}
    trigger:
      description: V(manual), V(event_based), V(hourly), V(daily), V(weekly) or a cron.
      type: str
      sample: event_based
    enabled:
      description: Whether the policy runs.
      type: bool
      sample: true
    executions:
      description: The most recent replications, newest first.
      type: list
      elements: dict
      sample: [{id: 17, status: Succeed, status_text: "", trigger: event_based, total: 1, succeed: 1, failed: 0,
                in_progress: 0, stopped: 0, start_time: "2026-01-05T10:00:00Z", end_time: "2026-01-05T10:00:07Z"}]
query_result:
  description: The result of O(query) over RV(policies).
  returned: when O(query) is set
  type: raw
  sample: [payments-to-dr]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import ValidationError, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.executions import EXECUTIONS_OPTION, check_executions
from ansible_collections.cloudtemple.harbor.plugins.module_utils.replication import (
    describe_policy,
    list_policies,
    recent_executions,
)


def read(module, client):
    params = module.params
    if params['name'] is not None and not params['name']:
        raise ValidationError('name must not be empty')
    check_executions(params)
    return [describe_policy(policy, recent_executions(client, policy['id'], params['executions']))
            for policy in list_policies(client, params['name'])]


def main():
    run_info('policies', dict(name=dict(type='str'), executions=dict(EXECUTIONS_OPTION)), read, order='name')


if __name__ == '__main__':
    main()
