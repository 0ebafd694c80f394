# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_pull_secret against scripted conversations with Harbor (the login check) and a Kubernetes API server."""

from __future__ import annotations

import base64
import json

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_pull_secret
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import Call, FakeResponse, run_module
from ansible_collections.cloudtemple.harbor.tests.unit.kube_fakes import (  # pylint: disable=unused-import
    KUBE_ARGS,
    KubeCall,
    cluster,
    docker_config_json,
    namespace,
    not_found,
    ok,
    secret,
    service_account,
    status,
)

NAMESPACES = ['team-a', 'team-b', 'team-c']
USERNAME = 'robot$payments+puller'
PASSWORD = 'Pull-S3cret'
ARGS = dict(KUBE_ARGS, namespaces=NAMESPACES, username=USERNAME, password=PASSWORD, service_accounts=['default'])
MERGE = 'application/merge-patch+json'
ROBOT_ERROR = {'errors': [{'code': 'PRECONDITION', 'message': 'get current user not available for security context: robot'}]}
ROBOT_LOGS_IN = Call('GET', '/users/current', FakeResponse(412, ROBOT_ERROR))
REJECTED = Call('GET', '/users/current', FakeResponse(401, {'errors': [{'code': 'UNAUTHORIZED', 'message': 'x'}]}))


def secret_path(name):
    return '/api/v1/namespaces/%s/secrets/harbor-pull-secret' % name


def account_path(name, account='default'):
    return '/api/v1/namespaces/%s/serviceaccounts/%s' % (name, account)


def namespace_reads(names=tuple(NAMESPACES)):
    """The namespace objects: read when a listed namespace has no secret yet, or before writing in one located
    through its secret (to refuse a Terminating namespace)."""
    return [KubeCall('GET', '/api/v1/namespaces/' + name, ok(namespace(name))) for name in names]


def secret_read(name, answer=None):
    """A listed namespace is located through its secret first."""
    return KubeCall('GET', secret_path(name), answer if answer is not None else ok(secret(name)))


def no_secret_yet(name):
    """A listed namespace without the secret: its secret answers 404, then the namespace itself is read."""
    return [KubeCall('GET', secret_path(name), not_found('secrets', 'harbor-pull-secret'))] + namespace_reads([name])


def created_body(name):
    return {'apiVersion': 'v1', 'kind': 'Secret', 'type': 'kubernetes.io/dockerconfigjson',
            'metadata': {'name': 'harbor-pull-secret', 'labels': {'app.kubernetes.io/managed-by': 'cloudtemple.harbor'},
                         'annotations': {}},
            'data': {'.dockerconfigjson': docker_config_json('harbor.example.com', USERNAME, PASSWORD)}}


def fresh_cluster_reads():
    """The reads of a run on three namespaces without the secret: each located (secret 404, then the namespace),
    then the service accounts."""
    calls = []
    for name in NAMESPACES:
        calls += no_secret_yet(name)
    return calls + [KubeCall('GET', account_path(name), ok(service_account(name))) for name in NAMESPACES]


def converged_reads(references=('harbor-pull-secret',)):
    """The reads of a run where every namespace holds the secret: the secrets, then the service accounts."""
    calls = [secret_read(name) for name in NAMESPACES]
    return calls + [KubeCall('GET', account_path(name), ok(service_account(name, references))) for name in NAMESPACES]


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_pull_secret.main, monkeypatch, args, **kwargs)


def decoded(body):
    return json.loads(base64.b64decode(body['data']['.dockerconfigjson']))


# -- the four-way matrix: three namespaces and their default service account -----------------------------------

