# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Robot accounts: Harbor's permission catalogue, the access presets, names, secrets and the robot view.

Shared by harbor_robot, harbor_robot_info and the roles that make robots, so that a preset means the same
thing everywhere.
"""

from __future__ import annotations

import datetime
import re
import time

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import HarborError, ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import HARBOR_NAME_PATTERN, check_harbor_name

DEFAULT_PREFIX = 'robot$'
# Harbor's default robot_token_duration, used when the account cannot read the configuration.
DEFAULT_DURATION_DAYS = 30
MAX_DURATION_DAYS = 2 ** 31 - 2
SECONDS_PER_DAY = 86400
SYSTEM_NAMESPACE = '/'
# Harbor stores robot names, project included, in a column of this size.
MAX_STORED_NAME = 255
TIMESTAMP = re.compile(r'^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})')
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


def check_robot_name(name, project):
    """The short name of a robot (Harbor adds the prefix and the project), and its project's name."""
    if '+' in name or '$' in name:
        raise ValidationError('name %r must be the short name of the robot, without the robot$ prefix or the '
                              'project: Harbor builds robot$<project>+<name> itself' % name)
    if project:
        check_harbor_name('project', project)
    check_harbor_name('name', name, MAX_STORED_NAME - (len(project) + 1 if project else 0))


def check_duration(duration):
    if duration is not None and not (duration == -1 or 1 <= duration <= MAX_DURATION_DAYS):
        raise ValidationError('duration_days must be -1 (never expires) or 1 to %d days, got %d; 0 is not allowed'
                              % (MAX_DURATION_DAYS, duration))


def check_namespaces(permissions, project, option):
    """A project robot holds exactly its project; a system robot names projects, '*' or '/'."""
    namespaces = [entry['namespace'] for entry in permissions]
    if project:
        if namespaces != [project]:
            raise ValidationError('%s: a project robot has exactly one namespace, its project %r, but the task '
                                  'names %s; use a system robot (no project) for several namespaces'
                                  % (option, project, ', '.join(repr(name) for name in namespaces)))
        return
    for namespace in namespaces:
        if namespace not in (SYSTEM_NAMESPACE, ALL_PROJECTS) and not HARBOR_NAME_PATTERN.match(namespace):
            raise ValidationError('%s: namespace %r is neither a project name, %r (all projects) nor %r (system)'
                                  % (option, namespace, ALL_PROJECTS, SYSTEM_NAMESPACE))


def access_permissions(access, project):
    """The `access` shorthand of a project robot -> its canonical permissions."""
    if not project:
        raise ValidationError('access is a shorthand for project robots: set project, or describe a system '
                              'robot\'s permissions with permissions')
    pairs = expand_access(access, 'access')
    return canonical_permissions([dict(namespace=project, access=[
        dict(resource=resource, action=action) for resource, action in pairs])], 'access')


def desired_permissions(permissions, access, project):
    """The task's permissions (entries of a project robot name their project by default) or access, canonical."""
    if access is not None:
        return access_permissions(access, project)
    if project:
        permissions = [dict(entry, namespace=entry.get('namespace') or project) for entry in permissions]
    return canonical_permissions(permissions, 'permissions')


def secret_in_place(robot, desired, logs_in, warn):
    """The desired secret when the robot already logs in with it, else None (a change).

    Only a login can tell, and only while the robot may log in; one that the task enables or extends is taken
    as a change (the update logs in first). One that stays disabled or expired is left alone, with a warning.
    """
    secret = desired['secret']
    if usable(robot):
        return secret if logs_in(secret) else None
    if usable_after(robot, desired):
        return None
    warn('secret: %s is disabled or expired, so Harbor refuses every login and the module cannot tell whether it '
         'has this secret; it was left unchanged. Enable the robot, or extend duration_days, to have it checked and '
         'set' % robot.get('name'))
    return secret


def check_grantable(client, permissions, project, option):
    """Permissions Harbor knows, on projects that exist: checked before the robot is written."""
    unknown = unknown_permissions(permissions, permission_catalogue(client))
    if unknown:
        raise ValidationError('%s: Harbor has no robot permission %s; see GET /permissions, or Harbor\'s list in '
                              'the module documentation' % (option, ', '.join(unknown)))
    for entry in permissions:
        namespace = entry['namespace']
        if not project and namespace not in (SYSTEM_NAMESPACE, ALL_PROJECTS):
            if client.get_project(namespace) is None:
                raise ValidationError('%s: project %r of the namespaces does not exist in Harbor' % (option, namespace))


