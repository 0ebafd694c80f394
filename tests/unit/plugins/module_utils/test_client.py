# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest
import requests

from ansible_collections.cloudtemple.harbor.plugins.module_utils import client as client_module
from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import (
    HarborClient,
    HarborCredentialsError,
    HarborError,
    HarborTransportError,
    normalize_url,
    parse_version,
    quote_repository,
    registry_host,
)
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
)


def make_client(username='admin', sleeps=None, **kwargs):
    recorded = sleeps if sleeps is not None else []
    return HarborClient('harbor.example.com', username=username, password='Secr3tPassw0rd' if username else None,
                        sleep=recorded.append, **kwargs)


@pytest.mark.parametrize('given, expected', [
    ('harbor.example.com', 'https://harbor.example.com'),
    ('https://harbor.example.com/', 'https://harbor.example.com'),
    ('https://harbor.example.com/api/v2.0', 'https://harbor.example.com'),
    ('https://harbor.example.com/api/v2.0/', 'https://harbor.example.com'),
    ('http://127.0.0.1:8080', 'http://127.0.0.1:8080'),
    (' https://example.com/harbor/api/v2.0 ', 'https://example.com/harbor'),
])
def test_url_forms_are_normalised_once(given, expected):
    assert normalize_url(given) == expected


def test_bad_url_is_refused_with_the_option_name():
    with pytest.raises(HarborError, match='harbor_url'):
        normalize_url('ftp://harbor.example.com')
    with pytest.raises(HarborError, match='harbor_url'):
        normalize_url('   ')


def test_registry_host_has_no_scheme_or_path():
    assert registry_host('https://harbor.example.com:8443/api/v2.0') == 'harbor.example.com:8443'


def test_repository_names_with_a_slash_are_double_encoded():
    assert quote_repository('team/api') == 'team%252Fapi'
    assert quote_repository('api') == 'api'


def test_version_parsing():
    assert parse_version('v2.15.2-6b5a1c3f') == (2, 15, 2)
    assert parse_version('v2.9') == (2, 9, 0)
    assert parse_version(None) is None


def test_idempotent_request_is_retried_after_503_and_429_with_retry_after(harbor):
    sleeps = []
    harbor([
        Call('GET', '/projects/p', FakeResponse(503)),
        Call('GET', '/projects/p', FakeResponse(429, headers={'Retry-After': '3'})),
        Call('GET', '/projects/p', FakeResponse(200, {'name': 'p'})),
    ])
    assert make_client(sleeps=sleeps).get('/projects/p') == {'name': 'p'}
    assert len(sleeps) == 2
    assert 0.25 <= sleeps[0] <= 0.5  # first backoff: half of 0.5 s plus jitter
    assert sleeps[1] == 3.0


def test_backoff_grows_and_gives_up(harbor):
    sleeps = []
    harbor([Call('GET', '/health', FakeResponse(502))] * 3)
    with pytest.raises(HarborTransportError) as error:
        make_client(sleeps=sleeps, max_attempts=3).get('/health')
    assert error.value.status == 502
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] / 2
    assert 'unavailable or overloaded' in str(error.value) and 'run again' in str(error.value)


def test_post_is_not_retried_after_a_gateway_error(harbor):
    conversation = harbor([Call('POST', '/projects', FakeResponse(502))])
    with pytest.raises(HarborTransportError) as error:
        make_client().post('/projects', json={'project_name': 'p'})
    assert error.value.ambiguous
    assert conversation.methods == ['POST']


def test_post_is_retried_after_429_because_it_was_not_processed(harbor):
    harbor([
        Call('POST', '/projects', FakeResponse(429)),
        Call('POST', '/projects', FakeResponse(201, headers={'Location': '/api/v2.0/projects/7'})),
    ])
    assert make_client().post('/projects', json={}).location_id == 7


def test_dropped_connection_retries_get_but_reports_post_as_ambiguous(harbor):
    harbor([
        Call('GET', '/projects/p', requests.exceptions.ConnectionError('Connection aborted, RemoteDisconnected')),
        Call('GET', '/projects/p', FakeResponse(200, {'name': 'p'})),
        Call('POST', '/projects', requests.exceptions.ConnectionError('Connection aborted, RemoteDisconnected')),
    ])
    client = make_client()
    assert client.get('/projects/p') == {'name': 'p'}
    with pytest.raises(HarborTransportError) as error:
        client.post('/projects', json={})
    assert error.value.ambiguous
    assert 'may or may not have applied' in str(error.value)


