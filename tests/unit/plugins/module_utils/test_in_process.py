# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Modules run inside the controller process: same validation, masking and result as AnsibleModule."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudtemple.harbor.plugins.module_utils import in_process
from ansible_collections.cloudtemple.harbor.plugins.module_utils.in_process import ModuleRun, build_module, run_in_process
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import patch_module_args

SPEC = dict(
    name=dict(type='str', required=True),
    token=dict(type='str', no_log=True),
    count=dict(type='int', default=1),
    mode=dict(type='str', choices=['a', 'b']),
)


def module_main(behaviour):
    """A module's main(), doing `behaviour` with the module built as modules of the collection build it."""
    def main():
        module = build_module(SPEC, supports_check_mode=True, mutually_exclusive=[('token', 'mode')])
        behaviour(module)
    return main


def test_outside_a_controller_run_modules_are_plain_ansible_modules():
    assert in_process._CURRENT_RUN is None  # pylint: disable=protected-access
    with patch_module_args({'name': 'n', 'count': '2'}):
        module = build_module(SPEC, supports_check_mode=True)
    assert type(module) is AnsibleModule  # pylint: disable=unidiomatic-typecheck
    assert module.params['count'] == 2 and module.params['token'] is None


def test_after_a_controller_run_modules_are_plain_ansible_modules_again():
    run_in_process(module_main(lambda module: module.exit_json(changed=False)), ModuleRun('x.y.z', {'name': 'n'}))
    with patch_module_args({'name': 'n'}):
        assert type(build_module(SPEC)) is AnsibleModule  # pylint: disable=unidiomatic-typecheck


def test_arguments_are_validated_and_defaulted():
    def behaviour(module):
        module.exit_json(changed=False, params=dict(module.params), check=module.check_mode, diff=module._diff)
    run = ModuleRun('x.y.z', {'name': 'n', 'count': '3'}, check_mode=True, diff=True)
    result = run_in_process(module_main(behaviour), run)
    assert result['params'] == {'name': 'n', 'token': None, 'count': 3, 'mode': None}
    assert result['check'] is True and result['diff'] is True
    assert result['invocation']['module_args']['name'] == 'n'
    assert in_process._CURRENT_RUN is None  # pylint: disable=protected-access


def test_bad_arguments_fail_like_ansible_module():
    def behaviour(module):
        module.exit_json(changed=True)
    missing = run_in_process(module_main(behaviour), ModuleRun('x.y.z', {}))
    assert missing['failed'] and 'missing required arguments: name' in missing['msg']
    unknown = run_in_process(module_main(behaviour), ModuleRun('x.y.z', {'name': 'n', 'colour': 'red'}))
    assert unknown['failed'] and unknown['msg'].startswith('Unsupported parameters for (x.y.z) module: colour')
    choice = run_in_process(module_main(behaviour), ModuleRun('x.y.z', {'name': 'n', 'mode': 'c'}))
    assert choice['failed'] and 'mode' in choice['msg']
    exclusive = run_in_process(module_main(behaviour), ModuleRun('x.y.z', {'name': 'n', 'mode': 'a', 'token': 't0ken'}))
    assert exclusive['failed'] and 'mutually exclusive' in exclusive['msg']


def test_no_log_values_are_masked_everywhere_in_the_result():
    def behaviour(module):
        module.warn('the token is %s' % module.params['token'])
        module.fail_json(msg='cannot use %s' % module.params['token'], echo=module.params['token'])
    result = run_in_process(module_main(behaviour), ModuleRun('x.y.z', {'name': 'n', 'token': 'S3cret-t0ken'}))
    assert result['failed']
    assert 'S3cret-t0ken' not in repr(result)
    assert result['warnings'] == ['the token is ********']


def test_a_crash_is_reported_without_the_secret():
    def behaviour(module):
        raise RuntimeError('boom with %s' % module.params['token'])
    result = run_in_process(module_main(behaviour), ModuleRun('x.y.z', {'name': 'n', 'token': 'S3cret-t0ken'}))
    assert result['failed'] and 'RuntimeError' in result['msg']
    assert 'S3cret-t0ken' not in repr(result)
    assert in_process._CURRENT_RUN is None  # pylint: disable=protected-access


def test_a_module_that_returns_without_exiting_fails():
    result = run_in_process(module_main(lambda module: None), ModuleRun('x.y.z', {'name': 'n'}))
    assert result['failed'] and 'without a result' in result['msg']


def test_task_no_log_reaches_the_module():
    def behaviour(module):
        module.exit_json(no_log=module.no_log)
    assert run_in_process(module_main(behaviour), ModuleRun('x.y.z', {'name': 'n'}, no_log=True))['no_log'] is True
