# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_scan against scripted Harbor conversations."""

from __future__ import annotations

import json
import os
import stat

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_scan
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

DIGEST = 'sha256:' + '1' * 64
QUOTED = DIGEST.replace(':', '%3A')
REPORT_TYPE = 'application/vnd.security.vulnerability.report; version=1.1'
DETAILS = {'with_tag': 'true', 'with_label': 'true', 'with_scan_overview': 'true', 'with_sbom_overview': 'true',
           'with_accessory': 'true'}
BASE = '/projects/payments/repositories/api/artifacts/'
HIGH = {'id': 'CVE-2099-0001', 'package': 'libfixture-high', 'version': '1.1.0-1', 'fix_version': '1.2.0-1',
        'severity': 'High'}
LOW = {'id': 'CVE-2099-0004', 'package': 'libfixture-low', 'version': '1.0', 'fix_version': '', 'severity': 'Low'}
REPORT = {REPORT_TYPE: {'severity': 'High', 'vulnerabilities': [HIGH, LOW]}}
TASK = dict(project='payments', repository='api', reference='2.3.4')


def project(allowlist=(), reuse_system=False, expires_at=None):
    body = {'project_id': 12, 'name': 'payments', 'metadata': {'reuse_sys_cve_allowlist': str(reuse_system).lower()},
            'cve_allowlist': {'items': [{'cve_id': cve} for cve in allowlist], 'expires_at': expires_at}}
    return Call('GET', '/projects/payments', FakeResponse(200, body))


def overview(status, report_id='r1', severity='High'):
    return {REPORT_TYPE: {'report_id': report_id, 'scan_status': status, 'severity': severity if status == 'Success' else '',
                          'summary': {'total': 2, 'fixable': 1, 'summary': {'High': 1, 'Low': 1}}
                          if status == 'Success' else None, 'scanner': {'name': 'Trivy', 'version': 'v0.50'},
                          'end_time': '2026-01-05T10:00:09.000Z'}}


def artifact(reference='2.3.4', scan=None):
    body = {'digest': DIGEST, 'type': 'IMAGE', 'tags': [{'name': '2.3.4'}]}
    if scan is not None:
        body['scan_overview'] = scan
    return Call('GET', BASE + (QUOTED if reference == DIGEST else reference), FakeResponse(200, body), params=DETAILS)


SCANNER = Call('GET', '/projects/payments/scanner', FakeResponse(200, {'uuid': 'u1', 'name': 'Trivy'}))
START = Call('POST', BASE + QUOTED + '/scan', FakeResponse(202), json={'scan_type': 'vulnerability'})
VULNERABILITIES = Call('GET', BASE + QUOTED + '/additions/vulnerabilities', FakeResponse(200, REPORT))


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_scan.main, monkeypatch, dict(TASK, **args), **kwargs)


# -- the four ways -------------------------------------------------------------------------------------------

def test_an_unscanned_artifact_is_scanned_and_waited_for(monkeypatch, harbor):
    conversation = harbor([project(allowlist=['CVE-2099-0001']), artifact(), SCANNER, START,
                           artifact(DIGEST, overview('Pending', 'r2')), artifact(DIGEST, overview('Running', 'r2')),
                           artifact(DIGEST, overview('Success', 'r2')), VULNERABILITIES])
    result, failed = run(monkeypatch, dict(fail_on_severity='high'))
    assert not failed and result['changed'] and result['digest'] == DIGEST
    assert result['scan']['status'] == 'Success' and result['scan']['severity'] == 'High'
    assert result['scan']['summary'] == {'Low': 1, 'High': 1} and result['scan']['scanner'] == 'Trivy v0.50'
    # CVE-2099-0001 is in the project's allowlist; the Low finding is under the gate
    assert result['findings'] == []
    assert conversation.methods.count('POST') == 1


def test_a_completed_scan_is_reused(monkeypatch, harbor):
    conversation = harbor([project(allowlist=['CVE-2099-0001']), artifact(scan=overview('Success')), VULNERABILITIES])
    result, failed = run(monkeypatch, dict(fail_on_severity='high'))
    assert not failed and not result['changed'] and result['scan']['report_id'] == 'r1'
    assert set(conversation.methods) == {'GET'}


def test_check_mode_starts_no_scan(monkeypatch, harbor):
    conversation = harbor([project(), artifact(), SCANNER])
    result, failed = run(monkeypatch, dict(fail_on_severity='high'), check_mode=True)
    assert not failed and result['changed'] and result['scan'] is None and result['findings'] == []
    assert set(conversation.methods) == {'GET'}


