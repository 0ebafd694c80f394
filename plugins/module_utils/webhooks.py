# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's project webhook policies (/projects/{p}/webhook/policies): rules, canonical forms and reading.

A policy names event types and targets. Harbor checks the event types and each target's type, URL scheme and
payload format (webhook.go validateTargets), keeps the address as sent, gives an http target the Default format,
and answers a target's auth header verbatim on GET. The collection treats that header as a secret all the same:
it is compared only with update_secret=always and never returned (the modules say whether one is set).
"""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import quote_segment
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

# GET /projects/{p}/webhook/events of Harbor v2.15.2 (REAL-HARBOR.md): anything else is a 400.
EVENT_TYPES = ('PUSH_ARTIFACT', 'PULL_ARTIFACT', 'DELETE_ARTIFACT', 'QUOTA_EXCEED', 'QUOTA_WARNING',
               'SCANNING_FAILED', 'SCANNING_STOPPED', 'SCANNING_COMPLETED', 'REPLICATION', 'TAG_RETENTION')
TARGET_TYPES = ('http', 'slack')
PAYLOAD_FORMATS = ('Default', 'CloudEvents')
RBAC = 'notification-policy'


def policies_path(project, suffix=''):
    return '/projects/%s/webhook/policies%s' % (quote_segment(project), suffix)


def permission(action, project):
    return '%s:%s on project %s (project administrators; maintainers may only read)' % (RBAC, action, project)


def list_policies(client, project, name=None, remember=False):
    """The project's policies (with name, only the one of exactly that name), newest first as Harbor lists them."""
    return client.list_by_name(policies_path(project), name, permission('list', project), resource_name=True,
                               remember=remember)


def check_name(option, value):
    if not value or not value.strip():
        raise ValidationError('%s must not be empty: it is how the module finds the policy again' % option)
    return value


def normalize_events(values):
    """The event types as a sorted set; an unknown one is an error naming those Harbor offers."""
    events = sorted(set(values or []))
    if not events:
        raise ValidationError('events must name at least one event type (Harbor refuses a policy without one)')
    unknown = [event for event in events if event not in EVENT_TYPES]
    if unknown:
        raise ValidationError('events: %s not among the event types Harbor offers: %s'
                              % (', '.join(unknown), ', '.join(EVENT_TYPES)))
    return events


def check_address(index, address):
    """Harbor accepts an address without a scheme and then posts nowhere; the collection asks for http(s)://."""
    if not address or not address.strip():
        raise ValidationError('targets[%d].address must not be empty' % index)
    scheme, sep, rest = address.partition('://')
    if not sep or scheme not in ('http', 'https') or not rest.strip('/'):
        raise ValidationError('targets[%d].address must be an http:// or https:// URL, got %r' % (index, address))


def canonical_target(index, target):
    """A target as compared: type, address (as sent, Harbor keeps it so), skip_cert_verify and payload format."""
    kind = target.get('type') or 'http'
    address = target.get('address')
    check_address(index, address)
    payload_format = target.get('payload_format')
    if kind == 'slack':
        if payload_format:
            raise ValidationError('targets[%d].payload_format: Harbor refuses a payload format for a slack target; '
                                  'leave it out' % index)
        if target.get('auth_header'):
            raise ValidationError('targets[%d].auth_header: a slack target takes no auth header (Harbor never sends '
                                  'it); leave it out' % index)
        payload_format = ''
    return dict(type=kind, address=address, skip_cert_verify=bool(target.get('skip_cert_verify')),
                payload_format=payload_format or ('Default' if kind == 'http' else ''))


def normalize_targets(values):
    """The targets in canonical form, sorted by address; each address at most once (auth headers follow it)."""
    if not values:
        raise ValidationError('targets must hold at least one target (Harbor refuses a policy without one)')
    targets = [canonical_target(index, target) for index, target in enumerate(values)]
    addresses = [target['address'] for target in targets]
    twice = sorted(set(address for address in addresses if addresses.count(address) > 1))
    if twice:
        raise ValidationError('targets: each address may appear once, %s appears more than once' % ', '.join(twice))
    return sorted(targets, key=lambda target: target['address'])


def auth_headers(targets):
    """{address: auth header or ''} of targets as the task gives them or as Harbor answers them."""
    return dict((target.get('address'), target.get('auth_header') or '') for target in targets or [])


def harbor_targets(policy):
    """Harbor's targets in canonical form (no auth header)."""
    return sorted((dict(type=target.get('type') or '', address=target.get('address') or '',
                        skip_cert_verify=bool(target.get('skip_cert_verify')),
                        payload_format=target.get('payload_format') or '')
                   for target in policy.get('targets') or []), key=lambda target: target['address'])


def describe(policy, project):
    """A policy as the modules return it: never an auth header, only whether a target has one."""
    targets = []
    headers = auth_headers(policy.get('targets'))
    for target in harbor_targets(policy):
        targets.append(dict(target, auth_header_set=bool(headers.get(target['address']))))
    return dict(
        id=policy.get('id'),
        name=policy.get('name'),
        description=policy.get('description') or '',
        project=project,
        project_id=policy.get('project_id'),
        enabled=bool(policy.get('enabled')),
        events=sorted(policy.get('event_types') or []),
        targets=targets,
        creator=policy.get('creator') or '',
        creation_time=policy.get('creation_time'),
        update_time=policy.get('update_time'),
    )


def recent_deliveries(client, project, policy_id, count, logs=False):
    """The `count` latest executions of the policy (one per event and target), newest first, with their task
    (attempts, status) and, with logs, the job's log; the event's payload is left out (the log holds it)."""
    path = policies_path(project, '/%d/executions' % policy_id)
    read = permission('read', project)
    executions = client.get(path, params=dict(page=1, page_size=count), resource_name=True, permission=read) or []
    deliveries = []
    for execution in executions[:count]:
        tasks = []
        for task in client.get('%s/%d/tasks' % (path, execution['id']), resource_name=True, permission=read) or []:
            fields = ('id', 'status', 'status_message', 'run_count', 'start_time', 'end_time')
            entry = dict((key, task.get(key)) for key in fields)
            if logs:
                entry['log'] = client.get('%s/%d/tasks/%d/log' % (path, execution['id'], task['id']),
                                          resource_name=True, permission=read) or ''
            tasks.append(entry)
        deliveries.append(dict(id=execution.get('id'), event_type=(execution.get('extra_attrs') or {}).get('event_type'),
                               target_type='slack' if execution.get('vendor_type') == 'SLACK' else 'http',
                               status=execution.get('status'), start_time=execution.get('start_time'),
                               end_time=execution.get('end_time'), tasks=tasks))
    return deliveries
