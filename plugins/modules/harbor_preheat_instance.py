#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_preheat_instance
short_description: Manage a P2P preheat provider instance of Harbor
version_added: 0.1.0
description:
  - Creates, changes or deletes a P2P provider instance (Dragonfly or Kraken) that Harbor's preheat policies
    send images to before nodes pull them (C(Distributions) in the Harbor UI).
  - An instance is known by its name; only the options set in the task are compared.
  - Harbor does not reach the provider when the instance is created or changed.
  - The credentials are write-only, as Harbor never shows them; see O(update_secret).
  - Only system administrators may manage instances.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  name:
    description:
      - Name of the instance, unique in Harbor; letters and digits, optionally separated by single C(.), C(_) or C(-).
    type: str
    required: true
  vendor:
    description:
      - The provider. Required to create the instance; Harbor cannot change it afterwards.
    type: str
    choices: [dragonfly, kraken]
  endpoint:
    description:
      - The provider's URL as Harbor reaches it, such as V(http://dragonfly-manager.p2p:8080). Unique among
        instances. Required to create the instance.
    type: str
  auth_mode:
    description:
      - How Harbor authenticates to the provider; V(NONE) when the instance is created without it.
      - V(BASIC) needs O(username) and O(password), V(OAUTH) needs O(token), when the instance is created or
        switched to that mode.
    type: str
    choices: [NONE, BASIC, OAUTH]
  username:
    description:
      - The user of V(BASIC) authentication. Harbor never shows it either, so it goes with O(password).
    type: str
  password:
    description:
      - The password of V(BASIC) authentication. Never shown in the output nor in a diff.
    type: str
  token:
    description:
      - The token of V(OAUTH) authentication. Never shown in the output nor in a diff.
    type: str
  update_secret:
    description:
      - V(on_create) sends the credentials when the instance is created or O(auth_mode) changes; otherwise Harbor
        keeps the ones it has.
      - V(always) also sends them on every run to an existing instance; Harbor never shows them, so such a run
        always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  description:
    description:
      - What the instance is. V("") clears it.
    type: str
  enabled:
    description:
      - Whether preheat policies may use the instance. V(true) when the instance is created without it.
      - Harbor refuses to disable an instance that preheat policies use.
    type: bool
  default:
    description:
      - Whether this is the default instance; V(true) clears the flag of the previous default.
    type: bool
  insecure:
    description:
      - Whether Harbor skips the verification of the provider's TLS certificate.
    type: bool
  state:
    description:
      - V(present) creates or changes the instance; V(absent) deletes it, which Harbor refuses while preheat
        policies use it.
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cloudtemple.harbor.harbor_preheat_instance_info
  - name: Harbor's P2P preheat
    description: Harbor's documentation on P2P providers and preheat policies.
    link: https://goharbor.io/docs/main/administration/p2p-preheat/
"""

EXAMPLES = r"""
---
- name: The cluster's Dragonfly, as the default P2P provider
  cloudtemple.harbor.harbor_preheat_instance:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    name: dragonfly-prod
    vendor: dragonfly
    endpoint: http://dragonfly-manager.p2p:8080
    auth_mode: BASIC
    username: harbor
    password: "{{ vault_dragonfly_password }}"
    default: true

- name: Remove an old Kraken instance
  cloudtemple.harbor.harbor_preheat_instance:
    name: kraken-old
    state: absent
"""

RETURN = r"""
---
instance:
  description:
    - The instance after the change, never with its credentials. Empty after deletion.
    - In check mode, for an instance that does not exist yet, the one it would get (without id).
  returned: always
  type: dict
  sample:
    id: 1
    name: dragonfly-prod
    description: ""
    vendor: dragonfly
    endpoint: http://dragonfly-manager.p2p:8080
    auth_mode: BASIC
    enabled: true
    default: true
    insecure: false
    status: Unknown
    setup_timestamp: 1767607200
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils import preheat
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    converge,
    harbor_fields,
)

SECRETS = ('username', 'password', 'token')