def test_create(monkeypatch, cluster):
    calls = fresh_cluster_reads() + [ROBOT_LOGS_IN]
    for name in NAMESPACES:
        calls += [KubeCall('POST', '/api/v1/namespaces/%s/secrets' % name, FakeResponse(201, secret(name)),
                           json=created_body(name)),
                  KubeCall('PATCH', account_path(name), ok(service_account(name, ['harbor-pull-secret'])),
                           json={'imagePullSecrets': [{'name': 'harbor-pull-secret'}], 'metadata': {'resourceVersion': '30'}},
                           content_type=MERGE)]
    cluster(calls)
    result, failed = run(monkeypatch, ARGS, diff=True)
    assert not failed and result['changed']
    assert result['registry'] == 'harbor.example.com'
    assert result['namespaces']['team-b'] == dict(secret='created', namespace_created=False,
                                                  patched_service_accounts=['default'])
    assert result['diff']['before']['team-a'] == dict(secret=None, service_accounts={'default': []})
    after = result['diff']['after']['team-a']
    assert after['secret']['password'] == '********' and after['secret']['username'] == USERNAME
    assert after['service_accounts'] == {'default': ['harbor-pull-secret']}
    assert PASSWORD not in json.dumps(result)


def test_create_idempotent_reads_only(monkeypatch, cluster):
    conversation = cluster(converged_reads())
    result, failed = run(monkeypatch, ARGS)
    assert not failed and not result['changed']
    assert set(entry['secret'] for entry in result['namespaces'].values()) == {'unchanged'}
    assert conversation.writes == []


def test_create_check_mode(monkeypatch, cluster):
    conversation = cluster(fresh_cluster_reads() + [ROBOT_LOGS_IN])
    result, failed = run(monkeypatch, ARGS, check_mode=True, diff=True)
    assert not failed and result['changed']
    assert result['namespaces']['team-c'] == dict(secret='created', namespace_created=False,
                                                  patched_service_accounts=['default'])
    assert conversation.writes == []
    assert PASSWORD not in json.dumps(result)


def test_create_check_mode_idempotent(monkeypatch, cluster):
    conversation = cluster(converged_reads())
    result, failed = run(monkeypatch, ARGS, check_mode=True)
    assert not failed and not result['changed']
    assert conversation.writes == []


# -- updates ---------------------------------------------------------------------------------------------------

def test_new_password_is_written_and_masked_in_the_diff(monkeypatch, cluster):
    old = secret('team-a', password='Old-S3cret', labels={'app.kubernetes.io/managed-by': 'cloudtemple.harbor',
                                                          'extra': 'kept'})
    cluster([secret_read('team-a', ok(old)), ROBOT_LOGS_IN] + namespace_reads(['team-a']) + [
        KubeCall('PATCH', secret_path('team-a'), ok(secret('team-a', version='21')), content_type=MERGE, json={
            'data': {'.dockerconfigjson': docker_config_json('harbor.example.com', USERNAME, PASSWORD)},
            'metadata': {'resourceVersion': '20'}}),
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], username=USERNAME, password=PASSWORD),
                         diff=True)
    assert not failed and result['changed']
    assert result['namespaces']['team-a']['secret'] == 'updated'
    assert result['diff']['before']['team-a']['secret']['password'] == '********'
    assert result['diff']['after']['team-a']['secret']['password'] == '******** (changed)'
    assert 'Old-S3cret' not in json.dumps(result) and PASSWORD not in json.dumps(result)


def test_missing_label_is_added_without_rewriting_the_credentials(monkeypatch, cluster):
    cluster([secret_read('team-a', ok(secret('team-a', labels={'other': 'x'}))), ROBOT_LOGS_IN] + namespace_reads(['team-a']) + [
        KubeCall('PATCH', secret_path('team-a'), ok(secret('team-a')), content_type=MERGE, json={
            'metadata': {'labels': {'app.kubernetes.io/managed-by': 'cloudtemple.harbor'}, 'annotations': {'owner': 'ops'},
                         'resourceVersion': '20'}}),
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], username=USERNAME, password=PASSWORD,
                                           annotations={'owner': 'ops'}))
    assert not failed and result['namespaces']['team-a']['secret'] == 'updated'


