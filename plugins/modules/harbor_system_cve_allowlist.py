#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_system_cve_allowlist
short_description: Set Harbor's system CVE allowlist
version_added: 0.1.0
description:
  - Sets the CVE ids that Harbor ignores, in every project that uses the system allowlist, when it decides whether
    the vulnerabilities of an artifact block its pull (C(Configuration > Security) in the Harbor UI).
  - A project uses the system allowlist unless it has its own, see O(cloudtemple.harbor.harbor_project#module:cve_allowlist) and
    O(cloudtemple.harbor.harbor_project#module:reuse_sys_cve_allowlist).
  - Harbor always has one system allowlist, empty at first; V([]) for O(cve_ids) empties it.
  - Only the options set in the task are compared; the other keeps its value (Harbor replaces the whole
    allowlist, so the module sends both).
  - Only system administrators may change it.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  cve_ids:
    description:
      - The CVE ids of the allowlist (V(CVE-2024-1234)); the list replaces Harbor's. Order and duplicates do not
        matter.
      - Harbor calls them the allowlist's C(items).
    type: list
    elements: str
    aliases: [items]
  expires_at:
    description:
      - When the allowlist stops applying, in seconds since the epoch; after that, its CVEs block pulls again.
      - V(0) means never.
    type: int
seealso:
  - module: cloudtemple.harbor.harbor_project
    description: A project's own CVE allowlist, and whether it uses the system one.
  - name: Harbor's system CVE allowlist
    description: Harbor's documentation on the system-wide allowlist.
    link: https://goharbor.io/docs/main/administration/vulnerability-scanning/configure-system-allowlist/
"""

EXAMPLES = r"""
---
- name: Accept two CVEs everywhere until the end of 2026
  cloudtemple.harbor.harbor_system_cve_allowlist:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    cve_ids:
      - CVE-2024-3094
      - CVE-2023-44487
    expires_at: 1798761599  # 2026-12-31 23:59:59 UTC

- name: Make the allowlist never expire, keeping its CVEs
  cloudtemple.harbor.harbor_system_cve_allowlist:
    expires_at: 0

- name: Empty the allowlist
  cloudtemple.harbor.harbor_system_cve_allowlist:
    cve_ids: []
"""

RETURN = r"""
---
allowlist:
  description: The system allowlist after the run; in check mode, as Harbor has it (unchanged).
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
  sample:
    cve_ids: [CVE-2023-44487, CVE-2024-3094]
    expires_at: 1798761599
    update_time: "2026-01-05T10:00:00.000Z"
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.cve_allowlist import (
    ALLOWLIST_OPTIONS,
    SYSTEM_ALLOWLIST,
    describe_allowlist,
    read_system_allowlist,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Resource,
    ValidationError,
    converge,
    harbor_fields,
)


class SystemAllowlist(Resource):
    return_key = 'allowlist'
    options = ALLOWLIST_OPTIONS

    def validate(self, desired):
        if desired.get('expires_at', 0) < 0:
            raise ValidationError('expires_at must be seconds since the epoch, or 0 for never; got %d'
                                  % desired['expires_at'])

    def find(self):
        return read_system_allowlist(self.client)

    def update(self, current, changes, desired):
        values = dict(self.view(current, set(option.name for option in self.options)), **changes)
        self.client.put(SYSTEM_ALLOWLIST, json=harbor_fields(self.options, values),
                        permission='configuration:update (system administrators only)')
        return None

    def result(self, current):
        return describe_allowlist(current)

    def create(self, desired):
        raise ValidationError('Harbor has no system CVE allowlist to change; it always has one')

    def delete(self, current):
        raise ValidationError('the system CVE allowlist cannot be deleted; set cve_ids to [] to empty it')


def main():
    converge(SystemAllowlist, dict(cve_ids=dict(type='list', elements='str', aliases=['items']), expires_at=dict(type='int')),
             state=False, required_one_of=[('cve_ids', 'expires_at')])


if __name__ == '__main__':
    main()
