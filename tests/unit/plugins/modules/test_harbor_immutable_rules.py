# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_immutable_rules against scripted Harbor conversations, Harbor's PUT quirk included."""

from __future__ import annotations

import pytest
import requests

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_immutable_rules, harbor_immutable_rules_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

SEMVER = '{v,}[0-9]*.[0-9]*.[0-9]*'
SEMVER_RULE = dict(tags=dict(matching=SEMVER))
CHARTS_RULE = dict(repositories=dict(matching='charts/**'), tags=dict(excluding='*-SNAPSHOT'), disabled=True)
RULES_PATH = '/projects/payments/immutabletagrules'


def harbor_rule(rule_id, tags, repositories='**', disabled=False, tag_decoration='matches', repo_decoration='repoMatches'):
    """A rule as Harbor lists it: disabled only when true, no params."""
    rule = {'id': rule_id, 'action': 'immutable', 'template': 'immutable_template',
            'tag_selectors': [{'kind': 'doublestar', 'decoration': tag_decoration, 'pattern': tags}],
            'scope_selectors': {'repository': [{'kind': 'doublestar', 'decoration': repo_decoration,
                                                'pattern': repositories}]}}
    if disabled:
        rule['disabled'] = True
    return rule


def sent(tags, repositories='**', disabled=False, rule_id=None, tag_decoration='matches', repo_decoration='repoMatches'):
    body = {'priority': 0, 'action': 'immutable', 'template': 'immutable_template', 'disabled': disabled,
            'tag_selectors': [{'kind': 'doublestar', 'decoration': tag_decoration, 'pattern': tags}],
            'scope_selectors': {'repository': [{'kind': 'doublestar', 'decoration': repo_decoration,
                                                'pattern': repositories}]}}
    if rule_id is not None:
        body['id'] = rule_id
    return body


def listing(*rules):
    return Call('GET', RULES_PATH, FakeResponse(200, list(rules), {'X-Total-Count': str(len(rules))}))


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_immutable_rules.main, monkeypatch, dict(dict(project='payments'), **args), **kwargs)


def test_create(monkeypatch, harbor):
    harbor([
        listing(),
        Call('POST', RULES_PATH, FakeResponse(201, headers={'Location': '/api/v2.0/projects/payments/immutabletagrules/5'}),
             json=sent(SEMVER)),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]), diff=True)
    assert not failed and result['changed']
    assert result['rules'] == [{'id': 5, 'repositories': {'matching': '**'}, 'tags': {'matching': SEMVER}, 'disabled': False}]
    assert result['diff']['before']['rules'] == [] and len(result['diff']['after']['rules']) == 1


def test_a_rule_another_run_created_first_is_adopted_not_created_twice(monkeypatch, harbor):
    conversation = harbor([
        listing(),
        Call('POST', RULES_PATH, FakeResponse(409, error_body('CONFLICT', 'immutable rule already exists')),
             json=sent(SEMVER)),
        listing(harbor_rule(7, SEMVER)),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]))
    assert not failed and result['changed']
    assert conversation.methods.count('POST') == 1 and [rule['id'] for rule in result['rules']] == [7]


def test_a_lost_answer_to_a_create_is_settled_by_looking(monkeypatch, harbor):
    created = FakeResponse(201, headers={'Location': '/api/v2.0/projects/payments/immutabletagrules/8'})
    conversation = harbor([
        listing(),
        Call('POST', RULES_PATH, requests.exceptions.ConnectionError('Connection reset by peer'), json=sent(SEMVER)),
        listing(),
        Call('POST', RULES_PATH, created, json=sent(SEMVER)),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]))
    assert not failed and result['changed'] and conversation.methods.count('POST') == 2


def test_a_lost_answer_to_a_create_that_was_applied_is_not_created_again(monkeypatch, harbor):
    conversation = harbor([
        listing(),
        Call('POST', RULES_PATH, FakeResponse(504, error_body('UNKNOWN', 'gateway timeout')),
             json=sent(SEMVER, disabled=True)),
        listing(harbor_rule(9, SEMVER)),
        Call('PUT', RULES_PATH + '/9', json=sent(SEMVER, disabled=True, rule_id=9)),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[dict(SEMVER_RULE, disabled=True)]))
    assert not failed and result['changed'] and conversation.methods.count('POST') == 1


