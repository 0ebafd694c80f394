# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_config and harbor_config_info against scripted Harbor conversations."""

from __future__ import annotations

import json

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_config, harbor_config_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

CONFIGURATIONS = '/configurations'
SECRET = 'oidc-Client-s3cret'
FRESH_VALUES = dict(auth_mode='db_auth', primary_auth_mode=False, project_creation_restriction='everyone',
                    self_registration=False, robot_token_duration=30, robot_name_prefix='robot$', read_only=False,
                    banner_message='', audit_log_forward_endpoint='', skip_audit_log_database=False,
                    storage_per_project=-1, session_timeout=60, oidc_name='', oidc_endpoint='', oidc_client_id='',
                    oidc_groups_claim='', oidc_admin_group='', oidc_group_filter='', oidc_scope='',
                    oidc_user_claim='', oidc_verify_cert=True, oidc_auto_onboard=False, oidc_logout=False,
                    ldap_url='', ldap_search_dn='', ldap_base_dn='', ldap_filter='', ldap_uid='cn', ldap_scope=2,
                    ldap_timeout=5, ldap_verify_cert=True, ldap_group_base_dn='', ldap_group_search_filter='',
                    ldap_group_attribute_name='', ldap_group_admin_dn='', ldap_group_membership_attribute='memberof',
                    ldap_group_search_scope=2, uaa_client_secret='')
OIDC = dict(name='Example SSO', endpoint='https://login.example.com/realms/harbor', client_id='harbor',
            client_secret=SECRET, groups_claim='groups', admin_group='harbor-admins', auto_onboard=True)
OIDC_HARBOR = dict(auth_mode='oidc_auth', oidc_name='Example SSO', oidc_endpoint='https://login.example.com/realms/harbor',
                   oidc_client_id='harbor', oidc_groups_claim='groups', oidc_admin_group='harbor-admins',
                   oidc_auto_onboard=True)
TASK = dict(auth_mode='oidc_auth', oidc=OIDC, project_creation_restriction='adminonly', robot_token_duration=90,
            storage_per_project='50GiB')


def configuration(editable=True, **values):
    merged = dict(FRESH_VALUES, **values)
    answer = dict((key, {'value': value, 'editable': True}) for key, value in merged.items())
    answer['auth_mode']['editable'] = editable
    answer['scan_all_policy'] = {}
    return answer


def get(**values):
    return Call('GET', CONFIGURATIONS, FakeResponse(200, configuration(**values)))


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_config.main, monkeypatch, args, **kwargs)


CONFIGURED = dict(OIDC_HARBOR, project_creation_restriction='adminonly', robot_token_duration=90,
                  storage_per_project=50 * 1024 ** 3)


def test_configure_oidc_and_the_project_settings(monkeypatch, harbor):
    harbor([
        get(),
        Call('PUT', CONFIGURATIONS, json=dict(OIDC_HARBOR, oidc_client_secret=SECRET,
                                              project_creation_restriction='adminonly', robot_token_duration=90,
                                              storage_per_project=50 * 1024 ** 3)),
        get(**CONFIGURED),
    ])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and result['changed']
    config = result['config']
    assert config['oidc']['endpoint'] == OIDC['endpoint'] and 'client_secret' not in config['oidc']
    assert config['storage_per_project'] == '50GiB' and config['auth_mode'] == 'oidc_auth'
    assert result['diff']['before']['auth_mode'] == 'db_auth'
    assert result['diff']['after']['oidc.endpoint'] == OIDC['endpoint']
    assert SECRET not in json.dumps(result)


