# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Robot accounts: Harbor's permission catalogue, the access presets, names, secrets and the robot view.

Shared by harbor_robot, harbor_robot_info and the roles that make robots, so that a preset means the same
thing everywhere.
"""

from __future__ import annotations

import re
import time

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

DEFAULT_PREFIX = 'robot$'
# Harbor's default robot_token_duration, used when the account cannot read the configuration.
DEFAULT_DURATION_DAYS = 30
MAX_DURATION_DAYS = 2 ** 31 - 2
SECONDS_PER_DAY = 86400
SYSTEM_NAMESPACE = '/'
ALL_PROJECTS = '*'
EFFECTS = ('allow', 'deny')


def _pairs(table):
    return frozenset((resource, action) for resource, actions in table.items() for action in actions.split())


# What Harbor lets a robot hold (src/common/rbac/const.go: PoliciesMap plus NolimitProvider). Used only when the
# account may not read GET /permissions; robot:update is deliberately absent, Harbor never grants it to robots.
PROJECT_CATALOGUE = _pairs({
    'log': 'list', 'project': 'read delete update', 'metadata': 'read create delete list update',
    'repository': 'read update delete list pull push', 'artifact': 'read create list delete',
    'scan': 'create read stop', 'sbom': 'create stop read', 'tag': 'create list delete', 'accessory': 'list',
    'artifact-addition': 'read', 'artifact-label': 'create delete', 'scanner': 'create read',
    'preheat-policy': 'read create delete list update', 'immutable-tag': 'create delete list update',
    'notification-policy': 'read create delete list update', 'tag-retention': 'read create delete list update',
    'label': 'read create delete list update', 'quota': 'read', 'robot': 'create read list delete',
    'export-cve': 'create read', 'member': 'create read update list delete',
})
SYSTEM_CATALOGUE = _pairs({
    'audit-log': 'list', 'preheat-instance': 'read create delete list update', 'project': 'list create',
    'replication-policy': 'read create delete list update', 'replication': 'read create list',
    'replication-adapter': 'list', 'registry': 'read create delete list update', 'scan-all': 'read update stop create',
    'system-volumes': 'read', 'garbage-collection': 'read create list update stop',
    'purge-audit': 'read create list update stop', 'jobservice-monitor': 'list stop',
    'scanner': 'read create delete list update', 'label': 'read create delete update', 'security-hub': 'read list',
    'catalog': 'read', 'quota': 'read list update', 'robot': 'create read list delete',
    'user': 'create read update list delete', 'ldap-user': 'create list', 'user-group': 'create read update list delete',
})
BUILTIN_CATALOGUE = {'project': PROJECT_CATALOGUE, 'system': SYSTEM_CATALOGUE}

# The `access` presets of project robots. Each entry is in PROJECT_CATALOGUE (a unit test checks it).
ACCESS_PRESETS = {
    # A runtime: pull images and, through the registry, their cosign signatures and SBOM accessories; read the
    # artifact (digest of a tag), list its accessories and read its additions (SBOM, vulnerabilities) through the API.
    'pull': ('repository:pull', 'artifact:read', 'accessory:list', 'artifact-addition:read'),
    # CI: everything of pull, plus registry pushes (images, Helm charts as OCI artifacts, cosign signatures and
    # attestations), and tags created through the API for promotions.
    'push': ('repository:pull', 'artifact:read', 'accessory:list', 'artifact-addition:read', 'repository:push',
             'tag:create'),
}
ACCESS_ITEM = re.compile(r'^([a-z][a-z-]*):([a-z][a-z-]*)$')


def namespace_kind(namespace):
    """Harbor's permission kind of a namespace: '/' is the system, anything else (a project or '*') a project."""
    return 'system' if namespace == SYSTEM_NAMESPACE else 'project'


def expand_access(items, option='access'):
    """`access` items (preset names and 'resource:action' strings) -> sorted (resource, action) pairs."""
    pairs = set()
    for item in items or []:
        text = str(item).strip()
        if text in ACCESS_PRESETS:
            pairs.update(tuple(entry.split(':')) for entry in ACCESS_PRESETS[text])
            continue
        match = ACCESS_ITEM.match(text)
        if not match:
            raise ValidationError('%s: %r is neither a preset (%s) nor resource:action such as repository:pull'
                                  % (option, text, ', '.join(sorted(ACCESS_PRESETS))))
        pairs.add(match.groups())
    if not pairs:
        raise ValidationError('%s must name at least one preset or resource:action' % option)
    return sorted(pairs)


