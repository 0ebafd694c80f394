#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_registry
short_description: Manage Harbor registry endpoints, the other side of replication and proxy caches
version_added: 0.1.0
description:
  - Creates, changes or deletes a registry endpoint (C(Registries) in the Harbor UI), that is another Harbor, a
    Docker registry or a cloud registry that replication policies push to or pull from, and that proxy-cache
    projects cache.
  - An endpoint is known by its name; only the options set in the task are compared, and a change is made in place.
  - Harbor checks that it can reach the endpoint, with the credential, before it saves it. An endpoint it cannot
    reach is an error naming the URL, and nothing is saved.
  - Harbor refuses to delete an endpoint that a replication policy or a proxy-cache project uses.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  name:
    description:
      - Name of the endpoint, 1 to 64 characters.
    type: str
    required: true
  type:
    description:
      - The kind of registry (Harbor's adapter). Required to create an endpoint; it cannot change afterwards.
    type: str
    choices: [ali-acr, aws-ecr, azure-acr, docker-hub, docker-registry, github-ghcr, gitlab, google-gcr, harbor,
              huawei-SWR, jfrog-artifactory, quay, tencent-tcr, volcengine-cr]
  url:
    description:
      - Address of the registry, as Harbor reaches it (from Harbor's network, not the controller's). Required to
        create an endpoint.
      - Without a scheme, V(http://) is assumed; a trailing V(/) is dropped, as Harbor does.
    type: str
  access_key:
    description:
      - User name (or access key id) Harbor uses at the registry. V("") for anonymous access.
    type: str
  access_secret:
    description:
      - Password, token or secret access key that goes with O(access_key). Harbor never returns it.
    type: str
  update_secret:
    description:
      - V(on_create) sends O(access_secret) only when the endpoint is created; V(always) sends it on every run,
        which is then a change (Harbor cannot tell whether the stored secret is the same).
    type: str
    choices: [always, on_create]
    default: on_create
  insecure:
    description:
      - Whether Harbor skips the verification of the registry's TLS certificate.
    type: bool
  description:
    description:
      - What the endpoint is for. V("") clears it.
    type: str
  state:
    description:
      - V(present) creates or changes the endpoint; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Managing endpoints needs a Harbor system administrator.
seealso:
  - module: cloudtemple.harbor.harbor_registry_info
  - module: cloudtemple.harbor.harbor_replication
  - name: Harbor replication endpoints
    description: Harbor's documentation on registry endpoints.
    link: https://goharbor.io/docs/main/administration/configuring-replication/create-replication-endpoints/
"""

EXAMPLES = r"""
---
- name: The disaster-recovery Harbor, for replication
  cloudtemple.harbor.harbor_registry:
    name: harbor-dr
    type: harbor
    url: https://harbor-dr.example.com
    access_key: robot$replicator
    access_secret: "{{ vault_harbor_dr_replicator_secret }}"
    description: Second site

- name: Docker Hub, for a proxy-cache project
  cloudtemple.harbor.harbor_registry:
    name: docker-hub
    type: docker-hub
    url: https://hub.docker.com

- name: Delete an endpoint no policy uses any more
  cloudtemple.harbor.harbor_registry:
    name: old-mirror
    state: absent
"""

RETURN = r"""
---
registry:
  description:
    - The endpoint after the change, without its secret. Empty after deletion.
    - In check mode, for an endpoint that does not exist yet, the endpoint it would get (without id).
  returned: always
  type: dict
  sample:
    id: 3
    name: harbor-dr
    type: harbor
    url: https://harbor-dr.example.com
    description: Second site
    insecure: false
    access_key: robot$replicator
    has_secret: true
    status: healthy
    creation_time: "2026-01-05T10:00:00.000Z"
    update_time: "2026-01-05T10:00:00.000Z"
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import HarborError, Option, Resource, converge
from ansible_collections.cloudtemple.harbor.plugins.module_utils.replication import (
    PERMISSION,
    REGISTRIES,
    REGISTRY_TYPES,
    check_registry_name,
    describe_registry,
    list_registries,
    normalize_url,
    unreachable,
)


class Registry(Resource):
    return_key = 'registry'
    identity_options = ('name',)
    kind = 'registry endpoint'
    required_to_create = ('type', 'url')
    options = (
        Option('type', field='type', create_only=True),
        Option('url', field='url', normalize=normalize_url),
        Option('description', field='description', from_harbor=lambda value: value or ''),
        Option('insecure', field='insecure', from_harbor=bool),
        Option('access_key', field='credential.access_key', from_harbor=lambda value: value or ''),
        Option('access_secret', secret=True),
    )

    def check_identity(self):
        check_registry_name('name', self.params['name'])

    def find(self):
        found = list_registries(self.client, self.params['name'], remember=True)
        return found[0] if found else None

    def probe(self, current, desired):
        if 'access_secret' not in desired or self.params['update_secret'] == 'always':
            return {}
        return dict(access_secret=desired['access_secret'])

    def write(self, send, registry_type, url, with_credential):
        try:
            return send()
        except HarborError as error:
            raise unreachable(error, registry_type, url, with_credential)

    def create(self, desired):
        body = dict(name=self.params['name'], type=desired['type'], url=desired['url'],
                    description=desired.get('description', ''), insecure=desired.get('insecure', False))
        if desired.get('access_key') or desired.get('access_secret'):
            body['credential'] = dict(type='basic', access_key=desired.get('access_key', ''),
                                      access_secret=desired.get('access_secret', ''))
        self.write(lambda: self.client.post(REGISTRIES, json=body, permission='registry:create' + PERMISSION),
                   desired['type'], desired['url'], 'credential' in body)
        return None

    def update(self, current, changes, desired):
        # Harbor's PUT takes flat fields and changes only those sent.
        body = dict((name, changes[name]) for name in ('url', 'description', 'insecure', 'access_key',
                                                       'access_secret') if name in changes)
        if 'access_key' in body or 'access_secret' in body:
            body['credential_type'] = 'basic'
        self.write(lambda: self.client.put('%s/%d' % (REGISTRIES, current['id']), json=body,
                                           permission='registry:update' + PERMISSION),
                   current.get('type'), changes.get('url', current.get('url')),
                   bool(self.view(current, {'access_key'})['access_key'] or 'access_secret' in body))
        return None

    def delete(self, current):
        self.client.delete('%s/%d' % (REGISTRIES, current['id']), missing_ok=True,
                           permission='registry:delete' + PERMISSION)

    def result(self, current):
        return describe_registry(current)

    def planned(self, desired):
        credential = dict(access_key=desired.get('access_key', ''), access_secret=desired.get('access_secret'))
        return describe_registry(dict(desired, name=self.params['name'], credential=credential))


def main():
    converge(Registry, dict(
        name=dict(type='str', required=True),
        type=dict(type='str', choices=list(REGISTRY_TYPES)),
        url=dict(type='str'),
        access_key=dict(type='str', no_log=False),
        access_secret=dict(type='str', no_log=True),
        insecure=dict(type='bool'),
        description=dict(type='str'),
    ), update_secret=True)


if __name__ == '__main__':
    main()
