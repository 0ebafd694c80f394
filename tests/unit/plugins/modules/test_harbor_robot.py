# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_robot against scripted Harbor conversations: every request it sends is asserted, in order."""

from __future__ import annotations

import copy
import json
import os
import time
from types import SimpleNamespace

import pytest
import requests

from ansible.module_utils import basic

from ansible_collections.cloudtemple.harbor.plugins.module_utils import pull_secret
from ansible_collections.cloudtemple.harbor.plugins.module_utils.robots import PROJECT_CATALOGUE, SYSTEM_CATALOGUE
from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_robot
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

HARBOR_URL = 'https://harbor.example.com'
FULL_NAME = 'robot$payments+ci'
CHOSEN = 'Chosen-Secret9'
GENERATED = 'Generated0Secret0From0Harbor0Abc'
CONFIG = {'robot_name_prefix': {'value': 'robot$', 'editable': True},
          'robot_token_duration': {'value': 30, 'editable': True}}
PAYMENTS = {'project_id': 12, 'name': 'payments', 'metadata': {'public': 'false'}}
PUSH = [{'resource': 'repository', 'action': 'pull'}, {'resource': 'repository', 'action': 'push'}]
ROBOT = {
    'id': 7, 'name': FULL_NAME, 'description': 'CI', 'expires_at': -1, 'duration': -1, 'level': 'project',
    'disable': False, 'editable': True, 'creator_type': 'local', 'creator_ref': 1,
    'creation_time': '2026-01-05T10:00:00.000Z', 'update_time': '2026-01-05T10:00:00.000Z',
    'permissions': [{'kind': 'project', 'namespace': 'payments', 'access': PUSH}],
}
ROBOT_QUERY = {'q': 'Level=project,ProjectID=12', 'page': 1, 'page_size': 100}
CATALOGUE = {'project': [dict(resource=r, action=a) for r, a in sorted(PROJECT_CATALOGUE)],
             'system': [dict(resource=r, action=a) for r, a in sorted(SYSTEM_CATALOGUE)]}
SETTINGS = dict(name='ci', project='payments', description='CI', duration_days=-1,
                permissions=[dict(access=PUSH)])
UNAUTHORIZED = FakeResponse(401, error_body('UNAUTHORIZED', 'unauthorized'))
SECRET_SET = '2026-01-06T09:30:00.123Z'
ROBOT_LOGIN = FakeResponse(412, error_body('PRECONDITION', 'get current user not available for security context: robot'))


def robot(**changes):
    body = copy.deepcopy(ROBOT)
    body.update(changes)
    return body


def lookups(robots=(), config=None):
    """The three reads of every run: the configuration, the project and its robots."""
    robots = list(robots)
    return [
        Call('GET', '/configurations', config or FakeResponse(200, CONFIG)),
        Call('GET', '/projects/payments', FakeResponse(200, PAYMENTS)),
        Call('GET', '/robots', FakeResponse(200, robots, {'X-Total-Count': str(len(robots))}), params=ROBOT_QUERY),
    ]


CATALOGUE_CALL = Call('GET', '/permissions', FakeResponse(200, CATALOGUE))


def login(answer):
    return Call('GET', '/users/current', answer, auth=(FULL_NAME, CHOSEN))


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_robot.main, monkeypatch, args, **kwargs)


def capture_warnings(monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, text: warnings.append(text))
    return warnings


CREATED = FakeResponse(201, {'id': 7, 'name': FULL_NAME, 'secret': GENERATED, 'creation_time': '2026-11-21T10:00:00.000Z',
                             'expires_at': -1}, {'Location': '/api/v2.0/robots/7'})
CREATE_BODY = {'name': 'ci', 'level': 'project', 'description': 'CI', 'duration': -1, 'permissions': [
    {'kind': 'project', 'namespace': 'payments', 'access': PUSH}]}


# The four-way matrix: change, idempotent, check mode, check mode idempotent.

def test_create_returns_the_secret_once(monkeypatch, harbor):
    harbor(lookups() + [CATALOGUE_CALL, Call('POST', '/robots', CREATED, json=CREATE_BODY)])
    result, failed = run(monkeypatch, SETTINGS, diff=True)
    assert not failed and result['changed']
    assert result['secret'] == GENERATED
    assert result['robot']['id'] == 7 and result['robot']['name'] == FULL_NAME
    assert result['robot']['permissions'] == [{'namespace': 'payments', 'access': [
        {'resource': 'repository', 'action': 'pull', 'effect': 'allow'},
        {'resource': 'repository', 'action': 'push', 'effect': 'allow'}]}]
    assert result['diff']['before'] == {} and result['diff']['after']['description'] == 'CI'
    assert 'credentials_verified' not in result


