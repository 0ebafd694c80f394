# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The artifact_digest lookup against scripted Harbor conversations, loaded as Ansible loads it."""

from __future__ import annotations

import os

import pytest

from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import init_plugin_loader, lookup_loader

from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
)

# tests/unit/plugins/lookup -> the directory that holds ansible_collections/cloudtemple/harbor
COLLECTIONS_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), *(['..'] * 7)))
DIGEST = 'sha256:' + '1' * 64
PASSWORD = 'Secr3tPassw0rd'
EXISTS = Call('HEAD', '/projects', FakeResponse(200), params={'project_name': 'payments'})
UNKNOWN = Call('HEAD', '/projects', FakeResponse(404), params={'project_name': 'payments'})
# Under ansible-test the collection finder is already in place; init_plugin_loader says so.
pytestmark = pytest.mark.filterwarnings('ignore:AnsibleCollectionFinder has already been configured')
CONNECTION = dict(harbor_url='https://harbor.example.com', harbor_username='admin', harbor_password=PASSWORD)


@pytest.fixture
def lookup(monkeypatch):
    for name in ('HARBOR_URL', 'HARBOR_USERNAME', 'HARBOR_PASSWORD', 'HARBOR_VALIDATE_CERTS'):
        monkeypatch.delenv(name, raising=False)
    init_plugin_loader([COLLECTIONS_DIR])
    plugin = lookup_loader.get('cloudtemple.harbor.artifact_digest')
    assert plugin is not None
    return plugin


def artifact(path, body=None, status=200):
    code = 'NOT_FOUND' if status == 404 else 'FORBIDDEN'
    answer = FakeResponse(status, body if status == 200 else error_body(code, 'artifact not found'))
    return Call('GET', '/projects/payments/repositories/%s' % path, answer, params={})


def test_a_tag_gives_its_digest(lookup, harbor):
    # No project read: a CI robot may read artifacts without it.
    harbor([artifact('api/artifacts/2.3.4', {'digest': DIGEST})])
    assert lookup.run(['payments/api:2.3.4'], variables={}, **CONNECTION) == [DIGEST]


def test_image_gives_a_reference_by_digest_and_the_slash_is_encoded_twice(lookup, harbor):
    harbor([artifact('team%252Fapi/artifacts/v1', {'digest': DIGEST})])
    assert lookup.run(['payments/team/api:v1'], variables={}, image=True, **CONNECTION) == \
        ['harbor.example.com/payments/team/api@' + DIGEST]


def test_registry_host_and_the_environment(lookup, harbor, monkeypatch):
    monkeypatch.setenv('HARBOR_URL', 'https://harbor.example.com')
    monkeypatch.setenv('HARBOR_USERNAME', 'robot$payments+ci')
    monkeypatch.setenv('HARBOR_PASSWORD', PASSWORD)
    harbor([Call('GET', '/projects/payments/repositories/api/artifacts/2.3.4', FakeResponse(200, {'digest': DIGEST}),
                 auth=('robot$payments+ci', PASSWORD))])
    assert lookup.run(['payments/api:2.3.4'], variables={}, image=True, registry_host='registry.example.com:5000') == \
        ['registry.example.com:5000/payments/api@' + DIGEST]


def test_a_missing_artifact_is_a_clear_error(lookup, harbor):
    harbor([artifact('api/artifacts/9.9', status=404), EXISTS])
    with pytest.raises(AnsibleLookupError) as error:
        lookup.run(['payments/api:9.9'], variables={}, **CONNECTION)
    assert 'artifact payments/api:9.9 does not exist' in str(error.value) and PASSWORD not in str(error.value)


@pytest.mark.parametrize('status', [404, 403])
def test_a_missing_project_is_a_clear_error(lookup, harbor, status):
    # Harbor answers 403 to a non-administrator for a project that does not exist.
    harbor([artifact('api/artifacts/2.3.4', status=status), UNKNOWN])
    with pytest.raises(AnsibleLookupError) as error:
        lookup.run(['payments/api:2.3.4'], variables={}, **CONNECTION)
    assert "project 'payments' does not exist" in str(error.value)


def test_a_project_that_exists_but_is_not_readable_is_a_403(lookup, harbor):
    harbor([artifact('api/artifacts/2.3.4', status=403), EXISTS])
    with pytest.raises(AnsibleLookupError) as error:
        lookup.run(['payments/api:2.3.4'], variables={}, **CONNECTION)
    assert 'lacks artifact:read on project payments' in str(error.value)


def test_rejected_credentials_never_show_the_password(lookup, harbor):
    harbor([Call('GET', '/projects/payments/repositories/api/artifacts/2.3.4',
                 FakeResponse(401, error_body('UNAUTHORIZED', 'unauthorized'))),
            Call('GET', '/users/current', FakeResponse(401, error_body('UNAUTHORIZED', 'unauthorized')))])
    with pytest.raises(AnsibleLookupError) as error:
        lookup.run(['payments/api:2.3.4'], variables={}, **CONNECTION)
    assert 'rejected the credentials' in str(error.value) and PASSWORD not in str(error.value)


def test_a_term_without_a_tag_fails_before_any_request(lookup, harbor):
    conversation = harbor([])
    with pytest.raises(AnsibleLookupError) as error:
        lookup.run(['payments/api'], variables={}, **CONNECTION)
    assert 'must name an artifact' in str(error.value) and conversation.seen == []
