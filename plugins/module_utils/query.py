# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The JMESPath `query` option of the *_info modules."""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import missing_required_lib

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

JMESPATH_IMPORT_ERROR = None
try:
    import jmespath
except ImportError:
    jmespath = None
    JMESPATH_IMPORT_ERROR = traceback.format_exc()


def compile_query(module, option='query'):
    """Compile the module's JMESPath expression before any request, so a typo fails fast; None when unset."""
    query = module.params[option]
    if query is None:
        return None
    if jmespath is None:
        module.fail_json(msg=missing_required_lib('jmespath'), exception=JMESPATH_IMPORT_ERROR)
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
