#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_project_info
short_description: Read Harbor projects
version_added: 0.1.0
description:
  - Returns one Harbor project by name, or every project the account can see.
  - The credentials are checked first, so a rejected password fails instead of silently listing only the
    public projects, which is what Harbor shows an anonymous caller.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  name:
    description:
      - Exact name of one project. Without it, every project visible to the account is returned (all pages).
    type: str
  with_quota:
    description:
      - Add each project's storage quota and usage to it in RV(projects), from Harbor's quota API.
      - Only a Harbor system administrator may read quotas.
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression applied to the list of projects; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_project
"""

EXAMPLES = r"""
---
- name: Read the payments project
  cloudtemple.harbor.harbor_project_info:
    name: payments
  register: payments

- name: Names of the projects that do not scan on push
  cloudtemple.harbor.harbor_project_info:
    query: "[?metadata.auto_scan != 'true'].name"
  register: unscanned

- name: Projects above 90% of their storage quota
  cloudtemple.harbor.harbor_project_info:
    with_quota: true
    query: "[?quota.used_percent > `90`].name"
  register: nearly_full

- name: Show them
  ansible.builtin.debug:
    var: unscanned.query_result
"""

RETURN = r"""
---
projects:
  description:
    - The projects, as Harbor returns them. Empty when O(name) does not exist.
    - With O(with_quota), each has C(quota) with C(hard) and C(used) storage in bytes (C(hard) is -1 when
      unlimited), C(used_percent) (null when unlimited) and C(storage_quota), the limit as
      O(cloudtemple.harbor.harbor_project#module:storage_quota) takes it.
  returned: always
  type: list
  elements: dict
  sample:
    - project_id: 12
      name: payments
      repo_count: 3
      metadata:
        public: "false"
        auto_scan: "true"
        severity: high
        prevent_vul: "true"
      quota:
        hard: 53687091200
        used: 1203741
        used_percent: 0.0
        storage_quota: 50GiB
query_result:
  description: The result of O(query) over RV(projects).
  returned: when O(query) is set
  type: raw
  sample: [payments, billing]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.projects import storage_quotas


def read(module, client):
    # Harbor lists public projects to rejected credentials instead of failing: log in first.
    client.current_identity()
    if module.params['name']:
        project = client.get_project(module.params['name'])
        projects = [project] if project else []
    else:
        projects = client.paginate('/projects', params={'with_detail': 'true'})
    if module.params['with_quota'] and projects:
        quotas = storage_quotas(client, projects)
        projects = [dict(project, quota=quotas.get(project['project_id'])) for project in projects]
    return projects


def main():
    run_info('projects', dict(name=dict(type='str'), with_quota=dict(type='bool', default=False)), read)


if __name__ == '__main__':
    main()
