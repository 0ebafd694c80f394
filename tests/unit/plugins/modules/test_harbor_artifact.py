# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_artifact against scripted Harbor conversations: tags, labels, copies and deletion."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.artifacts import TAGGING, artifacts_path
from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_artifact
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

DIGEST = 'sha256:' + 'a' * 64
OTHER = 'sha256:' + 'b' * 64
PROJECT = Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'}))
PROD = Call('GET', '/projects/payments-prod', FakeResponse(200, {'project_id': 13, 'name': 'payments-prod'}))
APPROVED = {'id': 3, 'name': 'prod-approved', 'scope': 'g'}
PCI = {'id': 7, 'name': 'pci', 'scope': 'p', 'project_id': 12}


def artifact(digest=DIGEST, tags=(), immutable=(), labels=()):
    return {'digest': digest, 'tags': [{'name': tag, 'immutable': tag in immutable} for tag in tags],
            'labels': list(labels)}


def lookup(reference, found=None, project='payments', repository='api'):
    answer = FakeResponse(200, found) if found is not None else FakeResponse(404, error_body('NOT_FOUND', 'not found'))
    return Call('GET', artifacts_path(project, repository, reference), answer, params=TAGGING)


def labels(scope, *found):
    query = {'scope': 'g'} if scope == 'g' else {'scope': 'p', 'project_id': 12}
    return Call('GET', '/labels', FakeResponse(200, list(found), {'X-Total-Count': str(len(found))}),
                params=dict(query, page=1, page_size=100))


def path(reference, suffix='', project='payments', repository='api'):
    return artifacts_path(project, repository, reference, suffix)


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_artifact.main, monkeypatch, args, **kwargs)


RELEASE = artifact(tags=['2.3.4'])
TAGGED = artifact(tags=['2.3.4', 'stable'], labels=[APPROVED])
TASK = dict(project='payments', repository='api', reference='2.3.4', tags=['stable'], labels=['prod-approved'])
# stable is held by the artifact before, and prod-approved is a global label
PLAN = [PROJECT, lookup('2.3.4', RELEASE), lookup('stable', artifact(OTHER, tags=['stable', '2.3.3'])),
        labels('g', APPROVED), labels('p', PCI)]


def test_a_tag_is_moved_and_a_label_added(monkeypatch, harbor):
    harbor(PLAN + [
        Call('DELETE', path(OTHER, '/tags/stable')),
        Call('POST', path(DIGEST, '/tags'), FakeResponse(201), json={'name': 'stable'}),
        Call('POST', path(DIGEST, '/labels'), json={'id': 3}),
        lookup('2.3.4', TAGGED),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed'] and not result['copied']
    assert result['artifact'] == dict(project='payments', repository='api', digest=DIGEST, tags=['2.3.4', 'stable'],
                                      labels=['prod-approved'])
    identity = dict(project='payments', repository='api', reference='2.3.4', digest=DIGEST)
    assert result['diff'] == dict(before=dict(identity, tags=['2.3.4'], labels=[]),
                                  after=dict(identity, tags=['2.3.4', 'stable'], labels=['prod-approved']))


def test_a_tag_is_moved_and_a_label_added_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, lookup('2.3.4', TAGGED)])
    result, failed = run(monkeypatch, TASK)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_a_tag_is_moved_and_a_label_added_check_mode(monkeypatch, harbor):
    conversation = harbor(list(PLAN))
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and result['changed'] and set(conversation.methods) == {'GET'}
    assert result['artifact']['tags'] == ['2.3.4'], 'check mode returns the artifact as it is'


def test_a_tag_is_moved_and_a_label_added_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, lookup('2.3.4', TAGGED)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_exclusive_tags_and_labels_remove_the_others(monkeypatch, harbor):
    harbor([
        PROJECT, lookup(DIGEST, artifact(tags=['2.3.4', 'stable'], labels=[APPROVED, PCI])),
        Call('DELETE', path(DIGEST, '/tags/2.3.4')), Call('DELETE', path(DIGEST, '/tags/stable')),
        Call('DELETE', path(DIGEST, '/labels/7')), Call('DELETE', path(DIGEST, '/labels/3')),
        lookup(DIGEST, artifact()),
    ])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference=DIGEST,
                                           tags_exclusive=True, labels_exclusive=True))
    assert not failed and result['changed'] and result['artifact']['tags'] == [] and result['artifact']['labels'] == []


def test_a_repository_with_a_slash_is_encoded_twice(monkeypatch, harbor):
    conversation = harbor([PROJECT, lookup('1.0', artifact(tags=['1.0']), repository='team/api')])
    result, failed = run(monkeypatch, dict(project='payments', repository='team/api', reference='1.0'))
    assert not failed and not result['changed']
    assert conversation.seen[1][1] == '/projects/payments/repositories/team%252Fapi/artifacts/1.0'


