# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_project against scripted Harbor conversations: every request it sends is asserted, in order."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_project
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

SEED_SETTINGS = dict(name='payments', public=False, auto_scan=True, prevent_vulnerable=True, severity='high',
                     content_trust_cosign=True)

PAYMENTS = {
    'project_id': 12, 'name': 'payments', 'registry_id': 0, 'repo_count': 0, 'owner_name': 'admin',
    'metadata': {'public': 'false', 'auto_scan': 'true', 'prevent_vul': 'true', 'severity': 'high',
                 'enable_content_trust_cosign': 'true'},
    'cve_allowlist': {'id': 3, 'project_id': 12, 'items': [], 'expires_at': None},
}


def project(**changes):
    body = copy.deepcopy(PAYMENTS)
    for key, value in changes.items():
        if key == 'metadata':
            body['metadata'].update(value)
        else:
            body[key] = value
    return body


def get_payments(body=None):
    return Call('GET', '/projects/payments', FakeResponse(200, body or project()))


MISSING = Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_project.main, monkeypatch, args, **kwargs)


# The four-way matrix: change, idempotent, check mode, check mode idempotent.

def test_create(monkeypatch, harbor):
    harbor([
        MISSING,
        Call('POST', '/projects', FakeResponse(201, headers={'Location': '/api/v2.0/projects/12'}),
             json={'project_name': 'payments', 'metadata': {
                 'public': 'false', 'auto_scan': 'true', 'prevent_vul': 'true', 'severity': 'high',
                 'enable_content_trust_cosign': 'true'}}),
        get_payments(),
    ])
    result, failed = run(monkeypatch, SEED_SETTINGS, diff=True)
    assert not failed and result['changed']
    assert result['project']['project_id'] == 12
    assert result['diff']['before'] == {}
    assert result['diff']['after']['severity'] == 'high'


def test_create_idempotent(monkeypatch, harbor):
    conversation = harbor([get_payments()])
    result, failed = run(monkeypatch, SEED_SETTINGS)
    assert not failed and not result['changed']
    assert conversation.methods == ['GET']


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor([MISSING])
    result, failed = run(monkeypatch, SEED_SETTINGS, check_mode=True)
    assert not failed and result['changed']
    assert result['project']['metadata']['severity'] == 'high'
    assert conversation.methods == ['GET']


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([get_payments()])
    result, failed = run(monkeypatch, SEED_SETTINGS, check_mode=True)
    assert not failed and not result['changed']
    assert conversation.methods == ['GET']


def test_create_sets_the_allowlist_after_the_post_because_harbor_ignores_it_there(monkeypatch, harbor):
    harbor([
        MISSING,
        Call('POST', '/projects', FakeResponse(201, headers={'Location': '/api/v2.0/projects/12'}),
             json={'project_name': 'payments', 'metadata': {'public': 'false'}}),
        Call('PUT', '/projects/payments', FakeResponse(200), json={'cve_allowlist': {
            'project_id': 12, 'items': [{'cve_id': 'CVE-2024-0001'}], 'expires_at': None}}),
        get_payments(),
    ])
    result, failed = run(monkeypatch, dict(name='payments', cve_allowlist=['CVE-2024-0001']))
    assert not failed and result['changed']


def test_a_loop_creating_projects_reads_the_project_list_once(monkeypatch, harbor):
    """Loop items in one process: from the second project on, the list (kept up to date by each creation) tells
    an administrator which projects do not exist; each project is still read back once created."""

    def created(name, project_id):
        return [Call('POST', '/projects', FakeResponse(201, headers={'Location': '/api/v2.0/projects/%d' % project_id})),
                Call('GET', '/projects/%s' % name, FakeResponse(200, project(name=name, project_id=project_id)))]
    conversation = harbor(
        [Call('GET', '/projects/p1', FakeResponse(404, error_body('NOT_FOUND', 'no')))] + created('p1', 1)
        + [Call('GET', '/projects', FakeResponse(200, [project(name='p1', project_id=1)], {'X-Total-Count': '1'}),
                params={'page': 1, 'page_size': 100, 'with_detail': 'true'}),
           Call('GET', '/users/current', FakeResponse(200, {'username': 'admin', 'sysadmin_flag': True}))]
        + created('p2', 2) + created('p3', 3))
    for index, name in enumerate(('p1', 'p2', 'p3', 'p2')):
        result, failed = run(monkeypatch, dict(SEED_SETTINGS, name=name), fresh_process=index == 0)
        assert not failed and result['changed'] == (index < 3)
        assert result['project']['name'] == name
    assert len(conversation.seen) == 9  # by name: 10, then 1 more for p2 again


