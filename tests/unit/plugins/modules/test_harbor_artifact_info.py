# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_artifact_info against scripted Harbor conversations."""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_artifact_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

DIGEST = 'sha256:' + '1' * 64
OTHER = 'sha256:' + '2' * 64
SIGNATURE = 'sha256:' + '3' * 64
DETAILS = {'with_tag': 'true', 'with_label': 'true', 'with_scan_overview': 'true', 'with_sbom_overview': 'true',
           'with_accessory': 'true'}
PAGE = dict(DETAILS, page=1, page_size=100)
PROJECT = Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'}))
API = {'digest': DIGEST, 'type': 'IMAGE', 'media_type': 'application/vnd.oci.image.config.v1+json', 'size': 10,
       'tags': [{'name': '2.3.4'}], 'accessories': [{'type': 'signature.cosign', 'digest': SIGNATURE}],
       'scan_overview': {'application/vnd.security.vulnerability.report; version=1.1': {
           'scan_status': 'Success', 'severity': 'High', 'summary': {'total': 1, 'summary': {'High': 1}}}}}
WEB = {'digest': OTHER, 'type': 'CHART', 'tags': None}


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_artifact_info.main, monkeypatch, args, **kwargs)


def listed(path, *artifacts):
    return Call('GET', path, FakeResponse(200, list(artifacts), {'X-Total-Count': str(len(artifacts))}), params=PAGE)


def test_every_repository_of_the_project(monkeypatch, harbor):
    harbor([
        PROJECT,
        Call('GET', '/projects/payments/repositories',
             FakeResponse(200, [{'name': 'payments/team/web'}, {'name': 'payments/api'}], {'X-Total-Count': '2'})),
        listed('/projects/payments/repositories/api/artifacts', API),
        listed('/projects/payments/repositories/team%252Fweb/artifacts', WEB),
    ])
    result, failed = run(monkeypatch, dict(project='payments', query="[?signed].digest"))
    assert not failed and not result['changed']
    assert [(item['repository'], item['digest']) for item in result['artifacts']] == [('api', DIGEST), ('team/web', OTHER)]
    api = result['artifacts'][0]
    assert api['signed'] and api['signatures'] == [SIGNATURE] and api['tags'] == ['2.3.4']
    assert api['scan']['status'] == 'Success' and api['scan']['summary'] == {'High': 1}
    assert result['artifacts'][1]['scan'] is None and result['artifacts'][1]['tags'] == []
    assert result['query_result'] == [DIGEST]


def test_one_reference_in_one_repository(monkeypatch, harbor):
    harbor([PROJECT, Call('GET', '/projects/payments/repositories/team%252Fweb/artifacts/' + OTHER.replace(':', '%3A'),
                          FakeResponse(200, WEB), params=DETAILS)])
    result, failed = run(monkeypatch, dict(project='payments', repository='team/web', reference=OTHER), check_mode=True)
    assert not failed and [item['digest'] for item in result['artifacts']] == [OTHER]


def test_an_unknown_reference_is_an_empty_list(monkeypatch, harbor):
    harbor([PROJECT, Call('GET', '/projects/payments/repositories/api/artifacts/9.9',
                          FakeResponse(404, error_body('NOT_FOUND', 'artifact payments/api:9.9 not found')))])
    result, failed = run(monkeypatch, dict(project='payments', repository='api', reference='9.9'))
    assert not failed and result['artifacts'] == []


def test_a_missing_project_is_an_error(monkeypatch, harbor):
    harbor([Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))])
    result, failed = run(monkeypatch, dict(project='payments'))
    assert failed and "project 'payments' does not exist" in result['msg']


def test_bad_input_fails_before_any_request(monkeypatch, harbor):
    conversation = harbor([])
    for args, complaint in [(dict(project='Payments'), 'not a valid Harbor name'),
                            (dict(project='payments', repository='Api'), 'not a repository name'),
                            (dict(project='payments', reference='bad tag!'), 'is neither a tag'),
                            (dict(project='payments', query='[?'), 'not a valid JMESPath')]:
        result, failed = run(monkeypatch, args)
        assert failed and complaint in result['msg'], result['msg']
        assert 'Secr3tPassw0rd' not in str(result)
    assert conversation.seen == []