def test_create_idempotent_reads_only_and_returns_no_secret(monkeypatch, harbor):
    shuffled = robot(permissions=[{'kind': 'project', 'namespace': 'payments', 'access': list(reversed(PUSH))}])
    conversation = harbor(lookups([shuffled]))
    result, failed = run(monkeypatch, SETTINGS)
    assert not failed and not result['changed']
    assert 'secret' not in result
    assert conversation.methods == ['GET', 'GET', 'GET']


def test_create_check_mode(monkeypatch, harbor):
    conversation = harbor(lookups() + [CATALOGUE_CALL])
    result, failed = run(monkeypatch, SETTINGS, check_mode=True)
    assert not failed and result['changed']
    assert 'secret' not in result and result['robot']['id'] is None
    assert result['robot']['name'] == FULL_NAME and result['robot']['expires_at'] == -1
    assert set(conversation.methods) == {'GET'}


def test_create_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor(lookups([robot()]))
    result, failed = run(monkeypatch, SETTINGS, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET', 'GET']


def test_access_presets_expand_to_the_documented_accesses(monkeypatch, harbor):
    pull_and_push = [{'resource': r, 'action': a} for r, a in (
        ('accessory', 'list'), ('artifact', 'read'), ('artifact-addition', 'read'), ('repository', 'pull'),
        ('repository', 'push'), ('tag', 'create'))]
    harbor(lookups() + [CATALOGUE_CALL, Call('POST', '/robots', CREATED, json={
        'name': 'ci', 'level': 'project', 'description': '', 'duration': 30,
        'permissions': [{'kind': 'project', 'namespace': 'payments', 'access': pull_and_push}]})])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', access=['push', 'repository:pull']))
    assert not failed and result['changed']


def test_default_duration_comes_from_harbor_configuration(monkeypatch, harbor):
    config = dict(CONFIG, robot_token_duration={'value': 90, 'editable': True})
    body = dict(CREATE_BODY, duration=90)
    harbor(lookups(config=FakeResponse(200, config)) + [CATALOGUE_CALL, Call('POST', '/robots', CREATED, json=body)])
    args = dict(SETTINGS)
    del args['duration_days']
    result, failed = run(monkeypatch, args)
    assert not failed and result['changed']


def test_create_disabled_robot_disables_it_after_the_post(monkeypatch, harbor):
    harbor(lookups() + [CATALOGUE_CALL, Call('POST', '/robots', CREATED, json=CREATE_BODY),
                        Call('PUT', '/robots/7', FakeResponse(200), json=dict(CREATE_BODY, name=FULL_NAME, disable=True))])
    result, failed = run(monkeypatch, dict(SETTINGS, disabled=True))
    assert not failed and result['robot']['disabled'] is True and result['secret'] == GENERATED


def create_with_chosen_secret(monkeypatch, harbor):
    """A created robot gets the secret and is read back for its update_time, without a login."""
    conversation = harbor(lookups() + [CATALOGUE_CALL, Call('POST', '/robots', CREATED, json=CREATE_BODY),
                                       Call('PATCH', '/robots/7', FakeResponse(200, {}), json={'secret': CHOSEN}),
                                       Call('GET', '/robots/7', FakeResponse(200, robot(update_time=SECRET_SET)))])
    result, failed = run(monkeypatch, dict(SETTINGS, secret=CHOSEN))
    assert conversation.methods[-3:] == ['POST', 'PATCH', 'GET']
    return result, failed


def test_create_with_a_chosen_secret_sets_it_and_does_not_return_it(monkeypatch, harbor, secret_records):
    result, failed = create_with_chosen_secret(monkeypatch, harbor)
    assert not failed and result['changed'] and 'credentials_verified' not in result
    assert 'secret' not in result and GENERATED not in repr(result)
    assert result['robot']['update_time'] == SECRET_SET
    assert SECRET_SET in records_file(secret_records) and CHOSEN not in records_file(secret_records)
    # The record of the new secret awaits a login: the next run logs in, which proves it; the one after does not.
    for logins in ([login(ROBOT_LOGIN)], []):
        conversation = harbor(lookups([robot(update_time=SECRET_SET)]) + logins)
        result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
        assert not failed and not result['changed'] and result['credentials_verified'] is True
        assert conversation.methods == ['GET'] * (3 + len(logins))


def test_the_login_before_a_pull_secret_is_written_proves_the_new_secret(monkeypatch, harbor):
    create_with_chosen_secret(monkeypatch, harbor)
    # harbor_pull_secret's check (module_utils/pull_secret.py logs_in), here with another secret first: refused
    # logins and other secrets prove nothing.
    checker = SimpleNamespace(params=dict(harbor_url=HARBOR_URL + '/', harbor_validate_certs=True, harbor_ca_path=None,
                                          harbor_timeout=30), warn=None)
    harbor([Call('GET', '/users/current', UNAUTHORIZED, auth=(FULL_NAME, CHOSEN))])
    assert pull_secret.logs_in(checker, FULL_NAME, CHOSEN) is False
    harbor([Call('GET', '/users/current', ROBOT_LOGIN, auth=(FULL_NAME, CHOSEN + 'x'))])
    assert pull_secret.logs_in(checker, FULL_NAME, CHOSEN + 'x') is True
    conversation = harbor(lookups([robot(update_time=SECRET_SET)]) + [login(ROBOT_LOGIN)])
    assert run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))[0]['credentials_verified'] is True
    assert conversation.methods == ['GET'] * 4
    # Once a login with the secret has come after the read-back, the robot's next run needs none.
    create_with_chosen_secret(monkeypatch, harbor)
    harbor([login(ROBOT_LOGIN)])
    assert pull_secret.logs_in(checker, FULL_NAME, CHOSEN) is True
    conversation = harbor(lookups([robot(update_time=SECRET_SET)]))
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
    assert not failed and not result['changed'] and result['credentials_verified'] is True
    assert conversation.methods == ['GET'] * 3