def test_refused_connection_is_retried_even_for_post_since_nothing_was_sent(harbor):
    harbor([
        Call('POST', '/projects', requests.exceptions.ConnectionError('[Errno 111] Connection refused')),
        Call('POST', '/projects', FakeResponse(201, headers={'Location': '/api/v2.0/projects/3'})),
    ])
    assert make_client().post('/projects', json={}).status == 201


def test_read_timeout_names_the_option(harbor):
    harbor([Call('GET', '/ping', requests.exceptions.ReadTimeout('read timed out'))] * 2)
    with pytest.raises(HarborTransportError, match='harbor_timeout'):
        make_client(max_attempts=2, timeout=5).get('/ping')


def test_rejected_credentials_are_reported_as_such_not_as_missing_objects(harbor):
    harbor([
        Call('DELETE', '/projects/p', FakeResponse(401, error_body('UNAUTHORIZED', 'unauthorized'))),
        Call('GET', '/users/current', FakeResponse(401, error_body('UNAUTHORIZED', 'unauthorized'))),
    ])
    with pytest.raises(HarborCredentialsError) as error:
        make_client().delete('/projects/p')
    assert 'rejected the credentials' in str(error.value)
    assert 'Secr3tPassw0rd' not in str(error.value)


def test_anonymous_caller_is_told_to_give_credentials(harbor):
    harbor([Call('POST', '/projects', FakeResponse(401, error_body('UNAUTHORIZED', 'unauthorized')))])
    with pytest.raises(HarborCredentialsError, match='harbor_username'):
        make_client(username=None).post('/projects', json={})


def test_identity_of_a_robot_is_recognised_from_412(harbor):
    harbor([Call('GET', '/users/current', FakeResponse(412, error_body('PRECONDITION', 'not available for robot')))])
    client = make_client(username='robot$p+ci')
    assert client.current_identity()['kind'] == 'robot'
    assert client.current_identity()['kind'] == 'robot'  # cached: one request only


def test_identity_of_an_admin(harbor):
    harbor([Call('GET', '/users/current', FakeResponse(200, {'username': 'admin', 'sysadmin_flag': True, 'user_id': 1}))])
    assert make_client().current_identity()['sysadmin'] is True


def test_errors_carry_harbor_code_message_and_an_actionable_hint(harbor):
    denied = FakeResponse(403, error_body('FORBIDDEN', 'forbidden'), headers={'X-Request-Id': 'req-1'})
    harbor([Call('POST', '/robots', denied)])
    with pytest.raises(HarborError) as error:
        make_client(username='robot$p+ci').post('/robots', json={}, permission='robot:create on project p')
    text = str(error.value)
    assert 'POST /robots answered 403 FORBIDDEN: forbidden' in text
    assert "'robot$p+ci' lacks robot:create on project p" in text
    assert error.value.details() == {'status': 403, 'code': 'FORBIDDEN', 'method': 'POST', 'path': '/robots',
                                     'request_id': 'req-1'}


@pytest.mark.parametrize('status, fragment', [
    (404, 'does not exist'),
    (409, 'already exists'),
    (412, 'refuses'),
    (413, 'Request Entity Too Large'),
])
def test_hints_per_status(harbor, status, fragment):
    harbor([Call('PUT', '/x', FakeResponse(status, error_body('X', 'y')))])
    with pytest.raises(HarborError, match=fragment):
        make_client().put('/x', json={})


def test_internal_errors_point_at_the_request_id(harbor):
    harbor([Call('POST', '/x', FakeResponse(500, error_body('UNKNOWN', 'internal server error'),
                                            headers={'X-Request-Id': 'abc'}))])
    with pytest.raises(HarborTransportError) as error:
        make_client().post('/x', json={})
    assert error.value.request_id == 'abc' and 'core log' in str(error.value)


