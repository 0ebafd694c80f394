# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The JMESPath `query` option of the *_info modules."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError


def compile_query(module, option='query'):
    """Compile the module's JMESPath expression before any request, so a typo fails fast; None when unset."""
    query = module.params[option]
    if query is None:
        return None
    try:
        # Imported only here: engine.py imports this file for every module, and only a task with a query needs it.
        import jmespath  # pylint: disable=import-outside-toplevel
    except ImportError:
        module.fail_json(msg=missing_required_lib('jmespath'), exception=traceback.format_exc())
        raise  # fail_json does not return; this only tells linters that jmespath is bound below
    try:
        return jmespath.compile(query)
    except jmespath.exceptions.JMESPathError as error:
        raise ValidationError('%s is not a valid JMESPath expression: %s' % (option, error))


class Found:
    """What an *_info module's reader found when its result has more than the items (an audit log's total)."""

    def __init__(self, items, **more):
        self.items = items
        self.more = more


def info_result(key, items, expression):
    """The result of an *_info module: its items under `key`, and the query's outcome when there is one."""
    result = {'changed': False, key: items}
    if expression is not None:
        result['query_result'] = expression.search(items)
    return result
