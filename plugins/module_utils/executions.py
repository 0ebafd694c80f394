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
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_range

FINAL_STATUSES = ('Success', 'Error', 'Stopped')
# Seconds between two looks at a running execution: doubling from the first to the longest.
POLL_FIRST = 0.5
POLL_MAX = 5.0
# The `executions` option of the *_info modules: how many recent runs to read, at most Harbor's largest page.
EXECUTIONS_OPTION = dict(type='int', default=5)
MAX_EXECUTIONS = 100


def check_executions(params):
    return check_range('executions', params['executions'], 0, MAX_EXECUTIONS)


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
    return wait_until(lambda: find_execution(client, path, execution_id, permission, params),
                      lambda execution: execution.get('status'), timeout, what, timeout_option, final_statuses)


def wait_until(look, status_of, timeout, what, timeout_option, final=FINAL_STATUSES):
    """Call look() until status_of(its answer) is in `final`, and return that answer (see wait_for_execution).

    For what Harbor runs without an execution to follow, such as an artifact's scan, whose status is in the
    artifact's scan overview.
    """
    delay, waited = POLL_FIRST, 0.0
    while True:
        answer = look()
        if status_of(answer) in final:
            return answer
        if waited >= timeout:
            raise HarborError('%s is still %s after %d seconds (%s); it goes on in Harbor'
                              % (what, status_of(answer), timeout, timeout_option))
        time.sleep(delay)
        waited += delay
        delay = min(delay * 2, POLL_MAX)