class PreheatInstance(Resource):
    return_key = 'instance'
    identity_options = ('name',)
    kind = 'instance'
    required_to_create = ('vendor', 'endpoint')
    options = (
        Option('vendor', field='vendor', create_only=True),
        Option('endpoint', normalize=preheat.check_endpoint, field='endpoint'),
        Option('auth_mode', field='auth_mode', from_harbor=lambda mode: mode or 'NONE'),
        Option('description', field='description', from_harbor=lambda value: value or ''),
        Option('enabled', field='enabled', from_harbor=bool),
        Option('default', field='default', from_harbor=bool),
        Option('insecure', field='insecure', from_harbor=bool),
    ) + tuple(Option(name, secret=True) for name in SECRETS)

    def check_identity(self):
        preheat.check_name('name', self.params['name'])

    def find(self):
        found = preheat.list_instances(self.client, self.params['name'], remember=True)
        return found[0] if found else None

    def derive(self, desired):
        if 'auth_mode' in desired:
            # The credentials of another mode than the task's are nothing to compare nor send.
            wanted = preheat.CREDENTIALS[desired['auth_mode']]
            desired = dict((key, value) for key, value in desired.items() if key not in SECRETS or key in wanted)
        return desired

    def prepare(self, current, desired):
        mode = desired.get('auth_mode', 'NONE' if current is None else self.view(current, {'auth_mode'})['auth_mode'])
        switching = current is None or mode != self.view(current, {'auth_mode'})['auth_mode']
        missing = [name for name in preheat.CREDENTIALS[mode] if name not in desired]
        # Harbor replaces the credentials whole: a new password goes with its user.
        if (switching or len(missing) < len(preheat.CREDENTIALS[mode])) and missing:
            raise ValidationError('%s: required with auth_mode %s' % (' and '.join(missing), mode))

    def probe(self, current, desired):
        named = [name for name in SECRETS if name in desired]
        switching = desired.get('auth_mode', self.view(current, {'auth_mode'})['auth_mode']) != \
            self.view(current, {'auth_mode'})['auth_mode']
        keep = self.params['update_secret'] == 'on_create' and not switching
        return dict((name, desired[name] if keep else None) for name in named)

    def body(self, values, current=None):
        body = dict(harbor_fields(self.options, values), name=self.params['name'])
        mode = values.get('auth_mode', 'NONE')
        if mode == 'NONE' or any(name in values for name in SECRETS):
            body['auth_info'] = dict((name, values[name]) for name in preheat.CREDENTIALS[mode] if name in values)
        if current is not None:
            # Harbor finds the instance to update by the body's id, and writes every column.
            body.update(id=current['id'], setup_timestamp=current.get('setup_timestamp'))
        return body

    def create(self, desired):
        values = dict(dict(auth_mode='NONE', enabled=True), **desired)
        self.client.post(preheat.INSTANCES, json=self.body(dict(values, default=False)),
                         permission='preheat-instance:create' + preheat.PERMISSION)
        if desired.get('default'):
            # Only an update clears the previous default's flag.
            created = self.find()
            self.update(created, dict(default=True), desired)
        return None

    def update(self, current, changes, desired):
        values = self.view(current, set(option.name for option in self.options if option.field))
        values.update(changes)
        self.client.put(preheat.path(self.params['name']), json=self.body(values, current),
                        permission='preheat-instance:update' + preheat.PERMISSION)
        return None

    def delete(self, current):
        self.client.delete(preheat.path(self.params['name']), missing_ok=True,
                           permission='preheat-instance:delete' + preheat.PERMISSION)

    def result(self, current):
        return preheat.describe(current)

    def planned(self, desired):
        return preheat.describe(dict(dict(auth_mode='NONE', enabled=True), name=self.params['name'],
                                     **harbor_fields(self.options, desired)))


def main():
    converge(PreheatInstance, dict(
        name=dict(type='str', required=True),
        vendor=dict(type='str', choices=list(preheat.VENDORS)),
        endpoint=dict(type='str'),
        auth_mode=dict(type='str', choices=list(preheat.AUTH_MODES)),
        username=dict(type='str'),
        password=dict(type='str', no_log=True),
        token=dict(type='str', no_log=True),
        description=dict(type='str'),
        enabled=dict(type='bool'),
        default=dict(type='bool'),
        insecure=dict(type='bool'),
    ), update_secret=True)


if __name__ == '__main__':
    main()
