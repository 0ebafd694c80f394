#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_group
short_description: Manage a Harbor user group
version_added: 0.1.0
description:
  - Creates or deletes a user group (C(Groups) in the Harbor UI), so that it can be given a role in projects with
    M(cloudtemple.harbor.harbor_member) before any of its users has logged in.
  - A group is known by its name and its type together.
  - Deleting a group also removes it from every project it is a member of.
  - Only system administrators may manage groups.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  name:
    description:
      - The group's name, as the identity provider sends it (OIDC groups claim, HTTP authentication proxy) or as
        Harbor shows an LDAP group.
    type: str
    required: true
  type:
    description:
      - Where the group comes from - V(ldap) (a group of Harbor's LDAP directory, see O(ldap_dn)), V(http) (a group
        of Harbor's HTTP authentication proxy, C(HTTP) in the Harbor UI) or V(oidc) (a group of the OIDC provider's
        groups claim).
      - V(internal) is another name for V(http).
    type: str
    choices: [ldap, http, oidc, internal]
    required: true
  ldap_dn:
    description:
      - DN of the LDAP group, required to create an LDAP group; Harbor checks that its LDAP server knows it.
      - Only with O(type=ldap). It cannot be changed once the group exists.
    type: str
  state:
    description:
      - V(present) creates the group; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cloudtemple.harbor.harbor_group_info
  - module: cloudtemple.harbor.harbor_member
    description: Give the group a role in a project.
"""

EXAMPLES = r"""
---
- name: The OIDC group of the payments developers
  cloudtemple.harbor.harbor_group:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    name: payments-dev
    type: oidc

- name: An LDAP group
  cloudtemple.harbor.harbor_group:
    name: payments-ops
    type: ldap
    ldap_dn: cn=payments-ops,ou=groups,dc=example,dc=com

- name: Delete the OIDC group
  cloudtemple.harbor.harbor_group:
    name: payments-dev
    type: oidc
    state: absent
"""

RETURN = r"""
---
group:
  description:
    - The group. Empty after deletion.
    - In check mode, for a group that does not exist yet, the group it would get (without id).
  returned: always
  type: dict
  sample:
    id: 3
    name: payments-dev
    type: oidc
    ldap_dn: ""
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    RestResource,
    ValidationError,
    converge,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.groups import (
    GROUP_TYPE_CHOICES,
    GROUP_TYPES,
    USER_GROUPS,
    canonical_group_type,
    describe,
    list_groups,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_not_blank


class Group(RestResource):
    return_key = 'group'
    identity_options = ('name', 'type')
    collection = USER_GROUPS
    name_field = 'group_name'
    rbac = 'user-group'
    options = (Option('ldap_dn', field='ldap_group_dn', create_only=True, from_harbor=lambda value: value or ''),)

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params['type'] = canonical_group_type(self.params['type'])

    def check_identity(self):
        check_not_blank('name', self.params['name'])

    def validate(self, desired):
        if self.params['type'] == 'ldap':
            if self.params['state'] == 'present' and not desired.get('ldap_dn'):
                raise ValidationError('ldap_dn is required for a group of type ldap')
        elif self.params['ldap_dn'] is not None:
            raise ValidationError('ldap_dn only applies to type ldap')

    def find(self):
        found = list_groups(self.client, self.params['name'], self.params['type'], remember=True)
        return found[0] if found else None

    def body(self, values):
        return dict(super().body(values), group_type=GROUP_TYPES[self.params['type']])

    def result(self, current):
        return describe(current)

    def planned(self, desired):
        return dict(describe(self.body(desired)), id=None)


def main():
    converge(Group, dict(
        name=dict(type='str', required=True),
        type=dict(type='str', choices=GROUP_TYPE_CHOICES, required=True),
        ldap_dn=dict(type='str'),
    ))


if __name__ == '__main__':
    main()