# Secrets: a login probe decides, never a blind write.

def test_same_secret_is_probed_and_not_written(monkeypatch, harbor):
    conversation = harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN), diff=True)
    assert not failed and not result['changed'] and result['credentials_verified'] is True
    assert 'secret' not in result and CHOSEN not in repr(result)
    assert conversation.methods == ['GET'] * 4


def test_other_secret_is_set_then_verified(monkeypatch, harbor):
    patch = Call('PATCH', '/robots/7', FakeResponse(200, {}), json={'secret': CHOSEN})
    read_back = Call('GET', '/robots/7', FakeResponse(200, robot(update_time=SECRET_SET)))
    harbor(lookups([robot()]) + [login(UNAUTHORIZED), patch, read_back, login(ROBOT_LOGIN)])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN), diff=True)
    assert not failed and result['changed'] and result['credentials_verified'] is True
    assert CHOSEN not in repr(result) and 'secret' not in result
    # Recorded with the update_time that the new secret gave the robot, not the one read before the change.
    conversation = harbor(lookups([robot(update_time=SECRET_SET)]))
    assert not run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))[0]['changed']
    assert conversation.methods == ['GET'] * 3


# Records of proven secrets (secret_records.py): a login is skipped only while the robot is as it was recorded.

def records_file(secret_records):
    with open(secret_records, encoding='utf-8') as handle:
        return handle.read()


def test_a_proven_secret_is_not_checked_again_while_the_robot_is_unchanged(monkeypatch, harbor, secret_records):
    harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    assert not run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))[0]['changed']
    for check_mode in (False, True):
        conversation = harbor(lookups([robot()]))
        result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN), check_mode=check_mode)
        assert not failed and not result['changed'] and result['credentials_verified'] is True
        assert conversation.methods == ['GET'] * 3
    assert os.stat(secret_records).st_mode & 0o777 == 0o600
    assert os.stat(os.path.dirname(secret_records)).st_mode & 0o777 == 0o700
    assert CHOSEN not in records_file(secret_records) and '2026-01-05T10:00:00.000Z' in records_file(secret_records)


def test_a_robot_updated_since_the_record_is_logged_in_as_again(monkeypatch, harbor):
    # The secret refreshed outside the collection (Harbor's UI, another tool) moved update_time.
    harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
    refreshed = robot(update_time='2026-02-01T08:00:00.000Z')
    patch = Call('PATCH', '/robots/7', FakeResponse(200, {}), json={'secret': CHOSEN})
    harbor(lookups([refreshed]) + [login(UNAUTHORIZED), patch, Call('GET', '/robots/7', FakeResponse(200, robot(
        update_time=SECRET_SET))), login(ROBOT_LOGIN)])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
    assert not failed and result['changed'] and result['credentials_verified'] is True


def test_another_secret_than_the_recorded_one_is_logged_in_with(monkeypatch, harbor):
    harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
    other = 'Other-Secret42'
    conversation = harbor(lookups([robot()]) + [Call('GET', '/users/current', UNAUTHORIZED, auth=(FULL_NAME, other))])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=other), check_mode=True)
    assert not failed and result['changed'] and result['credentials_verified'] is False
    assert conversation.methods == ['GET'] * 4


