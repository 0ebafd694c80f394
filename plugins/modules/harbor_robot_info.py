#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_robot_info
short_description: Read Harbor robot accounts and when they expire
version_added: 0.1.0
description:
  - Returns the robot accounts of one project, or the system robots, with how many days each has left.
  - Use it to find the robots to rotate or extend before they expire, and the ones already expired, which
    can no longer log in (an expired pull secret shows up in Kubernetes as C(401) or C(403) when pulling).
  - Harbor never shows robot secrets again, so none is returned.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
options:
  project:
    description:
      - Return the robots of this project. The account needs C(robot:list) on it, which every member
        except limited guests has.
      - Without it, the system robots are returned, which only system administrators may list.
    type: str
  name:
    description:
      - Return only the robot with this short name (V(ci) for C(robot$payments+ci)).
    type: str
  expiring_within_days:
    description:
      - Return only the robots that expire within this many days from now, and those already expired.
        Robots that never expire are left out.
      - V(0) returns only the expired ones.
    type: int
  query:
    description:
      - A JMESPath expression applied to the list of robots; the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
  robot_prefix:
    description:
      - The robot name prefix of this Harbor, needed to match O(name) against system robots when the account
        may not read Harbor's configuration. Defaults to V(robot$).
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_robot
"""

EXAMPLES = r"""
---
- name: Robots of the payments project that expire within 30 days, or have expired
  cloudtemple.harbor.harbor_robot_info:
    project: payments
    expiring_within_days: 30
  register: expiring

- name: Report them
  ansible.builtin.debug:
    msg: "{{ item.name }} expires in {{ item.expires_in_days }} days"
  loop: "{{ expiring.robots }}"
  loop_control:
    label: "{{ item.name }}"

- name: Names of the disabled system robots
  cloudtemple.harbor.harbor_robot_info:
    query: "[?disabled].name"
  register: disabled_robots
"""

RETURN = r"""
---
robots:
  description: The robots, sorted by name; empty when none matches.
  returned: always
  type: list
  elements: dict
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
      sample: GitLab CI
    disabled:
      description: Whether the robot is deactivated.
      type: bool
      sample: false
    duration_days:
      description: Days of validity counted from the creation, V(-1) for never.
      type: int
      sample: 90
    expires_at:
      description: When the robot expires, in seconds since the epoch, V(-1) for never.
      type: int
      sample: 1767225600
    expires_in_days:
      description: Whole days left before the robot expires (negative once expired), V(null) for never.
      type: int
      sample: 12
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
    creation_time:
      description: When Harbor created the robot.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
    update_time:
      description: When the robot was last changed.
      type: str
      sample: "2026-01-05T10:00:00.000Z"
query_result:
  description: The result of O(query) over RV(robots).
  returned: when O(query) is set
  type: raw
  sample: [robot$ci]
"""

import time

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import ValidationError, run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.robots import (
    SECONDS_PER_DAY,
    RobotApi,
    describe,
    full_name,
    robot_settings,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_given, check_harbor_name


def read(module, client):
    params = module.params
    project, name, within = params['project'], params['name'], params['expiring_within_days']
    check_given(params, project=check_harbor_name, name=check_harbor_name)
    if within is not None and within < 0:
        raise ValidationError('expiring_within_days must be 0 (only expired robots) or a positive number of days')
    found = client.require_project(project, permission='robot:list') if project is not None else {}
    robots = RobotApi(client, project).list(found.get('project_id'))
    if name is not None:
        if project is not None:
            # Every robot listed belongs to the project, so its name ends with +<name>.
            robots = [robot for robot in robots if (robot.get('name') or '').endswith('+' + name)]
        else:
            prefix = robot_settings(client, params['robot_prefix'])[0]
            robots = [robot for robot in robots if robot.get('name') == full_name(prefix, name)]
    now = time.time()
    described = (describe(robot, now) for robot in robots)
    if within is None:
        return list(described)
    limit = now + within * SECONDS_PER_DAY
    return [robot for robot in described if robot['expires_at'] != -1 and robot['expires_at'] <= limit]


def main():
    text = dict(type='str')
    run_info('robots', dict(project=text, name=text, expiring_within_days=dict(type='int'), robot_prefix=text), read,
             order='name')


if __name__ == '__main__':
    main()