def test_other_pull_secrets_of_a_service_account_are_kept(monkeypatch, cluster):
    cluster([
        secret_read('team-a'),
        KubeCall('GET', account_path('team-a'), ok(service_account('team-a', ['quay', 'gitlab']))),
        ROBOT_LOGS_IN] + namespace_reads(['team-a']) + [
        KubeCall('PATCH', account_path('team-a'), ok(service_account('team-a')), content_type=MERGE, json={
            'imagePullSecrets': [{'name': 'quay'}, {'name': 'gitlab'}, {'name': 'harbor-pull-secret'}],
            'metadata': {'resourceVersion': '30'}}),
    ])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a']), diff=True)
    assert not failed and result['namespaces']['team-a']['patched_service_accounts'] == ['default']
    assert result['diff']['after']['team-a']['service_accounts'] == {'default': ['quay', 'gitlab', 'harbor-pull-secret']}


def test_a_duplicated_reference_is_collapsed(monkeypatch, cluster):
    cluster([
        secret_read('team-a'),
        KubeCall('GET', account_path('team-a'),
                 ok(service_account('team-a', ['harbor-pull-secret', 'quay', 'harbor-pull-secret']))),
        ROBOT_LOGS_IN] + namespace_reads(['team-a']) + [
        KubeCall('PATCH', account_path('team-a'), ok(service_account('team-a')), json={
            'imagePullSecrets': [{'name': 'harbor-pull-secret'}, {'name': 'quay'}], 'metadata': {'resourceVersion': '30'}}),
    ])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a']))
    assert not failed and result['changed']


def test_a_concurrent_update_conflict_is_read_again_and_retried(monkeypatch, cluster):
    conflict = status(409, 'Conflict', 'Operation cannot be fulfilled on serviceaccounts "default": the object has '
                                       'been modified; please apply your changes to the latest version and try again')
    cluster([
        secret_read('team-a'),
        KubeCall('GET', account_path('team-a'), ok(service_account('team-a'))),
        ROBOT_LOGS_IN] + namespace_reads(['team-a']) + [
        KubeCall('PATCH', account_path('team-a'), conflict, json={
            'imagePullSecrets': [{'name': 'harbor-pull-secret'}], 'metadata': {'resourceVersion': '30'}}),
        # someone added their own pull secret meanwhile: it must survive the retry
        KubeCall('GET', account_path('team-a'), ok(service_account('team-a', ['theirs'], version='31'))),
        KubeCall('PATCH', account_path('team-a'), ok(service_account('team-a')), json={
            'imagePullSecrets': [{'name': 'theirs'}, {'name': 'harbor-pull-secret'}],
            'metadata': {'resourceVersion': '31'}}),
    ])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a']))
    assert not failed and result['namespaces']['team-a']['patched_service_accounts'] == ['default']


def test_a_secret_created_concurrently_is_converged(monkeypatch, cluster):
    # the namespace was read when its secret answered 404: no second read before the write
    cluster(no_secret_yet('team-a') + [
        ROBOT_LOGS_IN,
        KubeCall('POST', '/api/v1/namespaces/team-a/secrets',
                 status(409, 'AlreadyExists', 'secrets "harbor-pull-secret" already exists')),
        KubeCall('GET', secret_path('team-a'), ok(secret('team-a', password='Stale', version='22'))),
        KubeCall('PATCH', secret_path('team-a'), ok(secret('team-a', version='23')), json={
            'data': {'.dockerconfigjson': docker_config_json('harbor.example.com', USERNAME, PASSWORD)},
            'metadata': {'resourceVersion': '22'}}),
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], username=USERNAME, password=PASSWORD))
    assert not failed and result['namespaces']['team-a']['secret'] == 'updated'


def test_conflicts_that_never_end_fail_clearly(monkeypatch, cluster):
    conflict = status(409, 'Conflict', 'Operation cannot be fulfilled')
    calls = [secret_read('team-a', ok(secret('team-a', password='Old'))), ROBOT_LOGS_IN] + namespace_reads(['team-a'])
    for attempt in range(5):
        calls.append(KubeCall('PATCH', secret_path('team-a'), conflict))
        calls.append(KubeCall('GET', secret_path('team-a'), ok(secret('team-a', password='Old', version=str(40 + attempt)))))
    cluster(calls)
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], username=USERNAME, password=PASSWORD))
    assert failed and 'kept conflicting with concurrent writers' in result['msg'] and result['status'] == 409


