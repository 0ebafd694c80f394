# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugin behind every module of the collection.

A task that runs on the controller (connection local, the usual case: the modules only talk to Harbor and
Kubernetes over HTTP) has its module run inside the worker process that Ansible already started for the
task, instead of in a new Python interpreter per task and loop item. That saves the interpreter start and
the imports, most of the cost of a task. Everything else is as usual: module_defaults, check mode, diff,
no_log, the result. Tasks on other hosts, with become, with an `environment` (the module reads its
HARBOR_*/K8S_AUTH_* fallbacks from the environment), or async, run the module the classic way.
"""

from __future__ import annotations

import importlib

from ansible.plugins.action import ActionBase

from ansible_collections.cloudtemple.harbor.plugins.module_utils.in_process import ModuleRun, run_in_process

LOCAL_CONNECTIONS = frozenset(('local', 'ansible.builtin.local'))
COLLECTION = 'cloudtemple.harbor'


class HarborModuleAction(ActionBase):
    """Runs the module of the same name, in process when the task runs on the controller."""

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        if self._runs_in_process():
            result.update(self._run_in_process())
        else:
            result.update(self._execute_module(task_vars=task_vars, wrap_async=self._task.async_val))
        return result

    def _runs_in_process(self):
        transport = getattr(self._connection, 'transport', None) or getattr(self._connection, '_load_name', None)
        # The task's environment is a list of mappings (play, block and task levels), often [{}].
        environment = [entry for entry in self._task.environment or [] if entry]
        return transport in LOCAL_CONNECTIONS and not self._task.async_val and not self._task.become and not environment

    def _module_short_name(self):
        action = self._task.resolved_action or self._task.action
        return action.rsplit('.', 1)[-1]

    def _run_in_process(self):
        name = self._module_short_name()
        module = importlib.import_module('ansible_collections.cloudtemple.harbor.plugins.modules.%s' % name)
        run = ModuleRun('%s.%s' % (COLLECTION, name), dict(self._task.args), check_mode=bool(self._task.check_mode),
                        diff=bool(self._task.diff), no_log=bool(self._task.no_log))
        return run_in_process(module.main, run)
