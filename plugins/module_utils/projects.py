# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor REST details around projects that several modules need: quotas, registry endpoints, repositories,
and deleting a project."""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.module_utils.artifacts import list_repositories
from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import quote_repository
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import HarborError, ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import format_size

ADMIN_ONLY = '(system administrators only)'

# Module option -> key in Harbor's project metadata (all values are the strings "true"/"false").
BOOLEAN_METADATA = {
    'public': 'public',
    'auto_scan': 'auto_scan',
    'prevent_vulnerable': 'prevent_vul',
    'content_trust_cosign': 'enable_content_trust_cosign',
    'auto_sbom_generation': 'auto_sbom_generation',
    'reuse_sys_cve_allowlist': 'reuse_sys_cve_allowlist',
}


def registry_by_name(client, name, option):
    """The registry endpoint named `name` (Administration > Registries); `option` names it in the error."""
    registries = client.paginate('/registries', params={'q': 'name=%s' % name}, permission='registry:list %s' % ADMIN_ONLY)
    for registry in registries:
        if registry.get('name') == name:
            return registry
    raise ValidationError('%s: Harbor has no registry endpoint named %r; create it under Administration > Registries '
                          'first' % (option, name))


def registry_name(client, registry_id):
    """The name of the registry endpoint with this id, or None when it is gone."""
    return (client.get('/registries/%s' % registry_id, missing_ok=True) or {}).get('name')


def quota_admin_error(client, what='read and set'):
    return ValidationError('storage_quota can only be %s by a Harbor system administrator, and %r is not one: drop '
                           'the option or use an administrator account' % (what, client.username))


def project_quota(client, project_id, project):
    """The storage quota of a project ({'id', 'hard': {'storage': bytes}, ...}); only administrators may read it."""
    try:
        quotas = client.get('/quotas', params={'reference': 'project', 'reference_id': project_id})
    except HarborError as error:
        if error.status == 403:
            raise quota_admin_error(client)
        raise
    if not quotas:
        raise HarborError('Harbor has no quota for project %r: storage quotas are turned off on this Harbor '
                          '(quota_per_project_enable)' % project)
    return quotas[0]


def storage_quotas(client, projects):
    """{project id: {'hard', 'used' (bytes), 'used_percent', 'storage_quota' (the limit as harbor_project takes
    it)}} of the
    projects (Harbor's project objects): one request for a single project, one listing for several."""
    if len(projects) == 1:
        found = [project_quota(client, projects[0]['project_id'], projects[0]['name'])]
    else:
        try:
            found = client.paginate('/quotas', params={'reference': 'project'})
        except HarborError as error:
            if error.status == 403:
                raise quota_admin_error(client, 'read')
            raise
    quotas = {}
    for quota in found:
        hard, used = quota.get('hard', {}).get('storage'), quota.get('used', {}).get('storage', 0)
        percent = round(100.0 * used / hard, 1) if hard and hard > 0 else None
        quotas[int(quota['ref']['id'])] = dict(hard=hard, used=used, used_percent=percent,
                                               storage_quota=format_size(hard))
    return quotas


def set_storage_quota(client, quota_id, size):
    client.put('/quotas/%s' % quota_id, json=dict(hard=dict(storage=size)), permission='quota:update %s' % ADMIN_ONLY)


def delete_repositories(client, project):
    """Delete every repository of the project (Harbor refuses to delete a project that has some)."""
    path = client.project_path(project, '/repositories')
    for repository in list_repositories(client, project):
        client.delete('%s/%s' % (path, quote_repository(repository)), missing_ok=True,
                      permission='repository:delete on project %s' % project)


def check_deletable(project, force):
    """Before deleting (in check mode too): Harbor keeps a project with repositories unless they go first."""
    if project.get('repo_count') and not force:
        raise ValidationError('Harbor refuses to delete project %r: it still contains %d repositories. Delete them '
                              'first, or set force: true to delete them with the project'
                              % (project.get('name'), project['repo_count']))


def update_project(client, project, body):
    """PUT the project's settings in `body` (metadata, cve_allowlist); Harbor keeps the ones left out."""
    client.put(client.project_path(project), json=body, resource_name=True,
               permission='project:update on project %s' % project)


def delete_project(client, project):
    """Delete the project; Harbor's 412 (it still has repositories) explained."""
    try:
        client.delete(client.project_path(project), missing_ok=True, resource_name=True,
                      permission='project:delete on project %s' % project)
    except HarborError as error:
        if error.status != 412:
            raise
        raise HarborError('Harbor refuses to delete project %r: it still contains repositories (%s). Delete them '
                          'first, or set force: true to delete them with the project'
                          % (project, error.harbor_message or 'precondition failed'),
                          status=412, code=error.code, method=error.method, path=error.path)