def test_pagination_reads_until_the_total(harbor):
    first = [{'id': n} for n in range(100)]
    second = [{'id': n} for n in range(100, 150)]
    harbor([
        Call('GET', '/projects', FakeResponse(200, first, {'X-Total-Count': '150'}),
             params={'q': 'x', 'page': 1, 'page_size': 100}),
        Call('GET', '/projects', FakeResponse(200, second, {'X-Total-Count': '150'}),
             params={'q': 'x', 'page': 2, 'page_size': 100}),
    ])
    assert len(make_client().paginate('/projects', params={'q': 'x'})) == 150


def test_pagination_stops_at_an_exact_multiple_of_the_page_size(harbor):
    harbor([Call('GET', '/robots', FakeResponse(200, [{'id': n} for n in range(100)], {'X-Total-Count': '100'}))])
    assert len(make_client().paginate('/robots')) == 100


def test_a_list_by_name_asks_harbor_for_the_name_and_keeps_only_the_exact_match(harbor):
    loose = [{'username': 'bob'}, {'username': 'bobby'}]
    harbor([
        Call('GET', '/users', FakeResponse(200, loose), params={'q': 'username=bob', 'page': 1, 'page_size': 100}),
        Call('GET', '/replication/policies', FakeResponse(200, [{'name': 'dr'}, {'name': 'dr-2'}]),
             params={'name': 'dr', 'page': 1, 'page_size': 100}),
        Call('GET', '/users', FakeResponse(200, loose), params={'page': 1, 'page_size': 100}),
    ])
    client = make_client()
    assert client.list_by_name('/users', 'bob', 'user:list', field='username') == [{'username': 'bob'}]
    assert client.list_by_name('/replication/policies', 'dr', 'replication-policy:list', name_param='name') == [{'name': 'dr'}]
    assert client.list_by_name('/users', None, 'user:list', field='username') == loose


def test_project_addressed_by_name_sends_the_resource_name_header(harbor):
    conversation = harbor([Call('GET', '/projects/123', FakeResponse(200, {'name': '123'}))])
    make_client().get_project('123')
    assert conversation.seen[0][4]['X-Is-Resource-Name'] == 'true'


def test_forbidden_project_lookup_is_settled_with_head(harbor):
    harbor([
        Call('GET', '/projects/ghost', FakeResponse(403, error_body('FORBIDDEN', 'forbidden'))),
        Call('HEAD', '/projects', FakeResponse(404), params={'project_name': 'ghost'}),
        # A second project: the list is read first, and does not show it to bob, who does not see every project.
        Call('GET', '/projects', FakeResponse(200, [{'name': 'public-one'}], headers={'X-Total-Count': '1'})),
        Call('GET', '/users/current', FakeResponse(200, {'username': 'bob', 'sysadmin_flag': False})),
        Call('GET', '/projects/secret', FakeResponse(403, error_body('FORBIDDEN', 'forbidden'))),
        Call('HEAD', '/projects', FakeResponse(200), params={'project_name': 'secret'}),
    ])
    client = make_client(username='bob')
    assert client.get_project('ghost') is None
    with pytest.raises(HarborError) as error:
        client.get_project('secret')
    assert error.value.status == 403


