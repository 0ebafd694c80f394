# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's registry endpoints and replication policies: their rules, lookups, the forms the modules return,
and a replication run followed to its end.

Harbor pings an endpoint when it is created or changed and answers 400 "the registry is unhealthy" (or a bare
500 for some adapters) when it does not answer or refuses the credential; a registry's secret reads back as
"*****". A policy has this Harbor on one side (registry id 0) and an endpoint on the other; PUT replaces it all.
Replication executions report InProgress, Succeed, Failed or Stopped (not the task manager's names).
"""

from __future__ import annotations

import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import HarborError, ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.executions import wait_for_execution
from ansible_collections.cloudtemple.harbor.plugins.module_utils.schedule import (
    NO_SCHEDULE,
    normalize_schedule,
    schedule_from_cron,
    schedule_to_cron,
)

REGISTRIES = '/registries'
POLICIES = '/replication/policies'
EXECUTIONS = '/replication/executions'
PERMISSION = ' (system administrators only)'
# GET /replication/adapters of Harbor 2.15, plus quay and gitlab, which it accepts without listing them.
REGISTRY_TYPES = ('ali-acr', 'aws-ecr', 'azure-acr', 'docker-hub', 'docker-registry', 'github-ghcr', 'gitlab',
                  'google-gcr', 'harbor', 'huawei-SWR', 'jfrog-artifactory', 'quay', 'tencent-tcr', 'volcengine-cr')
MAX_REGISTRY_NAME = 64
FINAL_STATUSES = ('Succeed', 'Failed', 'Stopped')
_COMPONENT = r'[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*'
# Harbor's rule for a destination namespace: a repository name (distribution's reference.NameRegexp).
NAMESPACE_PATTERN = re.compile(r'^(?:[a-zA-Z0-9][a-zA-Z0-9.-]*(?::[0-9]+)?/)?%s(?:/%s)*$' % (_COMPONENT, _COMPONENT))


def check_registry_name(option, value):
    if not value or len(value) > MAX_REGISTRY_NAME:
        raise ValidationError('%s must be 1 to %d characters long, got %d'
                              % (option, MAX_REGISTRY_NAME, len(value or '')))
    return value


def normalize_url(value):
    """Harbor's form of an endpoint URL: http:// when no scheme is given, no trailing slash."""
    text = (value or '').strip().rstrip('/')
    if not text:
        raise ValidationError('url must not be empty')
    if '://' not in text:
        text = 'http://' + text
    if text.split('://', 1)[0] not in ('http', 'https'):
        raise ValidationError('url %r must be an http:// or https:// URL' % value)
    return text


def list_registries(client, name=None, remember=False):
    """Every registry endpoint, or the one of exactly this name (Harbor's q=name= is loose)."""
    return client.list_by_name(REGISTRIES, name, 'registry:list' + PERMISSION, remember=remember)


def describe_registry(registry):
    """A registry endpoint as the modules return it: the access key, never the secret."""
    credential = registry.get('credential') or {}
    return dict(
        id=registry.get('id'),
        name=registry.get('name'),
        type=registry.get('type'),
        url=registry.get('url'),
        description=registry.get('description') or '',
        insecure=bool(registry.get('insecure')),
        access_key=credential.get('access_key') or '',
        has_secret=bool(credential.get('access_secret')),
        status=registry.get('status'),
        creation_time=registry.get('creation_time'),
        update_time=registry.get('update_time'),
    )


def unreachable(error, registry_type, url, with_credential):
    """Harbor's refusal of an endpoint it could not reach, said plainly; other errors as they are."""
    message = getattr(error, 'harbor_message', '') or ''
    if error.status == 400 and 'unhealthy' in message or error.status == 500:
        return HarborError('Harbor could not reach the %s registry at %s%s (Harbor checks an endpoint before it '
                           'saves it; Harbor said: %s). Check url%s, and that Harbor itself can reach that address'
                           % (registry_type, url, ', or it refused access_key/access_secret' if with_credential else '',
                              message or 'status %s' % error.status, ', the credential' if with_credential else ''),
                           status=error.status, code=getattr(error, 'code', None), method=error.method,
                           path=error.path)
    return error


def check_namespace(value):
    if value and not NAMESPACE_PATTERN.match(value):
        raise ValidationError('destination_namespace %r is not a valid namespace: lower-case letters, digits and '
                              '. _ - separators, optionally with / for a path' % value)
    return value


def list_policies(client, name=None, remember=False):
    return client.list_by_name(POLICIES, name, 'replication-policy:list' + PERMISSION, name_param='name',
                               remember=remember)


def remote_registry(policy):
    """The endpoint of a policy (the side that is not this Harbor) and the direction it gives."""
    source = policy.get('src_registry') or {}
    if source.get('id'):
        return 'pull', source
    return 'push', policy.get('dest_registry') or {}


def describe_execution(execution):
    return dict((key, execution.get(key)) for key in (
        'id', 'status', 'status_text', 'trigger', 'total', 'succeed', 'failed', 'in_progress', 'stopped',
        'start_time', 'end_time'))


def recent_executions(client, policy_id, count):
    """The newest `count` executions of the policy, newest first."""
    if not count:
        return []
    found = client.get(EXECUTIONS, params=dict(policy_id=policy_id, page=1, page_size=count, sort='-id'),
                       permission='replication:list' + PERMISSION) or []
    return [describe_execution(execution) for execution in found]


def run_replication(client, policy_id, name, wait, timeout):
    """Start an execution of the policy and, with wait, follow it to its end; a failed one is an error."""
    started = client.post(EXECUTIONS, json=dict(policy_id=policy_id), permission='replication:create' + PERMISSION)
    execution = dict(id=started.location_id)
    if not wait:
        return execution
    found = wait_for_execution(client, EXECUTIONS, execution['id'], timeout,
                               'run: the replication %d of policy %r' % (execution['id'], name), 'wait_timeout',
                               permission='replication:list' + PERMISSION, params=dict(policy_id=policy_id),
                               final_statuses=FINAL_STATUSES)
    execution = describe_execution(found)
    if found.get('status') != 'Succeed':
        raise HarborError('run: the replication %d of policy %r ended with status %s (%s of %s tasks failed)%s; its '
                          'task logs in Harbor say why' % (
                              execution['id'], name, found.get('status'), found.get('failed', 0),
                              found.get('total', 0), ': %s' % found['status_text'] if found.get('status_text') else ''))
    return execution


# Policies: the module's plain options <-> Harbor's filters and trigger ---------------------------------------

FILTER_KEYS = ('name', 'tag', 'tag_match', 'labels', 'label_match', 'resource_type')
DECORATIONS = {'matching': 'matches', 'excluding': 'excludes'}
TRIGGERS = ('manual', 'event_based')
TRIGGER_CHOICES = 'manual, event_based, hourly, daily, weekly or a cron of 6 fields'


def normalize_filters(value):
    """source_filters in canonical form: every key, a match only beside its pattern, labels sorted."""
    value = value or {}
    tag, labels = value.get('tag') or None, sorted(set(value.get('labels') or [])) or None
    return dict(name=value.get('name') or None, tag=tag, tag_match=(value.get('tag_match') or 'matching') if tag else None,
                labels=labels, label_match=(value.get('label_match') or 'matching') if labels else None,
                resource_type=value.get('resource_type') or None)


def filters_from_harbor(filters):
    values = {}
    for item in filters or []:
        kind, value = item.get('type'), item.get('value')
        match = 'excluding' if item.get('decoration') == 'excludes' else 'matching'
        if kind == 'name':
            values['name'] = value
        elif kind == 'tag':
            values.update(tag=value, tag_match=match)
        elif kind == 'label':
            values.update(labels=value, label_match=match)
        elif kind == 'resource':
            values['resource_type'] = value
    return normalize_filters(values)


def filters_to_harbor(values):
    filters = []
    if values.get('name'):
        filters.append(dict(type='name', value=values['name']))
    if values.get('tag'):
        filters.append(dict(type='tag', value=values['tag'], decoration=DECORATIONS[values['tag_match']]))
    if values.get('labels'):
        filters.append(dict(type='label', value=values['labels'], decoration=DECORATIONS[values['label_match']]))
    if values.get('resource_type'):
        filters.append(dict(type='resource', value=values['resource_type']))
    return filters


def normalize_trigger(value):
    """manual, event_based, or a schedule in the collection's form, which replication restricts further."""
    text = ' '.join(str(value).split())
    if text.lower() in TRIGGERS:
        return text.lower()
    if text.lower() == NO_SCHEDULE:
        raise ValidationError('trigger none: use manual for a policy that runs only on demand')
    if not text:
        raise ValidationError('trigger is empty: use %s' % TRIGGER_CHOICES)
    schedule = normalize_schedule('trigger', text)
    if schedule_to_cron(schedule).split()[1] == '*':
        raise ValidationError('trigger %r: Harbor refuses * in the minutes field of a replication cron (it would '
                              'start a replication every minute)' % value)
    return schedule


def trigger_from_harbor(trigger):
    trigger = trigger or {}
    if trigger.get('type') == 'scheduled':
        return schedule_from_cron((trigger.get('trigger_settings') or {}).get('cron'))
    return trigger.get('type') if trigger.get('type') in TRIGGERS else 'manual'


def trigger_to_harbor(value):
    if value in TRIGGERS:
        return dict(type=value)
    return dict(type='scheduled', trigger_settings=dict(cron=schedule_to_cron(value)))


def describe_policy(policy, executions=None):
    """A policy as the modules return it, in the modules' terms, with its recent executions when given."""
    direction, registry = remote_registry(policy)
    described = dict(
        id=policy.get('id'), name=policy.get('name'), description=policy.get('description') or '',
        direction=direction, registry=registry.get('name'),
        source_filters=filters_from_harbor(policy.get('filters')),
        destination_namespace=policy.get('dest_namespace') or '',
        dest_namespace_replace_count=policy.get('dest_namespace_replace_count', -1),
        trigger=trigger_from_harbor(policy.get('trigger')), override=bool(policy.get('override')),
        delete_remote=bool(policy.get('deletion') or policy.get('replicate_deletion')),
        speed_kb=policy.get('speed') or 0, copy_by_chunk=bool(policy.get('copy_by_chunk')),
        enabled=bool(policy.get('enabled')), creation_time=policy.get('creation_time'),
        update_time=policy.get('update_time'))
    if executions is not None:
        described['executions'] = executions
    return described


def policy_body(name, values, registry_id, single_active=False):
    """Harbor's whole policy (PUT replaces everything) from the canonical values of every option."""
    side = dict(id=registry_id)
    body = dict(name=name, description=values['description'], dest_namespace=values['destination_namespace'],
                dest_namespace_replace_count=values['dest_namespace_replace_count'],
                filters=filters_to_harbor(values['source_filters']), trigger=trigger_to_harbor(values['trigger']),
                override=values['override'], deletion=values['delete_remote'], speed=values['speed_kb'],
                copy_by_chunk=values['copy_by_chunk'], enabled=values['enabled'],
                single_active_replication=single_active)
    body['src_registry' if values['direction'] == 'pull' else 'dest_registry'] = side
    return body
