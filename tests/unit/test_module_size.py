# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Module files stay declarations: their documentation, argument spec and a description of their object.

Mechanism (requests, recovery, polling, Harbor's JSON details that other modules need) belongs in module_utils,
where the next module reuses it; these limits catch a module that grows its own.
"""

from __future__ import annotations

import ast
import glob
import os
import statistics

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOC_STRINGS = ('DOCUMENTATION', 'EXAMPLES', 'RETURN')
MAX_CODE_LINES = 150
MAX_MEDIAN_CODE_LINES = 100


def code_lines(source):
    """Non-blank, non-comment lines outside the DOCUMENTATION, EXAMPLES and RETURN strings."""
    skipped = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(getattr(target, 'id', '') in DOC_STRINGS for target in node.targets):
            skipped.update(range(node.lineno, node.end_lineno + 1))
    return sum(1 for number, line in enumerate(source.splitlines(), 1)
               if number not in skipped and line.strip() and not line.strip().startswith('#'))


def module_sizes():
    sizes = {}
    for path in sorted(glob.glob(os.path.join(COLLECTION_ROOT, 'plugins', 'modules', '*.py'))):
        with open(path, encoding='utf-8') as handle:
            sizes[os.path.basename(path)] = code_lines(handle.read())
    return sizes


def test_the_count_skips_documentation_comments_and_blank_lines():
    source = 'DOCUMENTATION = r"""\na: 1\nb: 2\n"""\n\n# why\nimport os\nRETURN = """x"""\n'
    assert code_lines(source) == 1


def test_no_module_carries_more_than_its_share_of_logic():
    fat = dict((name, size) for name, size in module_sizes().items() if size > MAX_CODE_LINES)
    assert not fat, 'move mechanism into module_utils; code lines over %d: %s' % (MAX_CODE_LINES, fat)


def test_the_median_module_stays_small():
    sizes = module_sizes()
    assert sizes and statistics.median(sizes.values()) <= MAX_MEDIAN_CODE_LINES, sizes