def test_a_conflict_without_the_rule_stays_an_error(monkeypatch, harbor):
    harbor([
        listing(),
        Call('POST', RULES_PATH, FakeResponse(409, error_body('CONFLICT', 'immutable rule already exists'))),
        listing(),
    ])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]))
    assert failed and '409' in result['msg']


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor([listing(harbor_rule(5, SEMVER), harbor_rule(6, 'latest'))])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]))
    assert not failed and not result['changed'] and conversation.methods == ['GET']
    assert len(result['rules']) == 2


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([listing()])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]), check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([listing(harbor_rule(5, SEMVER))])
    result, _failed = run(monkeypatch, dict(rules=[SEMVER_RULE]), check_mode=True)
    assert not result['changed'] and conversation.methods == ['GET']


def test_a_disabled_rule_is_created_then_disabled(monkeypatch, harbor):
    harbor([
        listing(),
        Call('POST', RULES_PATH, FakeResponse(201, headers={'Location': '/api/v2.0/projects/payments/immutabletagrules/8'}),
             json=sent('*-SNAPSHOT', 'charts/**', disabled=True, tag_decoration='excludes')),
        # Harbor ignored disabled: a second request, whose only effect is the toggle.
        Call('PUT', RULES_PATH + '/8', FakeResponse(200),
             json=sent('*-SNAPSHOT', 'charts/**', disabled=True, rule_id=8, tag_decoration='excludes')),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[CHARTS_RULE]))
    assert not failed and result['changed'] and result['rules'][0]['disabled'] is True


def test_enabling_a_rule_is_one_put(monkeypatch, harbor):
    harbor([
        listing(harbor_rule(8, '*-SNAPSHOT', 'charts/**', disabled=True, tag_decoration='excludes')),
        Call('PUT', RULES_PATH + '/8', FakeResponse(200),
             json=sent('*-SNAPSHOT', 'charts/**', disabled=False, rule_id=8, tag_decoration='excludes')),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[dict(CHARTS_RULE, disabled=False)]), diff=True)
    assert not failed and result['changed']
    assert result['diff']['before']['rules'][0]['disabled'] is True and result['diff']['after']['rules'][0]['disabled'] is False


def test_exclusive_turns_a_stale_rule_into_a_missing_one_in_two_puts(monkeypatch, harbor):
    harbor([
        listing(harbor_rule(5, SEMVER), harbor_rule(6, 'latest')),
        # First the selectors, with the disabled value Harbor has (else Harbor would only toggle)...
        Call('PUT', RULES_PATH + '/6', FakeResponse(200),
             json=sent('*-SNAPSHOT', 'charts/**', disabled=False, rule_id=6, tag_decoration='excludes')),
        # ...then the toggle.
        Call('PUT', RULES_PATH + '/6', FakeResponse(200),
             json=sent('*-SNAPSHOT', 'charts/**', disabled=True, rule_id=6, tag_decoration='excludes')),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE, CHARTS_RULE], exclusive=True))
    assert not failed and result['changed']


def test_exclusive_creates_before_it_deletes(monkeypatch, harbor):
    conversation = harbor([
        listing(harbor_rule(5, SEMVER), harbor_rule(6, 'latest'), harbor_rule(7, 'stable')),
        Call('PUT', RULES_PATH + '/6', FakeResponse(200), json=sent('v*', rule_id=6)),
        Call('DELETE', RULES_PATH + '/7', FakeResponse(200)),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE, dict(tags=dict(matching='v*'))], exclusive=True))
    assert not failed and result['changed'] and conversation.methods == ['GET', 'PUT', 'DELETE']


def test_exclusive_with_no_rules_removes_them_all(monkeypatch, harbor):
    harbor([
        listing(harbor_rule(5, SEMVER)),
        Call('DELETE', RULES_PATH + '/5', FakeResponse(200)),
        # No listing after the writes: the module knows what they left.
    ])
    result, failed = run(monkeypatch, dict(rules=[], exclusive=True))
    assert not failed and result['changed'] and result['rules'] == []


def test_absent_removes_the_listed_rules_only(monkeypatch, harbor):
    harbor([
        listing(harbor_rule(5, SEMVER), harbor_rule(6, 'latest', disabled=True)),
        Call('DELETE', RULES_PATH + '/6', FakeResponse(200)),
        # No listing after the writes: the module knows what they left.
    ])
    # disabled does not matter to find the rule to remove.
    result, failed = run(monkeypatch, dict(state='absent', rules=[dict(tags=dict(matching='latest'))]))
    assert not failed and result['changed'] and [rule['id'] for rule in result['rules']] == [5]


