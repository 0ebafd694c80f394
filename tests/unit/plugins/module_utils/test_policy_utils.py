# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Schedules, selectors and retention rules: the conversions between the modules' form and Harbor's."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.retention import (
    normalize_rules,
    parse_task_log,
    rule_from_harbor,
    rule_to_harbor,
    same_rules,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.schedule import (
    normalize_schedule,
    schedule_from_cron,
    schedule_to_cron,
    schedule_type,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.selectors import (
    check_pattern,
    from_harbor,
    normalize_selector,
)


@pytest.mark.parametrize('given, expected', [
    ('Daily', 'daily'),
    ('none', 'none'),
    ('0 0 0 * * *', 'daily'),
    ('0  0 * * * *', 'hourly'),
    ('0 0 0 * * 0', 'weekly'),
    ('0 30 2 * * MON-FRI', '0 30 2 * * MON-FRI'),
    ('0 */15 8-18 ? jan,jul *', '0 */15 8-18 ? jan,jul *'),
])
def test_schedules(given, expected):
    assert normalize_schedule('schedule', given) == expected


@pytest.mark.parametrize('given, fragment', [
    ('0 0 * * *', 'has 5 fields'),
    ('', 'is empty'),
    ('@daily', 'has 1 field;'),
    ('1 0 0 * * *', 'first field of a cron (the seconds) to be 0'),
    ('0 60 * * * *', 'minute field is not valid: 60 is outside 0-59'),
    ('0 0 0 * 13 *', 'month field'),
    ('0 0 0 * * 1-8', 'day of week field'),
    ('0 0 5-2 * * *', 'goes backwards'),
    ('0 */0 * * * *', 'step'),
    ('0 0 0 L * *', 'day of month field'),
])
def test_bad_schedules(given, fragment):
    with pytest.raises(ValidationError) as error:
        normalize_schedule('schedule', given)
    assert fragment in str(error.value) and 'schedule' in str(error.value)


def test_schedule_round_trip():
    assert schedule_to_cron('none') == '' and schedule_from_cron('') == 'none'
    assert schedule_to_cron('weekly') == '0 0 0 * * 0' and schedule_type('weekly') == 'Weekly'
    assert schedule_type('0 1 2 * * *') == 'Custom' and schedule_type('none') == 'None'
    assert schedule_from_cron(schedule_to_cron('0 1 2 * * *')) == '0 1 2 * * *'


@pytest.mark.parametrize('pattern', ['**', 'release-*', '{v,}[0-9]*.[0-9]*.[0-9]*', 'a\\{b', '[^a-c]x', 'charts/**'])
def test_good_patterns(pattern):
    assert check_pattern('tags.matching', pattern) == pattern


@pytest.mark.parametrize('pattern, fragment', [
    ('{v,1', 'never closed'), ('[0-9', 'never closed'), ('[]x', 'empty or malformed'), ('[-a]', 'malformed'),
    ('v\\', 'lone'),
])
def test_bad_patterns(pattern, fragment):
    with pytest.raises(ValidationError) as error:
        check_pattern('tags.matching', pattern)
    assert fragment in str(error.value)


def test_selectors():
    assert normalize_selector('tags', None) == {'matching': '**'}
    assert normalize_selector('tags', {'matching': None, 'excluding': 'dev'}) == {'excluding': 'dev'}
    with pytest.raises(ValidationError):
        normalize_selector('tags', {'matching': 'a', 'excluding': 'b'})
    assert from_harbor('tags', [{'kind': 'doublestar', 'decoration': 'excludes', 'pattern': 'dev'}]) == {'excluding': 'dev'}
    two = [{'decoration': 'matches', 'pattern': 'a'}, {'decoration': 'matches', 'pattern': 'b'}]
    assert from_harbor('tags', two) == {'harbor': two}
    assert from_harbor('repositories', [{'kind': 'label', 'decoration': 'withLabels', 'pattern': 'x'}])['harbor']


RELEASES = dict(retain=dict(most_recently_pushed=10, always=None), tags=dict(matching='release-*'), untagged=False)


def test_rule_round_trip():
    rules = normalize_rules([RELEASES, dict(retain=dict(always=True), repositories=dict(excluding='sandbox/**'))])
    assert rules[0] == dict(retain={'most_recently_pushed': 10}, repositories={'matching': '**'},
                            tags={'matching': 'release-*'}, untagged=False, disabled=False)
    harbor = [rule_to_harbor(rule) for rule in rules]
    assert harbor[0]['params'] == {'latestPushedK': 10} and harbor[1]['params'] == {}
    assert harbor[0]['tag_selectors'][0]['extras'] == '{"untagged":false}'
    assert harbor[1]['scope_selectors']['repository'][0]['decoration'] == 'repoExcludes'
    assert [rule_from_harbor(rule) for rule in harbor] == rules
    assert same_rules(rules, list(reversed(rules))) and not same_rules(rules, rules[:1])


def test_rules_from_harbor_apply_harbors_defaults():
    bare = {'template': 'nDaysSinceLastPull', 'params': {'nDaysSinceLastPull': 7},
            'tag_selectors': [{'kind': 'doublestar', 'decoration': 'excludes', 'pattern': 'dev'}]}
    rule = rule_from_harbor(bare)
    # No extras: excludes does not apply to untagged artifacts; no repository selector: every repository.
    assert rule == dict(retain={'pulled_within_days': 7}, repositories={'matching': '**'}, tags={'excluding': 'dev'},
                        untagged=False, disabled=False)
    assert rule_from_harbor(dict(bare, tag_selectors=[dict(bare['tag_selectors'][0], extras='{}')]))['untagged'] is False
    unknown = rule_from_harbor(dict(bare, template='latestActiveK', params={'latestActiveK': 3}))
    assert unknown['retain'] == {'latestActiveK': {'latestActiveK': 3}}


def test_parse_task_log():
    text = '\n'.join([
        '2026-01-01T00:00:00Z [INFO] [/pkg/retention/job.go:96]: Run retention process.',
        '|   Digest    |    Tag    | Kind  | Labels | PushedTime | PulledTime | CreatedTime | Retention |',
        '|-------------|-----------|-------|--------|------------|------------|-------------|-----------|',
        '| sha256:aaa  | a,b       | image |        |            |            |             | DEL       |',
        '| sha256:bbb  |           | image |        |            |            |             | IMMUTABLE |',
        '| not a row |',
    ])
    assert parse_task_log(text) == [dict(digest='sha256:aaa', tags=['a', 'b'], action='DEL'),
                                    dict(digest='sha256:bbb', tags=[], action='IMMUTABLE')]
