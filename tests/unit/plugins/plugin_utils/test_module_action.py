# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The action plugin runs a module in process only when the classic path would behave the same."""

from __future__ import annotations

import importlib
import os
import sys
from unittest import mock

import pytest

from ansible import constants as C
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar
from ansible.utils.display import Display

from ansible_collections.cloudtemple.harbor.plugins.module_utils.in_process import ModuleRun, build_module, run_in_process
from ansible_collections.cloudtemple.harbor.plugins.plugin_utils import module_action
from ansible_collections.cloudtemple.harbor.plugins.plugin_utils.module_action import HarborModuleAction, is_controller_python

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
CONTROLLER = {'ansible_python_interpreter': '{{ ansible_playbook_python }}', 'ansible_playbook_python': sys.executable}


class FakeTemplar:
    """Renders the variables the tests use: {{ name }} as a whole string, in strings and in mappings."""

    def __init__(self, variables):
        self.variables = variables

    def template(self, value):
        if isinstance(value, dict):
            return dict((key, self.template(item)) for key, item in value.items())
        if isinstance(value, str) and value.startswith('{{ ') and value.endswith(' }}'):
            return self.variables[value[3:-3]]
        return value


def action_for(task_vars, transport='local', become=None, async_val=0, environment=None, delegate_to=None):
    task = mock.MagicMock(async_val=async_val, environment=environment if environment is not None else [{}],
                          delegate_to=delegate_to, check_mode=False, diff=False, no_log=False, become=False,
                          action='cloudtemple.harbor.harbor_project', resolved_action='cloudtemple.harbor.harbor_project')
    connection = mock.MagicMock(transport=transport, become=become)
    return HarborModuleAction(task, connection, mock.MagicMock(), loader=None, templar=FakeTemplar(task_vars),
                              shared_loader_obj=None)


def classic_reason(task_vars, **task):
    return action_for(task_vars, **task)._classic_reason(task_vars)  # pylint: disable=protected-access


def test_a_local_task_with_the_controllers_python_runs_in_process():
    assert classic_reason(dict(CONTROLLER)) is None


@pytest.mark.parametrize('task, reason', [
    (dict(transport='ssh'), 'the connection is ssh, not local'),
    (dict(transport='community.docker.docker'), 'not local'),
    (dict(async_val=30), 'async'),
    (dict(become=mock.MagicMock(name='sudo')), 'become is active'),
    (dict(environment=[{}, {'HTTPS_PROXY': 'http://proxy:3128'}]), 'environment'),
])
def test_what_the_classic_path_does_differently_runs_it_the_classic_way(task, reason):
    assert reason in classic_reason(dict(CONTROLLER), **task)


def test_become_turned_off_by_a_variable_runs_in_process():
    # `become: true` on the task with ansible_become false: the task executor sets no become plugin on the connection.
    action = action_for(dict(CONTROLLER))
    action._task.become = True  # pylint: disable=protected-access
    assert action._classic_reason(dict(CONTROLLER)) is None  # pylint: disable=protected-access


def test_an_environment_that_templates_to_nothing_runs_in_process():
    task_vars = dict(CONTROLLER, proxy_env={})
    assert classic_reason(task_vars, environment=['{{ proxy_env }}', {}]) is None
    assert 'environment' in classic_reason(dict(task_vars, proxy_env={'NO_PROXY': '*'}), environment=['{{ proxy_env }}'])


def test_another_interpreter_runs_the_classic_way():
    reason = classic_reason(dict(CONTROLLER, ansible_python_interpreter='/usr/bin/python3.999'))
    assert 'interpreter /usr/bin/python3.999 is not' in reason


def test_an_interpreter_still_to_be_discovered_runs_the_classic_way_and_the_discovered_one_decides():
    assert 'not been discovered' in classic_reason({})
    assert 'not been discovered' in classic_reason({'ansible_python_interpreter': 'auto_silent'})
    assert classic_reason({'ansible_facts': {'discovered_interpreter_python': sys.executable}}) is None
    assert 'is not' in classic_reason({'ansible_facts': {'discovered_interpreter_python': '/usr/bin/python3.999'}})


