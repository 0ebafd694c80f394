#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_immutable_rules
short_description: Manage the tag immutability rules of a Harbor project
version_added: 0.1.0
description:
  - Makes tags of a project immutable (C(Policy > Tag Immutability) in the Harbor UI) - an immutable tag can be
    neither deleted nor moved to another artifact, so C(payments/api:1.4.2) always means the same image.
  - A rule is known by its repository and tag selectors; O(rules[].disabled) is a property of the rule. With
    O(state=present) the listed rules exist as given; with O(exclusive=true) the project's other rules are removed
    as well. With O(state=absent) the listed rules are removed.
  - Harbor ignores O(rules[].disabled) when it creates a rule, and a change of C(disabled) makes it ignore every
    other change of the same request; the module sends the requests in the order that gives the asked result.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  project:
    description:
      - Name of the project. It must exist for O(state=present).
    type: str
    required: true
  rules:
    description:
      - The rules. Their order does not matter. Two rules with the same selectors are an error.
    type: list
    elements: dict
    required: true
    suboptions:
      repositories:
        description:
          - The repositories the rule protects, by name without the project, for example C(api) or C(team/api).
          - Exactly one of C(matching) or C(excluding), a doublestar pattern - C(*) matches within one C(/)-separated
            part, C(**) across parts, C({api,web}) lists alternatives, C([0-9]) is a class.
          - Default C(matching=**), every repository.
        type: dict
        suboptions:
          matching:
            description: Protect tags in the repositories matching this pattern.
            type: str
          excluding:
            description: Protect tags in the repositories not matching this pattern.
            type: str
      tags:
        description:
          - The tags the rule makes immutable, with C(matching) or C(excluding) as for O(rules[].repositories), for
            example C(matching={v,}[0-9]*.[0-9]*.[0-9]*) for semantic versions with or without a C(v).
          - Default C(matching=**), every tag.
        type: dict
        suboptions:
          matching:
            description: Make the tags matching this pattern immutable.
            type: str
          excluding:
            description: Make the tags not matching this pattern immutable.
            type: str
      disabled:
        description:
          - A disabled rule stays in the project but protects nothing. Ignored with O(state=absent).
        type: bool
        default: false
  exclusive:
    description:
      - With V(true), the project's rules that O(rules) does not list are removed (an empty O(rules) removes them
        all). Only with O(state=present).
    type: bool
    default: false
  state:
    description:
      - V(present) makes the listed rules exist as given; V(absent) removes the listed rules.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Harbor has no request to read one rule; the module lists the project's rules.
  - Deleting a project also deletes its immutability rules.
  - Retention never deletes an artifact that has an immutable tag.
seealso:
  - module: cloudtemple.harbor.harbor_retention
  - module: cloudtemple.harbor.harbor_project
  - name: Harbor tag immutability
    description: Harbor's documentation on immutability rules.
    link: https://goharbor.io/docs/main/working-with-projects/working-with-images/create-tag-immutability-rules/
"""

EXAMPLES = r"""
---
- name: Semantic version tags can never be overwritten
  cloudtemple.harbor.harbor_immutable_rules:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
    rules:
      - tags:
          matching: "{v,}[0-9]*.[0-9]*.[0-9]*"

- name: Exactly these rules, nothing else
  cloudtemple.harbor.harbor_immutable_rules:
    project: payments
    exclusive: true
    rules:
      - tags: {matching: "{v,}[0-9]*.[0-9]*.[0-9]*"}
      - repositories: {matching: "charts/**"}
        tags: {excluding: "*-SNAPSHOT"}
        disabled: true

- name: Remove the rule that protects the charts
  cloudtemple.harbor.harbor_immutable_rules:
    project: payments
    state: absent
    rules:
      - repositories: {matching: "charts/**"}
        tags: {excluding: "*-SNAPSHOT"}
