#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_rollout
short_description: Roll an image out to a Kubernetes Deployment, by digest
version_added: 0.2.0
description:
  - Sets the image of the container O(container) of the Deployment O(name) in O(namespace) to O(image), such as the
    reference by digest of a promoted artifact, V(harbor.example.com/payments-prod/api@sha256:...) (see the lookup
    P(cloudtemple.harbor.artifact_digest#lookup) with C(image=true), and the role C(cloudtemple.harbor.promote)).
  - The change is a strategic merge patch that names the container, so the other containers stay as they are, and
    Kubernetes starts a rollout. Nothing is sent when the container already has O(image).
  - The patch carries the resourceVersion read just before, so a concurrent writer makes the module read and compare
    again instead of being overwritten.
  - kubernetes.core is not needed; the cluster connection options are the same.
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
    description:
      - The image, with its registry host; by digest (V(<host>/<project>/<repository>@sha256:...)) to run exactly
        what was checked, as the seed guide advises for production.
    type: str
    required: true
  harbor_url:
    description:
      - Not used by this module, which talks to Kubernetes only; accepted, with the other C(harbor_*) options, so that
        C(module_defaults) for the C(cloudtemple.harbor.harbor) group apply to it as to the other modules.
    type: str
  harbor_username:
    description: Not used by this module, see O(harbor_url).
    type: str
  harbor_password:
    description: Not used by this module, see O(harbor_url).
    type: str
  harbor_validate_certs:
    description: Not used by this module, see O(harbor_url).
    type: bool
    default: true
  harbor_ca_path:
    description: Not used by this module, see O(harbor_url).
    type: path
  harbor_timeout:
    description: Not used by this module, see O(harbor_url).
    type: int
    default: 30
attributes:
  check_mode:
    description: In check mode the module reads the Deployment, reports whether it would change it and writes nothing.
    support: full
  diff_mode:
    description: With C(--diff) the module returns the container's image before and after.
    support: full
  idempotent:
    description: Running the module twice with the same options changes nothing the second time, and only reads.
    support: full
  action_group:
    description: Use C(group/cloudtemple.harbor.harbor) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - cloudtemple.harbor.harbor
notes:
  - The identity of the kubeconfig needs C(get) and C(patch) on C(deployments) (API group C(apps)) in O(namespace).
requirements:
  - requests
  - kubernetes (to read kubeconfig files)
seealso:
  - module: cloudtemple.harbor.harbor_artifact
    description: Promote the artifact by copying it by digest first.
  - name: The promote role
    description: Scan, signature and SBOM checks, the copy by digest and this rollout, in one role.
    link: https://github.com/cloud-temple/ansible-collection-harbor/blob/main/docs/promotion.md
"""

EXAMPLES = r"""
---
- name: Roll out the promoted digest of payments/api
  cloudtemple.harbor.harbor_rollout:
    kubeconfig: ~/.kube/prod.yaml
    namespace: payments-prod
    name: api
    container: api
    image: "{{ lookup('cloudtemple.harbor.artifact_digest', 'payments-prod/api:2.3.4', image=true) }}"
  register: rollout

- name: See what would change, without changing it
  cloudtemple.harbor.harbor_rollout:
    namespace: payments-prod
    name: api
    container: api
    image: harbor.example.com/payments-prod/api@sha256:4a7c7f7f746bc1d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
  check_mode: true
  diff: true
"""

RETURN = r"""
---
previous_image:
  description: The container's image before the task.
  returned: success
  type: str
  sample: harbor.example.com/payments/api:2.3.3
image:
  description: The container's image after the task (in check mode, what it would be).
  returned: success
  type: str
  sample: harbor.example.com/payments-prod/api@sha256:4a7c7f7f746bc1d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9
generation:
  description: C(metadata.generation) of the Deployment after the task; a rollout makes it grow by one.
  returned: success
  type: int
  sample: 4
"""

import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import harbor_argument_spec
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_module
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import KubeError, ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.in_process import build_module
from ansible_collections.cloudtemple.harbor.plugins.module_utils.k8s import (
    STRATEGIC_MERGE_PATCH,
    client_from_params,
    k8s_argument_spec,
    path_of,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.pull_secret import DNS_LABEL, DNS_SUBDOMAIN

APPS = '/apis/apps/v1'


def check(params):
    for option, pattern, rule in (('namespace', DNS_LABEL, 63), ('name', DNS_SUBDOMAIN, 253),
                                  ('container', DNS_LABEL, 63)):
        if not re.fullmatch(pattern, params[option]) or len(params[option]) > rule:
            raise ValidationError('%s %r is not a valid Kubernetes name: lower-case letters, digits and "-"%s, '
                                  'starting and ending with a letter or digit, at most %d characters'
                                  % (option, params[option], ' and "."' if option == 'name' else '', rule))
    if not params['image'].strip() or any(char.isspace() for char in params['image']):
        raise ValidationError('image %r is not an image reference, such as '
                              'harbor.example.com/payments-prod/api@sha256:...' % params['image'])


def container_of(deployment, name, where):
    containers = (((deployment.get('spec') or {}).get('template') or {}).get('spec') or {}).get('containers') or []
    for container in containers:
        if container.get('name') == name:
            return container
    raise ValidationError('container: %s has no container %r (its containers: %s)'
                          % (where, name, ', '.join(item.get('name', '?') for item in containers) or 'none'))


def main():
    spec = harbor_argument_spec()
    spec['harbor_url'] = dict(spec['harbor_url'], required=False)
    spec.update(k8s_argument_spec())
    spec.update(namespace=dict(type='str', required=True), name=dict(type='str', required=True),
                container=dict(type='str', required=True), image=dict(type='str', required=True))
    module = build_module(spec, supports_check_mode=True)
    params = module.params

    def rollout():
        check(params)
        where = 'Deployment %s/%s' % (params['namespace'], params['name'])
        path = path_of('deployments', params['namespace'], params['name'], api=APPS)
        kube = client_from_params(params, warn=module.warn)
        current = kube.get(path)
        if current is None:
            raise KubeError('%s does not exist: create it first, or fix namespace and name' % where, status=404)
        previous = container_of(current, params['container'], where).get('image')

        def compute(deployment):
            if container_of(deployment, params['container'], where).get('image') == params['image']:
                return None
            return {'spec': {'template': {'spec': {'containers': [
                {'name': params['container'], 'image': params['image']}]}}}}

        changed = compute(current) is not None
        if changed and not module.check_mode:
            current, changed = kube.patch_until_applied(path, current, compute, content_type=STRATEGIC_MERGE_PATCH)
        return dict(changed=changed, previous_image=previous, image=params['image'],
                    generation=(current.get('metadata') or {}).get('generation'),
                    diff=dict(before=dict(image=previous), after=dict(image=params['image']),
                              before_header=where, after_header=where))

    run_module(module, rollout, connect=None)


if __name__ == '__main__':
    main()
