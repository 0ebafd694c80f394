#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_label_info
short_description: Read Harbor labels, global or of one project
version_added: 0.1.0
description:
  - Returns the global labels of Harbor, or the labels of one project.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  project:
    description:
      - Return the labels of this project, which must exist. The account needs C(label:list) on it, which every
        member has.
      - Without it, the global labels are returned, which every logged-in user may read.
    type: str
  name:
    description:
      - Return only the label of exactly this name (case-sensitive).
    type: str
  query:
    description:
      - A JMESPath expression applied to the list of labels; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_label
"""

EXAMPLES = r"""
---
- name: Read the labels of the payments project
  cloudtemple.harbor.harbor_label_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
  register: payments_labels

- name: Names of the global labels
  cloudtemple.harbor.harbor_label_info:
    query: "[].name"
  register: global_label_names
"""

RETURN = r"""
---
labels:
  description: The labels, sorted by name; empty when none matches.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Harbor's id of the label.
      type: int
      sample: 7
    name:
      description: The name.
      type: str
      sample: pci
    description:
      description: The description, V("") for none.
      type: str
      sample: Holds card data
    color:
      description: The colour, V("") for none.
      type: str
      sample: "#F52F52"
    scope:
      description: V(global) or V(project).
      type: str
      sample: project
    project:
      description: The project of a project label, V(null) for a global label.
      type: str
      sample: payments
    project_id:
      description: Harbor's id of the project, V(null) for a global label.
      type: int
      sample: 12
    creation_time:
      description: When Harbor created the label.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
    update_time:
      description: When the label was last changed.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
query_result:
  description: The result of O(query) over RV(labels).
  returned: when O(query) is set
  type: raw
  sample: [pci]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.labels import check_label_name, describe, list_labels
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_given, check_harbor_name


def read(module, client):
    project, name = module.params['project'], module.params['name']
    check_given(module.params, project=check_harbor_name, name=check_label_name)
    project_id = client.require_project(project, permission='label:list')['project_id'] if project else None
    return [describe(label, project) for label in list_labels(client, project, project_id, name)]


def main():
    run_info('labels', dict(project=dict(type='str'), name=dict(type='str')), read, order='name')


if __name__ == '__main__':
    main()
