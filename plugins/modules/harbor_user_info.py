#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_user_info
short_description: Read Harbor's local users
version_added: 0.1.0
description:
  - Returns the users Harbor knows (local users, and LDAP or OIDC users once they have logged in), never with a
    password. Harbor's C(admin) user is never listed by Harbor, so it is not returned.
  - Only system administrators may list users.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  username:
    description:
      - Return only the user of exactly this name (case-sensitive).
    type: str
  query:
    description:
      - A JMESPath expression applied to the list of users; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_user
"""

EXAMPLES = r"""
---
- name: Read every user
  cloudtemple.harbor.harbor_user_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
  register: harbor_users

- name: Names of the system administrators
  cloudtemple.harbor.harbor_user_info:
    query: "[?admin].username"
  register: harbor_admins
"""

RETURN = r"""
---
users:
  description: The users, sorted by name; empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    user_id:
      description: Harbor's id of the user.
      type: int
      sample: 5
    username:
      description: The login name.
      type: str
      sample: alice
    email:
      description: The e-mail address.
      type: str
      sample: alice@example.com
    realname:
      description: The full name.
      type: str
      sample: Alice Martin
    comment:
      description: The comment, V("") for none.
      type: str
      sample: ""
    admin:
      description: Whether the user is a system administrator.
      type: bool
      sample: false
    creation_time:
      description: When Harbor created the user.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
    update_time:
      description: When the user was last changed.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
query_result:
  description: The result of O(query) over RV(users).
  returned: when O(query) is set
  type: raw
  sample: [bob]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import named_reader, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.users import check_username, describe, list_users


def main():
    run_info('users', dict(username=dict(type='str')), named_reader(list_users, describe, 'username', check_username),
             order='username')


if __name__ == '__main__':
    main()
