# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Following a Harbor execution (a retention run, a replication, a scan, a garbage collection) to its end.

Harbor starts a job with a POST that answers 201 and the execution's path in Location, then reports its status
in a list of executions, newest first; Success, Error and Stopped are final (replication says Succeed, Failed and
Stopped: callers pass their own final statuses).
"""

from __future__ import annotations

import time

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import HarborError

FINAL_STATUSES = ('Success', 'Error', 'Stopped')
# Seconds between two looks at a running execution: doubling from the first to the longest.
POLL_FIRST = 0.5
POLL_MAX = 5.0


def find_execution(client, path, execution_id, permission=None, params=None):
    """The execution `execution_id` of the list at `path` (with `params`): the first page is enough for a new one;
    {} if absent."""
    first_page = client.get(path, params=dict(params or {}, page=1, page_size=10), permission=permission) or []
    for execution in first_page:
        if execution.get('id') == execution_id:
            return execution
    for execution in client.paginate(path, params=params, permission=permission):
        if execution.get('id') == execution_id:
            return execution
    return {}


def wait_for_execution(client, path, execution_id, timeout, what, timeout_option, permission=None, params=None,
                       final_statuses=FINAL_STATUSES):
    """Look at the execution until its status is final, and return it; the sleeps count towards `timeout`.

    `what` names it, and `timeout_option` the option that set the timeout, in the error when it is still running
    after `timeout` seconds (it goes on in Harbor).
    """
    delay, waited = POLL_FIRST, 0.0
    while True:
        execution = find_execution(client, path, execution_id, permission, params)
        if execution.get('status') in final_statuses:
            return execution
        if waited >= timeout:
            raise HarborError('%s is still %s after %d seconds (%s); it goes on in Harbor'
                              % (what, execution.get('status'), timeout, timeout_option))
        time.sleep(delay)
        waited += delay
        delay = min(delay * 2, POLL_MAX)