def test_a_loop_over_projects_reads_one_page_of_the_list_until_it_writes(harbor):
    listed = [{'name': 'p%d' % index, 'project_id': index, 'metadata': {'public': 'false'}} for index in (1, 2, 3)]
    harbor([
        Call('GET', '/projects/p1', FakeResponse(200, listed[0])),
        Call('GET', '/projects', FakeResponse(200, listed, headers={'X-Total-Count': '3'}),
             params={'page': 1, 'page_size': 100, 'with_detail': 'true'}),
        Call('PUT', '/projects/p2', FakeResponse(200)),
        # After a write, the list may be stale: each project is read by name again.
        Call('GET', '/projects/p3', FakeResponse(200, listed[2])),
        Call('GET', '/projects/p2', FakeResponse(200, listed[1])),
        Call('GET', '/robots', FakeResponse(200, []), params={'q': 'Level=system', 'page': 1, 'page_size': 100}),
        Call('POST', '/robots', FakeResponse(201, {'id': 1})),
        Call('GET', '/robots', FakeResponse(200, [{'id': 1}]), params={'q': 'Level=system', 'page': 1, 'page_size': 100}),
        Call('GET', '/configurations', FakeResponse(200, {'robot_name_prefix': {'value': 'robot$'}})),
        Call('PUT', '/projects/p1', FakeResponse(200)),
        Call('PUT', '/configurations', FakeResponse(200)),
        Call('GET', '/configurations', FakeResponse(200, {'robot_name_prefix': {'value': 'bot$'}})),
    ])
    client = make_client()
    assert client.get_project('p1') == listed[0]
    assert client.get_project('p1') == listed[0]  # remembered
    assert client.get_project('p2') == listed[1]  # from the list
    assert client.get_project('p3') == listed[2]  # the same list
    client.put('/projects/p2', json={})
    assert client.get_project('p3') == listed[2]
    assert client.get_project('p2') == listed[1]
    # A robot's creation changes the robot list, not the projects.
    assert client.paginate('/robots', params={'q': 'Level=system'}, remember=True) == []
    client.post('/robots', json={})
    assert client.get_project('p2') == listed[1]
    assert client.paginate('/robots', params={'q': 'Level=system'}, remember=True) == [{'id': 1}]
    # The configuration outlives other writes, not its own.
    assert client.get('/configurations', remember=True)['robot_name_prefix']['value'] == 'robot$'
    client.put('/projects/p1', json={})
    assert client.get('/configurations', remember=True)['robot_name_prefix']['value'] == 'robot$'
    client.put('/configurations', json={})
    assert client.get('/configurations', remember=True)['robot_name_prefix']['value'] == 'bot$'


def test_a_project_missing_from_the_whole_list_of_an_administrator_does_not_exist(harbor):
    listed = [{'name': 'p1', 'project_id': 1}]
    conversation = harbor([
        Call('GET', '/projects/p1', FakeResponse(200, listed[0])),
        Call('GET', '/projects', FakeResponse(200, listed, headers={'X-Total-Count': '1'}),
             params={'page': 1, 'page_size': 100, 'with_detail': 'true'}),
        Call('GET', '/users/current', FakeResponse(200, {'username': 'admin', 'sysadmin_flag': True})),
    ])
    client = make_client()
    assert client.get_project('p1') == listed[0]
    assert client.get_project('p2') is None
    assert make_client().get_project('p3') is None  # who the account is, asked once per process
    assert len(conversation.seen) == 3


def test_a_login_check_is_never_answered_from_an_identity_remembered_in_the_process(harbor):
    conversation = harbor([
        Call('GET', '/users/current', FakeResponse(412, error_body('PRECONDITION', 'robot')), auth=('robot$p+ci', 'S3cret-One')),
        Call('GET', '/users/current', FakeResponse(401, error_body('UNAUTHORIZED', 'no')), auth=('robot$p+ci', 'S3cret-One')),
    ])
    robot = HarborClient('harbor.example.com', username='robot$p+ci', password='S3cret-One')
    assert robot.current_identity()['kind'] == 'robot'
    assert not client_module.probe_login('harbor.example.com', 'robot$p+ci', 'S3cret-One')
    assert len(conversation.seen) == 2


def test_a_project_missing_from_a_full_page_of_the_list_is_looked_up_by_name(harbor):
    page = [{'name': 'p%d' % index, 'project_id': index} for index in range(client_module.PAGE_SIZE)]
    harbor([
        Call('GET', '/projects/p0', FakeResponse(200, page[0])),
        Call('GET', '/projects', FakeResponse(200, page, headers={'X-Total-Count': '101'}),
             params={'page': 1, 'page_size': 100, 'with_detail': 'true'}),
        Call('GET', '/projects/p100', FakeResponse(200, {'name': 'p100', 'project_id': 100})),
    ])
    client = make_client()
    assert client.get_project('p0') == page[0]
    assert client.get_project('p1') == page[1]
    assert client.get_project('p100')['project_id'] == 100


