#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_retention
short_description: Manage the tag retention policy of a Harbor project, and run it
version_added: 0.1.0
description:
  - Sets the tag retention policy of one project (C(Policy > Tag Retention) in the Harbor UI), the rules that
    decide which artifacts a run keeps and the schedule of the runs, or deletes it.
  - A project has at most one policy. O(rules) is the whole policy - rules Harbor has and the task does not list
    are removed - and its order does not matter, because Harbor keeps an artifact when any rule keeps it.
  - Harbor stores rules without checking them and only fails when the policy runs; the module checks every
    rule, the number of rules (1 to 15), duplicates and the schedule before sending anything.
  - With O(run), the policy runs once after it has converged, for real or as a dry run that only reports what a
    real run would delete.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
attributes:
  check_mode:
    details:
      - O(run) does not run the policy in check mode; the task reports the change a real run would be.
  idempotent:
    support: partial
    details:
      - Without O(run), or with a dry run, a second run with the same options changes nothing.
      - O(run) with O(run.dry_run=false) deletes artifacts and is reported as a change on every run.
options:
  project:
    description:
      - Name of the project the policy belongs to. It must exist.
    type: str
    required: true
  state:
    description:
      - V(present) creates the policy or converges it; V(absent) deletes it (Harbor then keeps every artifact).
    type: str
    choices: [present, absent]
    default: present
  rules:
    description:
      - The rules of the policy, 1 to 15. Required to create a policy; when omitted, an existing policy keeps its
        rules.
      - Each rule selects artifacts by repository and tag, then keeps some of them. An artifact that no rule keeps
        is deleted when the policy runs (unless an immutability rule protects one of its tags).
      - No two rules may be the same, as Harbor refuses duplicates.
    type: list
    elements: dict
    suboptions:
      retain:
        description:
          - What the rule keeps among the artifacts it selects. Exactly one of its keys.
        type: dict
        required: true
        suboptions:
          most_recently_pushed:
            description: Keep the N most recently pushed artifacts of each repository (0 to 32766).
            type: int
          most_recently_pulled:
            description: Keep the N most recently pulled artifacts of each repository (0 to 32766).
            type: int
          pushed_within_days:
            description: Keep the artifacts pushed within the last N days (0 to 20190904).
            type: int
          pulled_within_days:
            description: Keep the artifacts pulled within the last N days (0 to 20190904).
            type: int
          always:
            description: Keep every artifact the rule selects. Only V(true).
            type: bool
      repositories:
        description:
          - The repositories the rule applies to, by name without the project, for example C(api) or C(team/api).
          - Exactly one of C(matching) or C(excluding), a doublestar pattern - C(*) matches within one C(/)-separated
            part, C(**) across parts, C({api,web}) lists alternatives, C([0-9]) is a class.
          - Default C(matching=**), every repository.
        type: dict
        suboptions:
          matching:
            description: Apply the rule to the repositories matching this pattern.
            type: str
          excluding:
            description: Apply the rule to the repositories not matching this pattern.
            type: str
      tags:
        description:
          - The artifacts the rule considers, by tag. Same form as O(rules[].repositories); an artifact is selected
            when one of its tags matches (C(matching)), or when one of its tags does not (C(excluding)).
          - Default C(matching=**), every tagged artifact.
        type: dict
        suboptions:
          matching:
            description: Select the artifacts with a tag matching this pattern.
            type: str
          excluding:
            description: Select the artifacts with a tag not matching this pattern.
            type: str
      untagged:
        description:
          - Whether O(rules[].tags) also decides for artifacts without any tag. With C(matching), V(true) selects
            the untagged artifacts too, so the rule may keep them; with C(excluding), V(true) leaves them out.
          - With V(false) and C(matching), untagged artifacts are never kept by this rule.
        type: bool
        default: true
      disabled:
        description:
          - A disabled rule stays in the policy but keeps nothing.
        type: bool
        default: false
  schedule:
    description:
      - When the policy runs - V(hourly), V(daily) (at midnight), V(weekly) (Sunday at midnight), a cron, or
        V(none) to run it only on demand.
      - A cron has 6 fields, seconds first - C(second minute hour day-of-month month day-of-week), and Harbor
        requires the seconds to be V(0), for example V(0 0 2 * * *) for 02:00 every day.
      - New policies run on demand only when this is not set.
    type: str
  run:
    description:
      - Run the policy now, after the policy has converged.
      - Not in check mode, and not with O(state=absent).
    type: dict
    suboptions:
      dry_run:
        description:
          - Only report what a real run would delete, and delete nothing. A dry run is not reported as a change.
        type: bool
        default: false
      wait:
        description:
          - Wait for the run to end and return its status, what it kept per repository and, for a dry run, the
            artifacts a real run would delete.
          - Without it, the task returns as soon as Harbor has started the run.
        type: bool
        default: true
      wait_timeout:
        description:
          - How many seconds to wait at most, with O(run.wait). The task fails when the run is still going then.
        type: int
        default: 600