# -- namespaces --------------------------------------------------------------------------------------------------

def test_create_namespace_then_wait_for_its_default_service_account(monkeypatch, cluster):
    conversation = cluster([
        KubeCall('GET', secret_path('team-new'), not_found('secrets', 'harbor-pull-secret')),
        KubeCall('GET', '/api/v1/namespaces/team-new', not_found('namespaces', 'team-new')),
        ROBOT_LOGS_IN,
        KubeCall('POST', '/api/v1/namespaces', FakeResponse(201, namespace('team-new')),
                 json={'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': 'team-new'}}),
        KubeCall('POST', '/api/v1/namespaces/team-new/secrets', FakeResponse(201, secret('team-new'))),
        KubeCall('GET', account_path('team-new'), not_found('serviceaccounts', 'default')),
        KubeCall('GET', account_path('team-new'), ok(service_account('team-new'))),
        KubeCall('PATCH', account_path('team-new'), ok(service_account('team-new'))),
    ])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-new'], create_namespace=True))
    assert not failed and result['namespaces']['team-new'] == dict(
        secret='created', namespace_created=True, patched_service_accounts=['default'])
    assert conversation.writes == ['POST /api/v1/namespaces', 'POST /api/v1/namespaces/team-new/secrets',
                                   'PATCH ' + account_path('team-new')]


def test_create_namespace_check_mode(monkeypatch, cluster):
    conversation = cluster([KubeCall('GET', secret_path('team-new'), not_found('secrets', 'harbor-pull-secret')),
                            KubeCall('GET', '/api/v1/namespaces/team-new', not_found('namespaces', 'team-new')),
                            ROBOT_LOGS_IN])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-new'], create_namespace=True), check_mode=True,
                         diff=True)
    assert not failed and result['changed'] and conversation.writes == []
    assert result['namespaces']['team-new']['namespace_created'] is True
    assert result['diff']['before']['team-new'] is None


def test_a_missing_namespace_fails_before_any_write(monkeypatch, cluster):
    conversation = cluster(no_secret_yet('team-a') + [
        KubeCall('GET', secret_path('ghost'), not_found('secrets', 'harbor-pull-secret')),
        KubeCall('GET', '/api/v1/namespaces/ghost', not_found('namespaces', 'ghost'))])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a', 'ghost']))
    assert failed and result['msg'].startswith("namespaces: 'ghost' does not exist in the cluster")
    assert 'create_namespace' in result['msg'] and conversation.writes == []


def test_a_service_account_that_cannot_exist_in_a_new_namespace(monkeypatch, cluster):
    conversation = cluster([KubeCall('GET', secret_path('team-new'), not_found('secrets', 'harbor-pull-secret')),
                            KubeCall('GET', '/api/v1/namespaces/team-new', not_found('namespaces', 'team-new'))])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-new'], create_namespace=True,
                                           service_accounts=['default', 'builder']))
    assert failed and result['msg'].startswith("service_accounts: 'builder' cannot exist in namespace 'team-new'")
    assert conversation.writes == []


def test_a_missing_service_account_fails_before_any_write(monkeypatch, cluster):
    conversation = cluster(no_secret_yet('team-a') + [
        KubeCall('GET', account_path('team-a', 'builder'), not_found('serviceaccounts', 'builder'))])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a'], service_accounts=['builder']))
    assert failed and "service account 'builder' does not exist in namespace 'team-a'" in result['msg']
    assert conversation.writes == []


def test_a_secret_of_another_type_is_not_taken_over(monkeypatch, cluster):
    cluster([secret_read('team-a', ok(secret('team-a', secret_type='Opaque')))])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], username=USERNAME, password=PASSWORD))
    assert failed and 'of type Opaque' in result['msg'] and result['msg'].startswith('name:')


