# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tag retention rules: the module's form, Harbor's form, and the execution report.

A rule as the module writes it:
    {retain: {most_recently_pushed: 10}, repositories: {matching: '**'}, tags: {matching: 'release-*'},
     untagged: false, disabled: false}
and as Harbor stores it (the parameter is keyed by the template id; `untagged` travels as a JSON string):
    {action: retain, template: latestPushedK, params: {latestPushedK: 10}, disabled: false,
     tag_selectors: [{kind: doublestar, decoration: matches, pattern: 'release-*', extras: '{"untagged":false}'}],
     scope_selectors: {repository: [{kind: doublestar, decoration: repoMatches, pattern: '**'}]}}
Harbor does not check templates, parameters or selectors when it stores a policy (a bad rule only fails when
the policy runs), so `normalize_rules` checks them all before any request.
"""

from __future__ import annotations

import json

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import HarborError, ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.executions import wait_for_execution
from ansible_collections.cloudtemple.harbor.plugins.module_utils.schedule import schedule_from_cron
from ansible_collections.cloudtemple.harbor.plugins.module_utils.selectors import (
    MATCH_ALL,
    from_harbor,
    normalize_selector,
    to_harbor,
)

MAX_RULES = 15
# module key -> (Harbor template id, largest value Harbor's evaluator accepts); `always` takes no value.
RETAIN_TEMPLATES = {
    'most_recently_pushed': ('latestPushedK', 32766),
    'most_recently_pulled': ('latestPulledN', 32766),
    'pushed_within_days': ('nDaysSinceLastPush', 20190904),
    'pulled_within_days': ('nDaysSinceLastPull', 20190904),
    'always': ('always', None),
}
TEMPLATE_KEYS = dict((template, key) for key, (template, _maximum) in RETAIN_TEMPLATES.items())


def _retain(option, value):
    given = dict((key, number) for key, number in (value or {}).items() if number is not None)
    if len(given) != 1:
        raise ValidationError('%s needs exactly one of %s, got %s' % (
            option, ', '.join(RETAIN_TEMPLATES), ', '.join(sorted(given)) or 'none'))
    (key, number), = given.items()
    if key not in RETAIN_TEMPLATES:
        raise ValidationError('%s.%s is not a retention rule; use one of %s' % (option, key, ', '.join(RETAIN_TEMPLATES)))
    maximum = RETAIN_TEMPLATES[key][1]
    if maximum is None:
        if number is not True:
            raise ValidationError('%s.always can only be true (keep every artifact the rule selects)' % option)
        return {key: True}
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= maximum:
        raise ValidationError('%s.%s must be a whole number from 0 to %d, got %r' % (option, key, maximum, number))
    return {key: number}


def normalize_rule(option, rule):
    """One task rule -> its canonical form, every default filled in."""
    rule = rule or {}
    untagged = rule.get('untagged')
    return dict(
        retain=_retain('%s.retain' % option, rule.get('retain')),
        repositories=normalize_selector('%s.repositories' % option, rule.get('repositories')),
        tags=normalize_selector('%s.tags' % option, rule.get('tags')),
        untagged=True if untagged is None else bool(untagged),
        disabled=bool(rule.get('disabled')),
    )


def rule_key(rule):
    return json.dumps(rule, sort_keys=True)


def normalize_rules(rules, option='rules'):
    """The task's rules, checked (1 to 15, no two alike, as Harbor requires) and in canonical form."""
    rules = list(rules or [])
    if not 1 <= len(rules) <= MAX_RULES:
        raise ValidationError('%s has %d rules; a Harbor retention policy holds 1 to %d rules (delete the policy with '
                              'state: absent to have none)' % (option, len(rules), MAX_RULES))
    canonical = [normalize_rule('%s[%d]' % (option, index), rule) for index, rule in enumerate(rules)]
    seen = {}
    for index, rule in enumerate(canonical):
        key = rule_key(rule)
        if key in seen:
            raise ValidationError('%s[%d] and %s[%d] are the same rule; Harbor refuses duplicate rules (409), remove one'
                                  % (option, seen[key], option, index))
        seen[key] = index
    return canonical


def same_rules(left, right):
    """Rules are or-ed: an artifact is kept if any rule keeps it, so their order does not matter."""
    return sorted(map(rule_key, left or [])) == sorted(map(rule_key, right or []))


def rule_to_harbor(rule):
    (key, number), = rule['retain'].items()
    template = RETAIN_TEMPLATES[key][0]
    return dict(
        disabled=rule['disabled'], action='retain', template=template,
        params={} if key == 'always' else {template: number},
        tag_selectors=[to_harbor('tags', rule['tags'], extras=json.dumps({'untagged': rule['untagged']},
                                                                         separators=(',', ':')))],
        scope_selectors=dict(repository=[to_harbor('repositories', rule['repositories'])]),
    )


def _untagged(selectors):
    """The untagged flag Harbor applies: the selector's JSON extras, else true for `matches` only."""
    first = (selectors or [{}])[0]
    default = first.get('decoration') != 'excludes'
    try:
        extras = json.loads(first.get('extras') or 'no extras')
    except ValueError:
        return default
    if extras is None:
        return False
    if not isinstance(extras, dict):
        return default
    value = extras.get('untagged')
    return value if isinstance(value, bool) else (default if value is not None else False)


