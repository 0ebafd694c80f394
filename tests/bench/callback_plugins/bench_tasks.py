# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Callback of the benchmark: wall time and emulator requests per task, written as JSON at the end of the run.

A task's time runs from its start to the start of the next task (or the end of the play), so it covers all its
loop items and the templating between them. Its requests are the entries the emulators' request logs
($BENCH_REQUEST_LOGS, URLs separated by spaces; none when unset) gained meanwhile, by method, read between two
tasks and outside their times. Tasks with the same name add up.
The result goes to $BENCH_TASKS_FILE: {task name: {"seconds": s, "requests": {method: count}}}.
"""

from __future__ import annotations

import json
import os
import ssl
import time
import urllib.request

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: bench_tasks
type: aggregate
short_description: Wall time and emulator requests per task, for tests/bench/bench.py
description:
  - Adds up the wall time of the tasks of a run, and the requests the emulators logged during each, by task name,
    and writes them as JSON to the file named by the environment variable E(BENCH_TASKS_FILE).
requirements:
  - the environment variables E(BENCH_TASKS_FILE) and E(BENCH_REQUEST_LOGS)
"""


def read_log(url):
    """The entries of an emulator's request log (a loopback test endpoint; the Kubernetes one has a private CA)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(url, context=context, timeout=30) as response:  # nosec: loopback test emulator
        return json.loads(response.read())


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'bench_tasks'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.tasks = {}
        self.current = None
        self.started = None
        self.log_urls = os.environ.get('BENCH_REQUEST_LOGS', '').split()
        self.seen = dict((url, 0) for url in self.log_urls)

    def _new_requests(self):
        """{method: count} of the log entries since the last call."""
        methods = {}
        for url in self.log_urls:
            entries = read_log(url)
            for entry in entries[self.seen[url]:]:
                methods[entry['method']] = methods.get(entry['method'], 0) + 1
            self.seen[url] = len(entries)
        return methods

    def _close(self):
        ended = time.monotonic()
        requests = self._new_requests()
        if self.current is None:
            return
        task = self.tasks.setdefault(self.current, dict(seconds=0.0, requests={}))
        task['seconds'] += ended - self.started
        for method, count in requests.items():
            task['requests'][method] = task['requests'].get(method, 0) + count
        self.current = None

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._close()
        self.current = task.get_name()
        self.started = time.monotonic()

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def v2_playbook_on_stats(self, stats):
        self._close()
        path = os.environ.get('BENCH_TASKS_FILE')
        if path:
            with open(path, 'w', encoding='utf-8') as handle:
                json.dump(self.tasks, handle, indent=1)