notes:
  - Harbor links the policy to the project through the project's C(retention_id) setting; the module reads it
    there and never shows it as a change.
  - Deleting a project also deletes its retention policy.
seealso:
  - module: cloudtemple.harbor.harbor_immutable_rules
  - module: cloudtemple.harbor.harbor_gc_schedule
    description: Garbage collection frees the storage of the artifacts retention deletes.
  - name: Harbor tag retention
    description: Harbor's documentation on tag retention rules.
    link: https://goharbor.io/docs/main/working-with-projects/working-with-images/create-tag-retention-rules/
"""

EXAMPLES = r"""
---
- name: Keep the last 10 release tags of every repository, check nightly
  cloudtemple.harbor.harbor_retention:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
    rules:
      - retain:
          most_recently_pushed: 10
        tags:
          matching: release-*
        untagged: false
    schedule: daily

- name: Also keep what was pulled in the last 30 days, and see what a run would delete
  cloudtemple.harbor.harbor_retention:
    project: payments
    rules:
      - retain: {most_recently_pushed: 10}
        tags: {matching: release-*}
        untagged: false
      - retain: {pulled_within_days: 30}
        repositories: {excluding: "sandbox/**"}
    run:
      dry_run: true
  register: retention

- name: Show what a real run would delete
  ansible.builtin.debug:
    msg: "{{ retention.execution.tasks | map(attribute='deleted') | flatten | map(attribute='tags') | list }}"

- name: Stop cleaning up this project
  cloudtemple.harbor.harbor_retention:
    project: payments
    state: absent
"""

RETURN = r"""
---
policy:
  description:
    - The policy after the change. Empty after deletion.
    - In check mode, for a policy that does not exist yet, the policy it would get.
  returned: always
  type: dict
  contains:
    id:
      description: Harbor's id of the policy (the project's C(retention_id)).
      type: int
      sample: 3
    project:
      description: The project.
      type: str
      sample: payments
    rules:
      description: The rules in the module's form, every default filled in, in Harbor's order.
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
      description: The policy as Harbor returns it, with its templates, parameters and selectors.
      type: dict
      sample:
        id: 3
        algorithm: or
        rules:
          - action: retain
            template: latestPushedK
            params: {latestPushedK: 10}
            tag_selectors:
              - {kind: doublestar, decoration: matches, pattern: release-*, extras: '{"untagged":false}'}
            scope_selectors:
              repository:
                - {kind: doublestar, decoration: repoMatches, pattern: "**"}
        trigger:
          kind: Schedule
          settings: {cron: 0 0 0 * * *, next_scheduled_time: "2026-01-02T00:00:00.000Z"}
        scope: {level: project, ref: 12}
