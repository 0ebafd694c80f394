#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_webhook_info
short_description: Read the webhook policies of a Harbor project, and their recent deliveries
version_added: 0.1.0
description:
  - Returns the webhook policies of a project, without their auth headers (each target says whether it has one).
  - Optionally, the latest deliveries of each policy, their attempts and the job logs, to see why a target was not
    reached.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  project:
    description:
      - The project, which must exist. The account needs C(notification-policy:list) on it, which project
        administrators and maintainers have.
    type: str
    required: true
  name:
    description:
      - Return only the policy of exactly this name.
    type: str
  deliveries:
    description:
      - How many of the latest deliveries (one per event and target) to return with each policy, newest first,
        in RV(webhooks[].deliveries). V(0) reads none.
    type: int
    default: 0
  logs:
    description:
      - With O(deliveries), also return the job log of each delivery attempt (it holds the payload sent, never the
        auth header).
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression applied to the list of policies; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_webhook
"""

EXAMPLES = r"""
---
- name: The webhook policies of payments, with their three latest deliveries
  cloudtemple.harbor.harbor_webhook_info:
    project: payments
    deliveries: 3
  register: hooks

- name: The addresses that receive pushes
  cloudtemple.harbor.harbor_webhook_info:
    project: payments
    query: "[?enabled && contains(events, 'PUSH_ARTIFACT')].targets[].address"
"""

RETURN = r"""
---
webhooks:
  description: The policies, sorted by name; empty when none matches.
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
      sample: deployer
    description:
      description: The description, V("") for none.
      type: str
    project:
      description: The project's name.
      type: str
      sample: payments
    project_id:
      description: Harbor's id of the project.
      type: int
    enabled:
      description: Whether Harbor sends the events.
      type: bool
    events:
      description: The event types, sorted.
      type: list
      elements: str
      sample: [PUSH_ARTIFACT, SCANNING_COMPLETED]
    targets:
      description: The targets, sorted by address; C(auth_header_set) tells whether one has an auth header.
      type: list
      elements: dict
      sample: [{type: http, address: "https://deployer.example.com/harbor", skip_cert_verify: false,
                payload_format: CloudEvents, auth_header_set: true}]
    creator:
      description: The creator Harbor recorded, V("") for none.
      type: str
    creation_time:
      description: When the policy was created.
      type: str
    update_time:
      description: When the policy was last changed.
      type: str
    deliveries:
      description:
        - With O(deliveries), the latest deliveries, newest first; each C(tasks) entry is one delivery job with
          its C(run_count) attempts, its C(status) and, with O(logs), its C(log).
      returned: when O(deliveries) is above 0
      type: list
      elements: dict
      sample: [{id: 31, event_type: PUSH_ARTIFACT, target_type: http, status: Success,
                start_time: "2026-01-05T10:00:00Z", end_time: "2026-01-05T10:00:01Z",
                tasks: [{id: 30, status: Success, status_message: "", run_count: 1,
                         start_time: "2026-01-05T10:00:00Z", end_time: "2026-01-05T10:00:01Z"}]}]
query_result:
  description: The result of O(query) over RV(webhooks).
  returned: when O(query) is set
  type: raw
  sample: ["https://deployer.example.com/harbor"]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import ValidationError, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_given, check_harbor_name
from ansible_collections.cloudtemple.harbor.plugins.module_utils.webhooks import (
    check_name,
    describe,
    list_policies,
    permission,
    recent_deliveries,
)


def read(module, client):
    project, count = module.params['project'], module.params['deliveries']
    check_harbor_name('project', project)
    check_given(module.params, name=check_name)
    if not 0 <= count <= 100:
        raise ValidationError('deliveries must be between 0 and 100, got %d' % count)
    client.require_project(project, permission=permission('list', project))
    webhooks = []
    for policy in list_policies(client, project, module.params['name']):
        webhook = describe(policy, project)
        if count:
            webhook['deliveries'] = recent_deliveries(client, project, policy['id'], count, module.params['logs'])
        webhooks.append(webhook)
    return webhooks


def main():
    run_info('webhooks', dict(project=dict(type='str', required=True), name=dict(type='str'),
                              deliveries=dict(type='int', default=0), logs=dict(type='bool', default=False)),
             read, order='name')


if __name__ == '__main__':
    main()
