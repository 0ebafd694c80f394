# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The harbor_webhook event source on its own: both payload formats, the token, TLS, malformed input.

The payloads have the shapes a real Harbor v2.15.2 sends (captured from one; see docs/event-driven.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import ssl
import sys

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, 'extensions', 'eda', 'plugins', 'event_source'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'emulator'))

import harbor_webhook  # noqa: E402 pylint: disable=import-error,wrong-import-position

TOKEN = 'Bearer eda-Secret-7f3a'
DIGEST = 'sha256:' + 'ab' * 32
REPOSITORY = {'name': 'api', 'namespace': 'payments', 'repo_full_name': 'payments/api', 'repo_type': 'private'}
SCAN_DATA = {
    'resources': [{
        'digest': DIGEST, 'tag': '2.3.4', 'resource_url': 'harbor.example.com/payments/api:2.3.4',
        'scan_overview': {harbor_webhook.VULNERABILITY_REPORT: {
            'report_id': 'r-1', 'scan_status': 'Success', 'severity': 'High', 'duration': 2,
            'summary': {'total': 2, 'fixable': 1, 'summary': {'High': 1, 'Low': 1}},
            'start_time': '2026-12-06T18:48:14Z', 'end_time': '2026-12-06T18:48:16Z',
            'scanner': {'name': 'Trivy', 'vendor': 'Aqua Security', 'version': 'v0.58'}, 'complete_percent': 100}},
    }],
    'repository': REPOSITORY,
    'scan': {'scan_type': 'vulnerability'},
}
DEFAULT_SCAN = {'type': 'SCANNING_COMPLETED', 'occur_at': 1796582896, 'operator': 'ci-bot', 'event_data': SCAN_DATA}
CLOUDEVENT_SCAN = {
    'specversion': '1.0', 'id': '904017a2-a887-45d7-a127-b50fe8827952', 'source': '/projects/7/webhook/policies/3',
    'type': 'harbor.scan.completed', 'datacontenttype': 'application/json', 'time': '2026-12-06T18:48:16Z',
    'data': SCAN_DATA, 'operator': 'ci-bot', 'requestid': '79f9a366',
}
QUOTA_WARNING = {'type': 'QUOTA_WARNING', 'occur_at': 1796582818, 'operator': 'admin', 'event_data': {
    'repository': REPOSITORY,
    'custom_attributes': {'Details': 'quota usage reach 85%: resource storage used 7.3 KiB of 8.4 KiB'}}}
PUSH = {'type': 'PUSH_ARTIFACT', 'occur_at': 1796582000, 'operator': 'robot$payments+ci', 'event_data': {
    'resources': [{'digest': DIGEST, 'tag': '2.3.4'}, {'digest': DIGEST, 'tag': 'latest'}],
    'repository': REPOSITORY}}


def serve(args, exchange):
    """Run the listener on an ephemeral port, let `exchange(client)` talk to it, return (result, events)."""

    async def scenario():
        queue = asyncio.Queue()
        client = TestClient(TestServer(harbor_webhook.make_app(queue, args)))
        await client.start_server()
        try:
            result = await exchange(client)
        finally:
            await client.close()
        events = []
        while not queue.empty():
            events.append(queue.get_nowait())
        return result, events

    return asyncio.run(scenario())


def events_of(args, exchange):
    return serve(args, exchange)[1]


def post(body, headers=None, path='/harbor'):
    async def exchange(client):
        data = body if isinstance(body, str) else json.dumps(body)
        response = await client.post(path, data=data, headers=headers or {})
        return response.status, await response.json()
    return exchange


def test_a_default_notification_becomes_one_normalised_event():
    (status, answer), events = serve({'token': TOKEN}, post(DEFAULT_SCAN, {'Authorization': TOKEN}))
    assert (status, answer) == (200, {'accepted': True})
    [event] = events
    assert event['type'] == 'SCANNING_COMPLETED'
    assert event['format'] == 'Default'
    assert (event['project'], event['repository'], event['digest'], event['tags']) == (
        'payments', 'api', DIGEST, ['2.3.4'])
    assert event['operator'] == 'ci-bot'
    assert event['scan'] == {'status': 'Success', 'severity': 'High', 'summary': {'High': 1, 'Low': 1}, 'total': 2,
                             'fixable': 1, 'scanner': 'Trivy', 'report_id': 'r-1', 'end_time': '2026-12-06T18:48:16Z',
                             'type': 'vulnerability'}
    assert event['payload'] == DEFAULT_SCAN
    assert event['meta']['endpoint'] == 'harbor'


def test_a_cloudevents_notification_gives_the_same_event():
    (status, answer), events = serve({'token': TOKEN}, post(
        CLOUDEVENT_SCAN, {'Authorization': TOKEN, 'Content-Type': 'application/cloudevents+json'}))
    assert (status, answer) == (200, {'accepted': True})
    [event] = events
    assert event['format'] == 'CloudEvents'
    from_default = events_of({}, post(DEFAULT_SCAN))[0]
    for key in ('type', 'project', 'repository', 'digest', 'tags', 'operator', 'scan'):
        assert event[key] == from_default[key], key
    assert event['occur_at'] == '2026-12-06T18:48:16Z'
    assert event['payload'] == CLOUDEVENT_SCAN