def test_namespace_selector_and_unreadable_namespaces(monkeypatch, cluster):
    listing = {'kind': 'NamespaceList', 'apiVersion': 'v1', 'metadata': {},
               'items': [namespace('team-z'), namespace('team-a')]}
    cluster([
        # the listed namespace first, through its secret; it has none, so the namespace object is read, and
        # namespace-scoped RBAC cannot: assumed to exist
        KubeCall('GET', secret_path('team-a'), not_found('secrets', 'harbor-pull-secret')),
        KubeCall('GET', '/api/v1/namespaces/team-a', status(403, 'Forbidden', 'namespaces "team-a" is forbidden')),
        # then the selector's matches, whose secrets are read next (team-a, listed, is not read twice)
        KubeCall('GET', '/api/v1/namespaces', ok(listing), params={'labelSelector': 'harbor-pull=enabled', 'limit': 500}),
        KubeCall('GET', secret_path('team-z'), ok(secret('team-z'))),
        ROBOT_LOGS_IN,
        # no second attempt at reading team-a before writing there: it answered 403 already
        KubeCall('POST', '/api/v1/namespaces/team-a/secrets', FakeResponse(201, secret('team-a'))),
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], namespace_selector='harbor-pull=enabled',
                                           username=USERNAME, password=PASSWORD))
    assert not failed and list(result['namespaces']) == ['team-a', 'team-z']
    assert result['namespaces']['team-a']['secret'] == 'created' and result['namespaces']['team-z']['secret'] == 'unchanged'


def test_a_selector_the_server_rejects(monkeypatch, cluster):
    cluster([KubeCall('GET', '/api/v1/namespaces', status(400, 'BadRequest', 'unable to parse requirement'))])
    selector = 'team=' + 'a' * 64  # the syntax is right, the value too long: only the server knows
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespace_selector=selector, username=USERNAME, password=PASSWORD))
    assert failed and result['msg'].startswith("namespace_selector: the Kubernetes API rejected 'team=aaa")


# -- request order: locate through the secret, log in only before writing, then refuse a Terminating namespace ---

def terminating(name):
    found = namespace(name)
    found['metadata']['deletionTimestamp'] = '2026-01-01T00:00:00Z'
    found['status'] = {'phase': 'Terminating'}
    return found


def namespace_objects_read(conversation):
    return [entry for entry in conversation.requests if entry.count('/') == 4 and entry.startswith('GET /api/v1/namespaces/')]


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_converged_run_sends_no_login_and_no_namespace_read(monkeypatch, cluster, check_mode):
    conversation = cluster(converged_reads())
    result, failed = run(monkeypatch, ARGS, check_mode=check_mode)
    assert not failed and not result['changed']
    expected = ['GET ' + secret_path(name) for name in NAMESPACES] + ['GET ' + account_path(name) for name in NAMESPACES]
    assert conversation.requests == expected
    assert namespace_objects_read(conversation) == []


def test_a_namespace_listed_twice_is_located_once(monkeypatch, cluster):
    conversation = cluster([secret_read('team-a'),
                            KubeCall('GET', account_path('team-a'), ok(service_account('team-a', ['harbor-pull-secret'])))])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a', 'team-a']))
    assert not failed and not result['changed'] and list(result['namespaces']) == ['team-a']
    assert len(conversation.requests) == 2


def test_a_run_that_writes_logs_in_first_and_reads_only_the_namespace_it_writes_in(monkeypatch, cluster):
    # team-a and team-b hold the secret; team-c holds an old password
    calls = [secret_read('team-a'), secret_read('team-b'), secret_read('team-c', ok(secret('team-c', password='Old')))]
    calls += [KubeCall('GET', account_path(name), ok(service_account(name, ['harbor-pull-secret']))) for name in NAMESPACES]
    calls += [Call('GET', '/users/current', FakeResponse(412, ROBOT_ERROR), auth=(USERNAME, PASSWORD))]
    calls += namespace_reads(['team-c'])
    calls += [KubeCall('PATCH', secret_path('team-c'), ok(secret('team-c', version='21')), json={
        'data': {'.dockerconfigjson': docker_config_json('harbor.example.com', USERNAME, PASSWORD)},
        'metadata': {'resourceVersion': '20'}})]
    conversation = cluster(calls)
    result, failed = run(monkeypatch, ARGS)
    assert not failed and result['changed']
    assert [entry['secret'] for entry in result['namespaces'].values()] == ['unchanged', 'unchanged', 'updated']
    login = conversation.requests.index('GET /users/current')
    assert login < conversation.requests.index(conversation.writes[0])
    assert namespace_objects_read(conversation) == ['GET /api/v1/namespaces/team-c']