def test_a_delegated_task_is_judged_by_the_delegated_hosts_interpreter():
    task_vars = dict(ansible_python_interpreter='/usr/bin/python3.999', ansible_delegated_vars={'controller': dict(CONTROLLER)},
                     ansible_playbook_python=sys.executable)
    assert classic_reason(task_vars, delegate_to='controller') is None
    task_vars['ansible_delegated_vars']['controller']['ansible_python_interpreter'] = '/usr/bin/python3.999'
    assert 'interpreter' in classic_reason(dict(task_vars, ansible_python_interpreter=sys.executable), delegate_to='controller')


@pytest.mark.parametrize('value, in_process', [('false', False), ('no', False), ('0', False), ('true', True), ('yes', True)])
def test_the_environment_variable_turns_running_in_process_off(monkeypatch, value, in_process):
    monkeypatch.setenv('ANSIBLE_CLOUDTEMPLE_HARBOR_IN_PROCESS', value)
    assert (classic_reason(dict(CONTROLLER)) is None) is in_process


def test_a_variable_turns_running_in_process_off_and_wins_over_the_environment(monkeypatch):
    assert 'in_process is off' in classic_reason(dict(CONTROLLER, cloudtemple_harbor_in_process='{{ off }}', off=False))
    monkeypatch.setenv('ANSIBLE_CLOUDTEMPLE_HARBOR_IN_PROCESS', 'false')
    assert classic_reason(dict(CONTROLLER, cloudtemple_harbor_in_process=True)) is None


def test_run_goes_in_process_or_the_classic_way():
    action = action_for(dict(CONTROLLER))
    action._run_in_process = mock.MagicMock(return_value={'changed': True, 'how': 'in process'})  # pylint: disable=protected-access
    action._execute_module = mock.MagicMock(return_value={'changed': True, 'how': 'classic'})  # pylint: disable=protected-access
    assert action.run(task_vars=dict(CONTROLLER))['how'] == 'in process'
    assert action.run(task_vars=dict(CONTROLLER, ansible_python_interpreter='/usr/bin/python3.999'))['how'] == 'classic'
    action._execute_module.assert_called_once()  # pylint: disable=protected-access


@pytest.mark.parametrize('setting', ['true', 'false'])
def test_the_arguments_reach_the_result_as_ansible_core_is_set_to_inject_them(monkeypatch, setting):
    monkeypatch.setenv('ANSIBLE_INJECT_INVOCATION', setting)
    injected = HarborModuleAction._inject_invocation({})  # pylint: disable=protected-access
    if C.config.get_configuration_definition('INJECT_INVOCATION') is None:
        assert injected is True  # ansible-core < 2.21 always returns them
    else:
        assert injected is (setting == 'true')


def trusted(value):
    """`value` as a template from a playbook or an inventory: ansible-core 2.19 and later template only those."""
    try:
        from ansible.template import trust_as_template
    except ImportError:  # ansible-core < 2.19 templates every string
        return value
    return trust_as_template(value)


@pytest.mark.parametrize('raw, expected', [
    ('{{ ansible_playbook_python }}', '/venv/bin/python'),
    ('{{ nested }}', '/venv/bin/python'),
    ('{{ base }}/bin/python', '/venv/bin/python'),
    ('/usr/bin/python3', '/usr/bin/python3'),
])
def test_the_interpreter_is_templated_as_the_templar_would(raw, expected):
    variables = dict(ansible_playbook_python='/venv/bin/python', base='/venv', nested=trusted('{{ ansible_playbook_python }}'))
    action = action_for(variables)
    action._templar = Templar(loader=DataLoader(), variables=variables)  # pylint: disable=protected-access
    assert action._template(trusted(raw), variables) == expected  # pylint: disable=protected-access
    assert action._templar.template(trusted(raw)) == expected  # pylint: disable=protected-access