def test_a_record_of_another_robot_of_the_same_name_does_not_count(monkeypatch, harbor):
    harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
    # Deleted and created again by someone else, with the same update_time to the millisecond: another id.
    conversation = harbor(lookups([robot(id=8)]) + [login(ROBOT_LOGIN)])
    assert not run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))[0]['changed']
    assert conversation.methods == ['GET'] * 4


@pytest.mark.parametrize('content', ['', '{not json', '[]', '{"format": 1, "robots": {"x": 1}}',
                                     '{"format": 1, "robots": []}'])
def test_an_unreadable_record_file_means_a_login_and_is_rewritten(monkeypatch, harbor, secret_records, content):
    os.makedirs(os.path.dirname(secret_records), mode=0o700)
    with open(secret_records, 'w', encoding='utf-8') as handle:
        handle.write(content)
    harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    assert not run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))[0]['changed']
    conversation = harbor(lookups([robot()]))
    assert not run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))[0]['changed']
    assert conversation.methods == ['GET'] * 3


def test_a_tampered_record_means_a_login(monkeypatch, harbor, secret_records):
    harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
    content = json.loads(records_file(secret_records))
    for record in content['robots'].values():
        record['hash'] = record['salt']
    with open(secret_records, 'w', encoding='utf-8') as handle:
        json.dump(content, handle)
    conversation = harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    assert not run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))[0]['changed']
    assert conversation.methods == ['GET'] * 4


def test_records_turned_off_write_nothing_and_log_in_every_time(monkeypatch, harbor, secret_records):
    monkeypatch.setenv('HARBOR_SECRET_RECORDS', 'off')
    for _run in range(2):
        conversation = harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
        assert not run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))[0]['changed']
        assert conversation.methods == ['GET'] * 4
    assert not os.path.exists(os.path.dirname(secret_records))


def test_a_failed_login_records_nothing(monkeypatch, harbor, secret_records):
    harbor(lookups([robot()]) + [login(UNAUTHORIZED)])
    assert run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN), check_mode=True)[0]['changed']
    assert not os.path.exists(secret_records)


def test_deleting_a_robot_drops_its_record(monkeypatch, harbor, secret_records):
    harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
    assert json.loads(records_file(secret_records))['robots']
    harbor(lookups([robot()]) + [Call('DELETE', '/robots/7', FakeResponse(200))])
    assert run(monkeypatch, dict(name='ci', project='payments', state='absent'))[0]['changed']
    assert json.loads(records_file(secret_records))['robots'] == {}


def test_other_secret_check_mode(monkeypatch, harbor):
    conversation = harbor(lookups([robot()]) + [login(UNAUTHORIZED)])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN), check_mode=True)
    assert not failed and result['changed'] and result['credentials_verified'] is False
    assert set(conversation.methods) == {'GET'}


def test_same_secret_check_mode(monkeypatch, harbor):
    harbor(lookups([robot()]) + [login(ROBOT_LOGIN)])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN), check_mode=True)
    assert not failed and not result['changed']


def test_secret_of_a_disabled_robot_cannot_be_checked(monkeypatch, harbor):
    warnings = capture_warnings(monkeypatch)
    conversation = harbor(lookups([robot(disable=True)]))
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN))
    assert not failed and not result['changed'] and 'credentials_verified' not in result
    assert conversation.methods == ['GET'] * 3
    assert len(warnings) == 1 and 'disabled or expired' in warnings[0] and CHOSEN not in warnings[0]


def test_enabling_a_robot_checks_its_secret_afterwards(monkeypatch, harbor):
    enabled_body = {'name': FULL_NAME, 'level': 'project', 'description': 'CI', 'disable': False, 'duration': -1,
                    'permissions': [{'kind': 'project', 'namespace': 'payments', 'access': PUSH}]}
    conversation = harbor(lookups([robot(disable=True)]) + [
        Call('PUT', '/robots/7', FakeResponse(200), json=enabled_body),
        Call('GET', '/robots/7', FakeResponse(200, robot())),
        login(ROBOT_LOGIN),
    ])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret=CHOSEN, disabled=False))
    assert not failed and result['changed'] and result['credentials_verified'] is True
    assert 'PATCH' not in conversation.methods


def test_regenerate_secret_returns_the_new_one(monkeypatch, harbor):
    harbor(lookups([robot()]) + [Call('PATCH', '/robots/7', FakeResponse(200, {'secret': GENERATED}), json={})])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', regenerate_secret=True), diff=True)
    assert not failed and result['changed'] and result['secret'] == GENERATED
    assert GENERATED not in repr(result['diff'])