def canonical_permissions(entries, option='permissions'):
    """User or Harbor permission entries -> the one comparable form.

    A list sorted by namespace of {namespace, access}, each access list a sorted, duplicate-free list of
    {resource, action, effect} with the effect spelled out ('allow' when Harbor or the user left it out).
    Entries of the same namespace are merged, as Harbor merges them by scope.
    """
    merged = {}
    for entry in entries or []:
        namespace = entry.get('namespace')
        if not namespace:
            raise ValidationError('%s: every entry needs a namespace (a project name, %r for all projects or %r for '
                                  'system resources)' % (option, ALL_PROJECTS, SYSTEM_NAMESPACE))
        accesses = merged.setdefault(namespace, set())
        for access in entry.get('access') or []:
            effect = access.get('effect') or 'allow'
            if effect not in EFFECTS:
                raise ValidationError('%s: effect %r of %s:%s must be allow or deny'
                                      % (option, effect, access.get('resource'), access.get('action')))
            accesses.add((access.get('resource') or '', access.get('action') or '', effect))
    for namespace, accesses in merged.items():
        if not accesses:
            raise ValidationError('%s: namespace %r has no access; Harbor needs at least one' % (option, namespace))
    return [dict(namespace=namespace, access=[dict(resource=resource, action=action, effect=effect)
                                              for resource, action, effect in sorted(merged[namespace])])
            for namespace in sorted(merged)]


def harbor_permissions(canonical):
    """Canonical permissions -> Harbor's request form. 'allow' is left implicit, as Harbor's UI does, so that
    robots created by robots pass Harbor's comparison of effects with the creator's permissions."""
    body = []
    for entry in canonical:
        accesses = []
        for access in entry['access']:
            item = dict(resource=access['resource'], action=access['action'])
            if access['effect'] != 'allow':
                item['effect'] = access['effect']
            accesses.append(item)
        body.append(dict(kind=namespace_kind(entry['namespace']), namespace=entry['namespace'], access=accesses))
    return body


def unknown_permissions(canonical, catalogue):
    """'namespace resource:action' of every access the catalogue does not have for the namespace's kind."""
    unknown = []
    for entry in canonical:
        allowed = catalogue[namespace_kind(entry['namespace'])]
        unknown.extend('%s:%s (namespace %s)' % (access['resource'], access['action'], entry['namespace'])
                       for access in entry['access'] if (access['resource'], access['action']) not in allowed)
    return unknown


def permission_catalogue(client):
    """Harbor's own catalogue when the account may read it (administrators), else the built-in copy."""
    response = client.request('GET', '/permissions', accept=(403,), remember=True)
    catalogue = dict(BUILTIN_CATALOGUE)
    if response.status == 200 and isinstance(response.body, dict):
        for kind in ('project', 'system'):
            if response.body.get(kind):
                catalogue[kind] = frozenset((item.get('resource'), item.get('action')) for item in response.body[kind])
    return catalogue


def robot_settings(client, prefix=None):
    """(name prefix, default duration in days) of robots on this Harbor.

    Harbor's configuration when the account may read it (system administrators); otherwise `prefix` as the
    task gave it, or Harbor's defaults.
    """
    response = client.request('GET', '/configurations', accept=(403,), remember=True)
    if response.status == 200 and isinstance(response.body, dict):
        configured = (response.body.get('robot_name_prefix') or {}).get('value')
        duration = (response.body.get('robot_token_duration') or {}).get('value')
        return configured or prefix or DEFAULT_PREFIX, int(duration or DEFAULT_DURATION_DAYS)
    return prefix or DEFAULT_PREFIX, DEFAULT_DURATION_DAYS


def full_name(prefix, name, project=None):
    """The name Harbor shows and robots log in with: robot$project+name or robot$name."""
    return '%s%s+%s' % (prefix, project, name) if project else '%s%s' % (prefix, name)


SECRET_RULE = '8 to 128 characters with at least one upper-case letter, one lower-case letter and one digit'


def check_secret(option, secret):
    """Harbor's secret policy; the message never contains the secret."""
    if not (8 <= len(secret) <= 128 and re.search('[a-z]', secret) and re.search('[A-Z]', secret)
            and re.search('[0-9]', secret)):
        raise ValidationError('%s does not meet Harbor\'s secret policy: %s' % (option, SECRET_RULE))
    return secret


def is_expired(robot, now=None):
    expires_at = robot.get('expires_at')
    return expires_at not in (None, -1) and expires_at <= (now if now is not None else time.time())


def describe(robot, now=None):
    """What the modules return for a robot: Harbor's fields under plain names, canonical permissions, expiry."""
    now = now if now is not None else time.time()
    expires_at = robot.get('expires_at')
    never = expires_at in (None, -1)
    permissions = canonical_permissions(robot.get('permissions'))
    level = robot.get('level')
    return dict(
        id=robot.get('id'),
        name=robot.get('name'),
        level=level,
        project=permissions[0]['namespace'] if level == 'project' and permissions else None,
        description=robot.get('description') or '',
        disabled=bool(robot.get('disable')),
        duration_days=robot.get('duration'),
        expires_at=-1 if never else expires_at,
        expires_in_days=None if never else int((expires_at - now) // SECONDS_PER_DAY),
        expired=is_expired(robot, now),
        permissions=permissions,
        creation_time=robot.get('creation_time'),
        update_time=robot.get('update_time'),
    )
