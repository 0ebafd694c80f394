# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only callback: write every task result of the run, by task name, to the JSON file $TASK_RESULTS_FILE.

The hardening suites run many cases in one playbook and judge each case from its results; the output the user
sees (the default callback) stays as it is.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
---
name: task_results
type: aggregate
short_description: Write every task result to a JSON file, for tests
description:
  - Writes every task result, grouped by task name, to the file named by the environment variable E(TASK_RESULTS_FILE).
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_results'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.results = {}

    def _record(self, result, status):
        entry = dict(result._result, _status=status)  # pylint: disable=protected-access
        self.results.setdefault(result._task.get_name(), []).append(entry)  # pylint: disable=protected-access

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get('TASK_RESULTS_FILE')
        if path:
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(self.results, handle, default=str)