def test_moving_a_protected_tag_is_refused_before_any_write(monkeypatch, harbor):
    conversation = harbor([PROJECT, lookup('2.3.4', RELEASE), lookup('stable', artifact(OTHER, ['stable'], ['stable']))])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference='2.3.4', tags=['stable']))
    assert failed and set(conversation.methods) == {'GET'}
    assert 'tags: an immutability rule of project payments protects tag stable in api' in result['msg']


def test_removing_a_protected_tag_is_refused_before_any_write(monkeypatch, harbor):
    harbor([PROJECT, lookup('2.3.4', artifact(tags=['2.3.4', 'latest'], immutable=['latest']))])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference='2.3.4',
                                           tags_exclusive=True, labels=['prod-approved']))
    assert failed and 'protects tag latest' in result['msg']


def test_an_unknown_or_ambiguous_label_is_refused_before_any_write(monkeypatch, harbor):
    harbor([PROJECT, lookup('2.3.4', RELEASE), labels('g', APPROVED), labels('p', dict(PCI, name='prod-approved'))])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference='2.3.4',
                                           labels=['prod-approved']))
    assert failed and "'prod-approved' names both a global label and a label of project payments" in result['msg']
    harbor([PROJECT, lookup('2.3.4', RELEASE), labels('g'), labels('p')])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference='2.3.4', labels=['gold']))
    assert failed and "no global label and no label of project payments is named 'gold'" in result['msg']


COPY = dict(project='payments-prod', repository='api', reference='2.3.4', copy_from='payments/api:2.3.4',
            tags_exclusive=True)
SOURCE = lookup('2.3.4', artifact(tags=['2.3.4', 'latest']))
COPY_PLAN = [PROD, SOURCE, lookup(DIGEST, None, 'payments-prod'), lookup('2.3.4', None, 'payments-prod'),
             lookup('latest', artifact(OTHER, ['latest']), 'payments-prod')]


def test_a_copy_brings_the_source_and_drops_the_tags_it_should_not_have(monkeypatch, harbor):
    harbor(COPY_PLAN + [
        # by the digest the tag named when it was checked
        Call('POST', path(None, project='payments-prod'), FakeResponse(201), params={'from': 'payments/api@' + DIGEST}),
        lookup(DIGEST, artifact(tags=['2.3.4', 'latest']), 'payments-prod'),
        Call('DELETE', path(DIGEST, '/tags/latest', project='payments-prod')),
        lookup(DIGEST, artifact(tags=['2.3.4']), 'payments-prod'),
    ])
    result, failed = run(monkeypatch, COPY, diff=True)
    assert not failed and result['changed'] and result['copied']
    assert result['artifact'] == dict(project='payments-prod', repository='api', digest=DIGEST, tags=['2.3.4'],
                                      labels=[])
    assert result['diff']['before'] == {} and result['diff']['after']['tags'] == ['2.3.4']
    assert result['diff']['after']['digest'] == DIGEST


def test_a_copy_idempotent(monkeypatch, harbor):
    conversation = harbor([PROD, SOURCE, lookup(DIGEST, artifact(tags=['2.3.4']), 'payments-prod')])
    result, failed = run(monkeypatch, COPY)
    assert not failed and not result['changed'] and not result['copied'] and len(conversation.methods) == 3


def test_a_copy_check_mode(monkeypatch, harbor):
    conversation = harbor(list(COPY_PLAN))
    result, failed = run(monkeypatch, COPY, check_mode=True)
    assert not failed and result['changed'] and result['copied'] and set(conversation.methods) == {'GET'}
    assert result['artifact'] == dict(project='payments-prod', repository='api', digest=DIGEST, tags=['2.3.4'],
                                      labels=[])


def test_a_copy_check_mode_idempotent(monkeypatch, harbor):
    harbor([PROD, SOURCE, lookup(DIGEST, artifact(tags=['2.3.4']), 'payments-prod')])
    result, failed = run(monkeypatch, COPY, check_mode=True)
    assert not failed and not result['changed'] and not result['copied']


