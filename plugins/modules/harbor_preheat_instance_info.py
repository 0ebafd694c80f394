#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_preheat_instance_info
short_description: Read Harbor's P2P preheat provider instances
version_added: 0.1.0
description:
  - Returns the P2P provider instances (Dragonfly, Kraken) of Harbor, never their credentials.
  - Only system administrators may list them.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  name:
    description:
      - Return only the instance of exactly this name.
    type: str
  query:
    description:
      - A JMESPath expression applied to the list of instances; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_preheat_instance
"""

EXAMPLES = r"""
---
- name: Read the P2P provider instances
  cloudtemple.harbor.harbor_preheat_instance_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
  register: p2p_instances

- name: The endpoint of the default instance
  cloudtemple.harbor.harbor_preheat_instance_info:
    query: "[?default].endpoint | [0]"
  register: default_p2p_endpoint
"""

RETURN = r"""
---
instances:
  description: The instances, sorted by name; empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Harbor's id of the instance.
      type: int
      sample: 1
    name:
      description: The name.
      type: str
      sample: dragonfly-prod
    description:
      description: The description, V("") for none.
      type: str
      sample: ""
    vendor:
      description: V(dragonfly) or V(kraken).
      type: str
      sample: dragonfly
    endpoint:
      description: The provider's URL.
      type: str
      sample: http://dragonfly-manager.p2p:8080
    auth_mode:
      description: V(NONE), V(BASIC) or V(OAUTH); the credentials are never returned.
      type: str
      sample: BASIC
    enabled:
      description: Whether preheat policies may use it.
      type: bool
      sample: true
    default:
      description: Whether it is the default instance.
      type: bool
      sample: true
    insecure:
      description: Whether Harbor skips the verification of its certificate.
      type: bool
      sample: false
    status:
      description: What Harbor reports of its health (V(Unknown) in lists).
      type: str
      sample: Unknown
    setup_timestamp:
      description: When it was created, in seconds since the epoch.
      type: int
      sample: 1767607200
query_result:
  description: The result of O(query) over RV(instances).
  returned: when O(query) is set
  type: raw
  sample: http://dragonfly-manager.p2p:8080
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import named_reader, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.preheat import check_name, describe, list_instances


def main():
    run_info('instances', dict(name=dict(type='str')), named_reader(list_instances, describe, check=check_name),
             order='name')


if __name__ == '__main__':
    main()
