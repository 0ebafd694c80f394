#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_scanner_info
short_description: Read Harbor's scanner registrations
version_added: 0.1.0
description:
  - Returns the scanner adapters registered in Harbor, with the default one, their health and capabilities as
    Harbor reports them, never their credential.
  - Only system administrators may list scanners.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  name:
    description:
      - Return only the registration of exactly this name.
    type: str
  query:
    description:
      - A JMESPath expression applied to the list of scanners; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_scanner
"""

EXAMPLES = r"""
---
- name: Read the scanners
  cloudtemple.harbor.harbor_scanner_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
  register: harbor_scanners

- name: The name of the default scanner
  cloudtemple.harbor.harbor_scanner_info:
    query: "[?default].name | [0]"
  register: default_scanner
"""

RETURN = r"""
---
scanners:
  description: The registrations, sorted by name; empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    uuid:
      description: Harbor's id of the registration.
      type: str
      sample: 5a7e3c1e-0b9a-4c1f-9a43-2f1c5a2e7d11
    name:
      description: The name.
      type: str
      sample: trivy-corp
    url:
      description: The adapter's URL.
      type: str
      sample: http://trivy-adapter.security:8080
    description:
      description: The description, V("") for none.
      type: str
      sample: Trivy with the company's mirror
    auth:
      description: V(none), V(Basic), V(Bearer) or V(X-ScannerAdapter-API-Key); the credential is never returned.
      type: str
      sample: X-ScannerAdapter-API-Key
    skip_cert_verify:
      description: Whether Harbor skips the verification of the adapter's certificate.
      type: bool
      sample: false
    use_internal_addr:
      description: Whether the adapter pulls through Harbor's internal address.
      type: bool
      sample: false
    default:
      description: Whether this is the default scanner.
      type: bool
      sample: true
    disabled:
      description: Whether the registration is deactivated.
      type: bool
      sample: false
    health:
      description: V(healthy) or V(unhealthy) when Harbor reports it, else V(null).
      type: str
      sample: null
    adapter:
      description: The adapter's name from its metadata, V(null) when Harbor could not reach it.
      type: str
      sample: Trivy
    vendor:
      description: The adapter's vendor from its metadata.
      type: str
      sample: Aqua Security
    version:
      description: The adapter's version from its metadata.
      type: str
      sample: v0.58.1
    capabilities:
      description: What the adapter scans for (C(support_vulnerability), C(support_sbom)).
      type: dict
      sample: {support_vulnerability: true, support_sbom: true}
    create_time:
      description: When it was registered.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
    update_time:
      description: When it was last changed.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
query_result:
  description: The result of O(query) over RV(scanners).
  returned: when O(query) is set
  type: raw
  sample: trivy-corp
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import named_reader, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.scanners import describe, list_scanners
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_not_blank


def main():
    run_info('scanners', dict(name=dict(type='str')), named_reader(list_scanners, describe, check=check_not_blank),
             order='name')


if __name__ == '__main__':
    main()