def test_a_created_namespace_is_not_read_again_and_a_converged_one_not_at_all(monkeypatch, cluster):
    conversation = cluster([
        secret_read('team-a'),
        KubeCall('GET', secret_path('team-new'), not_found('secrets', 'harbor-pull-secret')),
        KubeCall('GET', '/api/v1/namespaces/team-new', not_found('namespaces', 'team-new')),
        KubeCall('GET', account_path('team-a'), ok(service_account('team-a', ['harbor-pull-secret']))),
        ROBOT_LOGS_IN,
        KubeCall('POST', '/api/v1/namespaces', FakeResponse(201, namespace('team-new'))),
        KubeCall('POST', '/api/v1/namespaces/team-new/secrets', FakeResponse(201, secret('team-new'))),
        KubeCall('GET', account_path('team-new'), ok(service_account('team-new'))),
        KubeCall('PATCH', account_path('team-new'), ok(service_account('team-new', ['harbor-pull-secret']))),
    ])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a', 'team-new'], create_namespace=True))
    assert not failed and result['namespaces']['team-new']['namespace_created']
    assert result['namespaces']['team-a'] == dict(secret='unchanged', namespace_created=False, patched_service_accounts=[])
    assert namespace_objects_read(conversation) == ['GET /api/v1/namespaces/team-new']


@pytest.mark.parametrize('check_mode', [False, True])
def test_a_terminating_namespace_located_through_its_secret_is_refused(monkeypatch, cluster, check_mode):
    conversation = cluster([
        secret_read('team-a', ok(secret('team-a', password='Old'))),
        KubeCall('GET', account_path('team-a'), ok(service_account('team-a', ['harbor-pull-secret']))),
        ROBOT_LOGS_IN,
        KubeCall('GET', '/api/v1/namespaces/team-a', ok(terminating('team-a'))),
    ])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a']), check_mode=check_mode)
    assert failed and result['msg'] == "namespaces: namespace 'team-a' is being deleted; nothing was written"
    assert conversation.writes == []


def test_a_terminating_namespace_without_the_secret_is_refused_without_a_second_read(monkeypatch, cluster):
    conversation = cluster([
        KubeCall('GET', secret_path('team-a'), not_found('secrets', 'harbor-pull-secret')),
        KubeCall('GET', '/api/v1/namespaces/team-a', ok(terminating('team-a'))),
        KubeCall('GET', account_path('team-a'), ok(service_account('team-a'))),
        ROBOT_LOGS_IN,
    ])
    result, failed = run(monkeypatch, dict(ARGS, namespaces=['team-a']))
    assert failed and 'is being deleted' in result['msg'] and conversation.writes == []


def test_a_terminating_namespace_of_the_selector_is_refused(monkeypatch, cluster):
    listing = {'kind': 'NamespaceList', 'apiVersion': 'v1', 'metadata': {}, 'items': [terminating('team-z')]}
    conversation = cluster([
        KubeCall('GET', '/api/v1/namespaces', ok(listing), params={'labelSelector': 'harbor-pull=enabled', 'limit': 500}),
        KubeCall('GET', secret_path('team-z'), not_found('secrets', 'harbor-pull-secret')),
        ROBOT_LOGS_IN,
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespace_selector='harbor-pull=enabled', username=USERNAME,
                                           password=PASSWORD))
    assert failed and "namespace 'team-z' is being deleted" in result['msg'] and conversation.writes == []