def test_a_project_creation_keeps_the_project_list_up_to_date(harbor):
    listed = [{'name': 'p1', 'project_id': 1}]
    conversation = harbor([
        Call('GET', '/projects/p1', FakeResponse(200, listed[0])),
        Call('GET', '/projects', FakeResponse(200, listed, headers={'X-Total-Count': '1'}),
             params={'page': 1, 'page_size': 100, 'with_detail': 'true'}),
        Call('GET', '/users/current', FakeResponse(200, {'username': 'admin', 'sysadmin_flag': True})),
        Call('POST', '/projects', FakeResponse(201, headers={'Location': '/api/v2.0/projects/2'})),
        Call('GET', '/projects/p2', FakeResponse(200, {'name': 'p2', 'project_id': 2})),
        Call('PUT', '/projects/p1', FakeResponse(200)),
        Call('GET', '/projects/p2', FakeResponse(200, {'name': 'p2', 'project_id': 2, 'changed': True})),
    ])
    client = make_client()
    assert client.get_project('p1') == listed[0]
    assert client.get_project('p2') is None

    def create():
        client.post('/projects', json={'project_name': 'p2'})
        return client.get_project('p2')
    assert client.keeping_project_list(create) == {'name': 'p2', 'project_id': 2}
    assert client.get_project('p2') == {'name': 'p2', 'project_id': 2}  # from the list kept
    assert client.get_project('p3') is None
    # Any other write to a project: the list is forgotten, projects are read by name again.
    client.put('/projects/p1', json={})
    assert client.get_project('p2')['changed']
    assert len(conversation.seen) == 7


def test_a_loop_that_only_writes_robots_keeps_reading_projects_from_the_list(harbor):
    listed = [{'name': 'p%d' % index, 'project_id': index} for index in (1, 2, 3)]
    conversation = harbor([
        Call('GET', '/projects/p1', FakeResponse(200, listed[0])),
        Call('POST', '/robots', FakeResponse(201, {'id': 1})),
        Call('GET', '/projects', FakeResponse(200, listed, headers={'X-Total-Count': '3'}),
             params={'page': 1, 'page_size': 100, 'with_detail': 'true'}),
        Call('PATCH', '/robots/1', FakeResponse(200)),
        Call('POST', '/retentions', FakeResponse(201)),
        # A retention policy changes its project's metadata: the list is no longer trusted.
        Call('GET', '/projects/p3', FakeResponse(200, listed[2])),
    ])
    client = make_client()
    assert client.get_project('p1') == listed[0]
    client.post('/robots', json={})
    assert client.get_project('p2') == listed[1]
    client.patch('/robots/1', json={})
    assert client.get_project('p2') == listed[1]
    client.post('/retentions', json={})
    assert client.get_project('p3') == listed[2]
    assert len(conversation.seen) == 6


def test_a_list_remembered_whole_is_kept_with_what_the_process_wrote(harbor):
    query = {'q': 'Level=system'}
    conversation = harbor([
        Call('GET', '/robots', FakeResponse(200, [{'id': 1}], headers={'X-Total-Count': '1'}),
             params={'q': 'Level=system', 'page': 1, 'page_size': 100}),
        Call('POST', '/robots', FakeResponse(201, {'id': 2})),
        Call('PUT', '/robots/2', FakeResponse(200)),
        Call('GET', '/robots', FakeResponse(200, [{'id': 1}, {'id': 2, 'description': 'new'}]),
             params={'q': 'Level=system', 'page': 1, 'page_size': 100}),
    ])
    client = make_client()
    assert client.remembered_list('/robots', query) is None  # not read yet
    listed = client.paginate('/robots', params=query, remember=True)
    assert client.remembered_list('/robots', query) == listed == [{'id': 1}]
    client.post('/robots', json={})
    assert client.remembered_list('/robots', query) is None  # the write forgot it
    client.remember_list('/robots', query, listed + [{'id': 2}])
    assert client.paginate('/robots', params=query, remember=True) == [{'id': 1}, {'id': 2}]
    assert make_client().remembered_list('/robots', query) == [{'id': 1}, {'id': 2}]
    assert HarborClient('harbor.example.com', username='bob', password='x').remembered_list('/robots', query) is None
    client.put('/robots/2', json={})
    assert client.paginate('/robots', params=query, remember=True) == [{'id': 1}, {'id': 2, 'description': 'new'}]
    assert len(conversation.seen) == 4


