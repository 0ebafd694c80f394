#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_scanner
short_description: Register a vulnerability scanner in Harbor
version_added: 0.1.0
description:
  - Registers, changes or removes a scanner adapter (Trivy, Grype, a commercial scanner...) that Harbor uses to
    scan artifacts (C(Interrogation Services > Scanners) in the Harbor UI).
  - A registration is known by its name; only the options set in the task are compared.
  - Harbor reaches the adapter (C(<url>/api/v1/metadata)) before registering it or changing its address; the
    module asks Harbor to do so first, so that an adapter Harbor cannot reach is a clear error before any change
    (not in check mode, which sends Harbor no POST).
  - The access credential is write-only, as Harbor never shows it; see O(update_secret).
  - Only system administrators may manage scanners. A project's scanner is chosen with
    O(cloudtemple.harbor.harbor_project#module:scanner).
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  name:
    description:
      - Name of the registration, unique in Harbor. V(Trivy) is reserved for Harbor's built-in scanner, so a new
        registration cannot take it, and the built-in one can only be made the default.
    type: str
    required: true
  url:
    description:
      - The adapter's base URL as Harbor reaches it, such as V(http://trivy-adapter:8080). Without a scheme,
        V(http://) is assumed, as Harbor does. Unique among registrations. Required to create it.
    type: str
  auth:
    description:
      - How Harbor authenticates to the adapter, V(none) or a header Harbor sends with O(access_credential),
        V(Basic) (O(access_credential) is C(user:password)), V(Bearer) (a token) or V(X-ScannerAdapter-API-Key).
    type: str
    choices: [none, Basic, Bearer, X-ScannerAdapter-API-Key]
  access_credential:
    description:
      - The credential of O(auth), required when O(auth) is not V(none) and the registration is created or
        switched to that auth. Never shown in the output nor in a diff.
    type: str
  update_secret:
    description:
      - V(on_create) sends O(access_credential) when the registration is created, or when O(auth) changes.
      - V(always) also sends it on every run to an existing registration; Harbor never shows the stored one,
        so such a run always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  description:
    description:
      - What the scanner is. V("") clears it.
    type: str
  skip_cert_verify:
    description:
      - Whether Harbor skips the verification of the adapter's TLS certificate.
    type: bool
  use_internal_addr:
    description:
      - Whether the adapter pulls artifacts through Harbor's internal registry address instead of its external URL.
    type: bool
  disabled:
    description:
      - Whether the registration is deactivated. The default scanner cannot be.
    type: bool
  default:
    description:
      - V(true) makes this the default scanner, used by every project that has not chosen one (the previous
        default stops being it).
      - The first registration becomes the default anyway. Harbor cannot leave it without a default, so
        V(false) for the default scanner is an error; make another one the default instead.
    type: bool
  state:
    description:
      - V(present) registers or changes the scanner; V(absent) removes the registration (projects that used it
        then use the default scanner).
    type: str
    choices: [present, absent]
    default: present
seealso:
  - module: cloudtemple.harbor.harbor_scanner_info
  - module: cloudtemple.harbor.harbor_project
    description: Choose the scanner of a project.
  - name: Harbor's pluggable scanners
    description: Harbor's documentation on scanner adapters.
    link: https://goharbor.io/docs/main/administration/vulnerability-scanning/pluggable-scanners/
"""

EXAMPLES = r"""
---
- name: Register the company's Trivy adapter, with an API key, as the default scanner
  cloudtemple.harbor.harbor_scanner:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    name: trivy-corp
    url: http://trivy-adapter.security:8080
    auth: X-ScannerAdapter-API-Key
    access_credential: "{{ vault_trivy_api_key }}"
    description: Trivy with the company's mirror of the vulnerability database
    default: true

- name: Remove an old scanner
  cloudtemple.harbor.harbor_scanner:
    name: clair
    state: absent
"""

RETURN = r"""
---
scanner:
  description:
    - The registration after the change, never with its credential. Empty after deletion.
    - In check mode, for a registration that does not exist yet, the one it would get (without uuid).
  returned: always
  type: dict
  sample:
    uuid: 5a7e3c1e-0b9a-4c1f-9a43-2f1c5a2e7d11
    name: trivy-corp
    url: http://trivy-adapter.security:8080
    description: Trivy with the company's mirror of the vulnerability database
    auth: X-ScannerAdapter-API-Key
    skip_cert_verify: false
    use_internal_addr: false
    default: true
    disabled: false
    health: null
    adapter: Trivy
    vendor: Aqua Security
    version: v0.58.1
    capabilities: {support_vulnerability: true, support_sbom: true}
    create_time: "2026-01-05T10:00:00.000Z"
    update_time: "2026-01-05T10:00:00.000Z"
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils import scanners
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    converge,
    harbor_fields,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_not_blank

PERMISSION = scanners.PERMISSION


class Scanner(Resource):
    return_key = 'scanner'
    identity_options = ('name',)
    options = (
        Option('url', normalize=lambda url: scanners.normalize_url('url', url), field='url'),
        Option('description', field='description', from_harbor=lambda value: value or ''),
        Option('auth', field='auth', to_harbor=scanners.AUTH_TYPES.get, from_harbor=scanners.auth_from_harbor),
        Option('access_credential', secret=True, field='access_credential'),
        Option('skip_cert_verify', field='skip_certVerify', from_harbor=bool),
        Option('use_internal_addr', field='use_internal_addr', from_harbor=bool),
        Option('disabled', field='disabled', from_harbor=bool),
        Option('default', field='is_default', from_harbor=bool),
    )

    def check_identity(self):
        check_not_blank('name', self.params['name'])

    def find(self):
        found = scanners.list_scanners(self.client, self.params['name'], remember=True)
        return found[0] if found else None

    def body(self, values):
        """The registration as Harbor takes it: every field, as a PUT replaces them all (no credential: kept)."""
        fields = [option for option in self.options if option.name != 'default']
        body = dict(harbor_fields(fields, values), name=self.params['name'])
        body.setdefault('access_credential', '')
        return body

    def prepare(self, current, desired):
        before = self.view(current, set(option.name for option in self.options)) if current else dict(auth='none')
        after = dict(before, **desired)
        if current is None:
            scanners.check_new_name(self.params['name'])
        if current is None and 'url' not in desired:
            raise ValidationError('url: required to register scanner %r, which does not exist' % self.params['name'])
        if after['auth'] != 'none' and after['auth'] != before['auth'] and 'access_credential' not in desired:
            raise ValidationError('access_credential: required with auth %s' % after['auth'])
        if after.get('disabled') and (after.get('default') or (current is None and not self.others())):
            raise ValidationError('the default scanner cannot be disabled: make another one the default first')
        if current is not None and before['default'] and desired.get('default') is False:
            raise ValidationError('scanner %r is the default and Harbor cannot be left without one: set default: true '
                                  'on another scanner instead' % self.params['name'])
        moved = current is None or after['url'] != before['url'] or after['auth'] != before['auth']
        # The ping is a POST: check mode, which sends no POST, leaves the adapter alone.
        if moved and not self.module.check_mode and (after['auth'] == 'none' or 'access_credential' in desired):
            scanners.ping(self.client, self.body(after))

    def others(self):
        return [other for other in scanners.list_scanners(self.client, remember=True)
                if other.get('name') != self.params['name']]

    def probe(self, current, desired):
        if 'access_credential' not in desired:
            return {}
        auth_changes = desired.get('auth', self.view(current, {'auth'})['auth']) != self.view(current, {'auth'})['auth']
        keep = self.params['update_secret'] == 'on_create' and not auth_changes
        return dict(access_credential=desired['access_credential'] if keep else None)

    def create(self, desired):
        self.client.post(scanners.SCANNERS, json=self.body(desired), permission='scanner:create' + PERMISSION)
        created = self.find()
        if desired.get('default') and created and not created.get('is_default'):
            self.make_default(created)
        return None

    def make_default(self, current):
        self.client.patch('%s/%s' % (scanners.SCANNERS, current['uuid']), json=dict(is_default=True),
                          permission='scanner:update' + PERMISSION)

    def update(self, current, changes, desired):
        if set(changes) - {'default'}:
            values = dict(self.view(current, set(option.name for option in self.options)), **changes)
            values.setdefault('access_credential', '')
            self.client.put('%s/%s' % (scanners.SCANNERS, current['uuid']), json=self.body(values),
                            permission='scanner:update' + PERMISSION)
        if changes.get('default'):
            self.make_default(current)
        return None

    def delete(self, current):
        self.client.delete('%s/%s' % (scanners.SCANNERS, current['uuid']), missing_ok=True,
                           permission='scanner:delete' + PERMISSION)

    def result(self, current):
        return scanners.describe(current)

    def planned(self, desired):
        return scanners.describe(dict(harbor_fields(self.options, desired), name=self.params['name']))


def main():
    converge(Scanner, dict(
        name=dict(type='str', required=True),
        url=dict(type='str'),
        auth=dict(type='str', choices=list(scanners.AUTH_TYPES)),
        access_credential=dict(type='str', no_log=True),
        description=dict(type='str'),
        skip_cert_verify=dict(type='bool'),
        use_internal_addr=dict(type='bool'),
        disabled=dict(type='bool'),
        default=dict(type='bool'),
    ), update_secret=True)


if __name__ == '__main__':
    main()
