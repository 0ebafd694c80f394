#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_project
short_description: Manage a Harbor project and its security settings
version_added: 0.1.0
description:
  - Creates, updates or deletes one Harbor project, with the settings the Harbor UI shows under
    C(Configuration) - visibility, scan on push, the vulnerability threshold that blocks pulls, cosign
    enforcement, SBOM generation, the CVE allowlist, and the storage quota.
  - Only the options set in the task are compared and changed; an existing project is adopted as it is.
  - Harbor stores project settings as strings and merges them on update; the module sends only the settings
    that differ, and the storage quota through Harbor's quota API.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  name:
    description:
      - Name of the project.
      - Harbor's rule, checked before any request is sent - lower-case letters and digits, optionally separated
        by single V(.), V(_) or V(-), at most 255 characters.
    type: str
    required: true
  state:
    description:
      - V(present) creates the project or converges its settings; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  public:
    description:
      - Whether anyone, even without an account, can pull from the project. New projects are private unless
        this is V(true).
    type: bool
  auto_scan:
    description:
      - Scan every artifact for vulnerabilities when it is pushed (C(Automatically scan images on push)).
    type: bool
  prevent_vulnerable:
    description:
      - Block pulls of artifacts whose vulnerabilities reach O(severity) (C(Prevent vulnerable images from running)).
    type: bool
  severity:
    description:
      - The lowest severity that blocks pulls when O(prevent_vulnerable) is on.
    type: str
    choices: [none, low, medium, high, critical]
  content_trust_cosign:
    description:
      - Allow only artifacts signed with cosign to be pulled (C(Enforce cosign signatures)).
    type: bool
  auto_sbom_generation:
    description:
      - Generate an SBOM for every artifact when it is pushed. Needs Harbor 2.11 or newer; the module fails
        with a clear message on an older Harbor.
    type: bool
  reuse_sys_cve_allowlist:
    description:
      - Use the system-wide CVE allowlist instead of O(cve_allowlist).
    type: bool
  cve_allowlist:
    description:
      - CVE ids (V(CVE-2024-1234)) that do not count when deciding whether a pull is blocked.
      - The list replaces the project's allowlist; order does not matter. V([]) empties it.
    type: list
    elements: str
  cve_allowlist_expires_at:
    description:
      - When the project's CVE allowlist stops applying, in seconds since the epoch. V(0) means never.
    type: int
  storage_quota:
    description:
      - Storage limit of the project, V(-1) for unlimited or a size with a binary unit such as V(10GiB) or V(500MiB)
        (units B, KiB, MiB, GiB, TiB, PiB; at most 1024TiB).
      - Harbor lets only system administrators change quotas; the module fails before any change when the
        account is not one.
    type: str
  proxy_cache_registry:
    description:
      - Name of a registry endpoint (C(Administration > Registries)) to make this a proxy cache project.
      - Only at creation; Harbor cannot turn an existing project into a proxy cache or change its upstream, so
        a different value for an existing project is an error. Needs a system administrator.
    type: str
  scanner:
    description:
      - Name of the scanner registration (see M(cloudtemple.harbor.harbor_scanner)) that scans this project's
        artifacts. A project that has not chosen one uses Harbor's default scanner, which is then what the module
        compares with.
      - The account needs C(scanner:create) on the project (project administrators have it); setting it on a
        project the task creates needs a system administrator, who may list the scanners.
    type: str
  proxy_speed_kb:
    description:
      - Bandwidth limit of a proxy cache project when it pulls from its upstream, in KiB/s; V(-1) for no limit.
      - Only for proxy cache projects.
    type: int
  force:
    description:
      - With O(state=absent), delete the project's repositories (and so every artifact in it) first.
      - Without it, deleting a project that still has repositories fails, as it does in Harbor.
    type: bool
    default: false
seealso:
  - module: cloudtemple.harbor.harbor_project_info
  - name: Harbor projects
    description: Harbor's documentation on creating and configuring projects.
    link: https://goharbor.io/docs/main/working-with-projects/create-projects/
"""

EXAMPLES = r"""
---
- name: Private project with scan on push, pulls blocked from high, cosign enforced
  cloudtemple.harbor.harbor_project:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    name: payments
    public: false
    auto_scan: true
    prevent_vulnerable: true
    severity: high
    content_trust_cosign: true
    storage_quota: 50GiB