def test_regenerate_secret_check_mode(monkeypatch, harbor):
    conversation = harbor(lookups([robot()]))
    result, failed = run(monkeypatch, dict(name='ci', project='payments', regenerate_secret=True), check_mode=True)
    assert not failed and result['changed'] and 'secret' not in result
    assert conversation.methods == ['GET'] * 3


# Updates send the whole robot.

def test_update_resends_everything_harbor_would_reset(monkeypatch, harbor):
    stored = robot(permissions=[{'kind': 'project', 'namespace': 'payments',
                                 'access': [dict(a, effect='allow') for a in PUSH]}])
    harbor(lookups([stored]) + [
        Call('PUT', '/robots/7', FakeResponse(200), json={
            'name': FULL_NAME, 'level': 'project', 'description': 'new text', 'disable': False, 'duration': -1,
            'permissions': [{'kind': 'project', 'namespace': 'payments', 'access': PUSH}]}),
        Call('GET', '/robots/7', FakeResponse(200, robot(description='new text'))),
    ])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', description='new text'), diff=True)
    assert not failed and result['changed']
    assert result['diff'] == {'before': {'name': 'ci', 'project': 'payments', 'description': 'CI'},
                              'after': {'name': 'ci', 'project': 'payments', 'description': 'new text'}}
    assert result['robot']['description'] == 'new text'


def test_permission_change_replaces_the_permissions(monkeypatch, harbor):
    harbor(lookups([robot()]) + [
        CATALOGUE_CALL,
        Call('PUT', '/robots/7', FakeResponse(200), json={
            'name': FULL_NAME, 'level': 'project', 'description': 'CI', 'disable': False, 'duration': -1,
            'permissions': [{'kind': 'project', 'namespace': 'payments', 'access': [
                {'resource': 'repository', 'action': 'pull'}, {'resource': 'repository', 'action': 'push',
                                                               'effect': 'deny'}]}]}),
        Call('GET', '/robots/7', FakeResponse(200, robot())),
    ])
    permissions = [dict(access=[dict(resource='repository', action='push', effect='deny'),
                                dict(resource='repository', action='pull')])]
    result, failed = run(monkeypatch, dict(name='ci', project='payments', permissions=permissions))
    assert not failed and result['changed']


def test_duration_change_warns_when_it_expires_the_robot_at_once(monkeypatch, harbor):
    warnings = capture_warnings(monkeypatch)
    old = robot(duration=365, expires_at=int(time.time()) + 86400, creation_time='2020-01-01T00:00:00.000Z')
    harbor(lookups([old]) + [
        Call('PUT', '/robots/7', FakeResponse(200), json={
            'name': FULL_NAME, 'level': 'project', 'description': 'CI', 'disable': False, 'duration': 30,
            'permissions': [{'kind': 'project', 'namespace': 'payments', 'access': PUSH}]}),
        Call('GET', '/robots/7', FakeResponse(200, robot(duration=30, expires_at=1580515200))),
    ])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', duration_days=30))
    assert not failed and result['changed'] and result['robot']['expired'] is True
    assert result['robot']['expires_at'] == 1580515200
    assert len(warnings) == 1 and 'counts from the creation' in warnings[0]


def test_robots_elsewhere_with_the_same_short_name_are_other_robots(monkeypatch, harbor):
    other = robot(id=8, name='robot$payments+ci-old')
    harbor(lookups([other]) + [CATALOGUE_CALL, Call('POST', '/robots', CREATED, json=CREATE_BODY)])
    result, failed = run(monkeypatch, SETTINGS)
    assert not failed and result['changed'] and result['robot']['id'] == 7


# Names and prefixes.

def test_configured_prefix_is_used(monkeypatch, harbor):
    config = dict(CONFIG, robot_name_prefix={'value': 'bot-', 'editable': True})
    conversation = harbor(lookups([robot(name='bot-payments+ci')], config=FakeResponse(200, config)))
    result, failed = run(monkeypatch, SETTINGS)
    assert not failed and not result['changed'] and conversation.methods == ['GET'] * 3


def test_wrong_robot_prefix_is_explained_instead_of_colliding(monkeypatch, harbor):
    forbidden = FakeResponse(403, error_body('FORBIDDEN', 'dev'))
    harbor(lookups([robot(name='bot-payments+ci')], config=forbidden))
    result, failed = run(monkeypatch, dict(SETTINGS, harbor_username='dev'))
    assert failed and 'robot_prefix' in result['msg'] and "'bot-'" in result['msg']


