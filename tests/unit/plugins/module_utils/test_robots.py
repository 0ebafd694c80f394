# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.robots import (
    ACCESS_PRESETS,
    PROJECT_CATALOGUE,
    SYSTEM_CATALOGUE,
    canonical_permissions,
    check_secret,
    describe,
    expand_access,
    harbor_permissions,
    unknown_permissions,
)


def test_every_preset_access_is_in_harbors_project_catalogue():
    for name, accesses in ACCESS_PRESETS.items():
        pairs = set(tuple(access.split(':')) for access in accesses)
        assert pairs <= PROJECT_CATALOGUE, name


def test_push_includes_everything_pull_grants():
    assert set(ACCESS_PRESETS['pull']) < set(ACCESS_PRESETS['push'])
    assert 'repository:push' in ACCESS_PRESETS['push'] and 'repository:push' not in ACCESS_PRESETS['pull']


def test_robots_are_never_granted_robot_update():
    assert ('robot', 'update') not in PROJECT_CATALOGUE | SYSTEM_CATALOGUE
    assert len(PROJECT_CATALOGUE) == 70 and len(SYSTEM_CATALOGUE) == 70


def test_expand_access_merges_presets_and_pairs():
    assert expand_access(['pull', 'repository:pull', 'scan:create']) == [
        ('accessory', 'list'), ('artifact', 'read'), ('artifact-addition', 'read'), ('repository', 'pull'),
        ('scan', 'create')]
    with pytest.raises(ValidationError, match='access'):
        expand_access([])


def test_canonical_permissions_ignore_order_duplicates_and_implicit_allow():
    harbor_view = [{'kind': 'project', 'namespace': 'b', 'access': [{'resource': 'tag', 'action': 'list'}]},
                   {'kind': 'project', 'namespace': 'a', 'access': [{'resource': 'repository', 'action': 'push'},
                                                                    {'resource': 'repository', 'action': 'pull'}]}]
    user_view = [{'namespace': 'a', 'access': [{'resource': 'repository', 'action': 'pull', 'effect': 'allow'}]},
                 {'namespace': 'b', 'access': [{'resource': 'tag', 'action': 'list', 'effect': None}]},
                 {'namespace': 'a', 'access': [{'resource': 'repository', 'action': 'push'},
                                               {'resource': 'repository', 'action': 'pull'}]}]
    assert canonical_permissions(harbor_view) == canonical_permissions(user_view)
    denied = [{'namespace': 'a', 'access': [{'resource': 'repository', 'action': 'pull', 'effect': 'deny'}]}]
    assert canonical_permissions(denied) != canonical_permissions([{'namespace': 'a', 'access': [
        {'resource': 'repository', 'action': 'pull'}]}])


def test_harbor_permissions_leave_allow_implicit_and_name_the_kind():
    canonical = canonical_permissions([
        {'namespace': '/', 'access': [{'resource': 'project', 'action': 'create'}]},
        {'namespace': '*', 'access': [{'resource': 'repository', 'action': 'pull', 'effect': 'deny'}]}])
    assert harbor_permissions(canonical) == [
        {'kind': 'project', 'namespace': '*', 'access': [{'resource': 'repository', 'action': 'pull', 'effect': 'deny'}]},
        {'kind': 'system', 'namespace': '/', 'access': [{'resource': 'project', 'action': 'create'}]}]


def test_unknown_permissions_are_checked_per_kind():
    catalogue = {'project': PROJECT_CATALOGUE, 'system': SYSTEM_CATALOGUE}
    canonical = canonical_permissions([
        {'namespace': '/', 'access': [{'resource': 'project', 'action': 'create'}]},
        {'namespace': 'p', 'access': [{'resource': 'project', 'action': 'create'}]}])
    assert unknown_permissions(canonical, catalogue) == ['project:create (namespace p)']


@pytest.mark.parametrize('secret, valid', [
    ('Abcdefg1', True), ('Abcdef1', False), ('abcdefg1', False), ('ABCDEFG1', False), ('Abcdefgh', False),
    ('Aa1' + 'x' * 125, True), ('Aa1' + 'x' * 126, False),
])
def test_secret_policy(secret, valid):
    if valid:
        assert check_secret('secret', secret) == secret
    else:
        with pytest.raises(ValidationError) as error:
            check_secret('secret', secret)
        assert secret not in str(error.value)


def test_describe_counts_whole_days_left_and_flags_expired():
    now = 1_800_000_000
    robot = {'id': 1, 'name': 'robot$p+ci', 'level': 'project', 'disable': False, 'duration': 30,
             'expires_at': now + 2 * 86400 + 3600, 'permissions': [
                 {'kind': 'project', 'namespace': 'p', 'access': [{'resource': 'repository', 'action': 'pull'}]}]}
    described = describe(robot, now)
    assert (described['expires_in_days'], described['expired'], described['project']) == (2, False, 'p')
    assert describe(dict(robot, expires_at=now - 60), now)['expires_in_days'] == -1
    assert describe(dict(robot, expires_at=now), now)['expired'] is True
    never = describe(dict(robot, expires_at=-1), now)
    assert never['expires_in_days'] is None and never['expired'] is False
