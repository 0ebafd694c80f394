# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harbor_robot action censors the task's output exactly when the module returns a secret."""

from __future__ import annotations

from unittest import mock

import pytest

from ansible_collections.cloudtemple.harbor.plugins.action.harbor_robot import ActionModule


def action_returning(module_result, check_mode=False):
    task = mock.MagicMock(async_val=0, check_mode=check_mode, action='cloudtemple.harbor.harbor_robot')
    connection = mock.MagicMock()
    action = ActionModule(task, connection, mock.MagicMock(), loader=None, templar=None, shared_loader_obj=None)
    action._execute_module = mock.MagicMock(return_value=dict(module_result))  # pylint: disable=protected-access
    return action


def test_a_result_with_a_secret_is_censored_for_callbacks_but_keeps_the_secret():
    result = action_returning({'changed': True, 'robot': {'name': 'robot$p+ci'}, 'secret': 'Generated0Secret'}).run(
        task_vars={})
    assert result['_ansible_no_log'] is True
    assert result['secret'] == 'Generated0Secret'


@pytest.mark.parametrize('module_result', [
    {'changed': False, 'robot': {'name': 'robot$p+ci'}},
    {'changed': True, 'robot': {'name': 'robot$p+ci'}, 'credentials_verified': True},
    {'failed': True, 'msg': 'duration_days must be -1 (never expires) or 1 to 2147483646 days'},
])
def test_results_without_a_secret_are_shown(module_result):
    result = action_returning(module_result, check_mode=True).run(task_vars={})
    assert '_ansible_no_log' not in result
    assert dict((key, result[key]) for key in module_result) == module_result


def test_async_is_refused():
    action = action_returning({'changed': True, 'secret': 'Generated0Secret'})
    action._task.async_val = 30  # pylint: disable=protected-access
    with pytest.raises(Exception, match='async'):
        action.run(task_vars={})
