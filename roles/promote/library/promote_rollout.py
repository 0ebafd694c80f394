#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: promote_rollout
short_description: Set the image of one container of a Deployment (internal to the promote role)
version_added: 0.2.0
description:
  - Sets the image of container O(container) of the Deployment O(name) in O(namespace) to O(image), with a
    strategic merge patch that names the container, so the other containers stay as they are. Nothing is sent
    when the image is already O(image).
  - The patch carries the resourceVersion read just before, so a concurrent writer makes it read and compare again
    instead of being overwritten.
  - Internal to the C(cloudtemple.harbor.promote) role, which is the supported interface; kubernetes.core is not
    needed.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.k8s_auth
options:
  namespace:
    description: Namespace of the Deployment.
    type: str
    required: true
  name:
    description: Name of the Deployment.
    type: str
    required: true
  container:
    description: Name of the container, in C(spec.template.spec.containers), whose image is set.
    type: str
    required: true
  image:
    description: The image, such as V(harbor.example.com/payments-prod/api@sha256:...).
    type: str
    required: true
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
---
- name: Roll out the promoted digest
  promote_rollout:
    namespace: payments-prod
    name: api
    container: api
    image: harbor.example.com/payments-prod/api@sha256:4a7c...
"""

RETURN = r"""
---
previous_image:
  description: The container's image before the task.
  returned: success
  type: str
image:
  description: The container's image after the task (in check mode, what it would be).
  returned: success
  type: str
generation:
  description: C(metadata.generation) of the Deployment after the task; a rollout makes it grow.
  returned: success
  type: int
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import CollectionError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.k8s import (
    STRATEGIC_MERGE_PATCH,
    client_from_params,
    k8s_argument_spec,
    path_of,
)

APPS = '/apis/apps/v1'


def container_of(deployment, name, where):
    containers = (((deployment.get('spec') or {}).get('template') or {}).get('spec') or {}).get('containers') or []
    for container in containers:
        if container.get('name') == name:
            return container
    raise CollectionError('%s has no container %r (its containers: %s); set the container of the promote_deployments '
                          'entry' % (where, name, ', '.join(item.get('name', '?') for item in containers) or 'none'))


def main():
    module = AnsibleModule(
        argument_spec=dict(k8s_argument_spec(), namespace=dict(type='str', required=True),
                           name=dict(type='str', required=True), container=dict(type='str', required=True),
                           image=dict(type='str', required=True)),
        supports_check_mode=True,
    )
    params = module.params
    where = 'Deployment %s/%s' % (params['namespace'], params['name'])
    path = path_of('deployments', params['namespace'], params['name'], api=APPS)
    try:
        kube = client_from_params(params, warn=module.warn)
        current = kube.get(path)
        if current is None:
            raise CollectionError('%s does not exist; create it first, or fix the namespace and name of the '
                                  'promote_deployments entry' % where)
        previous = container_of(current, params['container'], where).get('image')

        def compute(deployment):
            if container_of(deployment, params['container'], where).get('image') == params['image']:
                return None
            return {'spec': {'template': {'spec': {'containers': [
                {'name': params['container'], 'image': params['image']}]}}}}

        changed = compute(current) is not None
        result = current
        if changed and not module.check_mode:
            result, changed = kube.patch_until_applied(path, current, compute, content_type=STRATEGIC_MERGE_PATCH)
    except CollectionError as error:
        module.fail_json(msg='%s: %s' % (where, error))
    diff = dict(before=dict(image=previous), after=dict(image=params['image']),
                before_header=where, after_header=where)
    module.exit_json(changed=changed, previous_image=previous, image=params['image'],
                     generation=(result.get('metadata') or {}).get('generation'), diff=diff)


if __name__ == '__main__':
    main()
