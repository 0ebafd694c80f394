# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's scanner registrations (/scanners) and the scanner of a project (/projects/{p}/scanner).

A registration is known by its uuid; Harbor never returns its access credential, and keeps the stored one when
an update sends it empty while the auth type still needs one. Creating a registration makes Harbor fetch the
adapter's metadata first (<url>/api/v1/metadata), and a failure there is a bare 500, so the modules ask
/scanners/ping first to name the cause. The first registration becomes the default; the default can only be
moved to another one, and cannot be disabled.
"""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import HarborError, ValidationError

SCANNERS = '/scanners'
PERMISSION = ' (system administrators only)'
# The module's auth names -> Harbor's (none is Harbor's empty string).
AUTH_TYPES = {'none': '', 'Basic': 'Basic', 'Bearer': 'Bearer', 'X-ScannerAdapter-API-Key': 'X-ScannerAdapter-API-Key'}
RESERVED_NAMES = ('Trivy',)


def normalize_url(option, value):
    """Harbor's form of an adapter URL: http:// added when there is no scheme, no trailing slash."""
    url = value.strip()
    if '://' not in url:
        url = 'http://' + url
    scheme, _sep, rest = url.partition('://')
    if scheme not in ('http', 'https') or not rest.strip('/'):
        raise ValidationError('%s must be an http:// or https:// URL of the scanner adapter, got %r' % (option, value))
    return url.rstrip('/')


def check_new_name(value):
    """Harbor's built-in scanner's name cannot be given to a new registration (the built-in one can be managed)."""
    if value in RESERVED_NAMES:
        raise ValidationError('name %r is reserved by Harbor for its built-in scanner, which is not registered here; '
                              'choose another name' % value)


def auth_from_harbor(value):
    return value or 'none'


def list_scanners(client, name=None, remember=False):
    """Every registration, or only the one of exactly this name."""
    return client.list_by_name(SCANNERS, name, 'scanner:list' + PERMISSION, remember=remember)


def ping(client, body):
    """Ask Harbor to reach the adapter as it would for a registration; a clear error when it cannot."""
    try:
        client.post(SCANNERS + '/ping', json=body, permission='scanner:read' + PERMISSION)
    except HarborError as error:
        if error.status is None or error.status < 500:
            raise
        raise HarborError('Harbor could not get the metadata of the scanner adapter at %s/api/v1/metadata: it is '
                          'unreachable from Harbor, refused the credential, or is no scanner adapter'
                          % body['url'], status=error.status, method='POST', path=SCANNERS + '/ping',
                          hint='Check url (as Harbor reaches it), auth and access_credential')


def describe(registration):
    """A registration as the modules return it: never its credential."""
    return dict(
        uuid=registration.get('uuid'),
        name=registration.get('name'),
        url=registration.get('url'),
        description=registration.get('description') or '',
        auth=auth_from_harbor(registration.get('auth')),
        skip_cert_verify=bool(registration.get('skip_certVerify')),
        use_internal_addr=bool(registration.get('use_internal_addr')),
        default=bool(registration.get('is_default')),
        disabled=bool(registration.get('disabled')),
        health=registration.get('health'),
        adapter=registration.get('adapter'),
        vendor=registration.get('vendor'),
        version=registration.get('version'),
        capabilities=registration.get('capabilities') or {},
        create_time=registration.get('create_time'),
        update_time=registration.get('update_time'),
    )


# -- the scanner of a project -------------------------------------------------------------------------------

def project_scanner(client, project):
    """The name of the scanner the project uses (its own, else the default), None when Harbor has none."""
    registration = client.get(client.project_path(project, '/scanner'), resource_name=True,
                              permission='scanner:read on project %s' % project)
    return (registration or {}).get('name')


def scanner_uuid(client, name, project=None):
    """The uuid of the registration of this name; project (an existing one) lets a project admin look it up."""
    if project is None:
        candidates = list_scanners(client, name, remember=True)
    else:
        candidates = client.paginate(client.project_path(project, '/scanner/candidates'),
                                     params=dict(q='name=%s' % name), resource_name=True, remember=True,
                                     permission='scanner:create on project %s' % project)
    for registration in candidates:
        if registration.get('name') == name:
            return registration['uuid']
    raise ValidationError('scanner %r is not registered in Harbor (see harbor_scanner_info)' % name)


def set_project_scanner(client, project, uuid):
    client.put(client.project_path(project, '/scanner'), json=dict(uuid=uuid), resource_name=True,
               permission='scanner:create on project %s' % project)