def test_a_push_of_several_tags_lists_them_and_a_quota_warning_carries_its_details():
    [push] = events_of({}, post(PUSH))
    assert push['tags'] == ['2.3.4', 'latest']
    assert push['scan'] is None
    [warning] = events_of({}, post(QUOTA_WARNING))
    assert warning['type'] == 'QUOTA_WARNING'
    assert warning['project'] == 'payments'
    assert warning['digest'] is None
    assert warning['details'].startswith('quota usage reach 85%')


@pytest.mark.parametrize('header', [None, 'Bearer wrong', TOKEN[:-1], TOKEN.lower(), 'Basic ' + TOKEN])
def test_a_missing_or_wrong_authorization_header_is_refused_and_emits_nothing(header, caplog):
    headers = {'Authorization': header} if header is not None else {}
    with caplog.at_level(logging.DEBUG):
        (status, answer), events = serve({'token': TOKEN}, post(DEFAULT_SCAN, headers))
    assert status == 401
    assert answer == {'error': 'unauthorized'}
    assert events == []
    assert 'Authorization' in caplog.text
    assert 'eda-Secret' not in caplog.text.lower() and 'eda-secret' not in caplog.text.lower()


def test_the_authorization_header_never_reaches_the_event():
    [event] = events_of({'token': TOKEN}, post(DEFAULT_SCAN, {'Authorization': TOKEN, 'X-Request-Id': 'req-1'}))
    assert 'eda-Secret' not in json.dumps(event)
    assert {key.lower(): value for key, value in event['meta']['headers'].items()}['x-request-id'] == 'req-1'
    assert not [key for key in event['meta']['headers'] if key.lower() == 'authorization']


@pytest.mark.parametrize('body, reason', [
    ('{"type": "PUSH_ARTIFACT", ', 'not valid JSON'),
    ('["PUSH_ARTIFACT"]', 'not a JSON object'),
    (json.dumps({'type': 'CREATE_TAG', 'event_data': {}}), 'CREATE_TAG'),
    (json.dumps({'type': 'PUSH_ARTIFACT'}), 'event_data'),
    (json.dumps(dict(CLOUDEVENT_SCAN, type='harbor.tag.created')), 'harbor.tag.created'),
])
def test_malformed_or_unknown_notifications_get_400_and_a_log_line(body, reason, caplog):
    with caplog.at_level(logging.WARNING):
        (status, answer), events = serve({'token': TOKEN}, post(body, {'Authorization': TOKEN}))
    assert status == 400
    assert reason.lower() in (answer['error'] + caplog.text).lower()
    assert events == []
    assert 'refused a notification' in caplog.text


def test_the_listener_keeps_serving_after_bad_requests():
    async def exchange(client):
        statuses = []
        for body in ('not json', DEFAULT_SCAN, '{}', PUSH):
            response = await client.post('/', data=body if isinstance(body, str) else json.dumps(body))
            statuses.append(response.status)
        return statuses
    statuses, events = serve({}, exchange)
    assert statuses == [400, 200, 400, 200]
    assert [event['type'] for event in events] == ['SCANNING_COMPLETED', 'PUSH_ARTIFACT']


def test_types_filters_and_an_unknown_type_is_a_clear_error():
    (status, answer), events = serve({'types': ['QUOTA_WARNING']}, post(PUSH))
    assert (status, answer, events) == (200, {'accepted': False}, [])
    with pytest.raises(ValueError, match='types: CREATE_TAG'):
        harbor_webhook.make_app(asyncio.Queue(), {'types': ['CREATE_TAG']})


def test_main_serves_https_with_the_given_certificate(tmp_path):
    from emulator.tls import create_server_context  # pylint: disable=import-error,import-outside-toplevel
    ca_path = create_server_context(str(tmp_path))[1]

    async def scenario():
        queue = asyncio.Queue()
        port = free_port()
        args = {'host': '127.0.0.1', 'port': port, 'token': TOKEN, 'certfile': str(tmp_path / 'server.pem'),
                'keyfile': str(tmp_path / 'server-key.pem')}
        task = asyncio.create_task(harbor_webhook.main(queue, args))
        context = ssl.create_default_context(cafile=ca_path)
        try:
            async with aiohttp.ClientSession() as session:
                for _attempt in range(50):
                    try:
                        async with session.post('https://127.0.0.1:%d/hook' % port, json=PUSH, ssl=context,
                                                headers={'Authorization': TOKEN}) as response:
                            status = response.status
                        break
                    except aiohttp.ClientConnectorError:
                        await asyncio.sleep(0.1)
            return status, await asyncio.wait_for(queue.get(), 5)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    status, event = asyncio.run(scenario())
    assert status == 200
    assert event['type'] == 'PUSH_ARTIFACT'


def free_port():
    """A free TCP port on 127.0.0.1 (closed again before the listener binds it)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def test_the_plugin_follows_the_event_source_conventions():
    import inspect  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel
    assert inspect.iscoroutinefunction(harbor_webhook.main)
    assert list(inspect.signature(harbor_webhook.main).parameters) == ['queue', 'args']
    documentation = yaml.safe_load(harbor_webhook.DOCUMENTATION)
    assert set(documentation['options']) >= {'host', 'port', 'token', 'certfile', 'keyfile'}
    examples = yaml.safe_load(harbor_webhook.EXAMPLES)
    assert 'cloudtemple.harbor.harbor_webhook' in examples[0]['sources'][0]
