#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_webhook
short_description: Manage the webhook policies of a Harbor project
version_added: 0.1.0
description:
  - Creates, changes or deletes a webhook policy of a project (C(Webhooks) in the Harbor UI), that is which events
    Harbor announces (a push, a pull, a deletion, a scan ending, a quota warning...) and to which targets.
  - A policy is known by its name within its project; only the options set in the task are compared, and a change
    is made in place (Harbor replaces the whole policy, so what the task leaves out is sent as it is).
  - Harbor does not call a target when the policy is saved; it posts to it when an event happens, and retries a
    failed delivery. M(cloudtemple.harbor.harbor_webhook_info) shows the recent deliveries and their logs.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  project:
    description:
      - Name of the project. It must exist for O(state=present).
      - The account needs C(notification-policy:create), C(update) or C(delete) on the project, which project
        administrators have.
    type: str
    required: true
  name:
    description:
      - Name of the policy, unique within the project.
    type: str
    required: true
  description:
    description:
      - What the policy is for. V("") clears it.
    type: str
  events:
    description:
      - The event types Harbor announces to the targets, compared as a set. Required to create a policy.
      - C(SCANNING_COMPLETED) comes with the scan summary; C(QUOTA_WARNING) fires at 85% of the project's storage
        quota, on every push past it.
    type: list
    elements: str
    choices: [PUSH_ARTIFACT, PULL_ARTIFACT, DELETE_ARTIFACT, QUOTA_EXCEED, QUOTA_WARNING, SCANNING_FAILED,
              SCANNING_STOPPED, SCANNING_COMPLETED, REPLICATION, TAG_RETENTION]
  targets:
    description:
      - Where Harbor posts each event, compared as a set by address. Required to create a policy.
    type: list
    elements: dict
    suboptions:
      address:
        description:
          - The URL Harbor posts to, with its C(http://) or C(https://) scheme. Each address may appear once.
        type: str
        required: true
      type:
        description:
          - V(http) posts Harbor's JSON payload; V(slack) posts a Slack Block Kit message to a Slack incoming
            webhook URL.
        type: str
        choices: [http, slack]
        default: http
      auth_header:
        description:
          - The value of the C(Authorization) header Harbor sends with each delivery, such as V(Bearer s3cr3t).
            Only for V(http) targets.
          - Write-only for the collection, never returned nor shown in a diff; see O(update_secret).
        type: str
      skip_cert_verify:
        description:
          - Do not verify the target's TLS certificate.
        type: bool
        default: false
      payload_format:
        description:
          - V(Default) is Harbor's own JSON envelope; V(CloudEvents) a CloudEvents 1.0 event in structured mode.
          - Only for V(http) targets, which default to V(Default); Harbor refuses it for V(slack).
        type: str
        choices: [Default, CloudEvents]
  update_secret:
    description:
      - V(on_create) sets a target's O(targets[].auth_header) when the target is added, and keeps the header of a
        target that already exists.
      - V(always) makes each target's header what the task says (none when the task gives none) and changes it
        when it differs.
    type: str
    choices: [always, on_create]
    default: on_create
  enabled:
    description:
      - Whether Harbor sends the events. A policy created without it is enabled.
    type: bool
  state:
    description:
      - V(present) creates or changes the policy; V(absent) deletes it, with its delivery history.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cloudtemple.harbor.harbor_webhook_info
  - module: cloudtemple.harbor.harbor_project
  - name: Harbor webhooks
    description: Harbor's documentation on project webhooks and their payloads.
    link: https://goharbor.io/docs/main/working-with-projects/project-configuration/configure-webhooks/
"""

EXAMPLES = r"""
---
- name: Tell the deployment service about every push and finished scan of payments
  cloudtemple.harbor.harbor_webhook:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
    name: deployer
    description: Pushes and scans, for the deployment service
    events: [PUSH_ARTIFACT, SCANNING_COMPLETED, SCANNING_FAILED]
    targets:
      - address: https://deployer.example.com/harbor
        auth_header: "Bearer {{ vault_deployer_token }}"
        payload_format: CloudEvents

- name: Quota warnings to the team's Slack channel
  cloudtemple.harbor.harbor_webhook:
    project: payments
    name: quota-alerts
    events: [QUOTA_WARNING, QUOTA_EXCEED]
    targets:
      - type: slack
        address: "{{ vault_slack_webhook_url }}"

- name: Delete the policy
  cloudtemple.harbor.harbor_webhook:
    project: payments
    name: deployer
    state: absent
"""

RETURN = r"""
---
webhook:
  description:
    - The policy after the change, without any auth header (each target says whether it has one). Empty after
      deletion. In check mode, for a policy that does not exist yet, the policy it would get (without id).
  returned: always
  type: dict
  sample:
    id: 4
    name: deployer
    description: Pushes and scans, for the deployment service
    project: payments
    project_id: 12
    enabled: true
    events: [PUSH_ARTIFACT, SCANNING_COMPLETED, SCANNING_FAILED]
    targets:
      - type: http
        address: https://deployer.example.com/harbor
        skip_cert_verify: false
        payload_format: CloudEvents
        auth_header_set: true
    creator: ""
    creation_time: "2026-01-05T10:00:00.000Z"
    update_time: "2026-01-05T10:00:00.000Z"
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import missing_project
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import Option, Resource, converge
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name
from ansible_collections.cloudtemple.harbor.plugins.module_utils.webhooks import (
    EVENT_TYPES,
    auth_headers,
    check_name,
    describe,
    harbor_targets,
    list_policies,
    normalize_events,
    normalize_targets,
    permission,
    policies_path,
)


class Webhook(Resource):
    return_key = 'webhook'
    identity_options = ('project', 'name')
    kind = 'webhook policy'
    required_to_create = ('events', 'targets')
    options = (
        Option('description', field='description', from_harbor=lambda value: value or ''),
        Option('enabled', field='enabled', from_harbor=bool),
        Option('events', field='event_types', normalize=normalize_events, from_harbor=lambda value: sorted(value or [])),
        Option('targets', normalize=normalize_targets),
        # {address: auth header} of the task's targets, derived from `targets`: compared only with update_secret=always
        Option('auth_headers', secret=True),
    )

    def __init__(self, module, client):
        super().__init__(module, client)
        self.project = self.params['project']
        self.project_exists = None

    def check_identity(self):
        check_harbor_name('project', self.project)
        check_name('name', self.params['name'])

    def derive(self, desired):
        if 'targets' in desired:
            desired['auth_headers'] = auth_headers(self.params['targets'])
        return desired

    def find(self):
        if self.project_exists is None:
            self.project_exists = self.client.get_project(self.project) is not None
        if not self.project_exists:
            if self.params['state'] == 'absent':
                return None
            raise missing_project(self.project)
        found = list_policies(self.client, self.project, self.params['name'], remember=True)
        return found[0] if found else None

    def view(self, current, wanted):
        values = super().view(current, wanted)
        if 'targets' in wanted:
            values['targets'] = harbor_targets(current)
        return values

    def probe(self, current, desired):
        if 'auth_headers' not in desired:
            return {}
        if self.params['update_secret'] == 'always':
            return dict(auth_headers=auth_headers(current.get('targets')))
        return dict(auth_headers=desired['auth_headers'])

    def body(self, values, headers, current=None):
        """Harbor's whole policy (PUT replaces it): a creation time and creator sent back keep theirs."""
        body = dict(name=self.params['name'], description=values.get('description', ''),
                    enabled=values.get('enabled', True), event_types=values['events'],
                    targets=[dict(target, auth_header=headers.get(target['address'], ''))
                             for target in values['targets']])
        if current is not None:
            body.update(creator=current.get('creator') or '', creation_time=current.get('creation_time'))
        return body

    def create(self, desired):
        self.client.post(policies_path(self.project), json=self.body(desired, desired['auth_headers']),
                         resource_name=True, permission=permission('create', self.project))
        return None

    def update(self, current, changes, desired):
        values = dict(self.view(current, set(('description', 'enabled', 'events', 'targets'))), **changes)
        headers = auth_headers(current.get('targets'))
        wanted = desired.get('auth_headers', {})
        for address, header in wanted.items():
            if self.params['update_secret'] == 'always' or address not in headers:
                headers[address] = header
        self.client.put(policies_path(self.project, '/%d' % current['id']), json=self.body(values, headers, current),
                        resource_name=True, permission=permission('update', self.project))
        return None

    def delete(self, current):
        self.client.delete(policies_path(self.project, '/%d' % current['id']), missing_ok=True, resource_name=True,
                           permission=permission('delete', self.project))

    def result(self, current):
        return describe(current, self.project)

    def planned(self, desired):
        return describe(dict(self.body(desired, desired.get('auth_headers', {})), id=None,
                             event_types=desired.get('events')), self.project)


def main():
    converge(Webhook, dict(
        project=dict(type='str', required=True),
        name=dict(type='str', required=True),
        description=dict(type='str'),
        events=dict(type='list', elements='str', choices=list(EVENT_TYPES)),
        targets=dict(type='list', elements='dict', options=dict(
            address=dict(type='str', required=True),
            type=dict(type='str', choices=['http', 'slack'], default='http'),
            auth_header=dict(type='str', no_log=True),
            skip_cert_verify=dict(type='bool', default=False),
            payload_format=dict(type='str', choices=['Default', 'CloudEvents']),
        )),
        enabled=dict(type='bool'),
    ), update_secret=True)


if __name__ == '__main__':
    main()
