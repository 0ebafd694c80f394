#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_immutable_rules_info
short_description: Read the tag immutability rules of a Harbor project
version_added: 0.1.0
description:
  - Returns the tag immutability rules of one project in the form
    O(cloudtemple.harbor.harbor_immutable_rules#module:rules) takes.
  - The account needs C(immutable-tag:list) on the project (maintainers and project administrators).
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
  query:
    description:
      - A JMESPath expression applied to the list of rules; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_immutable_rules
  - module: cloudtemple.harbor.harbor_retention_info
"""

EXAMPLES = r"""
---
- name: Read the immutability rules of the payments project
  cloudtemple.harbor.harbor_immutable_rules_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
  register: payments_immutability

- name: Give another project exactly the same rules
  cloudtemple.harbor.harbor_immutable_rules:
    project: payments-staging
    rules: "{{ payments_immutability.rules | map('dict2items') | map('rejectattr', 'key', 'eq', 'id')
               | map('items2dict') | list }}"
    exclusive: true

- name: The tag patterns that are protected
  cloudtemple.harbor.harbor_immutable_rules_info:
    project: payments
    query: "[?!disabled].tags.matching"
  register: protected_patterns
"""

RETURN = r"""
---
rules:
  description: The rules, in the form of O(cloudtemple.harbor.harbor_immutable_rules#module:rules) with Harbor's id,
    sorted by repositories then tags; empty when the project has none.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 5
      repositories: {matching: "**"}
      tags: {matching: "{v,}[0-9]*.[0-9]*.[0-9]*"}
      disabled: false
query_result:
  description: The result of O(query) over RV(rules).
  returned: when O(query) is set
  type: raw
  sample: ["{v,}[0-9]*.[0-9]*.[0-9]*"]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.immutable import list_rules, rule_from_harbor, sort_rules
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name


def read(module, client):
    project = check_harbor_name('project', module.params['project'])
    client.require_project(project)
    return sort_rules(dict(id=rule.get('id'), **rule_from_harbor(rule)) for rule in list_rules(client, project))


def main():
    run_info('rules', dict(project=dict(type='str', required=True)), read)


if __name__ == '__main__':
    main()
