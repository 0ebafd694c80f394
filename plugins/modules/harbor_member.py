#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_member
short_description: Give a user or a group a role in a Harbor project
version_added: 0.1.0
description:
  - Adds a user or a user group to a project with a role (C(Members) in the Harbor UI), changes the role of an
    existing member in place, or removes the member.
  - A membership that already exists is adopted as it is and only its role is compared.
  - The roles, from most to least powerful - V(project_admin) (everything, including members), V(maintainer)
    (also deletes artifacts and manages scans, retention and immutability), V(developer) (pushes, and may change
    the retention policy), V(guest) (pulls), V(limited_guest) (pulls, without seeing the other members or the
    logs).
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
  user:
    description:
      - User name of the member. The user must exist in Harbor, or be found by Harbor in its LDAP directory.
      - Exactly one of O(user) or O(group).
    type: str
  group:
    description:
      - Name of the user group, as Harbor shows it.
      - Exactly one of O(user) or O(group); requires O(group_type).
    type: str
  group_type:
    description:
      - Where the group comes from - V(ldap) (an LDAP group, see O(ldap_group_dn)), V(oidc) (a group of the OIDC
        provider's groups claim) or V(http) (a group of Harbor's HTTP authentication proxy, which Harbor keeps in
        its own database; Harbor's type 2), the same names as M(cloudtemple.harbor.harbor_group) uses.
      - V(internal) is another name for V(http).
      - Harbor looks a group up by name and type together.
    type: str
    choices: [ldap, http, oidc, internal]
  ldap_group_dn:
    description:
      - DN of the LDAP group, so that Harbor can find it in the directory when it does not know the group yet.
      - Only with O(group_type=ldap).
    type: str
  role:
    description:
      - The role of the member in the project. Required for O(state=present).
    type: str
    choices: [project_admin, maintainer, developer, guest, limited_guest]
  state:
    description:
      - V(present) adds the member or sets its role; V(absent) removes it from the project.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cloudtemple.harbor.harbor_project
  - module: cloudtemple.harbor.harbor_robot
    description: Robot accounts for pipelines, rather than personal accounts.
  - name: Harbor project members
    description: Harbor's documentation on roles and members.
    link: https://goharbor.io/docs/main/administration/managing-users/user-permissions-by-role/
"""

EXAMPLES = r"""
---
- name: Alice maintains the payments project
  cloudtemple.harbor.harbor_member:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
    user: alice
    role: maintainer

- name: The LDAP group of the payments developers pushes
  cloudtemple.harbor.harbor_member:
    project: payments
    group: payments-dev
    group_type: ldap
    ldap_group_dn: cn=payments-dev,ou=groups,dc=example,dc=com
    role: developer

- name: Bob leaves the project
  cloudtemple.harbor.harbor_member:
    project: payments
    user: bob
    state: absent
"""

RETURN = r"""
---
member:
  description:
    - The membership as Harbor returns it after the change. Empty after removal.
    - In check mode, for a member that does not exist yet, the membership it would get.
  returned: always
  type: dict
  sample:
    id: 14
    project_id: 12
    entity_name: alice
    entity_type: u
    entity_id: 5
    role_id: 4
    role_name: maintainer
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import HarborError, HarborTransportError, missing_project
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    converge,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.groups import (
    GROUP_TYPE_CHOICES,
    GROUP_TYPES,
    canonical_group_type,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.members import (
    ROLE_CHOICES,
    ROLE_IDS,
    ROLE_NAMES,
    list_members,
    member_permission,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name


class Member(Resource):
    return_key = 'member'
    identity_options = ('project', 'user', 'group')
    options = (Option('role'),)

    def __init__(self, module, client):
        super().__init__(module, client)
        self.params['group_type'] = canonical_group_type(self.params['group_type'])
        self.project = self.params['project']
        self.entity_type = 'u' if self.params['user'] else 'g'
        self.entity_name = self.params['user'] or self.params['group']
        self.project_exists = None

    def permission(self, action):
        return member_permission(action, self.project)

    def validate(self, desired):
        check_harbor_name('project', self.project)
        if not self.entity_name.strip():
            raise ValidationError('%s must not be empty' % ('user' if self.entity_type == 'u' else 'group'))
        if self.params['ldap_group_dn'] and self.params['group_type'] != 'ldap':
            raise ValidationError('ldap_group_dn only applies to group_type: ldap')

    def find(self):
        if self.project_exists is None:
            self.project_exists = self.client.get_project(self.project) is not None
        if not self.project_exists:
            if self.params['state'] == 'absent':
                return None
            raise missing_project(self.project)
        for member in list_members(self.client, self.project, self.entity_name):
            if member.get('entity_type') == self.entity_type and member.get('entity_name') == self.entity_name:
                return member
        return None

    def view(self, current, wanted):
        role_id = current.get('role_id')
        return dict(role=ROLE_NAMES.get(role_id, str(role_id))) if 'role' in wanted else {}

    def create(self, desired):
        body = dict(role_id=ROLE_IDS[desired['role']])
        if self.entity_type == 'u':
            body['member_user'] = dict(username=self.entity_name)
        else:
            body['member_group'] = dict(group_name=self.entity_name, group_type=GROUP_TYPES[self.params['group_type']])
            if self.params['ldap_group_dn']:
                body['member_group']['ldap_group_dn'] = self.params['ldap_group_dn']
        try:
            self.client.post(self.client.project_path(self.project, '/members'), json=body, resource_name=True,
                             permission=self.permission('create'))
        except HarborTransportError as error:
            if error.status != 500 or self.entity_type != 'g' or self.find() is not None:
                raise
            raise HarborError('group: Harbor could not add group %r (it answered 500). It does so when it has no %s '
                              'group of that name and cannot find one in its directory: check group, group_type%s'
                              % (self.entity_name, self.params['group_type'],
                                 ' and ldap_group_dn' if self.params['group_type'] == 'ldap' else ''), status=500)
        except HarborError as error:
            if error.status != 404 or self.entity_type != 'u':
                raise
            raise HarborError('user: Harbor has no user %r (%s); create the user first, or check the name for an LDAP '
                              'user' % (self.entity_name, error.harbor_message or 'not found'), status=404)
        return self.find()

    def update(self, current, changes, desired):
        self.client.put(self.client.project_path(self.project, '/members/%d' % current['id']),
                        json=dict(role_id=ROLE_IDS[changes['role']]), resource_name=True,
                        permission=self.permission('update'))
        return None

    def delete(self, current):
        self.client.delete(self.client.project_path(self.project, '/members/%d' % current['id']), resource_name=True,
                           permission=self.permission('delete'))

    def planned(self, desired):
        return dict(entity_name=self.entity_name, entity_type=self.entity_type, role_id=ROLE_IDS[desired['role']],
                    role_name=desired['role'])


def main():
    converge(Member, dict(
        project=dict(type='str', required=True),
        user=dict(type='str'),
        group=dict(type='str'),
        group_type=dict(type='str', choices=GROUP_TYPE_CHOICES),
        ldap_group_dn=dict(type='str'),
        role=dict(type='str', choices=ROLE_CHOICES),
    ), mutually_exclusive=[('user', 'group')], required_one_of=[('user', 'group')],
        required_by=dict(group=('group_type',), ldap_group_dn=('group',)), required_if=[('state', 'present', ('role',))])


if __name__ == '__main__':
    main()
