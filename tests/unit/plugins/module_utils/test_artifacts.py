# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""artifacts.py: references, paths, the description of an artifact and the scan gate's arithmetic."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.artifacts import (
    VULNERABILITY_REPORT,
    artifacts_path,
    blocking_findings,
    check_reference,
    describe_artifact,
    format_reference,
    image_reference,
    parse_reference,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

DIGEST = 'sha256:' + 'a' * 64
SIGNATURE = 'sha256:' + 'b' * 64
SBOM = 'sha256:' + 'c' * 64


@pytest.mark.parametrize('text, expected', [
    ('payments/api:2.3.4', dict(project='payments', repository='api', reference='2.3.4')),
    ('payments/team/api:v1', dict(project='payments', repository='team/api', reference='v1')),
    ('payments/api@' + DIGEST, dict(project='payments', repository='api', reference=DIGEST)),
    ('payments/team/api@' + DIGEST, dict(project='payments', repository='team/api', reference=DIGEST)),
])
def test_parse_reference(text, expected):
    assert parse_reference(text) == expected
    assert format_reference(**expected) == text


@pytest.mark.parametrize('text, complaint', [
    ('payments/api', 'must name an artifact'),
    ('api:2.3.4', 'must name an artifact'),
    ('payments/api@sha256:abc', 'neither a tag nor'),
    ('Payments/api:1', 'not a valid Harbor name'),
    ('payments/API:1', 'not a repository name'),
    ('payments/api:bad tag', 'neither a tag nor'),
    ('', 'must name an artifact'),
])
def test_parse_reference_refuses(text, complaint):
    with pytest.raises(ValidationError) as error:
        parse_reference(text, option='_terms')
    assert complaint in str(error.value).replace(' (letters, digits, "_", "." and "-", up to 128 characters)', '')
    assert str(error.value).startswith('_terms')


def test_check_reference_takes_a_tag_or_a_digest():
    assert check_reference('reference', DIGEST) == DIGEST
    assert check_reference('reference', 'latest') == 'latest'
    with pytest.raises(ValidationError):
        check_reference('reference', 'sha256:' + 'A' * 64)


def test_repository_names_with_a_slash_are_encoded_twice():
    assert artifacts_path('payments', 'team/api', DIGEST, '/scan') == \
        '/projects/payments/repositories/team%252Fapi/artifacts/sha256%3A' + 'a' * 64 + '/scan'


def test_describe_artifact():
    raw = {
        'digest': DIGEST, 'type': 'IMAGE', 'media_type': 'application/vnd.oci.image.config.v1+json',
        'manifest_media_type': 'application/vnd.oci.image.manifest.v1+json', 'size': 1234,
        'push_time': '2026-01-05T10:00:00.000Z', 'pull_time': '0001-01-01T00:00:00.000Z',
        'tags': [{'name': 'latest'}, {'name': '2.3.4'}], 'labels': [{'name': 'pci'}],
        'accessories': [{'type': 'signature.cosign', 'digest': SIGNATURE}, {'type': 'harbor.sbom', 'digest': SBOM}],
        'scan_overview': {VULNERABILITY_REPORT: {
            'scan_status': 'Success', 'severity': 'High', 'report_id': 'r1', 'end_time': '2026-01-05T10:01:00.000Z',
            'summary': {'total': 3, 'fixable': 1, 'summary': {'High': 1, 'Low': 2}},
            'scanner': {'name': 'Trivy', 'vendor': 'Aqua', 'version': 'v0.50'}}},
    }
    described = describe_artifact(raw, 'team/api')
    assert described['repository'] == 'team/api' and described['tags'] == ['2.3.4', 'latest']
    assert described['signed'] and described['signatures'] == [SIGNATURE]
    assert described['sbom'] and described['sboms'] == [SBOM] and described['labels'] == ['pci']
    assert described['scan']['status'] == 'Success' and described['scan']['severity'] == 'High'
    assert described['scan']['summary'] == {'Low': 2, 'High': 1} and described['scan']['scanner'] == 'Trivy v0.50'
    assert described['scan']['end_time'] == '2026-01-05T10:01:00.000Z'


def test_describe_an_unscanned_unsigned_artifact():
    described = describe_artifact({'digest': DIGEST, 'type': 'IMAGE'}, 'api')
    assert described['scan'] is None and not described['signed'] and described['signatures'] == []
    assert not described['sbom'] and described['tags'] == [] and described['labels'] == []


def test_image_reference():
    assert image_reference('harbor.example.com', 'payments', 'api', DIGEST) == 'harbor.example.com/payments/api@' + DIGEST


VULNERABILITIES = [
    {'id': 'CVE-2099-0001', 'package': 'libfixture-high', 'version': '1.0.0-1', 'fix_version': '1.2.0-1',
     'severity': 'High'},
    {'id': 'CVE-2099-0002', 'package': 'libfixture-low', 'version': '1.0', 'fix_version': '', 'severity': 'Low'},
    {'id': 'CVE-2099-0003', 'package': 'libc', 'version': '2.0', 'severity': 'Critical'},
]


def test_blocking_findings_honour_the_threshold_and_the_allowlist():
    assert [finding['id'] for finding in blocking_findings(VULNERABILITIES, 'medium', set())] == \
        ['CVE-2099-0003', 'CVE-2099-0001']
    assert [finding['id'] for finding in blocking_findings(VULNERABILITIES, 'high', {'CVE-2099-0003'})] == \
        ['CVE-2099-0001']
    low = blocking_findings(VULNERABILITIES, 'low', {'CVE-2099-0001', 'CVE-2099-0003'})
    assert low == [dict(id='CVE-2099-0002', package='libfixture-low', version='1.0', fix_version=None, severity='Low')]
