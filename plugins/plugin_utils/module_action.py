# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugin behind every module of the collection.

A task that runs on the controller (connection local, the usual case: the modules only talk to Harbor and
Kubernetes over HTTP) has its module run inside the worker process that Ansible already started for the
task, instead of in a new Python interpreter per task and loop item. That saves the interpreter start and
the imports, most of the cost of a task. Everything else is as usual: module_defaults, check mode, diff,
no_log, the result.

The module runs the classic way whenever that would behave differently from running it in process: a
connection that is not local (delegation included: the connection is the delegated host's), become, async, a
task environment (the module reads its HARBOR_*/K8S_AUTH_* fallbacks, proxies and CA bundles from the
environment), or an interpreter that is not the controller's own Python. Users turn running in process off
with the in_process setting below, without editing a playbook.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

from ansible import constants as C
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

try:
    from ansible.template import is_trusted_as_template
except ImportError:  # ansible-core < 2.19 templates every string
    def is_trusted_as_template(value):
        del value
        return True

from ansible_collections.cloudtemple.harbor.plugins.module_utils.in_process import ModuleRun, run_in_process

display = Display()

LOCAL_CONNECTIONS = frozenset(('local', 'ansible.builtin.local'))
COLLECTION = 'cloudtemple.harbor'
# The values of interpreter_python that ask for interpreter discovery (the legacy ones until ansible-core 2.20).
DISCOVERY_MODES = frozenset(('auto', 'auto_legacy', 'auto_silent', 'auto_legacy_silent'))
# A template that is one variable and nothing else, such as the usual "{{ ansible_playbook_python }}".
ONE_VARIABLE = re.compile(r'^{{\s*([A-Za-z_][A-Za-z0-9_]*)\s*}}$')

# Action plugins have no configuration of their own in ansible-core, so the setting is registered with its
# configuration manager under this plugin type and name: it then has the sources and precedence of any plugin
# option (ansible.cfg, then the environment, then a variable), and the same boolean parsing and errors.
SETTINGS_TYPE = 'action'
SETTINGS_NAME = COLLECTION
SETTINGS = dict(
    in_process=dict(
        description='Run the modules of the collection inside the controller process when that changes nothing.',
        type='boolean',
        default=True,
        ini=[dict(section='cloudtemple_harbor', key='in_process')],
        env=[dict(name='ANSIBLE_CLOUDTEMPLE_HARBOR_IN_PROCESS')],
        vars=[dict(name='cloudtemple_harbor_in_process')],
    ),
)


def python_environment(executable):
    """The pyvenv.cfg that a Python started as `executable` reads (None outside a virtual environment).

    Python looks for it beside the executable and one directory up, without resolving the executable's
    symlink: that is how a venv's bin/python, a link to the base interpreter, gets the venv's packages.
    """
    directory = os.path.dirname(os.path.abspath(executable))
    for candidate in (directory, os.path.dirname(directory)):
        config = os.path.join(candidate, 'pyvenv.cfg')
        if os.path.isfile(config):
            return os.path.realpath(config)
    return None


def is_controller_python(interpreter, controller=None):
    """True if a module run by `interpreter` would run in the same Python, with the same packages, as the controller.

    The same real binary is not enough: a venv's python and the base interpreter it links to are one binary with
    different site-packages. Anything but an absolute path (a command such as `/usr/bin/env python3`, a bare
    name found on PATH) is not known to be the controller's Python.
    """
    controller = sys.executable if controller is None else controller
    if not isinstance(interpreter, str) or not os.path.isabs(interpreter) or not controller:
        return False
    if interpreter == controller:
        return True
    return (os.path.realpath(interpreter) == os.path.realpath(controller)
            and python_environment(interpreter) == python_environment(controller))


class HarborModuleAction(ActionBase):
    """Runs the module of the same name, in process when the task runs on the controller."""

    _supports_check_mode = True
    _supports_async = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        task_vars = task_vars or {}
        reason = self._classic_reason(task_vars)
        if reason is None:
            result.update(self._run_in_process(task_vars))
        else:
            display.vvv('%s: running the module the classic way: %s' % (self._task.action, reason),
                        host=self._play_context.remote_addr)
            result.update(self._execute_module(task_vars=task_vars, wrap_async=self._task.async_val))
        return result

    def _classic_reason(self, task_vars):
        """Why this task must run the module the classic way, or None if running it in process changes nothing."""
        if not self._in_process_setting(task_vars):
            return 'in_process is off (cloudtemple_harbor_in_process, ANSIBLE_CLOUDTEMPLE_HARBOR_IN_PROCESS or ansible.cfg)'
        transport = getattr(self._connection, 'transport', None) or getattr(self._connection, '_load_name', None)
        if transport not in LOCAL_CONNECTIONS:
            return 'the connection is %s, not local' % transport
        if self._task.async_val:
            return 'the task is async'
        # The task executor sets a become plugin on the connection when become is on, by the task keyword or by
        # the ansible_become variable, and takes it off when a variable turns it off.
        if getattr(self._connection, 'become', None) is not None:
            return 'become is active'
        if self._task_environment():
            return 'the task has an environment'
        interpreter = self._task_interpreter(task_vars)
        if interpreter is None:
            # Leave interpreter discovery to the classic path: it runs it once and keeps the result as a fact,
            # which the host's next tasks compare with the controller's Python.
            return 'the Python interpreter of the host has not been discovered yet'
        if not is_controller_python(interpreter):
            return 'the Python interpreter %s is not the controller\'s (%s)' % (interpreter, sys.executable)
        return None

    def _in_process_setting(self, task_vars):
        C.config.initialize_plugin_configuration_definitions(SETTINGS_TYPE, SETTINGS_NAME, SETTINGS)
        # Variables reach plugins templated, as the task executor templates the variables of plugin options.
        variables = dict((entry['name'], self._templar.template(task_vars[entry['name']]))
                         for entry in SETTINGS['in_process']['vars'] if entry['name'] in task_vars)
        return C.config.get_config_value('in_process', plugin_type=SETTINGS_TYPE, plugin_name=SETTINGS_NAME,
                                         variables=variables)

    def _task_environment(self):
        """The task's environment as the classic path would set it: templated, play, block and task levels merged."""
        # Usually [{}] or [], which needs no templating.
        if not any(self._task.environment or []):
            return {}
        environment = {}
        self._compute_environment_string(environment)
        return environment

    def _task_interpreter(self, task_vars):
        """The Python the classic path would run the module with, or None while it is still to be discovered.

        The same resolution as ansible-core's when it writes a module's shebang: interpreter_python (the
        ansible_python_interpreter variable, ANSIBLE_PYTHON_INTERPRETER or ansible.cfg) of the host the task runs
        on, templated, and for the discovery modes the interpreter already discovered for that host.
        """
        variables = task_vars
        if self._task.delegate_to:
            variables = (task_vars.get('ansible_delegated_vars') or {}).get(self._task.delegate_to, task_vars)
        interpreter = self._template(C.config.get_config_value('INTERPRETER_PYTHON', variables=variables), variables)
        interpreter = interpreter.strip() if isinstance(interpreter, str) else interpreter
        if not interpreter or interpreter in DISCOVERY_MODES:
            return (variables.get('ansible_facts') or {}).get('discovered_interpreter_python')
        return interpreter

    def _template(self, value, variables):
        """`value` templated with `variables`, the way the templar would.

        A template that is one variable holding a plain string needs no Jinja: its value is the result. That
        spares compiling "{{ ansible_playbook_python }}" again for every loop item, a millisecond each.
        """
        match = ONE_VARIABLE.match(value) if isinstance(value, str) and is_trusted_as_template(value) else None
        if match:
            resolved = variables.get(match.group(1))
            # Without braces the value holds no template of its own.
            if isinstance(resolved, str) and '{' not in resolved:
                return resolved
        return self._templar.template(value)

    def _module_short_name(self):
        action = self._task.resolved_action or self._task.action
        return action.rsplit('.', 1)[-1]

    def _run_in_process(self, task_vars):
        name = self._module_short_name()
        module = importlib.import_module('ansible_collections.cloudtemple.harbor.plugins.modules.%s' % name)
        run = ModuleRun('%s.%s' % (COLLECTION, name), dict(self._task.args), check_mode=bool(self._task.check_mode),
                        diff=bool(self._task.diff), no_log=bool(self._task.no_log),
                        inject_invocation=self._inject_invocation(task_vars))
        return run_in_process(module.main, run)

    @staticmethod
    def _inject_invocation(task_vars):
        """Whether a module's result carries its arguments: always before ansible-core 2.21, then INJECT_INVOCATION."""
        if C.config.get_configuration_definition('INJECT_INVOCATION') is None:
            return True
        return C.config.get_config_value('INJECT_INVOCATION', variables=task_vars)
