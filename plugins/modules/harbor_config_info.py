#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_config_info
short_description: Read Harbor's system configuration
version_added: 0.1.0
description:
  - Returns Harbor's system settings by the option names of M(cloudtemple.harbor.harbor_config), never a secret
    (Harbor never returns the OIDC client secret nor the LDAP bind password).
  - Only system administrators may read the configuration.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  query:
    description:
      - A JMESPath expression applied to RV(config); the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_config
"""

EXAMPLES = r"""
---
- name: Read Harbor's configuration
  cloudtemple.harbor.harbor_config_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
  register: harbor_config

- name: The OIDC provider's endpoint
  cloudtemple.harbor.harbor_config_info:
    query: oidc.endpoint
  register: oidc_endpoint
"""

RETURN = r"""
---
config:
  description:
    - The settings by the option names of M(cloudtemple.harbor.harbor_config), with the OIDC and LDAP settings
      under RV(config.oidc) and RV(config.ldap), and no secret.
  returned: always
  type: dict
  contains:
    auth_mode:
      description: How users log in.
      type: str
      sample: oidc_auth
    auth_mode_editable:
      description: Whether Harbor still accepts a change of RV(config.auth_mode) (no user but admin yet).
      type: bool
      sample: false
    project_creation_restriction:
      description: V(everyone) or V(adminonly).
      type: str
      sample: adminonly
    robot_token_duration:
      description: Default lifetime of robot secrets, in days.
      type: int
      sample: 30
    banner_message:
      description: The UI banner (text, type, closable, from_date, to_date), V({}) for none.
      type: dict
      sample: {text: Maintenance on Saturday, type: warning, closable: true, from_date: null, to_date: null}
    storage_per_project:
      description: The quota of new projects, V(-1) for unlimited.
      type: str
      sample: 50GiB
    oidc:
      description: The OIDC settings, without the client secret.
      type: dict
      sample: {name: Example SSO, endpoint: "https://login.example.com/realms/harbor", client_id: harbor}
    ldap:
      description: The LDAP settings, without the bind password; scopes as V(base), V(onelevel) or V(subtree).
      type: dict
      sample: {url: "ldaps://ldap.example.com", scope: subtree}
query_result:
  description: The result of O(query) over RV(config).
  returned: when O(query) is set
  type: raw
  sample: https://login.example.com/realms/harbor
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.config import (
    CONFIGURATIONS,
    READ_PERMISSION,
    describe,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info


def main():
    run_info('config', {}, lambda module, client: describe(client.get(CONFIGURATIONS, permission=READ_PERMISSION)))


if __name__ == '__main__':
    main()
