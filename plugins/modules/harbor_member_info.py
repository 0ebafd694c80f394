#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_member_info
short_description: Read the members of a Harbor project and their roles
version_added: 0.1.0
description:
  - Returns the users and user groups of one project with their roles, in the terms
    M(cloudtemple.harbor.harbor_member) takes (O(cloudtemple.harbor.harbor_member#module:user) or
    O(cloudtemple.harbor.harbor_member#module:group) with its
    O(cloudtemple.harbor.harbor_member#module:group_type), and
    O(cloudtemple.harbor.harbor_member#module:role)).
  - The account needs C(member:list) on the project, which every member but a limited guest has.
  - Harbor does not list the type of a group member; the module reads it from Harbor's user groups, which only
    system administrators may list. For other accounts RV(members[].group_type) is V(null).
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
  user:
    description:
      - Return only the user member of exactly this name.
      - Not with O(group).
    type: str
  group:
    description:
      - Return only the group members of exactly this name.
      - Not with O(user).
    type: str
  query:
    description:
      - A JMESPath expression applied to the list of members; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_member
  - module: cloudtemple.harbor.harbor_group_info
"""

EXAMPLES = r"""
---
- name: Read the members of the payments project
  cloudtemple.harbor.harbor_member_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
  register: payments_members

- name: Who administers the project
  cloudtemple.harbor.harbor_member_info:
    project: payments
    query: "[?role == 'project_admin'].[user, group][]"
  register: payments_admins
"""

RETURN = r"""
---
members:
  description: The members, users first then groups, each sorted by name; empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Harbor's id of the membership.
      type: int
      sample: 14
    user:
      description: The user name, for a user member only.
      type: str
      sample: alice
    group:
      description: The group name, for a group member only.
      type: str
      sample: payments-dev
    group_type:
      description:
        - For a group member, V(ldap), V(http) or V(oidc); V(null) when the account may not list user groups.
      type: str
      sample: oidc
    ldap_group_dn:
      description: For a group member, the DN of an LDAP group, else V(null).
      type: str
      sample: null
    role:
      description: V(project_admin), V(maintainer), V(developer), V(guest) or V(limited_guest).
      type: str
      sample: developer
query_result:
  description: The result of O(query) over RV(members).
  returned: when O(query) is set
  type: raw
  sample: [alice]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import HarborError, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.groups import list_groups
from ansible_collections.cloudtemple.harbor.plugins.module_utils.members import describe, list_members
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_given, check_harbor_name, check_not_blank


def groups_by_id(client):
    """Harbor's user groups by id, or {} when the account may not list them (system administrators only)."""
    try:
        return dict((group.get('id'), group) for group in list_groups(client))
    except HarborError as error:
        if error.status not in (401, 403):
            raise
        return {}


def read(module, client):
    params = module.params
    check_harbor_name('project', params['project'])
    check_given(params, user=check_not_blank, group=check_not_blank)
    client.require_project(params['project'], permission='member:list')
    wanted_type, wanted_name = ('u', params['user']) if params['user'] is not None else ('g', params['group'])
    found = [member for member in list_members(client, params['project'], wanted_name)
             if wanted_name is None or (member.get('entity_type'), member.get('entity_name')) == (wanted_type,
                                                                                                  wanted_name)]
    groups = groups_by_id(client) if any(member.get('entity_type') == 'g' for member in found) else {}
    members = [describe(member, groups.get(member.get('entity_id'))) for member in found]
    return sorted(members, key=lambda member: ('user' not in member, member.get('user') or member.get('group') or ''))


def main():
    run_info('members', dict(project=dict(type='str', required=True), user=dict(type='str'), group=dict(type='str')),
             read, mutually_exclusive=[('user', 'group')])


if __name__ == '__main__':
    main()
