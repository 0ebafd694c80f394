#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_registry_info
short_description: Read Harbor registry endpoints
version_added: 0.1.0
description:
  - Returns the registry endpoints of Harbor (the other side of replication policies and proxy-cache projects),
    without their secrets, which Harbor never returns.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  name:
    description:
      - Return only the endpoint of exactly this name.
    type: str
  query:
    description:
      - A JMESPath expression applied to the list of endpoints; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
notes:
  - Reading endpoints needs a Harbor system administrator.
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_registry
  - module: cloudtemple.harbor.harbor_replication_info
"""

EXAMPLES = r"""
---
- name: Read every registry endpoint
  cloudtemple.harbor.harbor_registry_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
  register: endpoints

- name: Names of the endpoints Harbor cannot reach
  cloudtemple.harbor.harbor_registry_info:
    query: "[?status!='healthy'].name"
  register: unhealthy
"""

RETURN = r"""
---
registries:
  description: The endpoints, sorted by name; empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Harbor's id of the endpoint.
      type: int
      sample: 3
    name:
      description: The name.
      type: str
      sample: harbor-dr
    type:
      description: The kind of registry (Harbor's adapter).
      type: str
      sample: harbor
    url:
      description: The address Harbor reaches it at.
      type: str
      sample: https://harbor-dr.example.com
    description:
      description: The description, V("") for none.
      type: str
      sample: Second site
    insecure:
      description: Whether Harbor skips the verification of its TLS certificate.
      type: bool
      sample: false
    access_key:
      description: The user name or access key Harbor uses there, V("") for anonymous access.
      type: str
      sample: robot$replicator
    has_secret:
      description: Whether a secret is stored with the access key (the secret itself is never returned).
      type: bool
      sample: true
    status:
      description: Harbor's last health status of the endpoint.
      type: str
      sample: healthy
    creation_time:
      description: When Harbor created the endpoint.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
    update_time:
      description: When the endpoint was last changed.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
query_result:
  description: The result of O(query) over RV(registries).
  returned: when O(query) is set
  type: raw
  sample: [harbor-dr]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import named_reader, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.replication import check_registry_name, describe_registry, list_registries


def main():
    run_info('registries', dict(name=dict(type='str')),
             named_reader(list_registries, describe_registry, check=check_registry_name), order='name')


if __name__ == '__main__':
    main()
