# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""An ansible-rulebook event source that receives Harbor's project webhooks."""

from __future__ import annotations

DOCUMENTATION = r"""
---
short_description: Receive Harbor's project webhooks as events
description:
  - Listens for the notifications that Harbor's project webhook policies send (an artifact pushed, pulled or deleted,
    a scan completed, failed or stopped, a quota warning or excess, a tag retention run, a replication) and puts one
    event per notification on the rulebook's queue.
  - Accepts both of Harbor's payload formats, C(Default) and C(CloudEvents) (structured mode), on any path.
  - Each event carries a normalised shape (C(type), C(project), C(repository), C(digest), C(tags), C(operator),
    C(scan), C(details)) beside the raw notification in C(payload); C(meta.headers) holds the request's headers
    without C(Authorization).
  - A request without the expected C(Authorization) header gets 401, malformed JSON or an event type Harbor does not
    send gets 400; none of them becomes an event, and neither the token nor the header is ever logged.
options:
  host:
    description:
      - The address to listen on. V(0.0.0.0) listens on every interface.
    type: str
    default: 127.0.0.1
  port:
    description:
      - The TCP port to listen on.
    type: int
    default: 5000
  token:
    description:
      - The exact value Harbor sends in the C(Authorization) header, that is the webhook target's C(auth_header),
        such as V(Bearer s3cr3t). Compared in constant time.
      - When not set, every request is accepted; set it whenever the listener is reachable from more than Harbor.
    type: str
  certfile:
    description:
      - A PEM certificate (with its chain) to serve HTTPS; Harbor's target address is then C(https://...).
    type: str
  keyfile:
    description:
      - The private key of O(certfile), when it is not in the same file.
    type: str
  password:
    description:
      - The password of O(keyfile), when it is encrypted.
    type: str
  types:
    description:
      - Harbor event types to emit, such as V(SCANNING_COMPLETED); notifications of other known types are answered
        200 and dropped. All types when not set.
    type: list
    elements: str
"""

EXAMPLES = r"""
- name: Promote what scans clean
  hosts: localhost
  sources:
    - cloudtemple.harbor.harbor_webhook:
        host: 0.0.0.0
        port: 5000
        token: "Bearer {{ harbor_webhook_token }}"
  rules:
    - name: Scan completed without High or Critical findings
      condition: >-
        event.type == "SCANNING_COMPLETED" and event.scan.status == "Success"
        and event.scan.severity not in ["High", "Critical"]
      action:
        run_playbook:
          name: cloudtemple.harbor.promote
          extra_vars:
            promote_source: "{{ event.project }}/{{ event.repository }}@{{ event.digest }}"
            promote_target_project: payments-prod
"""

import asyncio
import hmac
import json
import logging
import ssl
from typing import Any

from aiohttp import web

LOGGER = logging.getLogger(__name__)

# Harbor's event types (GET /projects/{p}/webhook/events on v2.15) and the CloudEvents `type` of each.
CLOUDEVENT_TYPES = {
    'harbor.artifact.pushed': 'PUSH_ARTIFACT',
    'harbor.artifact.pulled': 'PULL_ARTIFACT',
    'harbor.artifact.deleted': 'DELETE_ARTIFACT',
    'harbor.quota.warned': 'QUOTA_WARNING',
    'harbor.quota.exceeded': 'QUOTA_EXCEED',
    'harbor.scan.completed': 'SCANNING_COMPLETED',
    'harbor.scan.failed': 'SCANNING_FAILED',
    'harbor.scan.stopped': 'SCANNING_STOPPED',
    'harbor.tag_retention.finished': 'TAG_RETENTION',
    'harbor.replication.status.changed': 'REPLICATION',
}
EVENT_TYPES = frozenset(CLOUDEVENT_TYPES.values())
# Harbor keys a scan overview by the report's MIME type; the vulnerability report is the one a gate reads.
VULNERABILITY_REPORT = 'application/vnd.security.vulnerability.report; version=1.1'
HIDDEN_HEADERS = frozenset(('authorization', 'cookie', 'proxy-authorization'))


class BadNotification(ValueError):
    """A request body that is no Harbor notification; the message is safe to log and to answer."""


def unwrap(body: Any) -> tuple[str, dict]:
    """The format and a Default-shaped envelope (type, occur_at, operator, event_data) of either format."""
    if not isinstance(body, dict):
        raise BadNotification('the body is not a JSON object')
    if 'specversion' in body:
        event_type = CLOUDEVENT_TYPES.get(body.get('type'))
        if event_type is None:
            raise BadNotification('unknown CloudEvents type %r' % (body.get('type'),))
        envelope = {'type': event_type, 'occur_at': body.get('time'), 'operator': body.get('operator'),
                    'event_data': body.get('data') or {}}
        return 'CloudEvents', envelope
    if body.get('type') not in EVENT_TYPES:
        raise BadNotification('unknown event type %r' % (body.get('type'),))
    if not isinstance(body.get('event_data'), dict):
        raise BadNotification('event_data is missing')
    return 'Default', body


