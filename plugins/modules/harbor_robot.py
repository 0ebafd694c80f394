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
      - Once a login has accepted the secret, the module records the robot's C(update_time) with a salted slow
        hash of the secret (never the secret) in a file of the user's cache directory, readable by its owner
        only. While Harbor shows the same C(update_time) (Harbor moves it on every update of the robot, a
        secret refreshed elsewhere included), the next runs skip the login. Set the environment variable
        C(HARBOR_SECRET_RECORDS=off) to log in every time, or to a file path to keep the records there; see
        the collection's docs/robots.md.
      - A robot the task creates gets the secret right after its creation, without a login (Harbor's answer says
        the secret is set). The module reads the robot back and records the secret as awaiting a login - the
        first login that accepts it proves it - M(cloudtemple.harbor.harbor_pull_secret)'s before it hands the
        secret out, or this task's on its next run.
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
    - Whether the robot logs in with O(secret) at the end of the run, found out by logging in as the robot, or
      from the record of such a login when Harbor's robot has not been updated since (see O(secret)).
    - In check mode, whether it already does; V(false) there means the module would set the secret.
  returned: when O(secret) is set, the robot existed before the task, and it could log in to find out (it is
    enabled and not expired)
  type: bool
  sample: true
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils import robots
from ansible_collections.cloudtemple.harbor.plugins.module_utils.secret_records import SecretRecords
from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import missing_project
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    converge,
    create_or_find,
    never,
)

PUT_OPTIONS = ('description', 'disabled', 'duration_days', 'permissions')


