#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_system_cve_allowlist_info
short_description: Read Harbor's system CVE allowlist
version_added: 0.1.0
description:
  - Returns the system CVE allowlist (C(Configuration > Security) in the Harbor UI) in the terms
    M(cloudtemple.harbor.harbor_system_cve_allowlist) takes.
  - Every logged-in user may read it.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  query:
    description:
      - A JMESPath expression applied to RV(allowlist); the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_system_cve_allowlist
"""

EXAMPLES = r"""
---
- name: Read the system CVE allowlist
  cloudtemple.harbor.harbor_system_cve_allowlist_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
  register: system_allowlist

- name: Is log4shell allowed everywhere
  cloudtemple.harbor.harbor_system_cve_allowlist_info:
    query: "contains(cve_ids, 'CVE-2021-44228')"
  register: log4shell_allowed
"""

RETURN = r"""
---
allowlist:
  description: The system allowlist.
  returned: always
  type: dict
  contains:
    cve_ids:
      description: The CVE ids, sorted.
      type: list
      elements: str
      sample: [CVE-2023-44487, CVE-2024-3094]
    expires_at:
      description: When the allowlist stops applying, in seconds since the epoch; V(0) for never.
      type: int
      sample: 1798761599
    update_time:
      description: When the allowlist was last set, V(0001-01-01T00:00:00.000Z) if it never was.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
query_result:
  description: The result of O(query) over RV(allowlist).
  returned: when O(query) is set
  type: raw
  sample: false
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.cve_allowlist import describe_allowlist, read_system_allowlist
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info


def main():
    run_info('allowlist', {}, lambda module, client: describe_allowlist(read_system_allowlist(client) or {}))


if __name__ == '__main__':
    main()