def test_update_sends_only_the_changed_metadata(monkeypatch, harbor):
    harbor([
        get_payments(project(metadata={'auto_scan': 'false', 'severity': 'low'})),
        Call('PUT', '/projects/payments', FakeResponse(200), json={'metadata': {'auto_scan': 'true', 'severity': 'high'}}),
        get_payments(),
    ])
    result, failed = run(monkeypatch, SEED_SETTINGS, diff=True)
    assert not failed and result['changed']
    assert result['diff']['before']['auto_scan'] is False and result['diff']['after']['auto_scan'] is True


def test_update_check_mode(monkeypatch, harbor):
    conversation = harbor([get_payments(project(metadata={'auto_scan': 'false'}))])
    result, failed = run(monkeypatch, SEED_SETTINGS, check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']


def test_missing_metadata_keys_count_as_false(monkeypatch, harbor):
    harbor([get_payments(project(metadata={'auto_scan': None}))])
    # PAYMENTS has no reuse_sys_cve_allowlist key at all.
    result, _failed = run(monkeypatch, dict(name='payments', reuse_sys_cve_allowlist=False))
    assert not result['changed']


def test_cve_allowlist_order_does_not_matter(monkeypatch, harbor):
    items = [{'cve_id': 'CVE-2024-0002'}, {'cve_id': 'CVE-2024-0001'}]
    harbor([get_payments(project(cve_allowlist={'project_id': 12, 'items': items}))])
    result, _failed = run(monkeypatch, dict(name='payments', cve_allowlist=['CVE-2024-0001', 'CVE-2024-0002']))
    assert not result['changed']


def test_changing_only_the_allowlist_expiry_resends_the_current_items(monkeypatch, harbor):
    harbor([
        get_payments(project(cve_allowlist={'project_id': 12, 'items': [{'cve_id': 'CVE-2024-0001'}], 'expires_at': None})),
        Call('PUT', '/projects/payments', FakeResponse(200), json={'cve_allowlist': {
            'project_id': 12, 'items': [{'cve_id': 'CVE-2024-0001'}], 'expires_at': 1767225600}}),
        get_payments(),
    ])
    result, failed = run(monkeypatch, dict(name='payments', cve_allowlist_expires_at=1767225600))
    assert not failed and result['changed']


def test_storage_quota_goes_through_the_quota_api(monkeypatch, harbor):
    quota = [{'id': 5, 'ref': {'id': 12}, 'hard': {'storage': -1}, 'used': {'storage': 0}}]
    harbor([
        get_payments(),
        Call('GET', '/quotas', FakeResponse(200, quota), params={'reference': 'project', 'reference_id': 12}),
        Call('PUT', '/quotas/5', FakeResponse(200), json={'hard': {'storage': 10 * 1024 ** 3}}),
        get_payments(),
    ])
    result, failed = run(monkeypatch, dict(name='payments', storage_quota='10GiB'), diff=True)
    assert not failed and result['changed']
    assert result['diff'] == {'before': {'name': 'payments', 'storage_quota': '-1'},
                              'after': {'name': 'payments', 'storage_quota': '10GiB'}}


def test_storage_quota_idempotent_in_other_units(monkeypatch, harbor):
    quota = [{'id': 5, 'hard': {'storage': 10 * 1024 ** 3}}]
    conversation = harbor([get_payments(), Call('GET', '/quotas', FakeResponse(200, quota))])
    result, _failed = run(monkeypatch, dict(name='payments', storage_quota='10240MiB'))
    assert not result['changed'] and conversation.methods == ['GET', 'GET']


def test_storage_quota_by_a_non_admin_fails_before_any_write(monkeypatch, harbor):
    conversation = harbor([
        MISSING,
        Call('GET', '/users/current', FakeResponse(200, {'username': 'dev', 'sysadmin_flag': False})),
    ])
    result, failed = run(monkeypatch, dict(name='payments', storage_quota='1GiB', harbor_username='dev'))
    assert failed and 'system administrator' in result['msg']
    assert conversation.methods == ['GET', 'GET']


def test_sbom_generation_is_gated_on_harbor_2_11(monkeypatch, harbor):
    conversation = harbor([
        get_payments(),
        Call('GET', '/systeminfo', FakeResponse(200, {'harbor_version': 'v2.10.3-abcdef'})),
    ])
    result, failed = run(monkeypatch, dict(name='payments', auto_sbom_generation=True))
    assert failed and 'auto_sbom_generation needs Harbor 2.11' in result['msg']
    assert conversation.methods == ['GET', 'GET']


def test_proxy_cache_registry_cannot_change(monkeypatch, harbor):
    harbor([
        get_payments(project(registry_id=2)),
        Call('GET', '/registries/2', FakeResponse(200, {'id': 2, 'name': 'dockerhub'})),
    ])
    result, failed = run(monkeypatch, dict(name='payments', proxy_cache_registry='quay'))
    assert failed and 'proxy_cache_registry cannot be changed' in result['msg']


def test_proxy_speed_needs_a_proxy_project(monkeypatch, harbor):
    harbor([get_payments()])
    result, failed = run(monkeypatch, dict(name='payments', proxy_speed_kb=1024))
    assert failed and 'proxy cache' in result['msg']


def test_proxy_cache_project_is_created_with_the_registry_id(monkeypatch, harbor):
    harbor([
        Call('GET', '/projects/hub', FakeResponse(404, error_body('NOT_FOUND', 'x'))),
        Call('GET', '/registries', FakeResponse(200, [{'id': 4, 'name': 'dockerhub'}], {'X-Total-Count': '1'})),
        Call('POST', '/projects', FakeResponse(201), json={
            'project_name': 'hub', 'registry_id': 4, 'metadata': {'public': 'false', 'proxy_speed_kb': '2048'}}),
        Call('GET', '/projects/hub', FakeResponse(200, project(name='hub', registry_id=4))),
    ])
    result, failed = run(monkeypatch, dict(name='hub', proxy_cache_registry='dockerhub', proxy_speed_kb=2048))
    assert not failed and result['changed']


# Deletion.

def test_delete_and_delete_again(monkeypatch, harbor):
    harbor([get_payments(), Call('DELETE', '/projects/payments', FakeResponse(200))])
    result, failed = run(monkeypatch, dict(name='payments', state='absent'))
    assert not failed and result['changed'] and result['project'] == {}
    harbor([MISSING])
    result, failed = run(monkeypatch, dict(name='payments', state='absent'))
    assert not failed and not result['changed']


def test_delete_check_mode(monkeypatch, harbor):
    conversation = harbor([get_payments()])
    result, _failed = run(monkeypatch, dict(name='payments', state='absent'), check_mode=True)
    assert result['changed'] and conversation.methods == ['GET']


def test_delete_with_repositories_needs_force(monkeypatch, harbor):
    conversation = harbor([get_payments(project(repo_count=2))])
    result, failed = run(monkeypatch, dict(name='payments', state='absent'))
    assert failed and 'force: true' in result['msg'] and '2 repositories' in result['msg']
    assert conversation.methods == ['GET']


def test_delete_with_force_deletes_repositories_first(monkeypatch, harbor):
    repositories = [{'name': 'payments/api'}, {'name': 'payments/team/worker'}]
    harbor([
        get_payments(project(repo_count=2)),
        Call('GET', '/projects/payments/repositories', FakeResponse(200, repositories, {'X-Total-Count': '2'})),
        Call('DELETE', '/projects/payments/repositories/api', FakeResponse(200)),
        Call('DELETE', '/projects/payments/repositories/team%252Fworker', FakeResponse(200)),
        Call('DELETE', '/projects/payments', FakeResponse(200)),
    ])
    result, failed = run(monkeypatch, dict(name='payments', state='absent', force=True))
    assert not failed and result['changed']


def test_delete_race_with_a_new_repository_gives_the_clear_message(monkeypatch, harbor):
    harbor([
        get_payments(),
        Call('DELETE', '/projects/payments', FakeResponse(412, error_body(
            'PRECONDITION', 'precondition failed: the project contains repositories, can not be deleted'))),
    ])
    result, failed = run(monkeypatch, dict(name='payments', state='absent'))
    assert failed and 'force: true' in result['msg'] and result['status'] == 412


# Bad input fails before the first request.

@pytest.mark.parametrize('args, fragment', [
    (dict(name='Payments'), 'name'),
    (dict(name='pay ments'), 'name'),
    (dict(name='-payments'), 'name'),
    (dict(name='a' * 256), 'name must be 1 to 255'),
    (dict(name='payments', severity='severe'), 'severity'),
    (dict(name='payments', storage_quota='10GB'), 'storage_quota'),
    (dict(name='payments', storage_quota='0'), 'storage_quota'),
    (dict(name='payments', storage_quota='2048TiB'), 'storage_quota'),
    (dict(name='payments', cve_allowlist=['CVE-2024-1', 'log4shell']), 'cve_allowlist'),
    (dict(name='payments', cve_allowlist_expires_at=-5), 'cve_allowlist_expires_at'),
    (dict(name='payments', proxy_speed_kb=-2), 'proxy_speed_kb'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, fragment):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and fragment in result['msg']
    assert conversation.seen == []


def test_rejected_credentials_say_so(monkeypatch, harbor):
    harbor([
        Call('GET', '/projects/payments', FakeResponse(401, error_body('UNAUTHORIZED', 'unauthorized'))),
        Call('GET', '/users/current', FakeResponse(401, error_body('UNAUTHORIZED', 'unauthorized'))),
    ])
    result, failed = run(monkeypatch, SEED_SETTINGS)
    assert failed and 'rejected the credentials' in result['msg']
    assert 'not found' not in result['msg'] and 'Secr3tPassw0rd' not in repr(result)


# The project's scanner (/projects/{p}/scanner), chosen by the registration's name.

CANDIDATES = Call('GET', '/projects/payments/scanner/candidates', FakeResponse(200, [
    {'uuid': 'u-grype', 'name': 'grype'}, {'uuid': 'u-grype-old', 'name': 'grype-old'}]),
    params={'q': 'name=grype', 'page': 1, 'page_size': 100})


def project_scanner(name):
    return Call('GET', '/projects/payments/scanner', FakeResponse(200, {'uuid': 'u-' + name, 'name': name}))


def test_scanner_of_an_existing_project(monkeypatch, harbor):
    harbor([get_payments(), CANDIDATES, project_scanner('trivy'),
            Call('PUT', '/projects/payments/scanner', json={'uuid': 'u-grype'}), get_payments()])
    result, failed = run(monkeypatch, dict(name='payments', scanner='grype'), diff=True)
    assert not failed and result['changed']
    assert result['diff'] == {'before': {'name': 'payments', 'scanner': 'trivy'},
                              'after': {'name': 'payments', 'scanner': 'grype'}}


def test_scanner_idempotent(monkeypatch, harbor):
    conversation = harbor([get_payments(), CANDIDATES, project_scanner('grype')])
    result, failed = run(monkeypatch, dict(name='payments', scanner='grype'))
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET', 'GET']


def test_scanner_check_mode(monkeypatch, harbor):
    conversation = harbor([get_payments(), CANDIDATES, project_scanner('trivy')])
    result, failed = run(monkeypatch, dict(name='payments', scanner='grype'), check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET', 'GET', 'GET']


def test_scanner_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([get_payments(), CANDIDATES, project_scanner('grype')])
    result, failed = run(monkeypatch, dict(name='payments', scanner='grype'), check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET', 'GET']


def test_a_new_project_gets_its_scanner_after_creation(monkeypatch, harbor):
    harbor([
        MISSING,
        Call('GET', '/scanners', FakeResponse(200, [{'uuid': 'u-grype', 'name': 'grype'}]),
             params={'q': 'name=grype', 'page': 1, 'page_size': 100}),
        Call('POST', '/projects', FakeResponse(201, headers={'Location': '/api/v2.0/projects/12'})),
        Call('PUT', '/projects/payments/scanner', json={'uuid': 'u-grype'}),
        get_payments(),
    ])
    result, failed = run(monkeypatch, dict(name='payments', scanner='grype'))
    assert not failed and result['changed']


def test_an_unknown_scanner_fails_before_any_write(monkeypatch, harbor):
    conversation = harbor([get_payments(), Call('GET', '/projects/payments/scanner/candidates', FakeResponse(200, []))])
    result, failed = run(monkeypatch, dict(name='payments', scanner='grype'))
    assert failed and "scanner 'grype' is not registered" in result['msg']
    assert conversation.methods == ['GET', 'GET']