def test_a_tag_the_copy_brings_and_a_rule_protects_is_refused_before_the_copy(monkeypatch, harbor):
    rule = {'id': 1, 'tag_selectors': [{'kind': 'doublestar', 'decoration': 'matches', 'pattern': '{latest,v*}'}],
            'scope_selectors': {'repository': [{'kind': 'doublestar', 'decoration': 'repoMatches', 'pattern': '**'}]}}
    conversation = harbor([PROD, SOURCE, lookup(DIGEST, None, 'payments-prod'), lookup('2.3.4', None, 'payments-prod'),
                           lookup('latest', None, 'payments-prod'),
                           Call('GET', '/projects/payments-prod/immutabletagrules', FakeResponse(200, [rule]))])
    result, failed = run(monkeypatch, COPY)
    assert failed and set(conversation.methods) == {'GET'}
    assert 'protects tag latest in api' in result['msg']


def test_a_copy_that_would_move_a_protected_tag_is_refused(monkeypatch, harbor):
    harbor([PROD, SOURCE, lookup(DIGEST, None, 'payments-prod'), lookup('2.3.4', None, 'payments-prod'),
            lookup('latest', artifact(OTHER, ['latest'], ['latest']), 'payments-prod')])
    result, failed = run(monkeypatch, dict(COPY, tags_exclusive=False))
    assert failed and 'protects tag latest' in result['msg']


@pytest.mark.parametrize('calls, args, message', [
    ([Call('GET', '/projects/payments-prod', FakeResponse(404, error_body('NOT_FOUND', 'no')))], {},
     "project 'payments-prod' does not exist"),
    ([PROD, lookup('2.3.4', None)], {}, 'copy_from: artifact payments/api:2.3.4 does not exist'),
    ([PROD, SOURCE, lookup(DIGEST, None, 'payments-prod')], dict(reference=OTHER),
     'is not the digest of copy_from payments/api:2.3.4 (%s)' % DIGEST),
])
def test_what_a_copy_cannot_do_fails_before_any_write(monkeypatch, harbor, calls, args, message):
    conversation = harbor(calls)
    result, failed = run(monkeypatch, dict(COPY, **args))
    assert failed and message in result['msg'] and set(conversation.methods) == {'GET'}


def test_an_artifact_that_is_not_there_and_no_copy_from_is_an_error(monkeypatch, harbor):
    harbor([PROJECT, lookup('9.9.9', None)])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference='9.9.9'))
    assert failed and 'artifact payments/api:9.9.9 does not exist in Harbor; push it first, or give copy_from' in result['msg']


def test_delete(monkeypatch, harbor):
    harbor([PROJECT, lookup(DIGEST, RELEASE), Call('DELETE', path(DIGEST))])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference=DIGEST, state='absent'),
                         diff=True)
    assert not failed and result['changed'] and result['artifact'] == {}
    assert result['diff']['before']['digest'] == DIGEST and result['diff']['after'] == {}


def test_delete_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, lookup(DIGEST, None)])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference=DIGEST, state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_delete_check_mode(monkeypatch, harbor):
    conversation = harbor([PROJECT, lookup(DIGEST, RELEASE)])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference=DIGEST, state='absent'),
                         check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET', 'GET']


def test_delete_check_mode_idempotent_also_without_the_project(monkeypatch, harbor):
    conversation = harbor([Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'no')))])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference=DIGEST, state='absent'),
                         check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_deleting_an_artifact_with_a_protected_tag_is_refused(monkeypatch, harbor):
    harbor([PROJECT, lookup(DIGEST, artifact(tags=['2.3.4'], immutable=['2.3.4']))])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference=DIGEST, state='absent'),
                         check_mode=True)
    assert failed and result['msg'].startswith('state=absent: an immutability rule of project payments protects tag 2.3.4')


def test_a_refusal_names_the_permission(monkeypatch, harbor):
    harbor([PROJECT, lookup('2.3.4', RELEASE), lookup('stable', None),
            Call('POST', path(DIGEST, '/tags'), FakeResponse(403, error_body('FORBIDDEN', 'forbidden')))])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference='2.3.4', tags=['stable']))
    assert failed and 'tag:create on project payments' in result['msg']


@pytest.mark.parametrize('args, option', [
    (dict(repository='Api'), 'repository'),
    (dict(repository='api/'), 'repository'),
    (dict(reference='not a tag'), 'reference'),
    (dict(tags=['-x']), 'tags'),
    (dict(tags=[DIGEST]), 'tags'),
    (dict(labels=['']), 'labels'),
    (dict(copy_from='payments-api'), 'copy_from'),
    (dict(copy_from='payments/api'), 'copy_from'),
    (dict(state='absent', tags=['x']), 'tags'),
    (dict(state='absent', copy_from='payments/api:1'), 'copy_from'),
    (dict(project='Pay Ments'), 'project'),
])
def test_bad_input_is_refused_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, dict(dict(project='payments', repository='api', reference='2.3.4'), **args))
    assert failed and result['msg'].startswith(option), result['msg']
    assert conversation.seen == []
