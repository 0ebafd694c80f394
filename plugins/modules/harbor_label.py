#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_label
short_description: Manage Harbor labels, global or of one project
version_added: 0.1.0
description:
  - Creates, changes or deletes a label that users attach to artifacts (C(Labels) in the Harbor UI), either a
    global label, available in every project, or a label of one project.
  - A label is known by its name within its scope; only the options set in the task are compared, and a change
    is made in place.
  - Deleting a label also removes it from every artifact that carries it.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  name:
    description:
      - Name of the label, 1 to 128 characters. Names are case-sensitive.
    type: str
    required: true
  project:
    description:
      - Name of the project of the label. It must exist for O(state=present).
      - The account needs C(label:create), C(label:update) or C(label:delete) on the project, which project
        administrators and maintainers have.
      - Without it the label is global, which only system administrators may manage.
    type: str
  description:
    description:
      - What the label means. V("") clears it.
    type: str
  color:
    description:
      - Colour of the label in the Harbor UI, as V(#RRGGBB) (compared regardless of case). V("") for none.
      - The UI offers a palette such as V(#61717D), V(#0095D3) or V(#F52F52), but any colour is accepted.
    type: str
  state:
    description:
      - V(present) creates or changes the label; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cloudtemple.harbor.harbor_label_info
  - module: cloudtemple.harbor.harbor_project
  - name: Harbor labels
    description: Harbor's documentation on global and project labels.
    link: https://goharbor.io/docs/main/working-with-projects/working-with-images/create-labels/
"""

EXAMPLES = r"""
---
- name: A global label for the images approved for production
  cloudtemple.harbor.harbor_label:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    name: prod-approved
    description: Approved for production by the release board
    color: "#48960C"

- name: A label of the payments project
  cloudtemple.harbor.harbor_label:
    project: payments
    name: pci
    color: "#F52F52"

- name: Delete the label of the payments project
  cloudtemple.harbor.harbor_label:
    project: payments
    name: pci
    state: absent
"""

RETURN = r"""
---
label:
  description:
    - The label after the change. Empty after deletion.
    - In check mode, for a label that does not exist yet, the label it would get (without id).
  returned: always
  type: dict
  sample:
    id: 7
    name: pci
    description: Holds card data
    color: "#F52F52"
    scope: project
    project: payments
    project_id: 12
    creation_time: "2026-01-05T10:00:00.000Z"
    update_time: "2026-01-05T10:00:00.000Z"
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import missing_project
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    RestResource,
    converge,
    harbor_fields,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.labels import (
    LABELS,
    check_label_name,
    describe,
    harbor_color,
    list_labels,
    normalize_color,
    permission,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_given, check_harbor_name


class Label(RestResource):
    return_key = 'label'
    identity_options = ('project', 'name')
    collection = LABELS
    options = (
        Option('description', field='description', from_harbor=lambda value: value or ''),
        Option('color', field='color', normalize=normalize_color, from_harbor=harbor_color),
    )

    def __init__(self, module, client):
        super().__init__(module, client)
        self.project = self.params['project']
        self.project_found = None

    def check_identity(self):
        check_label_name('name', self.params['name'])
        check_given(self.params, project=check_harbor_name)

    def permission(self, action):
        return permission(action, self.project)

    def project_id(self):
        """The id of the label's project (None for a global label); False when the project does not exist."""
        if self.project is None:
            return None
        if self.project_found is None:
            self.project_found = self.client.get_project(self.project) or {}
        return self.project_found.get('project_id', False)

    def find(self):
        project_id = self.project_id()
        if project_id is False:
            if self.params['state'] == 'absent':
                return None
            raise missing_project(self.project)
        found = list_labels(self.client, self.project, project_id, self.params['name'], remember=True)
        return found[0] if found else None

    def scope(self):
        """Harbor's fields that place the label: its scope, and its project's id for a project label."""
        project_id = self.project_id()
        return dict(scope='g') if project_id is None else dict(scope='p', project_id=project_id)

    def body(self, values):
        return dict(harbor_fields(self.options, values), name=self.params['name'], **self.scope())

    def result(self, current):
        return describe(current, self.project)

    def planned(self, desired):
        return describe(dict(desired, name=self.params['name'], **self.scope()), self.project)


def main():
    converge(Label, dict(name=dict(type='str', required=True), project=dict(type='str'), description=dict(type='str'),
                         color=dict(type='str')))


if __name__ == '__main__':
    main()