def test_robot_prefix_option_applies_when_the_configuration_is_not_readable(monkeypatch, harbor):
    forbidden = FakeResponse(403, error_body('FORBIDDEN', 'dev'))
    conversation = harbor(lookups([robot(name='bot-payments+ci')], config=forbidden))
    result, failed = run(monkeypatch, dict(SETTINGS, harbor_username='dev', robot_prefix='bot-'))
    assert not failed and not result['changed'] and conversation.methods == ['GET'] * 3


# Recovery.

def test_lost_create_answer_is_settled_by_looking_and_a_fresh_secret(monkeypatch, harbor):
    harbor(lookups() + [
        CATALOGUE_CALL,
        Call('POST', '/robots', requests.exceptions.ReadTimeout('read timed out'), json=CREATE_BODY),
        # The project is remembered: a robot's creation does not change it.
        Call('GET', '/robots', FakeResponse(200, [robot()], {'X-Total-Count': '1'}), params=ROBOT_QUERY),
        # The generated secret was in the lost answer: only a new one can be returned.
        Call('PATCH', '/robots/7', FakeResponse(200, {'secret': GENERATED}), json={}),
    ])
    result, failed = run(monkeypatch, SETTINGS)
    assert not failed and result['changed'] and result['secret'] == GENERATED


def test_create_race_converges_the_robot_another_run_made(monkeypatch, harbor):
    conflict = FakeResponse(409, error_body('CONFLICT', 'robot account 12:payments+ci already exists'))
    conversation = harbor(lookups() + [
        CATALOGUE_CALL,
        Call('POST', '/robots', conflict),
        # The project is remembered: a robot's creation does not change it.
        Call('GET', '/robots', FakeResponse(200, [robot()], {'X-Total-Count': '1'}), params=ROBOT_QUERY),
    ])
    result, failed = run(monkeypatch, SETTINGS)
    assert not failed and not result['changed'] and 'secret' not in result
    assert conversation.methods.count('POST') == 1


# A loop of robots in one process (the controller runs a task's loop items in process).

def created(robot_id, name):
    return FakeResponse(201, {'id': robot_id, 'name': 'robot$payments+%s' % name, 'secret': GENERATED,
                              'creation_time': '2026-11-21T10:00:00.000Z', 'expires_at': -1},
                        {'Location': '/api/v2.0/robots/%d' % robot_id})


def test_a_loop_creating_robots_of_one_project_reads_its_robots_once(monkeypatch, harbor):
    conversation = harbor(lookups() + [CATALOGUE_CALL, Call('POST', '/robots', created(7, 'pull')),
                                       Call('POST', '/robots', created(8, 'ci'))])
    pull, failed = run(monkeypatch, dict(SETTINGS, name='pull'))
    assert not failed and pull['changed']
    # The robot just created joined the remembered listing: the next item neither reads it again nor misses it.
    ci, failed = run(monkeypatch, dict(SETTINGS, name='ci'), fresh_process=False)
    assert not failed and ci['changed'] and ci['robot']['id'] == 8
    again, failed = run(monkeypatch, dict(SETTINGS, name='pull'), fresh_process=False)
    assert not failed and not again['changed'] and again['robot']['id'] == 7
    assert conversation.methods == ['GET'] * 4 + ['POST'] * 2


def test_a_robot_update_forgets_the_listing_a_creation_kept(monkeypatch, harbor):
    kept = robot(id=7, name='robot$payments+pull')
    conversation = harbor(lookups() + [CATALOGUE_CALL, Call('POST', '/robots', created(7, 'pull')),
                                       Call('PUT', '/robots/7'),
                                       Call('GET', '/robots/7', FakeResponse(200, dict(kept, description='Pulls'))),
                                       Call('GET', '/robots', FakeResponse(200, [dict(kept, description='Pulls')]),
                                            params=ROBOT_QUERY),
                                       Call('POST', '/robots', created(8, 'ci'))])
    run(monkeypatch, dict(SETTINGS, name='pull'))
    updated, failed = run(monkeypatch, dict(name='pull', project='payments', description='Pulls'), fresh_process=False)
    assert not failed and updated['changed'] and updated['robot']['description'] == 'Pulls'
    ci, failed = run(monkeypatch, dict(SETTINGS, name='ci'), fresh_process=False)
    assert not failed and ci['changed']
    assert conversation.methods[-2:] == ['GET', 'POST']


def test_a_failed_creation_keeps_no_listing(monkeypatch, harbor):
    denied = FakeResponse(403, error_body('FORBIDDEN', 'forbidden'))
    harbor(lookups() + [CATALOGUE_CALL, Call('POST', '/robots', created(7, 'pull')),
                        Call('PATCH', '/robots/7', denied, json={'secret': CHOSEN}),
                        Call('GET', '/robots', FakeResponse(200, [robot(id=7, name='robot$payments+pull')]),
                             params=ROBOT_QUERY),
                        Call('POST', '/robots', created(8, 'ci'))])
    _result, failed = run(monkeypatch, dict(SETTINGS, name='pull', secret=CHOSEN))
    assert failed
    ci, failed = run(monkeypatch, dict(SETTINGS, name='ci'), fresh_process=False)
    assert not failed and ci['changed']