"""

RETURN = r"""
---
rules:
  description:
    - Every immutability rule of the project after the change, in the module's form with Harbor's id.
    - In check mode, the rules as they were.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 5
      repositories: {matching: "**"}
      tags: {matching: "{v,}[0-9]*.[0-9]*.[0-9]*"}
      disabled: false
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import missing_project
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Converger,
    HarborError,
    Option,
    Resource,
    ValidationError,
    create_or_find,
    harbor_module,
    run_module,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.immutable import (
    identity_of,
    immutable_permission,
    list_rules,
    normalize_rules,
    rule_from_harbor,
    rule_to_harbor,
    sort_rules,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name


class ImmutableRules(Resource):
    """The set of a project's rules that the task is about; never missing, so the engine always compares.

    The compared value is the sorted list of the project's rules the task concerns (those with the selectors of a
    listed rule, or all of them with exclusive) against the listed rules (present) or nothing (absent).
    """

    return_key = 'rules'
    identity_options = ('project',)

    def __init__(self, module, client):
        super().__init__(module, client)
        self.name = self.params['project']
        self.absent = self.params['state'] == 'absent'
        self.exclusive = self.params['exclusive']
        self.listed = []
        self.options = (Option('rules', normalize=self.target),)

    def target(self, rules):
        """Check the listed rules and return what the task wants among the relevant ones."""
        self.listed = normalize_rules(rules)
        return [] if self.absent else sort_rules(self.listed)

    def path(self, suffix=''):
        return self.client.project_path(self.name, '/immutabletagrules%s' % suffix)

    def permission(self, action):
        return immutable_permission(action, self.name)

    def validate(self, desired):
        check_harbor_name('project', self.name)
        if self.absent and self.exclusive:
            raise ValidationError('exclusive only applies to state: present')

    def find(self):
        # No project lookup first: listing the rules of a missing project fails (404, or 403 for non-admins), and
        # only then is the project looked up, to tell a missing project from a refusal.
        try:
            return list_rules(self.client, self.name)
        except HarborError as error:
            if error.status not in (403, 404) or self.client.get_project(self.name) is not None:
                raise
        if self.absent:
            return []
        raise missing_project(self.name)

    def relevant(self, current):
        if self.exclusive:
            return list(current)
        wanted = set(identity_of(rule) for rule in self.listed)
        return [rule for rule in current if identity_of(rule_from_harbor(rule)) in wanted]

    def view(self, current, wanted):
        return dict(rules=sort_rules(rule_from_harbor(rule) for rule in self.relevant(current)))

    def equal(self, option, current_value, desired_value):
        return sort_rules(current_value) == sort_rules(desired_value)

    def update(self, current, changes, desired):
        """Apply the changes; return the project's rules as they now are (None: read them again)."""
        if self.absent:
            removed = self.relevant(current)
            self.delete(removed)
            return [rule for rule in current if rule not in removed]
        by_identity = dict((identity_of(rule_from_harbor(rule)), rule) for rule in current)
        wanted = set(identity_of(rule) for rule in self.listed)
        stale = [rule for rule in self.relevant(current) if identity_of(rule_from_harbor(rule)) not in wanted]
        # What the writes below leave, by id: the answer to a re-read, without the request.
        after = dict((rule['id'], rule) for rule in current)
        for rule in self.listed:
            existing = by_identity.get(identity_of(rule))
            if existing is not None:
                if bool(existing.get('disabled')) != rule['disabled']:
                    self.put(existing['id'], rule)
            elif stale:
                # Turn a rule the task removes into a missing one: no moment without protection, one id kept.
                existing = stale.pop(0)
                self.put(existing['id'], rule, disabled=bool(existing.get('disabled')))
                if bool(existing.get('disabled')) != rule['disabled']:
                    self.put(existing['id'], rule)
            else:
                existing = self.create_rule(rule)
                if bool(existing.get('disabled')) != rule['disabled']:
                    # Harbor creates every rule enabled.
                    self.put(existing['id'], rule)
            after[existing['id']] = rule_to_harbor(rule, existing['id'])
        self.delete(stale)
        for rule in stale:
            after.pop(rule['id'], None)
        return None if None in after else list(after.values())

    def create_rule(self, rule):
        """POST one rule and return {id, disabled}; a lost answer or a race (409) is settled by listing the rules."""
        def post():
            return dict(id=self.client.post(self.path(), json=rule_to_harbor(rule), resource_name=True,
                                            permission=self.permission('create')).location_id, disabled=False)

        return create_or_find(post, lambda: self.existing_rule(rule)).object

    def existing_rule(self, rule):
        """The project's rule with the selectors of `rule`, or None."""
        for found in list_rules(self.client, self.name):
            if identity_of(rule_from_harbor(found)) == identity_of(rule):
                return found
        return None

    def put(self, rule_id, rule, disabled=None):
        """One PUT: selectors are applied only when `disabled` equals Harbor's, otherwise only the flag changes."""
        self.client.put(self.path('/%d' % rule_id), json=rule_to_harbor(rule, rule_id, disabled), resource_name=True,
                        permission=self.permission('update'))

    def create(self, desired):
        return self.update([], desired, desired)

    def delete(self, current):
        for rule in current:
            self.client.delete(self.path('/%d' % rule['id']), missing_ok=True, resource_name=True,
                               permission=self.permission('delete'))

    def result(self, current):
        return [dict(id=rule.get('id'), **rule_from_harbor(rule)) for rule in current]


def main():
    selector = dict(matching=dict(type='str'), excluding=dict(type='str'))
    module = harbor_module(dict(
        project=dict(type='str', required=True),
        rules=dict(type='list', elements='dict', required=True, options=dict(
            repositories=dict(type='dict', options=selector),
            tags=dict(type='dict', options=selector),
            disabled=dict(type='bool', default=False),
        )),
        exclusive=dict(type='bool', default=False),
    ), state=True)
    # The rules are a set inside the project: "absent" is a target of no listed rule, reached by the same comparison.
    run_module(module, lambda client: Converger(ImmutableRules(module, client)).run(state='present'))


if __name__ == '__main__':
    main()