class Robot(Resource):
    return_key = 'robot'
    identity_options = ('name', 'project')
    options = tuple(Option(name) for name in PUT_OPTIONS) + (Option('secret', secret=True),
                                                             Option('regenerate_secret', secret=True))

    def __init__(self, module, client):
        super().__init__(module, client)
        self.name, self.project_name = self.params['name'], self.params['project']
        self.level = 'project' if self.project_name else 'system'
        self.prefix = self.default_duration = self.project = None
        self.generated_secret = self.credentials_verified = None
        self.permissions_option = 'access' if self.params['access'] else 'permissions'
        self.api = robots.RobotApi(client, self.project_name)
        self.records = SecretRecords.for_client(client)

    def check_identity(self):
        robots.check_robot_name(self.name, self.project_name)

    def derive(self, desired):
        if 'permissions' in desired or self.params['access'] is not None:
            desired['permissions'] = robots.desired_permissions(desired.get('permissions'), self.params['access'],
                                                                self.project_name)
        return desired

    def validate(self, desired):
        robots.check_duration(desired.get('duration_days'))
        if 'secret' in desired:
            robots.check_secret('secret', desired['secret'])
        if 'permissions' in desired:
            robots.check_namespaces(desired['permissions'], self.project_name, self.permissions_option)

    def full_name(self):
        return robots.full_name(self.prefix, self.name, self.project_name)

    def find(self):
        if self.prefix is None:
            self.prefix, self.default_duration = robots.robot_settings(self.client, self.params['robot_prefix'])
        if self.project_name:
            self.project = self.client.get_project(self.project_name)
            if self.project is None:
                return None
        return self.api.find(self.prefix, self.name, self.project and self.project['project_id'])

    def prepare(self, current, desired):
        if self.project_name and self.project is None:
            raise missing_project(self.project_name)
        if current is None and 'permissions' not in desired:
            raise ValidationError('permissions or access is required to create the robot %s: Harbor refuses a robot '
                                  'without permissions' % self.full_name())
        if 'permissions' in desired and (current is None or self.view(current, {'permissions'})['permissions']
                                         != desired['permissions']):
            robots.check_grantable(self.client, desired['permissions'], self.project_name, self.permissions_option)
        if current is not None and robots.expiry_warning(current, desired):
            self.module.warn(robots.expiry_warning(current, desired))

    def _logs_in(self, secret, robot=None):
        # robot: Harbor's robot as read before, so that a record of an earlier login may answer (secret_records.py)
        self.credentials_verified = self.records.logs_in(self.client, self.full_name(), secret, robot)
        return self.credentials_verified

    def probe(self, current, desired):
        if 'secret' not in desired:
            return {}
        return dict(secret=robots.secret_in_place(current, desired, lambda secret: self._logs_in(secret, current),
                                                  self.module.warn))

    def view(self, current, wanted):
        values = dict(description=current.get('description') or '', disabled=bool(current.get('disable')),
                      duration_days=current.get('duration'), regenerate_secret=False)
        if 'permissions' in wanted:
            values['permissions'] = robots.canonical_permissions(current.get('permissions'))
        return dict((key, value) for key, value in values.items() if key in wanted)

    def create(self, desired):
        return self.api.keeping_listing(self.project and self.project['project_id'], lambda: self._create(desired))

    def _create(self, desired):
        values = dict(description=desired.get('description', ''), disabled=desired.get('disabled', False),
                      duration_days=desired.get('duration_days', self.default_duration),
                      permissions=desired['permissions'])
        body = robots.robot_body(self.name, self.level, values, with_disable=False)
        # A 409 goes to the engine, which converges the robot another run made; after a lost answer the robot is
        # found, but without the secret that only the lost answer had.
        created = create_or_find(lambda: self.api.create(body, self.full_name(), self.prefix), self.find, never).object
        body.update(id=created['id'], name=created.get('name') or self.full_name(), disable=values['disabled'],
                    expires_at=created.get('expires_at'), creation_time=created.get('creation_time'),
                    update_time=created.get('creation_time'))
        if values['disabled']:
            # Harbor creates every robot enabled, whatever the request says.
            self.api.put(created['id'], robots.robot_body(body['name'], self.level, values))
        if 'secret' in desired:
            self.api.set_secret(created['id'], desired['secret'])
            if not values['disabled']:
                # The secret moved update_time: read it back to record the secret with it. The record awaits the next
                # login with it, which proves it (harbor_pull_secret's before it hands it out, or this task's next run).
                body['update_time'] = self.api.read(created['id']).get('update_time')
                self.records.remember(dict(body), desired['secret'], proven=False)
        else:
            self.generated_secret = created.get('secret') or self.api.set_secret(created['id'])
        return body

    def update(self, current, changes, desired):
        updated = current
        if set(changes) & set(PUT_OPTIONS):
            values = dict(self.view(current, set(PUT_OPTIONS)), **dict((option, changes[option]) for option in PUT_OPTIONS
                                                                       if option in changes))
            self.api.put(current['id'], robots.robot_body(current['name'], self.level, values))
            updated = self.api.read(current['id'])
        if 'secret' in changes:
            secret = desired['secret']
            # A robot that could not log in before this update (disabled, expired) may already have the secret.
            if robots.usable(current) or not robots.usable_after(current, desired) or not self._logs_in(secret, updated):
                self.api.set_secret(current['id'], secret)
                # Whether the new secret works can only be seen while the robot may log in; the secret moved
                # update_time, so the robot is read again to record the secret with it.
                updated = self.api.read(current['id']) if robots.usable(updated) else updated
                self.credentials_verified = self._logs_in(secret, updated) if robots.usable(updated) else None
        if 'regenerate_secret' in changes:
            self.generated_secret = self.api.set_secret(current['id'])
        return updated

    def delete(self, current):
        self.api.delete(current['id'])
        self.records.forget(current)

    def result(self, current):
        return robots.describe(current)

    def report(self):
        extra = dict(secret=self.generated_secret, credentials_verified=self.credentials_verified)
        return dict((key, value) for key, value in extra.items() if value is not None and value != '')

    def planned(self, desired):
        return robots.planned_robot(self.full_name(), self.level, desired, self.default_duration)


def main():
    access_spec = dict(
        resource=dict(type='str', required=True),
        action=dict(type='str', required=True),
        effect=dict(type='str', choices=['allow', 'deny'], default='allow'),
    )
    converge(Robot, dict(
        name=dict(type='str', required=True),
        project=dict(type='str'),
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
    ), mutually_exclusive=[('permissions', 'access'), ('secret', 'regenerate_secret')])


if __name__ == '__main__':
    main()