execution:
  description: The run started by O(run).
  returned: when O(run) is set, O(state=present) and not in check mode
  type: dict
  contains:
    id:
      description: Harbor's id of the execution.
      type: int
      sample: 41
    dry_run:
      description: Whether it was a dry run.
      type: bool
      sample: true
    status:
      description: V(Success), V(Error) or V(Stopped). Only with O(run.wait).
      type: str
      sample: Success
    total:
      description: Artifacts considered, all repositories together. Only with O(run.wait).
      type: int
      sample: 16
    retained:
      description: Artifacts kept (or that a dry run would keep), all repositories together. Only with O(run.wait).
      type: int
      sample: 10
    tasks:
      description:
        - One entry per repository a rule applies to. Only with O(run.wait).
        - For a dry run, C(deleted) lists the artifacts a real run would delete, read from the task's log.
      type: list
      elements: dict
      sample:
        - repository: api
          status: Success
          total: 16
          retained: 10
          deleted:
            - digest: sha256:4b2f0c7a4e3c9f1b2d8e6a5c0b9d7e3f1a2c4b6d8e0f1a3c5e7d9b1f3a5c7e9b
              tags: [release-1]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import missing_project
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    converge,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.retention import (
    describe_policy,
    normalize_rules,
    policy_body,
    read_policy,
    retention_permission,
    rule_to_harbor,
    run_policy,
    same_rules,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.schedule import (
    NO_SCHEDULE,
    normalize_schedule,
    schedule_to_cron,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name


class Retention(Resource):
    return_key = 'policy'
    identity_options = ('project',)
    options = (
        Option('rules', normalize=normalize_rules),
        Option('schedule', normalize=lambda value: normalize_schedule('schedule', value)),
    )

    def __init__(self, module, client):
        super().__init__(module, client)
        self.name = self.params['project']
        self.project = None
        self.policy_id = None

    def permission(self, action):
        return retention_permission(action, self.name)

    def validate(self, desired):
        check_harbor_name('project', self.name)
        if self.params['run'] and self.params['state'] == 'absent':
            raise ValidationError('run cannot be used with state: absent, there is no policy left to run')

    def find(self):
        self.project = self.client.get_project(self.name)
        if self.project is None:
            if self.params['state'] == 'absent':
                return None
            raise missing_project(self.name)
        linked = (self.project.get('metadata') or {}).get('retention_id')
        if not linked:
            return None
        self.policy_id = int(linked)
        return read_policy(self.client, self.policy_id, self.name)

    def view(self, current, wanted):
        values = describe_policy(current, self.name)
        return dict((key, value) for key, value in values.items() if key in wanted)

    def equal(self, option, current_value, desired_value):
        if option == 'rules':
            return same_rules(current_value, desired_value)
        return current_value == desired_value

    def prepare(self, current, desired):
        if current is None and 'rules' not in desired:
            raise ValidationError('rules is required to create the retention policy of project %r, which has none'
                                  % self.name)

    def conflict(self, error):
        # Harbor answers 400, not 409, when another run linked a policy to the project since our lookup.
        return error.status == 400 and 'already has retention policy' in (getattr(error, 'harbor_message', '') or '')

    def create(self, desired):
        # The project list of a loop's lookups stays up to date: the next project is not read by name.
        self.client.keeping_project_list(lambda: self._link(desired))
        return read_policy(self.client, self.policy_id, self.name)

    def _link(self, desired):
        """Create the policy; the project as Harbor then shows it, linked to the policy by its retention_id."""
        body = policy_body(self.project['project_id'], [rule_to_harbor(rule) for rule in desired['rules']],
                           schedule_to_cron(desired.get('schedule', NO_SCHEDULE)))
        self.policy_id = self.client.post('/retentions', json=body, permission=self.permission('create')).location_id
        linked = dict(self.project.get('metadata') or {}, retention_id=str(self.policy_id))
        return dict(self.project, metadata=linked) if self.policy_id else None

    def update(self, current, changes, desired):
        if 'rules' in desired:
            rules = [rule_to_harbor(rule) for rule in desired['rules']]
        else:
            rules = current.get('rules') or []
        schedule = desired['schedule'] if 'schedule' in desired else self.view(current, {'schedule'})['schedule']
        body = policy_body(self.project['project_id'], rules, schedule_to_cron(schedule), policy_id=self.policy_id)
        self.client.put('/retentions/%d' % self.policy_id, json=body, permission=self.permission('update'))
        return None

    def delete(self, current):
        self.client.delete('/retentions/%d' % self.policy_id, permission=self.permission('delete'))

    def result(self, current):
        return describe_policy(current, self.name)

    def planned(self, desired):
        return dict(id=None, project=self.name, rules=desired['rules'], schedule=desired.get('schedule', NO_SCHEDULE),
                    harbor={})

    def report(self):
        """With run, the policy's execution: a change unless a dry run, no request in check mode."""
        run = self.params['run']
        if not run or self.params['state'] != 'present':
            return {}
        result = {} if run['dry_run'] else dict(changed=True)
        if not self.module.check_mode:
            if self.policy_id is None:
                self.find()
            result['execution'] = run_policy(self.client, self.policy_id, self.name, run)
        return result


def main():
    selector = dict(matching=dict(type='str'), excluding=dict(type='str'))
    converge(Retention, dict(
        project=dict(type='str', required=True),
        rules=dict(type='list', elements='dict', options=dict(
            retain=dict(type='dict', required=True, options=dict(
                most_recently_pushed=dict(type='int'),
                most_recently_pulled=dict(type='int'),
                pushed_within_days=dict(type='int'),
                pulled_within_days=dict(type='int'),
                always=dict(type='bool'),
            )),
            repositories=dict(type='dict', options=selector),
            tags=dict(type='dict', options=selector),
            untagged=dict(type='bool', default=True),
            disabled=dict(type='bool', default=False),
        )),
        schedule=dict(type='str'),
        run=dict(type='dict', options=dict(
            dry_run=dict(type='bool', default=False),
            wait=dict(type='bool', default=True),
            wait_timeout=dict(type='int', default=600),
        )),
    ))


if __name__ == '__main__':
    main()