def rule_from_harbor(rule):
    """Harbor's rule -> the module's form; a template the module does not write is kept as {template: params}."""
    template = rule.get('template') or ''
    params = rule.get('params') or {}
    key = TEMPLATE_KEYS.get(template)
    if key == 'always':
        retain = {'always': True}
    elif key is not None:
        retain = {key: params.get(template)}
    else:
        retain = {template: params}
    repositories = (rule.get('scope_selectors') or {}).get('repository')
    return dict(
        retain=retain,
        # A rule without repository selector applies to every repository.
        repositories=from_harbor('repositories', repositories) if repositories else {'matching': MATCH_ALL},
        tags=from_harbor('tags', rule.get('tag_selectors')),
        untagged=_untagged(rule.get('tag_selectors')),
        disabled=bool(rule.get('disabled')),
    )


def policy_schedule(policy):
    """The schedule of Harbor's policy in the module's terms (none unless its trigger is a Schedule)."""
    trigger = policy.get('trigger') or {}
    return schedule_from_cron((trigger.get('settings') or {}).get('cron') if trigger.get('kind') == 'Schedule' else '')


def describe_policy(policy, project):
    """Harbor's policy in harbor_retention's terms (rules and schedule), with Harbor's own form under `harbor`."""
    return dict(id=policy.get('id'), project=project, rules=[rule_from_harbor(rule) for rule in policy.get('rules') or []],
                schedule=policy_schedule(policy), harbor=policy)


def recent_executions(client, policy_id, project, count):
    """The policy's `count` most recent runs, newest first (Harbor lists them so)."""
    if count == 0:
        return []
    found = client.get('/retentions/%d/executions' % policy_id, params=dict(page=1, page_size=count),
                       permission=retention_permission('list', project)) or []
    return [dict((key, execution.get(key)) for key in ('id', 'status', 'trigger', 'dry_run', 'start_time', 'end_time'))
            for execution in found]


def policy_body(project_id, rules, cron, policy_id=None):
    """A whole policy as POST and PUT take it (PUT also needs the scope and the id)."""
    body = dict(algorithm='or', rules=rules, trigger=dict(kind='Schedule', settings=dict(cron=cron), references={}),
                scope=dict(level='project', ref=project_id))
    if policy_id is not None:
        body['id'] = policy_id
    return body


def parse_task_log(text):
    """The artifacts of a retention task's log table: [{'digest', 'tags', 'action'}], action RETAIN, DEL, ...

    Harbor's job logs one row per artifact: Digest | Tag | Kind | Labels | PushedTime | PulledTime |
    CreatedTime | Retention.
    """
    rows = []
    for line in (text or '').splitlines():
        line = line.strip()
        if not (line.startswith('|') and line.endswith('|')):
            continue
        cells = [cell.strip() for cell in line[1:-1].split('|')]
        if len(cells) != 8 or cells[0] == 'Digest' or not cells[0].strip('-'):
            continue
        rows.append(dict(digest=cells[0], tags=[tag for tag in cells[1].split(',') if tag], action=cells[7]))
    return rows


def retention_permission(action, project):
    return 'tag-retention:%s on project %s' % (action, project)


def read_policy(client, policy_id, project):
    """GET /retentions/<id> of the policy the project links to."""
    try:
        return client.get('/retentions/%d' % policy_id, permission=retention_permission('read', project))
    except HarborError as error:
        if error.status != 500:
            raise
        # Harbor answers 500, not 404, for a policy id it does not have.
        raise HarborError('project %r is linked to retention policy %d (its retention_id), but Harbor cannot read '
                          'that policy: GET /retentions/%d answers 500, which is how Harbor reports a policy that does '
                          'not exist. Check Harbor\'s core log; if the policy is gone, the project\'s link must be '
                          'repaired in Harbor before a new policy can be created' % (project, policy_id, policy_id),
                          status=500)


def run_policy(client, policy_id, project, run):
    """Start an execution of the policy and, with run.wait, follow it to its end; returns the execution report."""
    base = '/retentions/%d/executions' % policy_id
    started = client.post(base, json=dict(dry_run=run['dry_run']), permission=retention_permission('update', project))
    execution = dict(id=started.location_id, dry_run=run['dry_run'])
    if not run['wait']:
        return execution
    found = wait_for_execution(client, base, execution['id'], run['wait_timeout'], 'run: the retention run %d of '
                               'project %r' % (execution['id'], project), 'run.wait_timeout',
                               permission=retention_permission('list', project))
    tasks = [task_report(client, base, execution['id'], task, run['dry_run'], project)
             for task in client.paginate('%s/%d/tasks' % (base, execution['id']),
                                         permission=retention_permission('list', project))]
    execution.update(status=found['status'], start_time=found.get('start_time'), end_time=found.get('end_time'),
                     total=sum(task['total'] for task in tasks), retained=sum(task['retained'] for task in tasks),
                     tasks=tasks)
    if found['status'] != 'Success':
        failed = [task['repository'] for task in tasks if task['status'] != 'Success']
        raise HarborError('run: the retention run %d of project %r ended with status %s%s; its task logs in Harbor '
                          'say why' % (execution['id'], project, found['status'],
                                       ' (repositories: %s)' % ', '.join(failed) if failed else ''))
    return execution


def task_report(client, base, execution_id, task, dry_run, project):
    """One repository's part of a run; for a dry run, the artifacts it would delete, from the task's log."""
    report = dict(repository=task.get('repository'), status=task.get('status'), total=task.get('total', 0),
                  retained=task.get('retained', 0))
    if dry_run and task.get('status') == 'Success':
        log = client.get('%s/%d/tasks/%d' % (base, execution_id, task['id']),
                         permission=retention_permission('read', project))
        report['deleted'] = [dict(digest=row['digest'], tags=row['tags'])
                             for row in parse_task_log(log if isinstance(log, str) else '') if row['action'] == 'DEL']
    return report
