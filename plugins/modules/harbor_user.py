#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_user
short_description: Manage a local Harbor user
version_added: 0.1.0
description:
  - Creates, changes or deletes a user of Harbor's own database (C(Users) in the Harbor UI), for a Harbor that
    uses database authentication; with LDAP or OIDC, Harbor creates users at their first login.
  - Only the options set in the task are compared; the e-mail address, real name and comment are changed in place,
    the system administrator flag with its own request.
  - The password is write-only, as Harbor never shows it; see O(update_secret).
  - Harbor's C(admin) user, created at installation, is not managed by this module.
  - Only system administrators may manage users.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  username:
    description:
      - The login name, 1 to 255 characters without C(,~#$%). Case-sensitive; it cannot be changed.
    type: str
    required: true
  email:
    description:
      - The e-mail address, unique among Harbor's users. Required to create the user.
    type: str
  realname:
    description:
      - The full name, 1 to 255 characters. When the user is created without it, O(username).
    type: str
  comment:
    description:
      - A comment, at most 30 characters. V("") clears it.
    type: str
  password:
    description:
      - The password, 8 to 128 characters with at least one upper-case letter, one lower-case letter and one digit.
        Required to create the user.
      - Never shown in the output nor in a diff.
    type: str
  update_secret:
    description:
      - V(on_create) sets O(password) only when the module creates the user, so that the user may change it.
      - V(always) also makes an existing user's password O(password). The module logs in as the user first, so an
        unchanged password is not written again and the run reports no change.
    type: str
    choices: [always, on_create]
    default: on_create
  admin:
    description:
      - Whether the user is a system administrator.
    type: bool
  state:
    description:
      - V(present) creates or changes the user; V(absent) deletes it, with its project memberships.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cloudtemple.harbor.harbor_user_info
  - module: cloudtemple.harbor.harbor_member
    description: Give the user a role in a project.
"""

EXAMPLES = r"""
---
- name: Alice, a developer with her initial password
  cloudtemple.harbor.harbor_user:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    username: alice
    email: alice@example.com
    realname: Alice Martin
    password: "{{ vault_alice_initial_password }}"

- name: Bob administers Harbor, with the password kept in the vault
  cloudtemple.harbor.harbor_user:
    username: bob
    email: bob@example.com
    password: "{{ vault_bob_password }}"
    update_secret: always
    admin: true

- name: Carol has left
  cloudtemple.harbor.harbor_user:
    username: carol
    state: absent
"""

RETURN = r"""
---
user:
  description:
    - The user after the change, never with its password. Empty after deletion.
    - In check mode, for a user that does not exist yet, the user it would get (without id).
  returned: always
  type: dict
  sample:
    user_id: 5
    username: alice
    email: alice@example.com
    realname: Alice Martin
    comment: ""
    admin: false
    creation_time: "2026-01-05T10:00:00.000Z"
    update_time: "2026-01-05T10:00:00.000Z"
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import Option, Resource, converge, harbor_fields
from ansible_collections.cloudtemple.harbor.plugins.module_utils.users import (
    PERMISSION,
    USERS,
    check_password,
    check_profile,
    check_username,
    describe,
    list_users,
)

PROFILE = ('email', 'realname', 'comment')


class User(Resource):
    return_key = 'user'
    identity_options = ('username',)
    name_option = 'username'
    kind = 'user'
    required_to_create = ('email', 'password')
    options = tuple(Option(name, field=name, from_harbor=lambda value: value or '') for name in PROFILE) + (
        Option('admin', field='sysadmin_flag', from_harbor=bool),
        Option('password', secret=True),
    )

    def __init__(self, module, client):
        super().__init__(module, client)
        self.username = self.params['username']

    def check_identity(self):
        check_username('username', self.username)

    def validate(self, desired):
        check_profile(desired)
        if 'password' in desired:
            check_password(desired['password'])

    def find(self):
        found = list_users(self.client, self.username, remember=True)
        return found[0] if found else None

    def probe(self, current, desired):
        if 'password' not in desired:
            return {}
        if self.params['update_secret'] == 'on_create' or self.client.accepts(self.username, desired['password']):
            return dict(password=desired['password'])
        return dict(password=None)

    def path(self, user_id, suffix=''):
        return '%s/%d%s' % (USERS, user_id, suffix)

    def create(self, desired):
        body = dict(harbor_fields(self.options[:len(PROFILE)], desired), username=self.username,
                    password=desired['password'])
        body.setdefault('realname', self.username)
        response = self.client.post(USERS, json=body, permission='user:create' + PERMISSION)
        if desired.get('admin'):
            user_id = response.location_id or self.find()['user_id']
            self.client.put(self.path(user_id, '/sysadmin'), json=dict(sysadmin_flag=True),
                            permission='user:update' + PERMISSION)
        return None

    def update(self, current, changes, desired):
        user_id = current['user_id']
        if any(name in changes for name in PROFILE):
            # Harbor replaces the whole profile: what the task leaves out is sent as it is.
            profile = dict(self.view(current, set(PROFILE)), **changes)
            self.client.put(self.path(user_id), json=dict((name, profile[name]) for name in PROFILE),
                            permission='user:update' + PERMISSION)
        if 'admin' in changes:
            self.client.put(self.path(user_id, '/sysadmin'), json=dict(sysadmin_flag=changes['admin']),
                            permission='user:update' + PERMISSION)
        if 'password' in changes:
            self.client.put(self.path(user_id, '/password'), json=dict(new_password=changes['password']),
                            permission='user:update' + PERMISSION)
        return None

    def delete(self, current):
        self.client.delete(self.path(current['user_id']), missing_ok=True, permission='user:delete' + PERMISSION)

    def result(self, current):
        return describe(current)

    def planned(self, desired):
        return describe(dict(username=self.username, realname=desired.get('realname', self.username),
                             sysadmin_flag=desired.get('admin', False),
                             **dict((name, desired[name]) for name in ('email', 'comment') if name in desired)))


def main():
    converge(User, dict(
        username=dict(type='str', required=True),
        email=dict(type='str'),
        realname=dict(type='str'),
        comment=dict(type='str'),
        password=dict(type='str', no_log=True),
        admin=dict(type='bool'),
    ), update_secret=True)


if __name__ == '__main__':
    main()