def test_check_mode_reuses_a_completed_scan_and_gates(monkeypatch, harbor):
    conversation = harbor([project(), artifact(scan=overview('Success')), VULNERABILITIES])
    result, failed = run(monkeypatch, dict(fail_on_severity='high'), check_mode=True)
    assert failed and not result['changed'] and [finding['id'] for finding in result['findings']] == ['CVE-2099-0001']
    assert set(conversation.methods) == {'GET'}


# -- the gate ------------------------------------------------------------------------------------------------

def test_the_gate_lists_the_blocking_cves(monkeypatch, harbor):
    harbor([project(), artifact(scan=overview('Success')), VULNERABILITIES])
    result, failed = run(monkeypatch, dict(fail_on_severity='low'))
    assert failed and not result['changed']
    assert result['findings'] == [dict(HIGH), dict(LOW, fix_version=None)]
    assert 'found 2 vulnerabilities at or above low' in result['msg']
    assert 'CVE-2099-0001 (High) in libfixture-high 1.1.0-1, fixed in 1.2.0-1' in result['msg']
    assert 'CVE-2099-0004 (Low) in libfixture-low 1.0, no fix yet' in result['msg']
    assert 'Secr3tPassw0rd' not in str(result)


def test_the_system_allowlist_counts_when_the_project_reuses_it(monkeypatch, harbor):
    harbor([project(allowlist=['CVE-2099-0004'], reuse_system=True), artifact(scan=overview('Success')),
            VULNERABILITIES, Call('GET', '/system/CVEAllowlist', FakeResponse(200, {'items': [{'cve_id': 'CVE-2099-0001'}]}))])
    result, failed = run(monkeypatch, dict(fail_on_severity='low'))
    assert failed and [finding['id'] for finding in result['findings']] == ['CVE-2099-0004']


def test_an_expired_allowlist_covers_nothing(monkeypatch, harbor):
    harbor([project(allowlist=['CVE-2099-0001'], expires_at=1), artifact(scan=overview('Success')), VULNERABILITIES])
    result, failed = run(monkeypatch, dict(fail_on_severity='critical'))
    assert not failed and result['findings'] == []
    forget = harbor([project(allowlist=['CVE-2099-0001'], expires_at=1), artifact(scan=overview('Success')),
                     VULNERABILITIES])
    result, failed = run(monkeypatch, dict(fail_on_severity='high'))
    assert failed and [finding['id'] for finding in result['findings']] == ['CVE-2099-0001']
    forget.finished()


# -- scans ---------------------------------------------------------------------------------------------------

def test_rescan_waits_for_the_new_report(monkeypatch, harbor):
    conversation = harbor([project(), artifact(scan=overview('Success', 'old')), SCANNER, START,
                           artifact(DIGEST, overview('Success', 'old')), artifact(DIGEST, overview('Success', 'new'))])
    result, failed = run(monkeypatch, dict(rescan=True))
    assert not failed and result['changed'] and result['scan']['report_id'] == 'new'
    assert conversation.methods.count('POST') == 1


def test_a_running_scan_is_waited_for_not_started_again(monkeypatch, harbor):
    conversation = harbor([project(), artifact(scan=overview('Running')), artifact(DIGEST, overview('Success'))])
    result, failed = run(monkeypatch, dict(rescan=True))
    assert not failed and not result['changed'] and 'POST' not in conversation.methods


def test_without_wait_the_task_returns_once_started(monkeypatch, harbor):
    harbor([project(), artifact(), SCANNER, START, artifact(DIGEST, overview('Pending', 'r2'))])
    result, failed = run(monkeypatch, dict(wait=False))
    assert not failed and result['changed'] and result['scan']['status'] == 'Pending'


def test_a_scan_in_error_fails(monkeypatch, harbor):
    harbor([project(), artifact(scan=overview('Error')), SCANNER, START, artifact(DIGEST, overview('Error', 'r2'))])
    result, failed = run(monkeypatch, {})
    assert failed and 'ended with status Error' in result['msg'] and result['changed']


def test_a_scan_still_running_after_wait_timeout_fails(monkeypatch, harbor):
    harbor([project(), artifact(), SCANNER, START] + [artifact(DIGEST, overview('Running', 'r2'))] * 3)
    result, failed = run(monkeypatch, dict(wait_timeout=1))
    assert failed and 'still Running after 1 seconds (wait_timeout)' in result['msg']


