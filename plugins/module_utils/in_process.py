# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Running a module of this collection inside the controller's own process.

Every module of the collection talks to HTTP APIs and nothing else, so when its task runs on the controller
(connection local) there is no need to start a Python interpreter per task or loop item: the collection's
action plugins call the module's main() in their own process, through ControllerModule, which stands in for
AnsibleModule with the same argument validation, the same no_log masking and the same result shape. Outside
such a run (a module shipped to a host as usual), build_module() returns a plain AnsibleModule.

When a run must not happen in process (another interpreter, become, async...) is decided by the action plugin,
plugins/plugin_utils/module_action.py.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.common.warnings import get_deprecation_messages, get_warning_messages
from ansible.module_utils.errors import UnsupportedError

# Set by run_in_process() for the duration of one module run; None otherwise.
_CURRENT_RUN = None


class ModuleExit(BaseException):
    """Raised by ControllerModule.exit_json and fail_json, carrying the module's (masked) result.

    A BaseException, like the SystemExit that AnsibleModule.exit_json raises, so that a module's own
    `except Exception:` cannot swallow the exit and carry on as if exit_json had returned.
    """

    def __init__(self, result):
        super().__init__(result.get('msg', ''))
        self.result = result


class ModuleRun:
    """What the action plugin hands to the module: its arguments and the task's modes."""

    def __init__(self, module_name, args, check_mode=False, diff=False, no_log=False, inject_invocation=True):
        self.module_name = module_name
        self.args = args
        self.check_mode = check_mode
        self.diff = diff
        self.no_log = no_log
        # Whether the result carries the module's arguments as `invocation` (ansible-core's INJECT_INVOCATION).
        self.inject_invocation = inject_invocation
        # The ControllerModule built for this run, once it exists: its no_log values mask any crash report.
        self.module = None
        # How many warnings and deprecations ansible-core's module_utils store held before this run: see
        # ControllerModule._finish.
        self.warnings_before = 0
        self.deprecations_before = 0


class ControllerModule:
    """The part of AnsibleModule this collection's modules use, for a run inside the controller process."""

    def __init__(self, argument_spec, run, supports_check_mode=False, mutually_exclusive=None, required_together=None,
                 required_one_of=None, required_if=None, required_by=None):
        self.argument_spec = argument_spec
        self._run = run
        self._name = run.module_name
        self._warnings = []
        self.check_mode = run.check_mode
        self._diff = run.diff
        self.no_log = run.no_log
        self.params = dict(run.args)
        self.no_log_values = set()
        run.module = self
        validator = ModuleArgumentSpecValidator(argument_spec, mutually_exclusive=mutually_exclusive,
                                                required_together=required_together, required_one_of=required_one_of,
                                                required_if=required_if, required_by=required_by)
        validation = validator.validate(run.args)
        # Private, and the only way: ValidationResult has no public accessor for the values of no_log options
        # (nested ones included), and AnsibleModule itself reads this attribute. test_in_process.py checks it on
        # every supported ansible-core.
        self.no_log_values = validation._no_log_values  # pylint: disable=protected-access
        self.params = validation.validated_parameters
        if validation.error_messages:
            message = validation.errors.msg
            if isinstance(validation.errors[0], UnsupportedError):
                message = 'Unsupported parameters for (%s) module: %s' % (self._name, message)
            self.fail_json(msg=message)
        if self.check_mode and not supports_check_mode:
            self.exit_json(skipped=True, msg='module (%s) does not support check mode' % self._name)

    def warn(self, warning):
        self._warnings.append(warning)

    def exit_json(self, **result):
        raise ModuleExit(self._finish(result))

    def fail_json(self, msg, **result):
        result.update(failed=True, msg=msg)
        raise ModuleExit(self._finish(result))

    def _finish(self, result):
        if self._run.inject_invocation:
            result.setdefault('invocation', {'module_args': self.params})
        else:
            result.pop('invocation', None)
        # Validation reports aliases set twice and deprecated options through ansible-core's warn() and
        # deprecate(). Up to ansible-core 2.18 those store the messages for the module to return, as the classic
        # path does; from 2.19 on, inside the controller they go to the task's warnings directly and this store
        # stays empty. The store outlives the run (loop items share the worker), hence only what this run added.
        warnings = list(get_warning_messages()[self._run.warnings_before:]) + self._warnings
        deprecations = list(get_deprecation_messages()[self._run.deprecations_before:])
        if warnings:
            result['warnings'] = warnings
        if deprecations:
            result['deprecations'] = deprecations
        return remove_values(result, self.no_log_values)


def build_module(argument_spec, **kwargs):
    """AnsibleModule, or ControllerModule while the controller runs the module in its own process."""
    if _CURRENT_RUN is not None:
        return ControllerModule(argument_spec, _CURRENT_RUN, **kwargs)
    return AnsibleModule(argument_spec=argument_spec, **kwargs)


def run_in_process(main, run):
    """Call a module's main() for `run` and return its result, as the module would have printed it."""
    global _CURRENT_RUN  # pylint: disable=global-statement
    _CURRENT_RUN = run
    run.warnings_before = len(get_warning_messages())
    run.deprecations_before = len(get_deprecation_messages())
    try:
        main()
    except ModuleExit as outcome:
        return outcome.result
    except Exception as error:  # pylint: disable=broad-exception-caught
        # A bug, not a Harbor error: report it like a crashed module would, masking every no_log value.
        crash = dict(failed=True, msg='module %s failed unexpectedly: %s: %s' % (run.module_name, type(error).__name__, error),
                     exception=traceback.format_exc())
        return remove_values(crash, run.module.no_log_values) if run.module is not None else crash
    finally:
        _CURRENT_RUN = None
    return dict(failed=True, msg='module %s ended without a result' % run.module_name)