- name: Set the connection once for a whole play
  hosts: localhost
  gather_facts: false
  module_defaults:
    group/cloudtemple.harbor.harbor:
      harbor_url: "{{ lookup('ansible.builtin.env', 'HARBOR_URL') }}"
      harbor_username: admin
      harbor_password: "{{ vault_harbor_admin_password }}"
  tasks:
    - name: Accept one CVE until the fix is released
      cloudtemple.harbor.harbor_project:
        name: payments
        cve_allowlist:
          - CVE-2024-45337
        cve_allowlist_expires_at: 1767225600

- name: Delete a project and everything in it
  cloudtemple.harbor.harbor_project:
    name: sandbox
    state: absent
    force: true
"""

RETURN = r"""
---
project:
  description:
    - The project as Harbor returns it after the change. Empty after deletion.
    - In check mode, for a project that does not exist yet, the settings it would get.
  returned: always
  type: dict
  sample:
    project_id: 12
    name: payments
    owner_name: admin
    repo_count: 0
    registry_id: 0
    metadata:
      public: "false"
      auto_scan: "true"
      prevent_vul: "true"
      severity: high
      enable_content_trust_cosign: "true"
    cve_allowlist:
      items: []
      expires_at: null
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils import projects, scanners
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    as_set,
    bool_to_harbor,
    converge,
    harbor_fields,
    harbor_to_bool,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import (
    check_cve_ids,
    check_harbor_name,
    format_size,
    parse_size,
)

ALLOWLIST = ('cve_allowlist', 'cve_allowlist_expires_at')


