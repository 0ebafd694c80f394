# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_rollout against a scripted Kubernetes API server: set one container's image of a Deployment."""

from __future__ import annotations

import copy
import json

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_rollout
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import run_module
from ansible_collections.cloudtemple.harbor.tests.unit.kube_fakes import (  # pylint: disable=unused-import
    KUBE_ARGS,
    TOKEN,
    KubeCall,
    cluster,
    not_found,
    ok,
    status,
)

PATH = '/apis/apps/v1/namespaces/payments-prod/deployments/api'
OLD = 'harbor.example.com/payments/api:2.3.3'
NEW = 'harbor.example.com/payments-prod/api@sha256:' + 'ab' * 32
ARGS = dict(KUBE_ARGS, namespace='payments-prod', name='api', container='api', image=NEW)
SMP = 'application/strategic-merge-patch+json'


def deployment(image=OLD, version='40', generation=3):
    return {'kind': 'Deployment', 'apiVersion': 'apps/v1',
            'metadata': {'name': 'api', 'namespace': 'payments-prod', 'resourceVersion': version,
                         'generation': generation},
            'spec': {'template': {'spec': {'containers': [{'name': 'api', 'image': image},
                                                          {'name': 'proxy', 'image': 'envoy:1'}]}}}}


def patch_body(version):
    return {'spec': {'template': {'spec': {'containers': [{'name': 'api', 'image': NEW}]}}},
            'metadata': {'resourceVersion': version}}


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_rollout.main, monkeypatch, args, **kwargs)


def test_rollout(monkeypatch, cluster):
    cluster([KubeCall('GET', PATH, ok(deployment())),
             KubeCall('PATCH', PATH, ok(deployment(NEW, '41', 4)), json=patch_body('40'), content_type=SMP)])
    result, failed = run(monkeypatch, ARGS, diff=True)
    assert not failed and result['changed']
    assert (result['previous_image'], result['image'], result['generation']) == (OLD, NEW, 4)
    assert result['diff']['before'] == {'image': OLD} and result['diff']['after'] == {'image': NEW}


def test_rollout_idempotent_reads_only(monkeypatch, cluster):
    conversation = cluster([KubeCall('GET', PATH, ok(deployment(NEW)))])
    result, failed = run(monkeypatch, ARGS)
    assert not failed and not result['changed'] and result['previous_image'] == NEW
    assert conversation.writes == []


def test_rollout_check_mode(monkeypatch, cluster):
    conversation = cluster([KubeCall('GET', PATH, ok(deployment()))])
    result, failed = run(monkeypatch, ARGS, check_mode=True, diff=True)
    assert not failed and result['changed'] and result['generation'] == 3
    assert result['diff']['after'] == {'image': NEW}
    assert conversation.writes == []


def test_rollout_check_mode_idempotent(monkeypatch, cluster):
    conversation = cluster([KubeCall('GET', PATH, ok(deployment(NEW)))])
    result, failed = run(monkeypatch, ARGS, check_mode=True)
    assert not failed and not result['changed']
    assert conversation.writes == []


def test_a_concurrent_change_is_read_again_and_compared(monkeypatch, cluster):
    conflict = status(409, 'Conflict', 'Operation cannot be fulfilled on deployments.apps "api": the object has been '
                                       'modified; please apply your changes to the latest version and try again')
    # someone else rolled something out meanwhile: read again, patch with the new resourceVersion
    cluster([KubeCall('GET', PATH, ok(deployment())),
             KubeCall('PATCH', PATH, conflict, json=patch_body('40')),
             KubeCall('GET', PATH, ok(deployment('harbor.example.com/payments/api:hotfix', '42', 4))),
             KubeCall('PATCH', PATH, ok(deployment(NEW, '43', 5)), json=patch_body('42'))])
    result, failed = run(monkeypatch, ARGS)
    assert not failed and result['changed'] and result['generation'] == 5


def test_a_conflict_with_the_same_image_ends_unchanged_on_the_cluster(monkeypatch, cluster):
    conflict = status(409, 'Conflict', 'the object has been modified')
    conversation = cluster([KubeCall('GET', PATH, ok(deployment())),
                            KubeCall('PATCH', PATH, conflict, json=patch_body('40')),
                            KubeCall('GET', PATH, ok(deployment(NEW, '41', 4)))])
    result, failed = run(monkeypatch, ARGS)
    assert not failed and result['changed']
    assert conversation.writes == ['PATCH ' + PATH]


def test_missing_deployment_and_container_are_clear_errors(monkeypatch, cluster):
    cluster([KubeCall('GET', PATH, not_found('deployments.apps', 'api'))])
    result, failed = run(monkeypatch, ARGS)
    assert failed and result['msg'] == 'Deployment payments-prod/api does not exist: create it first, or fix namespace ' \
                                       'and name'
    conversation = cluster([KubeCall('GET', PATH, ok(deployment()))])
    result, failed = run(monkeypatch, dict(ARGS, container='web'))
    assert failed and result['msg'] == "container: Deployment payments-prod/api has no container 'web' (its " \
                                       "containers: api, proxy)"
    assert conversation.writes == []


def test_bad_input_is_refused_before_any_request(monkeypatch, cluster):
    for option, value in (('namespace', 'Payments'), ('name', 'api_v2'), ('container', '-api'), ('image', 'a b')):
        conversation = cluster([])
        result, failed = run(monkeypatch, dict(ARGS, **{option: value}))
        assert failed and result['msg'].startswith(option), result
        assert conversation.requests == []


def test_the_token_never_reaches_the_result(monkeypatch, cluster):
    cluster([KubeCall('GET', PATH, status(403, 'Forbidden', 'deployments.apps "api" is forbidden'))])
    result, failed = run(monkeypatch, ARGS)
    assert failed and 'forbidden' in result['msg']
    assert TOKEN not in json.dumps(result)


def test_the_other_containers_are_not_in_the_patch(monkeypatch, cluster):
    conversation = cluster([KubeCall('GET', PATH, ok(deployment())),
                            KubeCall('PATCH', PATH, ok(deployment(NEW, '41', 4)))])
    run(monkeypatch, ARGS)
    sent = copy.deepcopy(conversation.seen[-1][3])
    assert sent['spec']['template']['spec']['containers'] == [{'name': 'api', 'image': NEW}]
