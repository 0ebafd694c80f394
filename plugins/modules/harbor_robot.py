#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_robot
short_description: Manage a Harbor robot account, its permissions and its secret
version_added: 0.1.0
description:
  - Creates, updates or deletes one Harbor robot account (Harbor 2.2 or newer robots, the C(/robots) API).
  - With O(project), a project robot, which Harbor names C(robot$<project>+<name>) and which can only act on
    that project. Without it, a system robot, named C(robot$<name>), which may hold system permissions and
    permissions on several projects or on all of them.
  - Only the options set in the task are compared; permissions are compared as sets, so their order never
    causes a change. An update sends Harbor the complete robot (Harbor resets what an update leaves out), so
    settings the task does not mention are kept as they are.
  - The robot is found by the full name Harbor reports. The name prefix (C(robot$) by default) is read from
    Harbor's configuration when the account may read it, else taken from O(robot_prefix).
  - Harbor never shows a robot's secret again after creating it. The module returns the secret Harbor
    generates when it creates the robot or regenerates its secret, and never otherwise. When the result
    holds a secret, the module marks it so that Ansible censors the task's output (even at C(-vvvv)); the
    registered variable keeps the secret for the tasks that need it, such as a Kubernetes pull secret.
  - O(secret) makes the robot authenticate with a secret you keep elsewhere (a vault). The module first logs
    in as the robot with that secret, so an unchanged secret is not written again and the run reports no
    change.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
attributes:
  idempotent:
    details:
      - O(regenerate_secret=true) rotates the secret, so it changes the robot on every run by design.