# Deletion.

def test_delete_and_delete_again(monkeypatch, harbor):
    harbor(lookups([robot()]) + [Call('DELETE', '/robots/7', FakeResponse(200))])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', state='absent'))
    assert not failed and result['changed'] and result['robot'] == {}
    harbor(lookups())
    result, failed = run(monkeypatch, dict(name='ci', project='payments', state='absent'))
    assert not failed and not result['changed']


def test_delete_check_mode(monkeypatch, harbor):
    conversation = harbor(lookups([robot()]))
    result, failed = run(monkeypatch, dict(name='ci', project='payments', state='absent'), check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET'] * 3


def test_delete_in_a_missing_project_is_no_change(monkeypatch, harbor):
    harbor([Call('GET', '/configurations', FakeResponse(200, CONFIG)),
            Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', state='absent'))
    assert not failed and not result['changed']


# System robots.

SYSTEM_QUERY = {'q': 'Level=system', 'page': 1, 'page_size': 100}


def test_system_robot_with_several_namespaces(monkeypatch, harbor):
    permissions = [
        dict(namespace='/', access=[dict(resource='project', action='create')]),
        dict(namespace='payments', access=[dict(resource='repository', action='pull')]),
        dict(namespace='*', access=[dict(resource='artifact', action='read')]),
    ]
    harbor([
        Call('GET', '/configurations', FakeResponse(200, CONFIG)),
        Call('GET', '/robots', FakeResponse(200, [], {'X-Total-Count': '0'}), params=SYSTEM_QUERY),
        CATALOGUE_CALL,
        Call('GET', '/projects/payments', FakeResponse(200, PAYMENTS)),
        Call('POST', '/robots', FakeResponse(201, {'id': 9, 'name': 'robot$provisioner', 'secret': GENERATED,
                                                   'expires_at': -1}), json={
            'name': 'provisioner', 'level': 'system', 'description': '', 'duration': -1, 'permissions': [
                {'kind': 'project', 'namespace': '*', 'access': [{'resource': 'artifact', 'action': 'read'}]},
                {'kind': 'system', 'namespace': '/', 'access': [{'resource': 'project', 'action': 'create'}]},
                {'kind': 'project', 'namespace': 'payments', 'access': [{'resource': 'repository', 'action': 'pull'}]},
            ]}),
    ])
    result, failed = run(monkeypatch, dict(name='provisioner', permissions=permissions, duration_days=-1))
    assert not failed and result['changed'] and result['robot']['level'] == 'system'
    assert result['robot']['project'] is None


def test_system_robot_namespace_must_exist(monkeypatch, harbor):
    conversation = harbor([
        Call('GET', '/configurations', FakeResponse(200, CONFIG)),
        Call('GET', '/robots', FakeResponse(200, [], {'X-Total-Count': '0'}), params=SYSTEM_QUERY),
        CATALOGUE_CALL,
        Call('GET', '/projects/nowhere', FakeResponse(404, error_body('NOT_FOUND', 'project nowhere not found'))),
    ])
    permissions = [dict(namespace='nowhere', access=[dict(resource='repository', action='pull')])]
    result, failed = run(monkeypatch, dict(name='provisioner', permissions=permissions))
    assert failed and "permissions: project 'nowhere'" in result['msg']
    assert set(conversation.methods) == {'GET'}


# Bad input.

@pytest.mark.parametrize('args, fragment', [
    (dict(name='CI', project='payments'), 'name'),
    (dict(name='payments+ci', project='payments'), 'name'),
    (dict(name='robot$ci'), 'name'),
    (dict(name='ci', project='Payments'), 'project'),
    (dict(name='ci', project='payments', duration_days=0), 'duration_days'),
    (dict(name='ci', project='payments', duration_days=-2), 'duration_days'),
    (dict(name='ci', project='payments', secret='weak'), 'secret'),
    (dict(name='ci', project='payments', secret='alllowercase1'), 'secret'),
    (dict(name='ci', project='payments', secret='a' * 200 + 'A1'), 'secret'),
    (dict(name='ci', project='payments', permissions=[dict(namespace='payments', access=PUSH),
                                                      dict(namespace='billing', access=PUSH)]), 'permissions'),
    (dict(name='ci', project='payments', permissions=[dict(namespace='*', access=PUSH)]), 'permissions'),
    (dict(name='ci', permissions=[dict(namespace='Bad Name', access=PUSH)]), 'permissions'),
    (dict(name='ci', permissions=[dict(access=PUSH)]), 'permissions'),
    (dict(name='ci', access=['pull']), 'access'),
    (dict(name='ci', project='payments', access=['pul']), 'access'),
    (dict(name='ci', project='payments', access=['repository:']), 'access'),
    (dict(name='ci', project='payments', access=['pull'], permissions=[dict(access=PUSH)]), 'mutually exclusive'),
    (dict(name='ci', project='payments', secret=CHOSEN, regenerate_secret=True), 'mutually exclusive'),
    (dict(name='ci', project='payments', permissions=[dict(access=[dict(resource='repository', action='pull',
                                                                        effect='maybe')])]), 'effect'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, fragment):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and fragment in result['msg']
    assert conversation.seen == []
    if 'secret' in args:
        assert args['secret'] not in result['msg']


def test_weak_secret_is_not_echoed(monkeypatch, harbor):
    harbor([])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', secret='Sh0rt'))
    assert failed and 'Sh0rt' not in repr(result)


@pytest.mark.parametrize('access', [['repository:pul'], ['robot:update'], ['project:create']])
def test_unknown_permissions_fail_before_any_write(monkeypatch, harbor, access):
    conversation = harbor(lookups() + [CATALOGUE_CALL])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', access=access))
    assert failed and 'access' in result['msg'] and access[0] in result['msg']
    assert set(conversation.methods) == {'GET'}


def test_builtin_catalogue_when_harbor_does_not_show_its_own(monkeypatch, harbor):
    forbidden = FakeResponse(403, error_body('FORBIDDEN', 'forbidden: only admins(system and project) can access'))
    conversation = harbor(lookups() + [Call('GET', '/permissions', forbidden)])
    result, failed = run(monkeypatch, dict(name='ci', project='payments', access=['repository:pul']))
    assert failed and 'repository:pul' in result['msg'] and set(conversation.methods) == {'GET'}


def test_creating_without_permissions_is_refused_before_any_write(monkeypatch, harbor):
    conversation = harbor(lookups())
    result, failed = run(monkeypatch, dict(name='ci', project='payments'))
    assert failed and 'permissions or access is required' in result['msg']
    assert set(conversation.methods) == {'GET'}


def test_missing_project_is_reported(monkeypatch, harbor):
    harbor([Call('GET', '/configurations', FakeResponse(200, CONFIG)),
            Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))])
    result, failed = run(monkeypatch, SETTINGS)
    assert failed and "project: project 'payments' does not exist" in result['msg']


def test_a_robot_granting_more_than_it_holds_gets_the_right_explanation(monkeypatch, harbor):
    denied = FakeResponse(403, error_body('DENIED', 'permission scope is invalid. It must be equal to or more '
                                                    'restrictive than the creator robot\'s permissions: robot$p+m'))
    forbidden = FakeResponse(403, error_body('FORBIDDEN', 'robot$payments+manager'))
    harbor(lookups(config=forbidden) + [Call('GET', '/permissions', forbidden), Call('POST', '/robots', denied)])
    result, failed = run(monkeypatch, dict(SETTINGS, harbor_username='robot$payments+manager'))
    assert failed and result['code'] == 'DENIED'
    assert 'permission scope is invalid' in result['msg'] and 'permissions it holds itself' in result['msg']
    assert 'lacks robot:create' not in result['msg']


def test_a_system_robot_hidden_by_a_wrong_prefix_is_explained(monkeypatch, harbor):
    forbidden = FakeResponse(403, error_body('FORBIDDEN', 'robot$ops'))
    conflict = FakeResponse(409, error_body('CONFLICT', 'robot account 0:provisioner already exists'))
    empty = FakeResponse(200, [], {'X-Total-Count': '0'})
    permissions = [dict(namespace='/', access=[dict(resource='project', action='list')])]
    harbor([
        Call('GET', '/configurations', forbidden),
        Call('GET', '/robots', empty, params={'q': 'Level=system', 'page': 1, 'page_size': 100}),
        Call('GET', '/permissions', forbidden),
        Call('POST', '/robots', conflict),
        # The engine looks once more for a robot a concurrent run made, then gives up with the hint.
        Call('GET', '/robots', empty, params={'q': 'Level=system', 'page': 1, 'page_size': 100}),
    ])
    result, failed = run(monkeypatch, dict(name='provisioner', permissions=permissions))
    assert failed and result['status'] == 409
    assert 'robot$provisioner' in result['msg'] and 'set robot_prefix' in result['msg']