def test_absent_again_and_in_check_mode(monkeypatch, harbor):
    conversation = harbor([listing(harbor_rule(5, SEMVER))])
    result, _failed = run(monkeypatch, dict(state='absent', rules=[dict(tags=dict(matching='latest'))]))
    assert not result['changed'] and conversation.methods == ['GET']
    conversation = harbor([listing(harbor_rule(5, SEMVER))])
    result, _failed = run(monkeypatch, dict(state='absent', rules=[SEMVER_RULE]), check_mode=True)
    assert result['changed'] and conversation.methods == ['GET']


def test_absent_from_a_missing_project_is_no_change(monkeypatch, harbor):
    harbor([Call('GET', '/projects/payments/immutabletagrules', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found'))),
           Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))])
    result, failed = run(monkeypatch, dict(state='absent', rules=[SEMVER_RULE]))
    assert not failed and not result['changed']


def test_rules_are_listed_without_looking_the_project_up_first(monkeypatch, harbor):
    conversation = harbor([listing(harbor_rule(5, SEMVER))])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]))
    assert not failed and not result['changed'] and len(conversation.seen) == 1


def test_a_refused_listing_of_an_existing_project_stays_a_permission_error(monkeypatch, harbor):
    harbor([
        Call('GET', '/projects/payments/immutabletagrules', FakeResponse(403, error_body('FORBIDDEN', 'forbidden'))),
        Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'})),
    ])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]))
    assert failed and result['status'] == 403 and 'immutable-tag:list' in result['msg']


def test_present_in_a_missing_project_fails(monkeypatch, harbor):
    harbor([Call('GET', '/projects/payments/immutabletagrules', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found'))),
           Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))])
    result, failed = run(monkeypatch, dict(rules=[SEMVER_RULE]))
    assert failed and "project 'payments' does not exist" in result['msg']


@pytest.mark.parametrize('args, fragment', [
    (dict(rules=[SEMVER_RULE, dict(SEMVER_RULE, disabled=True)]), 'rules[0] and rules[1] have the same'),
    (dict(rules=[dict(tags=dict(matching='v*', excluding='dev'))]), 'rules[0].tags takes exactly one'),
    (dict(rules=[dict(tags=dict(matching='{v,1'))]), 'rules[0].tags.matching'),
    (dict(rules=[dict(repositories=dict(excluding=''))]), 'rules[0].repositories.excluding is empty'),
    (dict(rules=[SEMVER_RULE], state='absent', exclusive=True), 'exclusive only applies'),
    (dict(project='pay ments', rules=[SEMVER_RULE]), 'project'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, fragment):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and fragment in result['msg'], result['msg']
    assert conversation.seen == []


# harbor_immutable_rules_info

PROJECT = Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'}))


def test_info_reads_the_rules_in_harbor_immutable_rules_terms(monkeypatch, harbor):
    conversation = harbor([PROJECT, listing(harbor_rule(9, '*-SNAPSHOT', 'charts/**', disabled=True,
                                                        tag_decoration='excludes'), harbor_rule(5, SEMVER))])
    result, failed = run_module(harbor_immutable_rules_info.main, monkeypatch,
                                dict(project='payments', query='[?!disabled].tags.matching'))
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']
    assert result['rules'] == [
        {'id': 5, 'repositories': {'matching': '**'}, 'tags': {'matching': SEMVER}, 'disabled': False},
        {'id': 9, 'repositories': {'matching': 'charts/**'}, 'tags': {'excluding': '*-SNAPSHOT'}, 'disabled': True}]
    assert result['query_result'] == [SEMVER]


def test_info_output_is_an_idempotent_exclusive_task(monkeypatch, harbor):
    rules = [harbor_rule(5, SEMVER), harbor_rule(9, '*-SNAPSHOT', 'charts/**', disabled=True, tag_decoration='excludes')]
    harbor([PROJECT, listing(*rules)])
    read, _failed = run_module(harbor_immutable_rules_info.main, monkeypatch, dict(project='payments'))
    conversation = harbor([listing(*rules)])
    task = [dict((key, value) for key, value in rule.items() if key != 'id') for rule in read['rules']]
    result, failed = run(monkeypatch, dict(rules=task, exclusive=True))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_info_on_a_missing_project_fails_and_bad_input_sends_nothing(monkeypatch, harbor):
    harbor([Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'not found')))])
    result, failed = run_module(harbor_immutable_rules_info.main, monkeypatch, dict(project='payments'))
    assert failed and "project 'payments' does not exist" in result['msg']
    conversation = harbor([])
    result, failed = run_module(harbor_immutable_rules_info.main, monkeypatch, dict(project='payments', query='[?'))
    assert failed and 'query' in result['msg'] and conversation.methods == []