def test_a_list_of_a_full_page_or_more_is_never_kept_whole(harbor):
    query = {'q': 'Level=system'}
    full_page = [{'id': index} for index in range(client_module.PAGE_SIZE)]
    harbor([
        Call('GET', '/robots', FakeResponse(200, full_page, headers={'X-Total-Count': '101'}),
             params={'q': 'Level=system', 'page': 1, 'page_size': 100}),
        Call('GET', '/robots', FakeResponse(200, [{'id': 100}], headers={'X-Total-Count': '101'}),
             params={'q': 'Level=system', 'page': 2, 'page_size': 100}),
    ])
    client = make_client()
    assert len(client.paginate('/robots', params=query, remember=True)) == 101
    assert client.remembered_list('/robots', query) is None
    client.remember_list('/robots', query, full_page)
    assert client.remembered_list('/robots', query) is None


def test_version_gate(harbor):
    harbor([Call('GET', '/systeminfo', FakeResponse(200, {'harbor_version': 'v2.10.0-abc'}))])
    with pytest.raises(HarborError, match='auto_sbom_generation needs Harbor 2.11 or newer, but this Harbor reports v2.10.0'):
        make_client().require_version((2, 11), 'auto_sbom_generation')


def test_no_cookie_is_ever_kept():
    client = make_client()
    jar = client._session.cookies  # pylint: disable=protected-access
    cookie = requests.cookies.create_cookie('sid', 'abc', domain='harbor.example.com')
    request = requests.cookies.MockRequest(requests.Request('GET', 'https://harbor.example.com/api/v2.0/ping').prepare())
    assert not jar.get_policy().set_ok(cookie, request)


@pytest.mark.parametrize('message, fragment', [
    ('certificate verify failed: unable to get local issuer certificate', 'unknown authority'),
    ('certificate verify failed: self-signed certificate in certificate chain', 'unknown authority'),
    ("certificate verify failed: Hostname mismatch, certificate is not valid for '127.0.0.2'", 'does not name this host'),
    ('certificate verify failed: certificate has expired', 'expired'),
])
def test_tls_failures_name_the_cause_and_the_fix(harbor, message, fragment):
    harbor([Call('GET', '/ping', requests.exceptions.SSLError(message))])
    with pytest.raises(HarborTransportError) as error:
        make_client().get('/ping')
    assert fragment in str(error.value)
    assert 'Fix:' in str(error.value)


def test_validate_certs_and_ca_path_reach_requests(tmp_path):
    ca_path = tmp_path / 'ca.pem'
    ca_path.write_text('-----BEGIN CERTIFICATE-----\n')
    assert make_client(validate_certs=False)._session.verify is False  # pylint: disable=protected-access
    assert make_client(ca_path=str(ca_path))._session.verify == str(ca_path)  # pylint: disable=protected-access
    assert make_client()._session.verify is True  # pylint: disable=protected-access


@pytest.mark.parametrize('validate_certs, use_ca, expected', [
    (True, True, 'ca'), (False, False, False), (True, False, 'bundle')])
def test_a_ca_bundle_in_the_environment_does_not_override_the_options(
        tmp_path, monkeypatch, validate_certs, use_ca, expected):
    # requests lets REQUESTS_CA_BUNDLE replace a session's verify setting; the options must win over it, and the
    # environment's bundle still applies when no option says otherwise.
    ca_path = tmp_path / 'ca.pem'
    ca_path.write_text('-----BEGIN CERTIFICATE-----\n')
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/ssl/certs/environment-bundle.pem')
    seen = []

    def send(adapter, request, **kwargs):
        seen.append(kwargs['verify'])
        response = requests.Response()
        response.status_code, response._content, response.url = 200, b'Pong', request.url  # pylint: disable=protected-access
        response.request = request
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, 'send', send)
    client = HarborClient('harbor.example.com', validate_certs=validate_certs, ca_path=str(ca_path) if use_ca else None)
    client.get('/ping')
    assert seen == [{'ca': str(ca_path), 'bundle': '/etc/ssl/certs/environment-bundle.pem'}.get(expected, expected)]


