# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which tags the immutability rules protect: doublestar patterns and Harbor's rule matching."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.immutable import (
    pattern_matches,
    protected_tags,
    rule_to_harbor,
)


@pytest.mark.parametrize('pattern, name, expected', [
    ('**', 'team/api', True),
    ('*', 'team/api', False),
    ('team/*', 'team/api', True),
    ('team/*', 'team/a/b', False),
    ('a/**/b', 'a/b', True),
    ('a/**/b', 'a/x/y/b', True),
    ('v*', 'v1.2.3', True),
    ('v*', 'latest', False),
    ('{latest,v*}', 'latest', True),
    ('{latest,{rc,v}*}', 'rc1', True),
    ('release-?', 'release-1', True),
    ('release-?', 'release-10', False),
    ('[0-9]*', '1.0', True),
    ('[^0-9]*', '1.0', False),
    ('v1\\.0', 'v1.0', True),
    ('v1\\.0', 'v1x0', False),
    ('', 'anything', True),
])
def test_patterns_match_like_doublestar(pattern, name, expected):
    assert pattern_matches(pattern, name) is expected


def rule(repositories, tags, disabled=False):
    return rule_to_harbor(dict(repositories=repositories, tags=tags, disabled=disabled))


def test_a_rule_protects_the_tags_of_the_repositories_it_selects():
    rules = [rule({'matching': 'team/**'}, {'matching': 'v*'}), rule({'excluding': 'charts/**'}, {'excluding': 'dev-*'})]
    assert protected_tags(rules, 'team/api', ['v1', 'latest']) == ['latest', 'v1']
    assert protected_tags(rules, 'charts/api', ['v1', 'dev-1']) == []
    assert protected_tags(rules, 'web', ['dev-1', 'v1']) == ['v1']


def test_disabled_and_broken_rules_protect_nothing():
    assert protected_tags([rule({'matching': '**'}, {'matching': '**'}, disabled=True)], 'api', ['v1']) == []
    assert protected_tags([rule({'matching': '**'}, {'matching': '[v'})], 'api', ['v1', '[v']) == []
    assert protected_tags([{'tag_selectors': [], 'scope_selectors': {}}], 'api', ['v1']) == []