options:
  name:
    description:
      - Short name of the robot, without the C(robot$) prefix and without the project, for example V(ci)
        for the robot Harbor calls C(robot$payments+ci).
      - Harbor's rule, checked before any request is sent - lower-case letters and digits, optionally
        separated by single V(.), V(_) or V(-).
    type: str
    required: true
  project:
    description:
      - Project of a project robot. Without it, the robot is a system robot, which only system
        administrators can manage.
      - Harbor cannot move a robot to another project, or turn a project robot into a system robot; a robot
        with the same name elsewhere is another robot.
    type: str
  state:
    description:
      - V(present) creates the robot or converges it; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  description:
    description:
      - Free text shown in Harbor's list of robots. V("") clears it.
    type: str
  disabled:
    description:
      - Whether the robot is deactivated. A disabled robot cannot log in; Harbor keeps it and its secret.
      - Harbor creates every robot enabled; the module disables a new robot right after creating it when
        this is V(true).
    type: bool
  duration_days:
    description:
      - How many days the robot is valid, counted from its B(creation), or V(-1) for a robot that never
        expires. V(0) is invalid.
      - When the robot is created without this option, Harbor's default (C(robot_token_duration), 30 days
        unless an administrator changed it) applies.
      - Changing it on an existing robot recomputes the expiry as creation time plus the new number of days,
        as Harbor does, and not from today; RV(robot.expires_at) returns the result. A robot created 40 days
        ago and set to V(30) is therefore expired at once, which the module reports as a warning. To give an
        old robot more time, raise the number of days.
    type: int
  permissions:
    description:
      - What the robot may do, in Harbor's full form - a list of namespaces, each with its accesses.
      - The list replaces the robot's permissions; order and repetitions do not matter.
      - Mutually exclusive with O(access). Required, one of the two, when the robot is created.
      - Each resource and action is checked against Harbor's permission catalogue (C(GET /permissions) when
        the account may read it, else the catalogue of Harbor 2.15) before anything is written.
    type: list
    elements: dict
    suboptions:
      namespace:
        description:
          - A project name, V(*) for every project, or V(/) for system resources such as C(project:create).
          - A project robot has exactly one namespace, its O(project); it may be left out there.
          - Only system robots may name several namespaces, V(*) or V(/).
        type: str
      access:
        description:
          - The accesses granted (or denied) in this namespace.
        type: list
        elements: dict
        required: true
        suboptions:
          resource:
            description:
              - A Harbor resource such as V(repository), V(artifact), V(tag) or, in V(/), V(project).
            type: str
            required: true
          action:
            description:
              - An action on the resource such as V(pull), V(push), V(read), V(list), V(create) or V(delete).
            type: str
            required: true
          effect:
            description:
              - V(deny) overrides any V(allow) of the same resource and action.
            type: str
            choices: [allow, deny]
            default: allow
  access:
    description:
      - Shorthand for project robots - a list of presets and C(resource:action) strings, all granted on
        O(project). For example V([push]) or V([pull, scan:create]).
      - Preset V(pull), what a runtime needs to pull images and their signatures and SBOMs -
        C(repository:pull), C(artifact:read), C(accessory:list), C(artifact-addition:read).
      - Preset V(push), what CI needs to push images, Helm charts and cosign signatures, and pull them -
        everything of V(pull) plus C(repository:push) and C(tag:create).
      - Mutually exclusive with O(permissions).
    type: list
    elements: str
  secret:
    description:
      - The secret the robot must authenticate with (Harbor's policy, checked before any request - 8 to 128
        characters with at least one upper-case letter, one lower-case letter and one digit).
      - The module logs in as the robot with it (C(GET /users/current) with only the robot's credentials).
        If Harbor accepts it, nothing is written; if not, the module sets it. The module does not return it.
      - A disabled or expired robot cannot log in, so its secret cannot be checked; the module then leaves
        it as it is and warns, unless the same task enables the robot or extends its validity, in which case
        it checks the secret afterwards.
      - Mutually exclusive with O(regenerate_secret).
    type: str
  regenerate_secret:
    description:
      - Have Harbor generate a new secret for an existing robot and return it in RV(secret). The old secret
        stops working at once. This is a rotation, so it reports a change on every run.
      - A robot created by the task gets a fresh secret anyway.
    type: bool
    default: false
  robot_prefix:
    description:
      - The robot name prefix of this Harbor (its C(robot_name_prefix) setting), used only when the account
        may not read Harbor's configuration, which needs a system administrator. Defaults to V(robot$).
    type: str
notes:
  - Harbor's own rules apply to who may manage robots - system administrators for system robots, project
    administrators (or a robot holding C(robot:create)) for project robots. A robot may only create robots
    with permissions it holds itself, and can never change a secret (Harbor does not grant C(robot:update)
    to robots).
  - Read the secret from the registered result once, and hand it to what needs it (a Kubernetes pull
    secret, a CI variable, a vault). Set C(no_log) on every task that receives it; the module's own output
    is censored whenever it carries a secret.
seealso:
  - module: cloudtemple.harbor.harbor_robot_info
  - module: cloudtemple.harbor.harbor_pull_secret
    description: Hands a robot's name and secret to Kubernetes namespaces as image pull secrets.
  - module: cloudtemple.harbor.harbor_project
  - name: Harbor robot accounts
    description: Harbor's documentation on project robot accounts.
    link: https://goharbor.io/docs/main/working-with-projects/project-configuration/create-robot-accounts/
"""

EXAMPLES = r"""
---
- name: CI robot of the payments project, valid one year
  cloudtemple.harbor.harbor_robot:
    name: ci
    project: payments
    description: GitLab CI pushes images, charts and signatures
    access: [push]
    duration_days: 365
  register: ci_robot
  no_log: true

- name: Keep the secret in the CI system, shown only when the robot was just created
  ansible.builtin.debug:
    msg: "Store {{ ci_robot.robot.name }} with its new secret in the CI variables"
  when: ci_robot.secret is defined

- name: Runtime robot with a secret kept in a vault
  cloudtemple.harbor.harbor_robot:
    name: runtime
    project: payments
    access: [pull]
    duration_days: -1
    secret: "{{ vault_payments_pull_secret }}"
  no_log: true

- name: Rotate the CI robot's secret
  cloudtemple.harbor.harbor_robot:
    name: ci
    project: payments
    regenerate_secret: true
  register: rotated
  no_log: true

- name: System robot that creates projects and pulls from all of them
  cloudtemple.harbor.harbor_robot:
    name: provisioner
    permissions:
      - namespace: /
        access:
          - {resource: project, action: create}
          - {resource: project, action: list}
      - namespace: "*"
        access:
          - {resource: repository, action: pull}
    duration_days: 90
  register: provisioner
  no_log: true

- name: Switch a robot off without deleting it
  cloudtemple.harbor.harbor_robot:
    name: ci
    project: payments
    disabled: true

- name: Delete a robot
  cloudtemple.harbor.harbor_robot:
    name: ci
    project: payments
    state: absent
"""

RETURN = r"""
---
robot:
  description:
    - The robot after the change. Empty after deletion.
    - In check mode, for a robot that does not exist yet, what it would be (without RV(robot.id)).
  returned: always
  type: dict
  contains:
    id:
      description: Harbor's id of the robot.
      type: int
      sample: 7
    name:
      description: The full name, the user name the robot logs in with.
      type: str
      sample: robot$payments+ci
    level:
      description: V(project) or V(system).
      type: str
      sample: project
    project:
      description: The project of a project robot, V(null) for a system robot.
      type: str
      sample: payments
    description:
      description: The description.
      type: str
      sample: GitLab CI pushes images, charts and signatures
    disabled:
      description: Whether the robot is deactivated.
      type: bool
      sample: false
    duration_days:
      description: Days of validity counted from the creation, V(-1) for never.
      type: int
      sample: 365
    expires_at:
      description: When the robot expires, in seconds since the epoch, V(-1) for never.
      type: int
      sample: 1767225600
    expires_in_days:
      description: Whole days left before the robot expires (negative once expired), V(null) for never.
      type: int
      sample: 364
    expired:
      description: Whether the robot has expired and so can no longer log in.
      type: bool
      sample: false
    permissions:
      description: The permissions, sorted, each access with its effect spelled out.
      type: list
      elements: dict
      sample:
        - namespace: payments
          access:
            - {resource: repository, action: pull, effect: allow}
            - {resource: repository, action: push, effect: allow}
    creation_time:
      description: When Harbor created the robot.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
    update_time:
      description: When the robot was last changed.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
secret:
  description:
    - The secret Harbor generated for the robot, when the module created the robot or regenerated its secret
      in this run. Harbor cannot show it again, so keep it now.
    - Not returned when the task gives O(secret) (you have it already), nor in check mode.
  returned: when Harbor generated a secret in this run
  type: str
  sample: Wq3rT7yUi9oPaS2dFg4hJk6lZx8cVb0n
credentials_verified:
  description:
    - Whether the robot logs in with O(secret) at the end of the run, found out by logging in as the robot.
    - In check mode, whether it already does; V(false) there means the module would set the secret.
  returned: when O(secret) is set and the robot could log in to find out (it is enabled and not expired)
  type: bool
  sample: true
"""

import datetime
import re
import time

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import (
    HarborError,
    HarborTransportError,
    probe_login,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Converger,
    Option,
    Resource,
    ValidationError,
    harbor_module,
    run_module,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.robots import (
    ALL_PROJECTS,
    MAX_DURATION_DAYS,
    SECONDS_PER_DAY,
    SYSTEM_NAMESPACE,
    canonical_permissions,
    check_secret,
    describe,
    expand_access,
    full_name,
    harbor_permissions,
    is_expired,
    permission_catalogue,
    robot_settings,
    unknown_permissions,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import HARBOR_NAME_PATTERN, check_harbor_name

MAX_STORED_NAME = 255
PUT_OPTIONS = ('description', 'disabled', 'duration_days', 'permissions')
TIMESTAMP = re.compile(r'^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})')


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


class Robot(Resource):
    return_key = 'robot'

    def __init__(self, module, client):
        super().__init__(module, client)
        self.name = self.params['name']
        self.project_name = self.params['project']
        self.level = 'project' if self.project_name else 'system'
        self.options = (
            Option('description'),
            Option('disabled'),
            Option('duration_days'),
            Option('permissions', normalize=self._permissions_option),
            Option('secret', secret=True),
            Option('regenerate_secret', secret=True),
        )
        self.prefix = None
        self.default_duration = None
        self.project = None
        self.robot_id = None
        self.wanted = {}
        self.generated_secret = None
        self.credentials_verified = None
        self._secret_unverified = False

    # -- desired state ---------------------------------------------------------------------------------------

    def _permissions_option(self, entries):
        if self.project_name:
            entries = [dict(entry, namespace=entry.get('namespace') or self.project_name) for entry in entries]
        return canonical_permissions(entries, 'permissions')

    def access_permissions(self):
        if not self.project_name:
            raise ValidationError('access is a shorthand for project robots: set project, or describe a system '
                                  'robot\'s permissions with permissions')
        pairs = expand_access(self.params['access'], 'access')
        return canonical_permissions([dict(namespace=self.project_name, access=[
            dict(resource=resource, action=action) for resource, action in pairs])], 'access')

    def identity(self):
        identity = dict(name=self.name)
        if self.project_name:
            identity['project'] = self.project_name
        return identity

    def check_names(self):
        if '+' in self.name or '$' in self.name:
            raise ValidationError('name %r must be the short name of the robot, without the robot$ prefix or the '
                                  'project: Harbor builds robot$<project>+<name> itself' % self.name)
        if self.project_name:
            check_harbor_name('project', self.project_name)
        check_harbor_name('name', self.name, MAX_STORED_NAME - (len(self.project_name) + 1 if self.project_name else 0))

    def validate(self, desired):
        self.wanted = desired
        self.check_names()
        duration = desired.get('duration_days')
        if duration is not None and not (duration == -1 or 1 <= duration <= MAX_DURATION_DAYS):
            raise ValidationError('duration_days must be -1 (never expires) or 1 to %d days, got %d; 0 is not allowed'
                                  % (MAX_DURATION_DAYS, duration))
        if 'secret' in desired:
            check_secret('secret', desired['secret'])
        if 'permissions' in desired:
            self._validate_namespaces(desired['permissions'], 'access' if self.params['access'] else 'permissions')

    def _validate_namespaces(self, permissions, option):
        namespaces = [entry['namespace'] for entry in permissions]
        if self.project_name:
            if namespaces != [self.project_name]:
                raise ValidationError('%s: a project robot has exactly one namespace, its project %r, but the task '
                                      'names %s; use a system robot (no project) for several namespaces'
                                      % (option, self.project_name, ', '.join(repr(name) for name in namespaces)))
            return
        for namespace in namespaces:
            if namespace not in (SYSTEM_NAMESPACE, ALL_PROJECTS) and not HARBOR_NAME_PATTERN.match(namespace):
                raise ValidationError('%s: namespace %r is neither a project name, %r (all projects) nor %r (system)'
                                      % (option, namespace, ALL_PROJECTS, SYSTEM_NAMESPACE))

    # -- Harbor state ----------------------------------------------------------------------------------------

    def full_name(self):
        return full_name(self.prefix, self.name, self.project_name)

    def _permission(self, action):
        if self.project_name:
            return 'robot:%s on project %s' % (action, self.project_name)
        return 'robot:%s (system administrators only)' % action

    def find(self):
        if self.prefix is None:
            self.prefix, self.default_duration = robot_settings(self.client, self.params['robot_prefix'])
        if self.project_name:
            self.project = self.client.get_project(self.project_name)
            if self.project is None:
                return None
            query = 'Level=project,ProjectID=%d' % self.project['project_id']
        else:
            query = 'Level=system'
        # Listing and matching here avoids q=name=, where a '+' would have to travel double-encoded.
        robots = self.client.paginate('/robots', params={'q': query}, permission=self._permission('list'), remember=True)
        wanted = self.full_name()
        for robot in robots:
            if robot.get('name') == wanted:
                return robot
        self._check_prefix(robots)
        return None

    def _check_prefix(self, robots):
        """A project robot listed under another prefix means robot_prefix is wrong: creating would only collide."""
        if not self.project_name:
            return
        suffix = '%s+%s' % (self.project_name, self.name)
        for robot in robots:
            name = robot.get('name') or ''
            if name.endswith(suffix) and name[:-len(suffix)]:
                raise ValidationError('robot_prefix: Harbor names this robot %r, so its robot name prefix is %r, not '
                                      '%r; set robot_prefix to %r (the account may not read Harbor\'s configuration)'
                                      % (name, name[:-len(suffix)], self.prefix, name[:-len(suffix)]))

    def prepare(self, current, desired):
        if self.project_name and self.project is None:
            raise ValidationError('project: project %r does not exist in Harbor; create it first with '
                                  'cloudtemple.harbor.harbor_project, or fix the name' % self.project_name)
        if current is None and 'permissions' not in desired:
            raise ValidationError('permissions or access is required to create the robot %s: Harbor refuses a robot '
                                  'without permissions' % self.full_name())
        if 'permissions' in desired and (current is None or self._permissions(current) != desired['permissions']):
            self._check_permissions(desired['permissions'])
        if current is not None and desired.get('duration_days', current.get('duration')) != current.get('duration'):
            expires_at = expiry_after(current, desired['duration_days'])
            if expires_at not in (None, -1) and expires_at <= time.time():
                self.module.warn('duration_days=%d counts from the creation of %s (%s), so the robot is expired as soon '
                                 'as it is saved; raise duration_days to keep it usable'
                                 % (desired['duration_days'], current.get('name'), current.get('creation_time')))

    def _check_permissions(self, permissions):
        option = 'access' if self.params['access'] else 'permissions'
        unknown = unknown_permissions(permissions, permission_catalogue(self.client))
        if unknown:
            raise ValidationError('%s: Harbor has no robot permission %s; see GET /permissions, or Harbor\'s list in '
                                  'the module documentation' % (option, ', '.join(unknown)))
        for entry in permissions:
            namespace = entry['namespace']
            if not self.project_name and namespace not in (SYSTEM_NAMESPACE, ALL_PROJECTS):
                if self.client.get_project(namespace) is None:
                    raise ValidationError('%s: project %r of the namespaces does not exist in Harbor' % (option, namespace))

    @staticmethod
    def _permissions(robot):
        return canonical_permissions(robot.get('permissions'))

    @staticmethod
    def _usable(robot):
        return not robot.get('disable') and not is_expired(robot)

    def _usable_after(self, current):
        disabled = self.wanted.get('disabled', bool(current.get('disable')))
        expires_at = current.get('expires_at')
        if 'duration_days' in self.wanted and self.wanted['duration_days'] != current.get('duration'):
            expires_at = expiry_after(current, self.wanted['duration_days'])
        return not disabled and not is_expired(dict(expires_at=expires_at))

    def _logs_in(self, secret):
        accepted = probe_login(self.client.base_url, self.full_name(), secret, self.client.validate_certs,
                               self.client.ca_path, self.client.timeout)
        self.credentials_verified = accepted
        return accepted

    def _secret_view(self, current):
        """The wanted secret when the robot already logs in with it, else None (a change)."""
        secret = self.wanted['secret']
        if self._usable(current):
            return secret if self._logs_in(secret) else None
        if self._usable_after(current):
            self._secret_unverified = True
            return None
        self.module.warn('secret: %s is disabled or expired, so Harbor refuses every login and the module cannot tell '
                         'whether it has this secret; it was left unchanged. Enable the robot, or extend duration_days, '
                         'to have it checked and set' % current.get('name'))
        return secret

    def view(self, current, wanted):
        values = {}
        if 'description' in wanted:
            values['description'] = current.get('description') or ''
        if 'disabled' in wanted:
            values['disabled'] = bool(current.get('disable'))
        if 'duration_days' in wanted:
            values['duration_days'] = current.get('duration')
        if 'permissions' in wanted:
            values['permissions'] = self._permissions(current)
        if 'regenerate_secret' in wanted:
            values['regenerate_secret'] = False
        if 'secret' in wanted:
            values['secret'] = self._secret_view(current)
        return values

    # -- writes ----------------------------------------------------------------------------------------------

    def _post(self, body):
        """POST /robots -> (robot, generated secret); a lost answer is settled by looking, never by creating twice."""
        try:
            created = self._send_post(body)
        except HarborTransportError as error:
            if not error.ambiguous:
                raise
            found = self.find()
            if found is not None:
                # Created, but the only copy of its secret was in the lost answer.
                return found, None
            created = self._send_post(body)
        return created, created.get('secret')

    def _send_post(self, body):
        try:
            return self.client.post('/robots', json=body, permission=self._permission('create')).body or {}
        except HarborError as error:
            if error.status == 409:
                # Kept a 409, so that the engine still looks for a robot a concurrent run created.
                raise HarborError('POST /robots answered 409 CONFLICT: %s' % error.harbor_message, status=409,
                                  code=error.code, method='POST', path='/robots', hint='Harbor has this robot, but not '
                                  'under the name %s: if its robot name prefix is not %r, set robot_prefix to it'
                                  % (self.full_name(), self.prefix))
            if error.status != 403 or error.code != 'DENIED':
                raise
            # Harbor's DENIED here is its check that a robot grants only what it holds, not a missing right.
            raise HarborError('POST /robots answered 403 DENIED: %s' % error.harbor_message, status=403, code='DENIED',
                              method='POST', path='/robots', hint='A robot may only give the robots it creates '
                              'permissions it holds itself: narrow the permissions, or run the task with an account '
                              'that may grant them')

    def _put(self, name, values):
        body = dict(name=name, level=self.level, description=values['description'], disable=values['disabled'],
                    duration=values['duration_days'], permissions=harbor_permissions(values['permissions']))
        self.client.put('/robots/%d' % self.robot_id, json=body, permission=self._permission('update'))

    def _patch(self, secret=None):
        body = dict(secret=secret) if secret else {}
        answer = self.client.patch('/robots/%d' % self.robot_id, json=body, permission=self._permission('update'))
        return (answer.body or {}).get('secret')

    def create(self, desired):
        values = dict(description=desired.get('description', ''), disabled=desired.get('disabled', False),
                      duration_days=desired.get('duration_days', self.default_duration),
                      permissions=desired['permissions'])
        created, generated = self._post(dict(name=self.name, level=self.level, description=values['description'],
                                             duration=values['duration_days'],
                                             permissions=harbor_permissions(values['permissions'])))
        self.robot_id = created['id']
        name = created.get('name') or self.full_name()
        if values['disabled']:
            # Harbor creates every robot enabled, whatever the request says.
            self._put(name, values)
        if 'secret' in desired:
            self._patch(desired['secret'])
            if not values['disabled']:
                self._logs_in(desired['secret'])
        else:
            self.generated_secret = generated or self._patch()
        return dict(id=self.robot_id, name=name, level=self.level, description=values['description'],
                    disable=values['disabled'], duration=values['duration_days'],
                    expires_at=created.get('expires_at'), creation_time=created.get('creation_time'),
                    update_time=created.get('creation_time'), permissions=harbor_permissions(values['permissions']))

    def update(self, current, changes, desired):
        self.robot_id = current['id']
        updated = current
        if set(changes) & set(PUT_OPTIONS):
            values = self.view(current, set(PUT_OPTIONS))
            values.update((option, changes[option]) for option in PUT_OPTIONS if option in changes)
            self._put(current['name'], values)
            updated = self.client.get('/robots/%d' % self.robot_id, permission=self._permission('read'))
        if 'secret' in changes:
            secret = desired['secret']
            if not (self._secret_unverified and self._logs_in(secret)):
                self._patch(secret)
                # Whether the new secret works can only be seen while the robot may log in.
                self.credentials_verified = self._logs_in(secret) if self._usable(updated) else None
        if 'regenerate_secret' in changes:
            self.generated_secret = self._patch()
        return updated

    def delete(self, current):
        self.client.delete('/robots/%d' % current['id'], missing_ok=True, permission=self._permission('delete'))

    def result(self, current):
        return describe(current)

    def planned(self, desired):
        duration = desired.get('duration_days', self.default_duration)
        return describe(dict(name=self.full_name(), level=self.level, description=desired.get('description', ''),
                             disable=desired.get('disabled', False), duration=duration,
                             expires_at=-1 if duration == -1 else int(time.time()) + duration * SECONDS_PER_DAY,
                             permissions=desired['permissions']))


class RobotConverger(Converger):
    """The engine, plus `access` as another way to give the permissions, and the secret in the result."""

    def desired(self):
        # The names first: a wrong name makes every other message beside the point.
        self.resource.check_names()
        values = super().desired()
        if self.module.params['access'] is not None:
            values['permissions'] = self.resource.access_permissions()
        return values

    def run(self, state=None):
        result = super().run(state)
        robot = self.resource
        if robot.generated_secret:
            result['secret'] = robot.generated_secret
        if robot.credentials_verified is not None:
            result['credentials_verified'] = robot.credentials_verified
        return result


def main():
    access_spec = dict(
        resource=dict(type='str', required=True),
        action=dict(type='str', required=True),
        effect=dict(type='str', choices=['allow', 'deny'], default='allow'),
    )
    module = harbor_module(
        dict(
            name=dict(type='str', required=True),
            project=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            description=dict(type='str'),
            disabled=dict(type='bool'),
            duration_days=dict(type='int'),
            permissions=dict(type='list', elements='dict', options=dict(
                namespace=dict(type='str'),
                access=dict(type='list', elements='dict', required=True, options=access_spec),
            )),
            access=dict(type='list', elements='str'),
            secret=dict(type='str', no_log=True),
            regenerate_secret=dict(type='bool', default=False, no_log=False),
            robot_prefix=dict(type='str'),
        ),
        mutually_exclusive=[('permissions', 'access'), ('secret', 'regenerate_secret')],
        supports_check_mode=True,
    )
    run_module(module, lambda client: RobotConverger(Robot(module, client)).run())


if __name__ == '__main__':
    main()
