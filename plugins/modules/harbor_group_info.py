#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_group_info
short_description: Read Harbor's user groups
version_added: 0.1.0
description:
  - Returns the user groups Harbor knows. Under LDAP or HTTP authentication, Harbor lists only the groups of that
    kind.
  - Only system administrators may list groups.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  name:
    description:
      - Return only the groups of exactly this name (case-sensitive).
    type: str
  type:
    description:
      - Return only the groups of this type. V(internal) is another name for V(http).
    type: str
    choices: [ldap, http, oidc, internal]
  query:
    description:
      - A JMESPath expression applied to the list of groups; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_group
"""

EXAMPLES = r"""
---
- name: Read the OIDC groups
  cloudtemple.harbor.harbor_group_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    type: oidc
  register: oidc_groups

- name: Names of every group
  cloudtemple.harbor.harbor_group_info:
    query: "[].name"
  register: group_names
"""

RETURN = r"""
---
groups:
  description: The groups, sorted by name then type; empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Harbor's id of the group.
      type: int
      sample: 3
    name:
      description: The group's name.
      type: str
      sample: payments-dev
    type:
      description: V(ldap), V(http) or V(oidc).
      type: str
      sample: oidc
    ldap_dn:
      description: The DN of an LDAP group, V("") for the others.
      type: str
      sample: ""
query_result:
  description: The result of O(query) over RV(groups).
  returned: when O(query) is set
  type: raw
  sample: [payments-dev]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.groups import (
    GROUP_TYPE_CHOICES,
    canonical_group_type,
    describe,
    list_groups,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_given, check_not_blank


def read(module, client):
    check_given(module.params, name=check_not_blank)
    found = list_groups(client, module.params['name'], canonical_group_type(module.params['type']))
    groups = [describe(group) for group in found]
    return sorted(groups, key=lambda group: (group['name'] or '', group['type']))


def main():
    run_info('groups', dict(name=dict(type='str'), type=dict(type='str', choices=GROUP_TYPE_CHOICES)), read)


if __name__ == '__main__':
    main()