def scan_of(resource: dict) -> dict | None:
    """The vulnerability scan overview of a resource, in plain names; None when the notification has none."""
    overviews = resource.get('scan_overview') or {}
    overview = overviews.get(VULNERABILITY_REPORT) or next(iter(overviews.values()), None)
    if not overview:
        return None
    summary = overview.get('summary') or {}
    return {'status': overview.get('scan_status'), 'severity': overview.get('severity'),
            'summary': summary.get('summary') or {}, 'total': summary.get('total', 0),
            'fixable': summary.get('fixable', 0), 'scanner': (overview.get('scanner') or {}).get('name'),
            'report_id': overview.get('report_id'), 'end_time': overview.get('end_time')}


def normalise(body: Any, endpoint: str = '', headers: dict | None = None) -> dict:
    """One event from one notification: the plain fields a rule tests, the raw payload, and safe headers."""
    payload_format, envelope = unwrap(body)
    data = envelope['event_data']
    repository = data.get('repository') or {}
    resources = [item for item in data.get('resources') or [] if isinstance(item, dict)]
    first = resources[0] if resources else {}
    retention = data.get('retention') or {}
    replication = data.get('replication') or {}
    event = {
        'type': envelope['type'],
        'format': payload_format,
        'occur_at': envelope.get('occur_at'),
        'operator': envelope.get('operator'),
        'project': repository.get('namespace') or retention.get('project_name')
        or (replication.get('src_resource') or {}).get('namespace'),
        'repository': repository.get('name'),
        'digest': first.get('digest'),
        'tags': sorted(set(item['tag'] for item in resources if item.get('tag'))),
        'scan': scan_of(first),
        'details': (data.get('custom_attributes') or {}).get('Details'),
        'payload': body,
        'meta': {'endpoint': endpoint,
                 'headers': dict((key, value) for key, value in (headers or {}).items()
                                 if key.lower() not in HIDDEN_HEADERS)},
    }
    if event['scan'] is not None:
        event['scan']['type'] = (data.get('scan') or {}).get('scan_type', 'vulnerability')
    return event


def parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadNotification('the body is not valid JSON (%s)' % exc) from None


def authorised(header: str | None, token: str | None) -> bool:
    """True when no token is required, or the header is exactly the token (compared in constant time)."""
    if not token:
        return True
    return hmac.compare_digest((header or '').encode('utf-8'), token.encode('utf-8'))


def make_app(queue: asyncio.Queue, args: dict[str, Any]) -> web.Application:
    """The listener: every POST path is a webhook target."""
    token = args.get('token')
    wanted = set(args.get('types') or EVENT_TYPES)
    unknown = wanted - EVENT_TYPES
    if unknown:
        raise ValueError('types: %s are not Harbor event types; use some of %s'
                         % (', '.join(sorted(unknown)), ', '.join(sorted(EVENT_TYPES))))

    async def receive(request: web.Request) -> web.Response:
        if not authorised(request.headers.get('Authorization'), token):
            LOGGER.warning('harbor_webhook: refused a notification to /%s from %s: missing or wrong Authorization '
                           'header', request.match_info['endpoint'], request.remote)
            return web.json_response({'error': 'unauthorized'}, status=401)
        try:
            body = parse_json(await request.text())
            event = normalise(body, request.match_info['endpoint'], dict(request.headers))
        except (ValueError, UnicodeDecodeError) as exc:
            # BadNotification and json.JSONDecodeError are both ValueErrors; their text holds no secret
            LOGGER.warning('harbor_webhook: refused a notification to /%s: %s', request.match_info['endpoint'], exc)
            return web.json_response({'error': str(exc)}, status=400)
        if event['type'] in wanted:
            await queue.put(event)
        return web.json_response({'accepted': event['type'] in wanted})

    app = web.Application()
    app.router.add_post('/{endpoint:.*}', receive)
    return app


def tls_context(args: dict[str, Any]) -> ssl.SSLContext | None:
    if not args.get('certfile'):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(args['certfile'], args.get('keyfile'), args.get('password'))
    return context


async def main(queue: asyncio.Queue, args: dict[str, Any]) -> None:
    """ansible-rulebook's entry point: serve until the rulebook cancels the task."""
    runner = web.AppRunner(make_app(queue, args), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, args.get('host') or '127.0.0.1', int(args.get('port') or 5000),
                       ssl_context=tls_context(args))
    await site.start()
    LOGGER.info('harbor_webhook: listening on %s:%s', args.get('host') or '127.0.0.1', args.get('port') or 5000)
    try:
        await asyncio.Future()
    finally:
        await runner.cleanup()


if __name__ == '__main__':
    # A quick look at what Harbor sends: python harbor_webhook.py, then point a webhook at http://<host>:5000/

    class PrintQueue:  # pylint: disable=too-few-public-methods
        async def put(self, event):
            print(json.dumps(event, indent=2, sort_keys=True))

    asyncio.run(main(PrintQueue(), {'host': '0.0.0.0'}))