def test_a_namespace_that_may_not_be_read_is_written_when_its_secret_is_stale(monkeypatch, cluster):
    # namespace-scoped RBAC: the namespace object answers 403, so it cannot be known to be Terminating
    cluster([
        secret_read('team-a', ok(secret('team-a', password='Old'))),
        ROBOT_LOGS_IN,
        KubeCall('GET', '/api/v1/namespaces/team-a', status(403, 'Forbidden', 'namespaces "team-a" is forbidden')),
        KubeCall('PATCH', secret_path('team-a'), ok(secret('team-a', version='21'))),
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], username=USERNAME, password=PASSWORD))
    assert not failed and result['namespaces']['team-a']['secret'] == 'updated'


def test_state_absent_neither_logs_in_nor_reads_the_namespace(monkeypatch, cluster):
    conversation = cluster([
        secret_read('team-a'),
        KubeCall('DELETE', secret_path('team-a'), ok({'kind': 'Status', 'status': 'Success'})),
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], state='absent'))
    assert not failed and result['namespaces']['team-a']['secret'] == 'deleted'
    assert conversation.requests == ['GET ' + secret_path('team-a'), 'DELETE ' + secret_path('team-a')]


# -- credentials and state=absent ----------------------------------------------------------------------------------

def test_rejected_credentials_write_nothing_anywhere(monkeypatch, cluster):
    conversation = cluster(fresh_cluster_reads() + [REJECTED])
    result, failed = run(monkeypatch, ARGS)
    assert failed and result['msg'].startswith("verify_credentials: Harbor at https://harbor.example.com rejected "
                                               "username 'robot$payments+puller'")
    assert 'written to no namespace' in result['msg'] and PASSWORD not in result['msg']
    assert conversation.writes == [] and conversation.requests[-1] == 'GET /users/current'


def test_a_rejected_new_password_is_not_distributed(monkeypatch, cluster):
    # every namespace holds the old password: the new one would be written everywhere, so it is checked first
    calls = [secret_read(name, ok(secret(name, password='Old-S3cret'))) for name in NAMESPACES]
    calls += [KubeCall('GET', account_path(name), ok(service_account(name, ['harbor-pull-secret']))) for name in NAMESPACES]
    conversation = cluster(calls + [REJECTED])
    result, failed = run(monkeypatch, ARGS)
    assert failed and result['msg'].startswith('verify_credentials:') and 'written to no namespace' in result['msg']
    assert conversation.writes == [] and PASSWORD not in json.dumps(result)


def test_rejected_credentials_fail_check_mode_when_something_would_be_written(monkeypatch, cluster):
    conversation = cluster(fresh_cluster_reads() + [REJECTED])
    result, failed = run(monkeypatch, ARGS, check_mode=True)
    assert failed and result['msg'].startswith('verify_credentials:') and conversation.writes == []


def test_without_verification_harbor_is_not_asked(monkeypatch, cluster):
    calls = fresh_cluster_reads()
    for name in NAMESPACES:
        calls += [KubeCall('POST', '/api/v1/namespaces/%s/secrets' % name, FakeResponse(201, secret(name)),
                           json=created_body(name)),
                  KubeCall('PATCH', account_path(name), ok(service_account(name, ['harbor-pull-secret'])))]
    conversation = cluster(calls)
    result, failed = run(monkeypatch, dict(ARGS, verify_credentials=False, harbor_url=None, registry='harbor.example.com'))
    assert not failed and result['changed']
    assert all(not entry.startswith('GET /users') for entry in conversation.requests)