def make_python(directory, venv):
    """A Python at directory/bin/python linking to the controller's real binary, inside a venv or not."""
    os.makedirs(os.path.join(directory, 'bin'))
    path = os.path.join(directory, 'bin', 'python')
    os.symlink(os.path.realpath(sys.executable), path)
    if venv:
        with open(os.path.join(directory, 'pyvenv.cfg'), 'w', encoding='utf-8') as handle:
            handle.write('home = %s\n' % os.path.dirname(os.path.realpath(sys.executable)))
    return path


def test_the_same_binary_in_another_environment_is_not_the_controllers_python(tmp_path):
    controller = make_python(str(tmp_path / 'controller-venv'), venv=True)
    other_venv = make_python(str(tmp_path / 'other-venv'), venv=True)
    no_venv = make_python(str(tmp_path / 'plain'), venv=False)
    os.symlink('python', os.path.join(os.path.dirname(controller), 'python3'))
    assert is_controller_python(controller, controller=controller)
    assert is_controller_python(os.path.join(os.path.dirname(controller), 'python3'), controller=controller)
    assert not is_controller_python(other_venv, controller=controller)
    assert not is_controller_python(no_venv, controller=controller)
    assert not is_controller_python(os.path.realpath(sys.executable), controller=controller)


@pytest.mark.parametrize('interpreter', ['python3', '/usr/bin/env python3', None, ''])
def test_interpreters_that_are_no_absolute_path_are_not_the_controllers(interpreter):
    assert not is_controller_python(interpreter)


def test_every_module_has_an_action_plugin_that_can_run_it_in_process():
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(COLLECTION_ROOT, 'plugins', 'modules'))
                     if name.endswith('.py') and name != '__init__.py')
    assert modules
    for name in modules:
        plugin = importlib.import_module('ansible_collections.cloudtemple.harbor.plugins.action.%s' % name)
        assert issubclass(plugin.ActionModule, module_action.HarborModuleAction), name


def warned_and_deprecated(result, display_warning, display_deprecated):
    """The warnings and deprecation messages of a run: in its result (ansible-core < 2.19), or handed to Display
    (2.19 and later, where the task executor puts them in the task result)."""
    warnings = list(result.get('warnings', [])) + [call.kwargs.get('msg', call.args[0] if call.args else None)
                                                   for call in display_warning.call_args_list]
    deprecations = [entry['msg'] for entry in result.get('deprecations', [])]
    deprecations += [call.kwargs.get('msg', call.args[0] if call.args else None) for call in display_deprecated.call_args_list]
    return warnings, deprecations


def test_validation_warnings_and_deprecations_reach_the_task_once_per_run():
    # Here, in the controller, as the action plugin runs modules: ansible-core 2.19 and later send these messages
    # to Display, which puts them in the task result; earlier versions keep them for the module to return.
    spec = dict(name=dict(type='str', required=True, aliases=['project'],
                          deprecated_aliases=[dict(name='project', version='9.0.0', collection_name='x.y')]),
                token=dict(type='str', no_log=True),
                old=dict(type='str', removed_in_version='9.0.0', removed_from_collection='x.y'))

    def main():
        module = build_module(spec)
        module.warn('token %s' % module.params['token'])
        module.exit_json(changed=False)
    args = {'name': 'n', 'project': 'n', 'old': 'x', 'token': 'T0ken-S3cret'}
    # Twice, as two items of one loop in one worker: the second reports its own messages, not the first's again.
    for _item in range(2):
        with mock.patch.object(Display, 'warning') as display_warning, mock.patch.object(Display, 'deprecated') as deprecated:
            result = run_in_process(main, ModuleRun('x.y.z', dict(args)))
        warnings, deprecations = warned_and_deprecated(result, display_warning, deprecated)
        assert sorted(warnings) == ['Both option name and its alias project are set.', 'token ********']
        assert len(deprecations) == 2
        assert any("'project'" in message for message in deprecations) and any("'old'" in message for message in deprecations)
        assert 'T0ken-S3cret' not in repr(result)