def test_connection_settings_that_cannot_work_are_refused_before_any_request(harbor, tmp_path):
    conversation = harbor([])
    with pytest.raises(HarborError, match="harbor_ca_path '.*missing.pem' does not exist"):
        make_client(ca_path=str(tmp_path / 'missing.pem'))
    with pytest.raises(HarborError, match='harbor_timeout must be a positive number of seconds, got 0'):
        make_client(timeout=0)
    assert conversation.seen == []


def test_missing_requests_library_is_reported(monkeypatch):
    monkeypatch.setattr(client_module, 'requests', None)
    with pytest.raises(HarborError, match='requests'):
        HarborClient('harbor.example.com')


@pytest.mark.parametrize('status, accepted', [(412, True), (200, True), (401, False)])
def test_probe_login_uses_only_the_given_credentials(harbor, status, accepted):
    body = {'username': 'dev'} if status == 200 else error_body('PRECONDITION' if status == 412 else 'UNAUTHORIZED', 'x')
    harbor([Call('GET', '/users/current', FakeResponse(status, body), auth=('robot$p+ci', 'Robot-Secret1'))])
    assert client_module.probe_login('harbor.example.com', 'robot$p+ci', 'Robot-Secret1') is accepted


def test_probe_login_without_a_secret_sends_nothing(harbor):
    harbor([])
    assert client_module.probe_login('harbor.example.com', 'robot$p+ci', '') is False


def test_probe_login_does_not_mistake_an_outage_for_a_rejection(harbor, monkeypatch):
    monkeypatch.setattr('time.sleep', lambda seconds: None)
    down = FakeResponse(503, 'unavailable')
    harbor([Call('GET', '/users/current', down) for _attempt in range(client_module.MAX_ATTEMPTS)])
    with pytest.raises(HarborTransportError):
        client_module.probe_login('harbor.example.com', 'robot$p+ci', 'Robot-Secret1')


# Lookups remembered within one process (a task's loop items run in one process on the controller).

def test_a_remembered_lookup_is_reused_by_another_client_of_the_same_identity(harbor):
    conversation = harbor([Call('GET', '/projects/p', FakeResponse(200, {'name': 'p', 'metadata': {}}))])
    first = make_client().get_project('p')
    first['metadata']['changed_by_caller'] = 'yes'
    second = make_client().get_project('p')
    assert second == {'name': 'p', 'metadata': {}}
    assert conversation.methods == ['GET']


def test_remembered_lookups_are_per_identity(harbor):
    conversation = harbor([Call('GET', '/projects/p', FakeResponse(200, {'name': 'p'}))] * 2)
    make_client().get_project('p')
    HarborClient('harbor.example.com', username='admin', password='another-password').get_project('p')
    assert conversation.methods == ['GET', 'GET']


def test_any_write_forgets_every_remembered_lookup(harbor):
    conversation = harbor([
        Call('GET', '/projects/p', FakeResponse(404, error_body('NOT_FOUND', 'no'))),
        Call('POST', '/projects', FakeResponse(201)),
        Call('GET', '/projects/p', FakeResponse(200, {'name': 'p'})),
    ])
    client = make_client()
    assert client.get_project('p') is None
    client.post('/projects', json={'project_name': 'p'})
    assert client.get_project('p') == {'name': 'p'}
    assert conversation.methods == ['GET', 'POST', 'GET']


def test_only_lookups_asked_to_be_remembered_are(harbor):
    conversation = harbor([
        Call('GET', '/retentions/3/executions/9', FakeResponse(200, {'status': 'Running'})),
        Call('GET', '/retentions/3/executions/9', FakeResponse(200, {'status': 'Succeed'})),
        Call('GET', '/projects/p', FakeResponse(403, error_body('FORBIDDEN', 'forbidden'))),
        Call('HEAD', '/projects', FakeResponse(200)),
        Call('GET', '/projects/p', FakeResponse(403, error_body('FORBIDDEN', 'forbidden'))),
        Call('HEAD', '/projects', FakeResponse(200)),
    ])
    client = make_client(username='bob')
    assert client.get('/retentions/3/executions/9')['status'] == 'Running'
    assert client.get('/retentions/3/executions/9')['status'] == 'Succeed'
    for _attempt in range(2):
        with pytest.raises(HarborError):
            client.get_project('p')
    assert len(conversation.seen) == 6
