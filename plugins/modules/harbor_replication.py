#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_replication
short_description: Manage Harbor replication policies, and run them
version_added: 0.1.0
description:
  - Creates, changes or deletes a replication policy (C(Replications) in the Harbor UI), which copies artifacts
    from this Harbor to a registry endpoint (V(push)) or from the endpoint to this Harbor (V(pull)).
  - A policy is known by its name; only the options set in the task are compared, and a change is made in place.
  - With O(run), the policy also runs once after it has converged, as the UI's C(Replicate) button does; with
    O(wait), the task waits for the end of the run and reports it.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
attributes:
  check_mode:
    details:
      - O(run) starts nothing in check mode; the task reports the change a run would be.
  idempotent:
    details:
      - O(run) starts a replication, which is a change, on every run.
options:
  name:
    description:
      - Name of the policy.
    type: str
    required: true
  description:
    description:
      - What the policy is for. V("") clears it.
    type: str
  direction:
    description:
      - V(push) copies from this Harbor to O(registry); V(pull) copies from O(registry) into this Harbor.
      - Required to create a policy.
    type: str
    choices: [push, pull]
  registry:
    description:
      - Name of the registry endpoint on the other side (see M(cloudtemple.harbor.harbor_registry)). It must exist.
      - Required to create a policy.
    type: str
  source_filters:
    description:
      - Which artifacts of the source are replicated; all of them when unset. V({}) removes every filter.
      - Compared as a whole when set.
    type: dict
    suboptions:
      name:
        description:
          - Repositories, as a pattern with V(*), V(**), V(?) and V({a,b}), such as V(payments/**).
        type: str
      tag:
        description:
          - Tags, as a pattern such as V(v*).
        type: str
      tag_match:
        description:
          - Whether the artifacts whose tags match O(source_filters.tag) are replicated or left out.
        type: str
        choices: [matching, excluding]
        default: matching
      labels:
        description:
          - Labels the artifacts carry.
        type: list
        elements: str
      label_match:
        description:
          - Whether the artifacts with O(source_filters.labels) are replicated or left out.
        type: str
        choices: [matching, excluding]
        default: matching
      resource_type:
        description:
          - V(image) for images only, V(artifact) for every kind of artifact.
        type: str
        choices: [image, artifact]
  destination_namespace:
    description:
      - The namespace (project) the artifacts go to; V("") keeps the source's.
    type: str
  dest_namespace_replace_count:
    description:
      - How many levels of the source repository path O(destination_namespace) replaces (Harbor's C(Flattening)).
        V(-1) replaces the whole namespace, V(0) none.
    type: int
  trigger:
    description:
      - V(manual) runs only on demand; V(event_based) replicates each push (and, with O(delete_remote), each
        deletion); V(hourly), V(daily), V(weekly) or a cron of 6 fields (seconds first, V(0)) runs on a schedule.
        Harbor refuses V(*) in the minutes of a replication cron.
      - New policies are manual when this is not set.
    type: str
  override:
    description:
      - Whether a replication overwrites an artifact of the same name at the destination. New policies override
        unless this is V(false), as in the Harbor UI.
    type: bool
  delete_remote:
    description:
      - Whether deleting an artifact at the source also deletes it at the destination.
    type: bool
  speed_kb:
    description:
      - Bandwidth limit of each replication task in KB/s; V(0) for none.
    type: int
  copy_by_chunk:
    description:
      - Whether blobs are copied in chunks (for registries that limit the size of a request).
    type: bool
  enabled:
    description:
      - Whether the policy runs. New policies are enabled unless this is V(false), as in the Harbor UI.
    type: bool
  run:
    description:
      - Start a replication of the policy once it has converged.
    type: bool
    default: false
  wait:
    description:
      - With O(run), wait for the replication to end and fail when it does not succeed.
    type: bool
    default: true
  wait_timeout:
    description:
      - With O(run) and O(wait), how many seconds to wait at most. The replication goes on in Harbor afterwards.
    type: int
    default: 600
  state:
    description:
      - V(present) creates or changes the policy; V(absent) deletes it with its execution history.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Managing replication needs a Harbor system administrator.
seealso:
  - module: cloudtemple.harbor.harbor_registry
  - module: cloudtemple.harbor.harbor_replication_info
  - name: Harbor replication rules
    description: Harbor's documentation on replication rules.
    link: https://goharbor.io/docs/main/administration/configuring-replication/create-replication-rules/
"""

EXAMPLES = r"""
---
- name: Push the payments project to the disaster-recovery Harbor on every push
  cloudtemple.harbor.harbor_replication:
    name: payments-to-dr
    direction: push
    registry: harbor-dr
    source_filters:
      name: payments/**
    trigger: event_based
    delete_remote: true

- name: Copy the release tags nightly, and once now
  cloudtemple.harbor.harbor_replication:
    name: payments-releases
    direction: push
    registry: harbor-dr
    source_filters:
      name: payments/**
      tag: v*
    trigger: "0 0 2 * * *"
    run: true
"""

RETURN = r"""
---
policy:
  description:
    - The policy after the change, in the module's terms. Empty after deletion.
  returned: always
  type: dict
  sample:
    id: 4
    name: payments-to-dr
    description: ""
    direction: push
    registry: harbor-dr
    source_filters: {name: payments/**, tag: null, tag_match: null, labels: null, label_match: null,
                     resource_type: null}
    destination_namespace: ""
    dest_namespace_replace_count: -1
    trigger: event_based
    override: true
    delete_remote: true
    speed_kb: 0
    copy_by_chunk: false
    enabled: true
execution:
  description: The replication started by O(run); its id only, without O(wait).
  returned: when O(run) is set, O(state=present) and not in check mode
  type: dict
  sample: {id: 17, status: Succeed, status_text: "", trigger: manual, total: 3, succeed: 3, failed: 0,
           in_progress: 0, stopped: 0, start_time: "2026-01-05T10:00:00Z", end_time: "2026-01-05T10:00:07Z"}
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    HarborError,
    Option,
    Resource,
    ValidationError,
    converge,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.replication import (
    PERMISSION,
    POLICIES,
    check_namespace,
    describe_policy,
    list_policies,
    list_registries,
    normalize_filters,
    normalize_trigger,
    policy_body,
    remote_registry,
    run_replication,
)

# On create, what Harbor's UI starts a policy with, for the options the task leaves out.
CREATE_DEFAULTS = dict(description='', destination_namespace='', dest_namespace_replace_count=-1, trigger='manual',
                       override=True, delete_remote=False, speed_kb=0, copy_by_chunk=False, enabled=True,
                       source_filters=normalize_filters({}))


class Replication(Resource):
    return_key = 'policy'
    identity_options = ('name',)
    kind = 'replication policy'
    required_to_create = ('direction', 'registry')
    options = tuple(Option(name) for name in ('description', 'direction', 'registry', 'dest_namespace_replace_count',
                                              'override', 'delete_remote', 'copy_by_chunk', 'enabled')) + (
        Option('source_filters', normalize=normalize_filters),
        Option('destination_namespace', normalize=check_namespace),
        Option('trigger', normalize=normalize_trigger),
        Option('speed_kb', normalize=lambda value: max(value, 0)),
    )

    def __init__(self, module, client):
        super().__init__(module, client)
        self.name = self.params['name']
        self.policy_id = None

    def validate(self, desired):
        if not self.name:
            raise ValidationError('name must not be empty')
        if self.params['run'] and self.params['state'] == 'absent':
            raise ValidationError('run cannot be used with state: absent, there is no policy left to run')
        if (desired.get('dest_namespace_replace_count') or 0) < -1:
            raise ValidationError('dest_namespace_replace_count must be -1 (the whole namespace) or more')

    def find(self):
        found = list_policies(self.client, self.name, remember=True)
        self.policy_id = found[0]['id'] if found else None
        return found[0] if found else None

    def view(self, current, wanted):
        values = describe_policy(current)
        return dict((key, values[key]) for key in wanted if key in values)

    def prepare(self, current, desired):
        enabled = desired.get('enabled', True if current is None else current.get('enabled'))
        if self.params['run'] and not enabled:
            raise ValidationError('run: policy %r is disabled (enabled: false), and Harbor runs no disabled policy'
                                  % self.name)
        # Looked up only when it is to be written: a policy's answer names its endpoint.
        if 'registry' in desired and (current is None or self.view(current, {'registry'})['registry'] != desired['registry']):
            self.registry_id(desired['registry'])

    def registry_id(self, name):
        found = list_registries(self.client, name, remember=True)
        if not found:
            raise HarborError('registry: no registry endpoint named %r in Harbor; create it first with '
                              'cloudtemple.harbor.harbor_registry' % name)
        return found[0]['id']

    def send(self, values, current=None):
        _direction, remote = remote_registry(current or {})
        registry_id = remote['id'] if remote.get('name') == values['registry'] else self.registry_id(values['registry'])
        body = policy_body(self.name, values, registry_id,
                           single_active=bool((current or {}).get('single_active_replication')))
        if current is None:
            started = self.client.post(POLICIES, json=body, permission='replication-policy:create' + PERMISSION)
            self.policy_id = started.location_id
        else:
            self.client.put('%s/%d' % (POLICIES, current['id']), json=body,
                            permission='replication-policy:update' + PERMISSION)

    def create(self, desired):
        self.send(dict(CREATE_DEFAULTS, **desired))
        return None

    def update(self, current, changes, desired):
        # Harbor replaces the whole policy: what the task leaves out is sent as it is.
        self.send(dict(describe_policy(current), **changes), current)
        return None

    def delete(self, current):
        self.client.delete('%s/%d' % (POLICIES, current['id']), missing_ok=True,
                           permission='replication-policy:delete' + PERMISSION)

    def result(self, current):
        return describe_policy(current)

    def planned(self, desired):
        return dict(CREATE_DEFAULTS, id=None, name=self.name, **desired)

    def report(self):
        """With run, the policy's execution: a change on every run, no request in check mode."""
        if not self.params['run'] or self.params['state'] != 'present':
            return {}
        if self.module.check_mode:
            return dict(changed=True)
        return dict(changed=True, execution=run_replication(self.client, self.policy_id or self.find()['id'], self.name,
                                                            self.params['wait'], self.params['wait_timeout']))


def main():
    match = dict(type='str', choices=['matching', 'excluding'], default='matching')
    converge(Replication, dict(
        name=dict(type='str', required=True),
        description=dict(type='str'),
        direction=dict(type='str', choices=['push', 'pull']),
        registry=dict(type='str'),
        source_filters=dict(type='dict', options=dict(
            name=dict(type='str'), tag=dict(type='str'), tag_match=match, labels=dict(type='list', elements='str'),
            label_match=match, resource_type=dict(type='str', choices=['image', 'artifact']))),
        destination_namespace=dict(type='str'),
        dest_namespace_replace_count=dict(type='int'),
        trigger=dict(type='str'),
        override=dict(type='bool'),
        delete_remote=dict(type='bool'),
        speed_kb=dict(type='int'),
        copy_by_chunk=dict(type='bool'),
        enabled=dict(type='bool'),
        run=dict(type='bool', default=False),
        wait=dict(type='bool', default=True),
        wait_timeout=dict(type='int', default=600),
    ))


if __name__ == '__main__':
    main()
