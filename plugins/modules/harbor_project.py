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

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import HarborError, quote_repository
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    as_set,
    bool_to_harbor,
    converge,
    harbor_module,
    harbor_to_bool,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import (
    check_cve_ids,
    check_harbor_name,
    format_size,
    parse_size,
)

# Module option -> key in Harbor's project metadata (all values are the strings "true"/"false").
BOOLEAN_METADATA = {
    'public': 'public',
    'auto_scan': 'auto_scan',
    'prevent_vulnerable': 'prevent_vul',
    'content_trust_cosign': 'enable_content_trust_cosign',
    'auto_sbom_generation': 'auto_sbom_generation',
    'reuse_sys_cve_allowlist': 'reuse_sys_cve_allowlist',
}


class Project(Resource):
    return_key = 'project'
    options = tuple(Option(name) for name in BOOLEAN_METADATA) + (
        Option('severity'),
        Option('cve_allowlist', normalize=lambda ids: as_set(check_cve_ids('cve_allowlist', ids))),
        Option('cve_allowlist_expires_at', normalize=int),
        Option('storage_quota', normalize=lambda size: format_size(parse_size('storage_quota', size))),
        Option('proxy_cache_registry', create_only=True),
        Option('proxy_speed_kb'),
    )

    def __init__(self, module, client):
        super().__init__(module, client)
        self.name = self.params['name']
        self.registry_id = None
        self._quota_of_project = None

    def identity(self):
        return dict(name=self.name)

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
        if desired.get('auto_sbom_generation'):
            self.client.require_version((2, 11), 'auto_sbom_generation')
        is_proxy = bool(current.get('registry_id')) if current else 'proxy_cache_registry' in desired
        if 'proxy_speed_kb' in desired and not is_proxy:
            raise ValidationError('proxy_speed_kb only applies to proxy cache projects: set proxy_cache_registry '
                                  'when creating the project')
        if current is None:
            if 'storage_quota' in desired and not self.client.current_identity().get('sysadmin'):
                raise ValidationError('storage_quota can only be set by a Harbor system administrator, and %r is not '
                                      'one: drop the option or use an administrator account' % self.client.username)
            if 'proxy_cache_registry' in desired:
                self.registry_id = self._registry_id(desired['proxy_cache_registry'])

    def _registry_id(self, name):
        registries = self.client.paginate('/registries', params={'q': 'name=%s' % name},
                                          permission='registry:list (system administrators only)')
        for registry in registries:
            if registry.get('name') == name:
                return registry['id']
        raise ValidationError('proxy_cache_registry: Harbor has no registry endpoint named %r; create it under '
                              'Administration > Registries first' % name)

    def _quota(self, project_id):
        if self._quota_of_project is None:
            self._quota_of_project = self._read_quota(project_id)
        return self._quota_of_project

    def _read_quota(self, project_id):
        try:
            quotas = self.client.get('/quotas', params={'reference': 'project', 'reference_id': project_id})
        except HarborError as error:
            if error.status == 403:
                raise ValidationError('storage_quota can only be read and set by a Harbor system administrator, and '
                                      '%r is not one: drop the option or use an administrator account'
                                      % self.client.username)
            raise
        if not quotas:
            raise HarborError('Harbor has no quota for project %r: storage quotas are turned off on this Harbor '
                              '(quota_per_project_enable)' % self.name)
        return quotas[0]

    def view(self, current, wanted):
        metadata = current.get('metadata') or {}
        allowlist = current.get('cve_allowlist') or {}
        values = dict((option, harbor_to_bool(metadata.get(key))) for option, key in BOOLEAN_METADATA.items())
        values['severity'] = (metadata.get('severity') or '').lower() or None
        values['cve_allowlist'] = as_set(item.get('cve_id') for item in allowlist.get('items') or [])
        values['cve_allowlist_expires_at'] = allowlist.get('expires_at') or 0
        speed = metadata.get('proxy_speed_kb')
        values['proxy_speed_kb'] = int(speed) if speed not in (None, '') else -1
        if 'storage_quota' in wanted:
            values['storage_quota'] = format_size(self._quota(current['project_id'])['hard'].get('storage'))
        if 'proxy_cache_registry' in wanted:
            values['proxy_cache_registry'] = None
            if current.get('registry_id'):
                registry = self.client.get('/registries/%s' % current['registry_id'], missing_ok=True) or {}
                values['proxy_cache_registry'] = registry.get('name')
        return dict((key, value) for key, value in values.items() if key in wanted)

    @staticmethod
    def _metadata(values):
        metadata = {}
        for option, key in BOOLEAN_METADATA.items():
            if option in values:
                metadata[key] = bool_to_harbor(values[option])
        if 'severity' in values:
            metadata['severity'] = values['severity']
        if 'proxy_speed_kb' in values:
            metadata['proxy_speed_kb'] = str(values['proxy_speed_kb'])
        return metadata

    @staticmethod
    def _allowlist(items, expires_at, project_id=0):
        return dict(project_id=project_id, items=[dict(cve_id=cve) for cve in items], expires_at=expires_at or None)

    def create(self, desired):
        body = dict(project_name=self.name, metadata=self._metadata(desired))
        body['metadata'].setdefault('public', 'false')
        if 'storage_quota' in desired:
            body['storage_limit'] = parse_size('storage_quota', desired['storage_quota'])
        if self.registry_id is not None:
            body['registry_id'] = self.registry_id
        created = self.client.post('/projects', json=body, permission='project:create (system)')
        if 'cve_allowlist' in desired or 'cve_allowlist_expires_at' in desired:
            # Harbor creates every project with an empty allowlist whatever the POST says: set it afterwards.
            allowlist = self._allowlist(desired.get('cve_allowlist', []), desired.get('cve_allowlist_expires_at'),
                                        created.location_id or 0)
            self.client.put(self.client.project_path(self.name), json=dict(cve_allowlist=allowlist), resource_name=True,
                            permission='project:update on project %s' % self.name)
        return self.find()

    def update(self, current, changes, desired):
        body = {}
        metadata = self._metadata(changes)
        if metadata:
            body['metadata'] = metadata
        if 'cve_allowlist' in changes or 'cve_allowlist_expires_at' in changes:
            before = self.view(current, {'cve_allowlist', 'cve_allowlist_expires_at'})
            before.update(desired)
            body['cve_allowlist'] = self._allowlist(before['cve_allowlist'], before['cve_allowlist_expires_at'],
                                                    current['project_id'])
        if body:
            self.client.put(self.client.project_path(self.name), json=body, resource_name=True,
                            permission='project:update on project %s' % self.name)
        if 'storage_quota' in changes:
            quota = self._quota(current['project_id'])
            self.client.put('/quotas/%s' % quota['id'],
                            json=dict(hard=dict(storage=parse_size('storage_quota', changes['storage_quota']))),
                            permission='quota:update (system administrators only)')
        return None

    def before_delete(self, current):
        if current.get('repo_count') and not self.params['force']:
            raise ValidationError('Harbor refuses to delete project %r: it still contains %d repositories. Delete them '
                                  'first, or set force: true to delete them with the project'
                                  % (self.name, current['repo_count']))

    def delete(self, current):
        if self.params['force']:
            self._delete_repositories()
        try:
            self.client.delete(self.client.project_path(self.name), missing_ok=True, resource_name=True,
                               permission='project:delete on project %s' % self.name)
        except HarborError as error:
            if error.status != 412:
                raise
            raise HarborError('Harbor refuses to delete project %r: it still contains repositories (%s). Delete them '
                              'first, or set force: true to delete them with the project'
                              % (self.name, error.harbor_message or 'precondition failed'),
                              status=412, code=error.code, method=error.method, path=error.path)

    def _delete_repositories(self):
        prefix = self.name + '/'
        path = self.client.project_path(self.name, '/repositories')
        for repository in self.client.paginate(path, permission='repository:list on project %s' % self.name):
            short_name = repository['name'][len(prefix):] if repository['name'].startswith(prefix) else repository['name']
            self.client.delete('%s/%s' % (path, quote_repository(short_name)), missing_ok=True,
                               permission='repository:delete on project %s' % self.name)

    def planned(self, desired):
        return dict(name=self.name, metadata=self._metadata(dict(dict(public=False), **desired)),
                    cve_allowlist=self._allowlist(desired.get('cve_allowlist', []), desired.get('cve_allowlist_expires_at')))


def main():
    module = harbor_module(
        dict(
            name=dict(type='str', required=True),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
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
            force=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    converge(module, Project)


if __name__ == '__main__':
    main()