class RobotApi:
    """Harbor's /robots calls for the robots of one project (or the system robots), each with the permission it
    needs for the 403 hint."""

    def __init__(self, client, project=None):
        self.client = client
        self.project = project

    def permission(self, action):
        if self.project:
            return 'robot:%s on project %s' % (action, self.project)
        return 'robot:%s (system administrators only)' % action

    def _listing(self, project_id):
        """The query of the robots of the project (whose id is project_id), or of the system robots.

        Harbor's ListRobot has no listing of the robots of several projects: q=Level=project needs one ProjectID
        (400 otherwise), and a listing without a Level is the system robots' (its ProjectID is forced to 0).
        """
        return {'q': 'Level=project,ProjectID=%d' % project_id if self.project else 'Level=system'}

    def list(self, project_id=None, remember=False):
        """Every robot of the project (whose id is project_id), or every system robot."""
        return self.client.paginate('/robots', params=self._listing(project_id), permission=self.permission('list'),
                                    remember=remember)

    def keeping_listing(self, project_id, write):
        """write() (robot writes that return the robot they made) and, when this process remembered the listing
        that find() read, that listing with the robot in it: the next robot of a loop over one project (a pull
        and a CI robot) is then looked up without reading the listing again."""
        return self.client.keeping_list('/robots', self._listing(project_id), write, 'id')

    def find(self, prefix, name, project_id=None):
        """The robot `name` (a short name), or None.

        Listing and matching avoids q=name=, where a '+' would have to travel double-encoded. A project robot
        listed under another prefix means the prefix is wrong: creating it would only collide, so that is an error.
        """
        robots = self.list(project_id, remember=True)
        wanted = full_name(prefix, name, self.project)
        for robot in robots:
            if robot.get('name') == wanted:
                return robot
        suffix = '%s+%s' % (self.project, name)
        for robot in robots if self.project else ():
            listed = robot.get('name') or ''
            if listed.endswith(suffix) and listed[:-len(suffix)]:
                raise ValidationError('robot_prefix: Harbor names this robot %r, so its robot name prefix is %r, not '
                                      '%r; set robot_prefix to %r (the account may not read Harbor\'s configuration)'
                                      % (listed, listed[:-len(suffix)], prefix, listed[:-len(suffix)]))
        return None

    def create(self, body, name, prefix):
        """POST /robots -> Harbor's answer (the robot with its generated secret); its refusals explained."""
        try:
            return self.client.post('/robots', json=body, permission=self.permission('create')).body or {}
        except HarborError as error:
            if error.status == 409:
                # Kept a 409, so that the engine still looks for a robot a concurrent run created.
                raise HarborError('POST /robots answered 409 CONFLICT: %s' % error.harbor_message, status=409,
                                  code=error.code, method='POST', path='/robots', hint='Harbor has this robot, but not '
                                  'under the name %s: if its robot name prefix is not %r, set robot_prefix to it'
                                  % (name, prefix))
            if error.status != 403 or error.code != 'DENIED':
                raise
            # Harbor's DENIED here is its check that a robot grants only what it holds, not a missing right.
            raise HarborError('POST /robots answered 403 DENIED: %s' % error.harbor_message, status=403,
                              code='DENIED', method='POST', path='/robots', hint='A robot may only give the robots it '
                              'creates permissions it holds itself: narrow the permissions, or run the task with an '
                              'account that may grant them')

    def read(self, robot_id):
        return self.client.get('/robots/%d' % robot_id, permission=self.permission('read'))

    def put(self, robot_id, body):
        self.client.put('/robots/%d' % robot_id, json=body, permission=self.permission('update'))

    def set_secret(self, robot_id, secret=None):
        """PATCH the robot's secret to `secret`, or to one Harbor generates and returns."""
        answer = self.client.patch('/robots/%d' % robot_id, json=dict(secret=secret) if secret else {},
                                   permission=self.permission('update'))
        return (answer.body or {}).get('secret')

    def delete(self, robot_id):
        self.client.delete('/robots/%d' % robot_id, missing_ok=True, permission=self.permission('delete'))


def robot_body(name, level, values, with_disable=True):
    """The robot as POST (no disable: Harbor creates every robot enabled) and PUT take it, from canonical values."""
    body = dict(name=name, level=level, description=values['description'], duration=values['duration_days'],
                permissions=harbor_permissions(values['permissions']))
    if with_disable:
        body['disable'] = values['disabled']
    return body


def planned_robot(name, level, desired, default_duration, now=None):
    """What a robot created with the desired values would look like (check mode)."""
    duration = desired.get('duration_days', default_duration)
    now = now if now is not None else time.time()
    return describe(dict(name=name, level=level, description=desired.get('description', ''),
                         disable=desired.get('disabled', False), duration=duration,
                         expires_at=-1 if duration == -1 else int(now) + duration * SECONDS_PER_DAY,
                         permissions=desired['permissions']), now)


def expiry_warning(robot, desired):
    """The warning for a new duration_days that expires the robot at once (it counts from its creation), or None."""
    if desired.get('duration_days', robot.get('duration')) == robot.get('duration'):
        return None
    expires_at = expiry_after(robot, desired['duration_days'])
    if expires_at in (None, -1) or expires_at > time.time():
        return None
    return ('duration_days=%d counts from the creation of %s (%s), so the robot is expired as soon as it is saved; '
            'raise duration_days to keep it usable' % (desired['duration_days'], robot.get('name'),
                                                       robot.get('creation_time')))


def creation_timestamp(robot):
    """Seconds since the epoch of Harbor's creation_time ('2026-01-05T10:00:00.123Z', always UTC)."""
    match = TIMESTAMP.match(robot.get('creation_time') or '')
    if not match:
        return None
    moment = datetime.datetime.strptime(match.group(1), '%Y-%m-%dT%H:%M:%S')
    return int(moment.replace(tzinfo=datetime.timezone.utc).timestamp())


def expiry_after(robot, duration_days):
    """Harbor's rule for a changed duration: creation time plus the days, or -1 for never."""
    if duration_days == -1:
        return -1
    created = creation_timestamp(robot)
    return None if created is None else created + duration_days * SECONDS_PER_DAY


def usable(robot):
    """Whether the robot may log in now: enabled and not expired."""
    return not robot.get('disable') and not is_expired(robot)


def usable_after(robot, desired):
    """Whether the robot may log in once the task's disabled and duration_days are applied."""
    disabled = desired.get('disabled', bool(robot.get('disable')))
    expires_at = robot.get('expires_at')
    if 'duration_days' in desired and desired['duration_days'] != robot.get('duration'):
        expires_at = expiry_after(robot, desired['duration_days'])
    return not disabled and not is_expired(dict(expires_at=expires_at))
