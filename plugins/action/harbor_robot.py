# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs the harbor_robot module and censors the task's output whenever its result carries a robot secret.

A module cannot mark its own return values as secret: only option values declared no_log are masked, and
the secret Harbor generates is not one. The registered variable keeps the secret, so that later tasks can
use it; callbacks, at every verbosity, only see a censored result. Results without a secret are shown as
usual, and async is refused, as its result would bypass this.
"""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.plugin_utils.module_action import HarborModuleAction


class ActionModule(HarborModuleAction):

    _supports_async = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        if result.get('secret'):
            result['_ansible_no_log'] = True
        return result