def test_an_sbom(monkeypatch, harbor):
    harbor([project(), artifact(), SCANNER,
            Call('POST', BASE + QUOTED + '/scan', FakeResponse(202), json={'scan_type': 'sbom'}),
            Call('GET', BASE + QUOTED, FakeResponse(200, {'digest': DIGEST, 'sbom_overview': {
                'report_id': 's1', 'scan_status': 'Success', 'sbom_digest': 'sha256:' + '5' * 64}}), params=DETAILS)])
    result, failed = run(monkeypatch, dict(scan_type='sbom'))
    assert not failed and result['changed'] and result['scan']['digest'] == 'sha256:' + '5' * 64


def test_no_scanner_is_a_clear_error(monkeypatch, harbor):
    conversation = harbor([project(), artifact(), Call('GET', '/projects/payments/scanner', FakeResponse(200, None))])
    result, failed = run(monkeypatch, {}, check_mode=True)
    assert failed and "project 'payments' has no scanner" in result['msg'] and 'POST' not in conversation.methods


def test_harbor_refusing_for_want_of_a_scanner_is_a_clear_error(monkeypatch, harbor):
    harbor([project(), artifact(), SCANNER, Call('POST', BASE + QUOTED + '/scan', FakeResponse(
        412, error_body('PRECONDITION', 'no available scanner for project: 12')))])
    result, failed = run(monkeypatch, {})
    assert failed and 'has no scanner to scan payments/api' in result['msg']
    assert 'no available scanner for project: 12' in result['msg']


def test_a_missing_artifact(monkeypatch, harbor):
    harbor([project(), Call('GET', BASE + '2.3.4', FakeResponse(404, error_body('NOT_FOUND', 'no artifact')),
                            params=DETAILS)])
    result, failed = run(monkeypatch, {})
    assert failed and 'artifact payments/api:2.3.4 does not exist' in result['msg']


# -- the report file -----------------------------------------------------------------------------------------

def test_the_report_is_written_readable_by_its_owner_only(monkeypatch, harbor, tmp_path):
    path = tmp_path / 'report.json'
    path.write_text('old')
    os.chmod(str(path), 0o644)
    harbor([project(), artifact(scan=overview('Success')), VULNERABILITIES])
    result, failed = run(monkeypatch, dict(report_path=str(path)))
    assert not failed and not result['changed']
    assert json.loads(path.read_text()) == REPORT and stat.S_IMODE(os.stat(str(path)).st_mode) == 0o600


def test_check_mode_writes_no_report(monkeypatch, harbor, tmp_path):
    path = tmp_path / 'report.json'
    harbor([project(), artifact(scan=overview('Success')), VULNERABILITIES])
    result, failed = run(monkeypatch, dict(report_path=str(path)), check_mode=True)
    assert not failed and not path.exists()


# -- bad input -----------------------------------------------------------------------------------------------

def test_bad_input_fails_before_any_request(monkeypatch, harbor):
    conversation = harbor([])
    for args, complaint in [
            (dict(scan_type='sbom', fail_on_severity='high'), 'fail_on_severity needs scan_type: vulnerability'),
            (dict(wait=False, report_path='/tmp/report.json'), 'report_path needs wait: true'),
            (dict(wait_timeout=0), 'wait_timeout must be a positive number'),
            (dict(repository='Api'), 'not a repository name'),
            (dict(reference='sha256:abc'), 'is neither a tag'),
            (dict(project='-payments'), 'not a valid Harbor name')]:
        result, failed = run(monkeypatch, args)
        assert failed and complaint in result['msg'], result['msg']
    assert conversation.seen == []


def test_diff_shows_the_replaced_and_the_new_scan(monkeypatch, harbor):
    harbor([project(), artifact(scan=overview('Success', 'old')), SCANNER, START, artifact(DIGEST, overview('Success', 'new'))])
    result, failed = run(monkeypatch, dict(rescan=True), diff=True)
    assert not failed and result['diff'] == {'before': {'status': 'Success', 'report_id': 'old'},
                                             'after': {'status': 'Success', 'report_id': 'new'}}
    harbor([project(), artifact(scan=overview('Success', 'old'))])
    result, failed = run(monkeypatch, {}, diff=True)
    assert not failed and not result['changed'] and 'diff' not in result