def test_configure_idempotent(monkeypatch, harbor):
    conversation = harbor([get(**CONFIGURED)])
    result, failed = run(monkeypatch, TASK, diff=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']
    assert SECRET not in json.dumps(result)


def test_configure_check_mode(monkeypatch, harbor):
    conversation = harbor([get()])
    result, failed = run(monkeypatch, TASK, check_mode=True, diff=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']
    assert result['config']['auth_mode'] == 'db_auth'
    assert SECRET not in json.dumps(result)


def test_configure_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([get(**CONFIGURED)])
    result, failed = run(monkeypatch, TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_only_the_settings_that_differ_are_sent(monkeypatch, harbor):
    harbor([get(**CONFIGURED), Call('PUT', CONFIGURATIONS, json={'robot_token_duration': 30}), get(**CONFIGURED)])
    result, failed = run(monkeypatch, dict(TASK, robot_token_duration=30))
    assert not failed and result['changed']


def test_the_secret_goes_along_when_its_provider_changes(monkeypatch, harbor):
    moved = dict(OIDC, endpoint='https://sso.example.com')
    harbor([get(**CONFIGURED),
            Call('PUT', CONFIGURATIONS, json={'oidc_endpoint': 'https://sso.example.com', 'oidc_client_secret': SECRET}),
            get(**CONFIGURED)])
    result, failed = run(monkeypatch, dict(oidc=moved), diff=True)
    assert not failed and result['changed'] and SECRET not in json.dumps(result)


def test_update_secret_always_sends_the_secret(monkeypatch, harbor):
    harbor([get(**CONFIGURED), Call('PUT', CONFIGURATIONS, json={'oidc_client_secret': SECRET}), get(**CONFIGURED)])
    result, failed = run(monkeypatch, dict(oidc=OIDC, update_secret='always'), diff=True)
    assert not failed and result['changed'] and SECRET not in json.dumps(result)


def test_ldap_with_plain_scope_names(monkeypatch, harbor):
    ldap = dict(url='ldaps://ldap.example.com', base_dn='ou=people,dc=example,dc=com', uid='uid', scope='onelevel',
                search_password='B1nd-pass')
    task = dict(auth_mode='ldap_auth', ldap=ldap)
    harbor([get(), Call('PUT', CONFIGURATIONS, json={
        'auth_mode': 'ldap_auth', 'ldap_url': 'ldaps://ldap.example.com', 'ldap_search_password': 'B1nd-pass',
        'ldap_base_dn': 'ou=people,dc=example,dc=com', 'ldap_uid': 'uid', 'ldap_scope': 1}),
        get(auth_mode='ldap_auth', ldap_url='ldaps://ldap.example.com', ldap_base_dn='ou=people,dc=example,dc=com',
            ldap_uid='uid', ldap_scope=1)])
    result, failed = run(monkeypatch, task)
    assert not failed and result['changed'] and result['config']['ldap']['scope'] == 'onelevel'
    assert 'B1nd-pass' not in json.dumps(result)


def test_banner_is_written_as_the_ui_json_and_compared_as_a_value(monkeypatch, harbor):
    banner = dict(text='Maintenance on Saturday', type='warning', closable=True)
    stored = json.dumps({'message': 'Maintenance on Saturday', 'type': 'warning', 'closable': True,
                         'fromDate': None, 'toDate': None})
    harbor([get(), Call('PUT', CONFIGURATIONS, json={'banner_message': json.dumps(
        {'closable': True, 'fromDate': None, 'message': 'Maintenance on Saturday', 'toDate': None, 'type': 'warning'},
        sort_keys=True)}), get(banner_message=stored)])
    result, failed = run(monkeypatch, dict(banner_message=banner))
    assert not failed and result['changed'] and result['config']['banner_message']['type'] == 'warning'
    conversation = harbor([get(banner_message=stored)])
    result, failed = run(monkeypatch, dict(banner_message=banner))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_auth_mode_is_refused_before_any_write_once_users_exist(monkeypatch, harbor):
    conversation = harbor([get(editable=False)])
    result, failed = run(monkeypatch, dict(auth_mode='oidc_auth'))
    assert failed and 'auth_mode cannot change from db_auth to oidc_auth' in result['msg']
    assert conversation.methods == ['GET']


def test_the_same_auth_mode_is_no_change_even_when_locked(monkeypatch, harbor):
    conversation = harbor([get(editable=False)])
    result, failed = run(monkeypatch, dict(auth_mode='db_auth'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_skipping_the_audit_database_needs_an_endpoint(monkeypatch, harbor):
    conversation = harbor([get()])
    result, failed = run(monkeypatch, dict(skip_audit_log_database=True))
    assert failed and 'audit_log_forward_endpoint' in result['msg'] and conversation.methods == ['GET']


def test_harbor_refusal_is_reported(monkeypatch, harbor):
    harbor([get(), Call('PUT', CONFIGURATIONS, FakeResponse(400, error_body(
        'BAD_REQUEST', 'bad request: could not connect to the audit endpoint: tcp://syslog:514')))])
    result, failed = run(monkeypatch, dict(audit_log_forward_endpoint='syslog:514'))
    assert failed and 'could not connect to the audit endpoint' in result['msg']


def test_a_user_who_is_not_an_administrator_is_told_so(monkeypatch, harbor):
    harbor([Call('GET', CONFIGURATIONS, FakeResponse(403, error_body('FORBIDDEN', 'alice')))])
    result, failed = run(monkeypatch, dict(read_only=True))
    assert failed and 'configuration:read (system administrators only)' in result['msg']


@pytest.mark.parametrize('args, option', [
    (dict(robot_token_duration=0), 'robot_token_duration'),
    (dict(session_timeout=10000000000), 'session_timeout'),
    (dict(robot_name_prefix='  '), 'robot_name_prefix'),
    (dict(storage_per_project='0'), 'storage_per_project'),
    (dict(storage_per_project='lots'), 'storage_per_project'),
    (dict(ldap=dict(url='')), 'ldap.url'),
    (dict(ldap=dict(scope='deep')), 'scope'),
    (dict(project_creation_restriction='nobody'), 'project_creation_restriction'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and option in result['msg'] and conversation.methods == []


def test_info_returns_no_secret_and_applies_the_query(monkeypatch, harbor):
    harbor([get(**CONFIGURED)])
    result, failed = run_module(harbor_config_info.main, monkeypatch, dict(query='oidc.endpoint'))
    assert not failed and not result['changed'] and result['query_result'] == OIDC['endpoint']
    assert 'client_secret' not in result['config']['oidc'] and 'search_password' not in result['config']['ldap']
    assert result['config']['ldap']['scope'] == 'subtree' and result['config']['storage_per_project'] == '50GiB'