class Project(Resource):
    return_key = 'project'
    identity_options = ('name',)
    options = tuple(Option(name, field='metadata.%s' % key, to_harbor=bool_to_harbor, from_harbor=harbor_to_bool)
                    for name, key in projects.BOOLEAN_METADATA.items()) + (
        Option('severity', field='metadata.severity', from_harbor=lambda value: (value or '').lower() or None),
        Option('cve_allowlist', normalize=lambda ids: as_set(check_cve_ids('cve_allowlist', ids)),
               field='cve_allowlist.items', to_harbor=lambda ids: [dict(cve_id=cve) for cve in ids],
               from_harbor=lambda items: as_set(item.get('cve_id') for item in items or [])),
        Option('cve_allowlist_expires_at', normalize=int, field='cve_allowlist.expires_at',
               to_harbor=lambda value: value or None, from_harbor=lambda value: value or 0),
        Option('storage_quota', normalize=lambda size: format_size(parse_size('storage_quota', size))),
        Option('proxy_cache_registry', create_only=True),
        Option('scanner'),
        Option('proxy_speed_kb', field='metadata.proxy_speed_kb', to_harbor=str,
               from_harbor=lambda speed: int(speed) if speed not in (None, '') else -1),
    )

    def __init__(self, module, client):
        super().__init__(module, client)
        self.name = self.params['name']
        self.registry_id = None
        self._quota_of_project = None

    def validate(self, desired):
        check_harbor_name('name', self.name)
        if desired.get('cve_allowlist_expires_at', 0) < 0:
            raise ValidationError('cve_allowlist_expires_at must be seconds since the epoch, or 0 for never')
        speed = desired.get('proxy_speed_kb')
        if speed is not None and speed < -1:
            raise ValidationError('proxy_speed_kb must be -1 (no limit) or a positive number of KiB/s')

    def find(self):
        return self.client.get_project(self.name)

    def prepare(self, current, desired):
        self.scanner_uuid = scanners.scanner_uuid(self.client, desired['scanner'], current and self.name) if 'scanner' in desired else None
        if desired.get('auto_sbom_generation'):
            self.client.require_version((2, 11), 'auto_sbom_generation')
        is_proxy = bool(current.get('registry_id')) if current else 'proxy_cache_registry' in desired
        if 'proxy_speed_kb' in desired and not is_proxy:
            raise ValidationError('proxy_speed_kb only applies to proxy cache projects: set proxy_cache_registry '
                                  'when creating the project')
        if current is None:
            if 'storage_quota' in desired and not self.client.current_identity().get('sysadmin'):
                raise projects.quota_admin_error(self.client, 'set')
            if 'proxy_cache_registry' in desired:
                self.registry_id = projects.registry_by_name(self.client, desired['proxy_cache_registry'],
                                                             'proxy_cache_registry')['id']

    def _quota(self, project_id):
        if self._quota_of_project is None:
            self._quota_of_project = projects.project_quota(self.client, project_id, self.name)
        return self._quota_of_project

    def view(self, current, wanted):
        values = super().view(current, wanted)
        if 'storage_quota' in wanted:
            values['storage_quota'] = format_size(self._quota(current['project_id'])['hard'].get('storage'))
        if 'proxy_cache_registry' in wanted:
            registry_id = current.get('registry_id')
            values['proxy_cache_registry'] = projects.registry_name(self.client, registry_id) if registry_id else None
        if 'scanner' in wanted:
            values['scanner'] = scanners.project_scanner(self.client, self.name)
        return values

    def _allowlist(self, values, project_id=0):
        """The allowlist goes whole: items, expiry and the project's id."""
        allowlist = harbor_fields(self.options, dict(cve_allowlist=values.get('cve_allowlist', []),
                                                     cve_allowlist_expires_at=values.get('cve_allowlist_expires_at')))
        return dict(allowlist['cve_allowlist'], project_id=project_id)

    def create(self, desired):
        # The next project of a loop is then looked up in the project list, not by name.
        return self.client.keeping_project_list(lambda: self._create(desired))

    def _create(self, desired):
        body = dict(project_name=self.name, metadata=harbor_fields(self.options, desired).get('metadata', {}))
        body['metadata'].setdefault('public', 'false')
        if 'storage_quota' in desired:
            body['storage_limit'] = parse_size('storage_quota', desired['storage_quota'])
        if self.registry_id is not None:
            body['registry_id'] = self.registry_id
        created = self.client.post('/projects', json=body, permission='project:create (system)')
        if 'cve_allowlist' in desired or 'cve_allowlist_expires_at' in desired:
            # Harbor creates every project with an empty allowlist whatever the POST says: set it afterwards.
            projects.update_project(self.client, self.name, dict(cve_allowlist=self._allowlist(
                desired, created.location_id or 0)))
        if self.scanner_uuid:
            scanners.set_project_scanner(self.client, self.name, self.scanner_uuid)
        return self.find()

    def update(self, current, changes, desired):
        body = {}
        metadata = harbor_fields(self.options, changes).get('metadata')
        if metadata:
            body['metadata'] = metadata
        if set(ALLOWLIST) & set(changes):
            body['cve_allowlist'] = self._allowlist(dict(self.view(current, set(ALLOWLIST)), **desired),
                                                    current['project_id'])
        if body:
            projects.update_project(self.client, self.name, body)
        if 'storage_quota' in changes:
            projects.set_storage_quota(self.client, self._quota(current['project_id'])['id'],
                                       parse_size('storage_quota', changes['storage_quota']))
        if 'scanner' in changes:
            scanners.set_project_scanner(self.client, self.name, self.scanner_uuid)
        return None

    def before_delete(self, current):
        projects.check_deletable(dict(current, name=self.name), self.params['force'])

    def delete(self, current):
        if self.params['force']:
            projects.delete_repositories(self.client, self.name)
        projects.delete_project(self.client, self.name)

    def planned(self, desired):
        return dict(name=self.name, metadata=harbor_fields(self.options, dict(dict(public=False), **desired))['metadata'],
                    cve_allowlist=self._allowlist(desired))


def main():
    converge(Project, dict(
        name=dict(type='str', required=True),
        public=dict(type='bool'),
        auto_scan=dict(type='bool'),
        prevent_vulnerable=dict(type='bool'),
        severity=dict(type='str', choices=['none', 'low', 'medium', 'high', 'critical']),
        content_trust_cosign=dict(type='bool'),
        auto_sbom_generation=dict(type='bool'),
        reuse_sys_cve_allowlist=dict(type='bool'),
        cve_allowlist=dict(type='list', elements='str'),
        cve_allowlist_expires_at=dict(type='int'),
        storage_quota=dict(type='str'),
        proxy_cache_registry=dict(type='str'),
        proxy_speed_kb=dict(type='int'),
        scanner=dict(type='str'),
        force=dict(type='bool', default=False),
    ))


if __name__ == '__main__':
    main()