def test_absent_removes_only_ours(monkeypatch, cluster):
    # no login and no namespace read with state=absent: the secrets locate the namespaces
    calls = [secret_read(name) for name in NAMESPACES]
    calls += [KubeCall('GET', account_path(name), ok(service_account(name, ['quay', 'harbor-pull-secret'])))
              for name in NAMESPACES]
    for name in NAMESPACES:
        calls += [KubeCall('PATCH', account_path(name), ok(service_account(name, ['quay'])), json={
            'imagePullSecrets': [{'name': 'quay'}], 'metadata': {'resourceVersion': '30'}}),
            KubeCall('DELETE', secret_path(name), ok({'kind': 'Status', 'status': 'Success'}))]
    cluster(calls)
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=NAMESPACES, service_accounts=['default'],
                                           state='absent'), diff=True)
    assert not failed and result['changed'] and 'registry' not in result
    assert result['namespaces']['team-a'] == dict(secret='deleted', namespace_created=False,
                                                  patched_service_accounts=['default'])
    assert result['diff']['after']['team-a'] == dict(secret=None, service_accounts={'default': ['quay']})


def test_absent_removes_the_last_reference_entirely(monkeypatch, cluster):
    cluster(no_secret_yet('team-a') + [
        KubeCall('GET', account_path('team-a'), ok(service_account('team-a', ['harbor-pull-secret']))),
        KubeCall('PATCH', account_path('team-a'), ok(service_account('team-a')), json={
            'imagePullSecrets': None, 'metadata': {'resourceVersion': '30'}}),
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], service_accounts=['default'],
                                           state='absent'))
    assert not failed and result['namespaces']['team-a']['secret'] == 'absent' and result['changed']


def test_absent_idempotent_and_missing_namespaces_are_fine(monkeypatch, cluster):
    conversation = cluster(no_secret_yet('team-a') + [
        KubeCall('GET', secret_path('gone'), not_found('secrets', 'harbor-pull-secret')),
        KubeCall('GET', '/api/v1/namespaces/gone', not_found('namespaces', 'gone')),
        KubeCall('GET', account_path('team-a'), ok(service_account('team-a', ['quay']))),
    ])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a', 'gone'], service_accounts=['default'],
                                           state='absent'))
    assert not failed and not result['changed'] and conversation.writes == []
    assert result['namespaces']['gone']['secret'] == 'absent'


def test_absent_check_mode(monkeypatch, cluster):
    conversation = cluster([secret_read('team-a')])
    result, failed = run(monkeypatch, dict(KUBE_ARGS, namespaces=['team-a'], state='absent'), check_mode=True)
    assert not failed and result['changed'] and result['namespaces']['team-a']['secret'] == 'deleted'
    assert conversation.writes == []


# -- bad input: a clear error naming the option, and not one request ---------------------------------------------

@pytest.mark.parametrize('changes, option', [
    (dict(name='Harbor_Pull'), 'name'),
    (dict(namespaces=['Team-A']), 'namespaces'),
    (dict(namespaces=['a' * 64]), 'namespaces'),
    (dict(service_accounts=['bad account']), 'service_accounts'),
    (dict(namespace_selector='team in (a,'), 'namespace_selector'),
    (dict(namespace_selector=''), 'namespace_selector'),
    (dict(labels={'bad key!': 'x'}), 'labels'),
    (dict(labels={'team': 'not valid!'}), 'labels'),
    (dict(labels={'enabled': True}), 'labels'),
    (dict(annotations={'/nope': 'x'}), 'annotations'),
    (dict(registry='https://'), 'registry'),
    (dict(password=None), 'password'),
    (dict(password=''), 'password'),
    (dict(username=None), 'username'),
    (dict(username='', verify_credentials=False), 'username'),
    (dict(namespaces=[]), 'namespaces'),
    (dict(harbor_url=None), 'harbor_url'),
    (dict(state='gone'), 'state'),
])
def test_bad_input_fails_before_any_request(monkeypatch, cluster, changes, option):
    conversation = cluster([])
    result, failed = run(monkeypatch, dict(ARGS, **changes))
    assert failed and option in result['msg']
    assert conversation.requests == []


def test_a_missing_kubeconfig_file_is_named(monkeypatch, cluster, tmp_path):
    conversation = cluster([])
    args = dict(ARGS, host=None, api_key=None, kubeconfig=str(tmp_path / 'nope.yaml'))
    result, failed = run(monkeypatch, args)
    assert failed and result['msg'].startswith('kubeconfig: the file') and conversation.requests == []
