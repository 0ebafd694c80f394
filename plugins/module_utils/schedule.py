# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Schedules as the modules take them (hourly, daily, weekly, none or a cron) and as Harbor stores them.

Harbor parses crons with six fields, seconds first, and refuses a first field other than 0. It needs a valid
cron even for its Hourly/Daily/Weekly types, so the named schedules carry the crons the Harbor UI uses.
`SystemSchedule` is the resource of the system jobs (garbage collection, audit-log purge, scan all): one
schedule each, read with a GET that answers an empty body when nothing is scheduled.
"""

from __future__ import annotations

import json
import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    as_set,
    create_or_find,
)

NAMED_CRONS = {'hourly': '0 0 * * * *', 'daily': '0 0 0 * * *', 'weekly': '0 0 0 * * 0'}
NO_SCHEDULE = 'none'
SCHEDULE_CHOICES = 'hourly, daily, weekly, none, or a cron of 6 fields'

_MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')
_DAYS = ('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat')
# name, lowest, highest, names of the values (from the lowest)
CRON_FIELDS = (
    ('second', 0, 59, ()), ('minute', 0, 59, ()), ('hour', 0, 23, ()), ('day of month', 1, 31, ()),
    ('month', 1, 12, _MONTHS), ('day of week', 0, 6, _DAYS),
)
CRON_TERM = re.compile(r'^(?:(?P<all>[*?])|(?P<start>\w+)(?:-(?P<end>\w+))?)(?:/(?P<step>\d+))?$')


def _cron_value(token, field):
    name, lowest, highest, names = field
    if token.lower() in names:
        return lowest + names.index(token.lower())
    if not token.isdigit():
        raise ValueError('%r is not a number%s' % (token, ' or a name such as %s' % names[0].upper() if names else ''))
    value = int(token)
    if not lowest <= value <= highest:
        raise ValueError('%d is outside %d-%d' % (value, lowest, highest))
    return value


def _check_cron_field(text, field):
    for term in text.split(','):
        found = CRON_TERM.match(term)
        if not found:
            raise ValueError('%r is not *, a value, a range a-b or a step x/n' % term)
        if found.group('step') is not None and int(found.group('step')) == 0:
            raise ValueError('the step of %r must be positive' % term)
        if not found.group('all'):
            start = _cron_value(found.group('start'), field)
            if found.group('end') is not None and _cron_value(found.group('end'), field) < start:
                raise ValueError('the range %r goes backwards' % term)


def check_cron(option, text):
    """A cron Harbor accepts: 6 fields (second minute hour day-of-month month day-of-week), the first one 0."""
    fields = text.split()
    if len(fields) != 6:
        raise ValidationError(
            '%s %r has %d field%s; Harbor needs %s: second minute hour day-of-month month day-of-week, the seconds '
            'being 0, for example "0 30 2 * * *" for 02:30 every day' % (
                option, text, len(fields), '' if len(fields) == 1 else 's', SCHEDULE_CHOICES))
    if fields[0] != '0':
        raise ValidationError('%s %r: Harbor requires the first field of a cron (the seconds) to be 0, got %r' % (
            option, text, fields[0]))
    for value, field in zip(fields, CRON_FIELDS):
        try:
            _check_cron_field(value, field)
        except ValueError as error:
            raise ValidationError('%s %r: the %s field is not valid: %s' % (option, text, field[0], error))


def normalize_schedule(option, value):
    """A schedule as the user writes it -> 'hourly', 'daily', 'weekly', 'none' or a cron with single spaces.

    A cron equal to the one of a named schedule becomes that name, so either spelling converges.
    """
    text = ' '.join(str(value).split())
    if text.lower() in NAMED_CRONS or text.lower() == NO_SCHEDULE:
        return text.lower()
    if not text:
        raise ValidationError('%s is empty: use %s' % (option, SCHEDULE_CHOICES))
    check_cron(option, text)
    return schedule_from_cron(text)


def schedule_from_cron(cron):
    """Harbor's cron -> the module's schedule; an empty cron is no schedule."""
    text = ' '.join((cron or '').split())
    if not text:
        return NO_SCHEDULE
    for name, named_cron in NAMED_CRONS.items():
        if text == named_cron:
            return name
    return text


def schedule_to_cron(schedule):
    """The module's schedule -> the cron Harbor stores ('' for none)."""
    if schedule == NO_SCHEDULE:
        return ''
    return NAMED_CRONS.get(schedule, schedule)


def schedule_type(schedule):
    """Harbor's schedule type of the system jobs: Hourly, Daily, Weekly, Custom or None."""
    if schedule == NO_SCHEDULE:
        return 'None'
    return schedule.capitalize() if schedule in NAMED_CRONS else 'Custom'


class SystemSchedule(Resource):
    """The schedule of one system job at `path`; subclasses add the job's parameters.

    `find` returns {} when nothing is scheduled (Harbor's empty body), so the engine always compares and
    `update` decides between POST (nothing scheduled yet), PUT, and PUT of type None to unschedule.
    """

    path = None
    job = None
    # The RBAC resource, for the 403 hint.
    rbac_resource = None
    return_key = 'schedule'
    options = (Option('schedule', normalize=lambda value: normalize_schedule('schedule', value)),)
    parameter_options = ()

    def identity(self):
        return dict(job=self.job)

    def validate(self, desired):
        given = [name for name in self.parameter_options if name in desired]
        if desired.get('schedule') == NO_SCHEDULE and given:
            raise ValidationError('%s only applies to a schedule; with schedule: none the %s is not scheduled, so drop '
                                  '%s' % (given[0], self.job, ' and '.join(given)))

    def find(self):
        body = self.client.get(self.path, permission='%s:read (system administrators only)' % self.rbac_resource)
        return body if isinstance(body, dict) and body else {}

    @staticmethod
    def scheduled(current):
        """Whether Harbor has a periodic schedule (Manual and None are not)."""
        kind = ((current or {}).get('schedule') or {}).get('type') or ''
        return bool(current) and kind not in ('', 'None', 'Manual')

    def parameters_of(self, current):
        """The job's parameters in the module's form (subclasses), from Harbor's representation."""
        return {}

    def view(self, current, wanted):
        values = dict(schedule=NO_SCHEDULE)
        if self.scheduled(current):
            values['schedule'] = schedule_from_cron(current['schedule'].get('cron'))
        values.update(self.parameters_of(current))
        return dict((key, value) for key, value in values.items() if key in wanted)

    def prepare(self, current, desired):
        if self.scheduled(current) or desired.get('schedule', NO_SCHEDULE) == NO_SCHEDULE:
            missing = [name for name in self.parameter_options if name in desired]
            if missing and not self.scheduled(current):
                raise ValidationError('%s needs a schedule: Harbor has no %s schedule yet, so set schedule as well' % (
                    missing[0], self.job))
            return
        self.check_new_schedule(desired)

    def check_new_schedule(self, desired):
        """Before creating a schedule: parameters Harbor requires and the module cannot default (subclasses)."""

    def harbor_parameters(self, values):
        """The `parameters` object Harbor stores with the schedule (subclasses)."""
        return None

    def body(self, schedule, values):
        body = dict(schedule=dict(type=schedule_type(schedule), cron=schedule_to_cron(schedule)))
        parameters = self.harbor_parameters(values)
        if parameters is not None:
            body['parameters'] = parameters
        return body

    def update(self, current, changes, desired):
        values = self.view(current, set(self.option_names()))
        values.update(desired)
        permission = '%s:update (system administrators only)' % self.rbac_resource
        if values['schedule'] == NO_SCHEDULE:
            if self.scheduled(current):
                self.client.put(self.path, json=self.body(NO_SCHEDULE, values), permission=permission)
        elif self.scheduled(current):
            self.client.put(self.path, json=self.body(values['schedule'], values), permission=permission)
        else:
            self.create_schedule(values)
        return None

    def find_scheduled(self):
        """Harbor's representation when the job has a periodic schedule, else None."""
        current = self.find()
        return current if self.scheduled(current) else None

    def conflict(self, error):
        # Scan all answers 412 ("always had one") where the other jobs answer 409.
        return error.status in (409, 412)

    def create_schedule(self, values):
        """POST a schedule where Harbor had none when we looked; one found instead (a lost answer, or another run
        scheduling the job in between) is overwritten with a PUT, so the schedule ends as this task sets it."""
        body = self.body(values['schedule'], values)
        outcome = create_or_find(
            lambda: self.client.post(self.path, json=body, permission='%s:create (system administrators only)'
                                     % self.rbac_resource),
            self.find_scheduled, self.conflict)
        if outcome.found is not None:
            self.client.put(self.path, json=body,
                            permission='%s:update (system administrators only)' % self.rbac_resource)

    def option_names(self):
        return [option.name for option in self.options]

    def create(self, desired):
        return self.update({}, desired, desired)

    def delete(self, current):
        if self.scheduled(current):
            values = self.view(current, set(self.option_names()))
            self.client.put(self.path, json=self.body(NO_SCHEDULE, values),
                            permission='%s:update (system administrators only)' % self.rbac_resource)

    def result(self, current):
        return describe_schedule(current, self.parameters_of)


def job_parameters(current):
    """GC and purge schedules carry their parameters as a JSON string."""
    try:
        parsed = json.loads((current or {}).get('job_parameters') or '{}')
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def gc_parameters(current):
    """The garbage collection's settings in harbor_gc_schedule's terms (None when nothing is scheduled)."""
    if not SystemSchedule.scheduled(current):
        return dict(delete_untagged=None, workers=None)
    parameters = job_parameters(current)
    return dict(delete_untagged=bool(parameters.get('delete_untagged')), workers=parameters.get('workers', 0))


def purge_parameters(current):
    """The audit log purge's settings in harbor_purge_audit_schedule's terms (None when nothing is scheduled)."""
    if not SystemSchedule.scheduled(current):
        return dict(retention_hours=None, event_types=None)
    parameters = job_parameters(current)
    types = [value for value in str(parameters.get('include_event_types') or '').split(',') if value]
    return dict(retention_hours=parameters.get('audit_retention_hour'), event_types=as_set(types))


def describe_schedule(current, parameters=None):
    """A system job's schedule as its module returns it: schedule, cron, the job's settings, Harbor's form."""
    schedule = schedule_from_cron(current['schedule'].get('cron')) if SystemSchedule.scheduled(current) else NO_SCHEDULE
    described = dict(schedule=schedule, cron=schedule_to_cron(schedule))
    described.update(parameters(current) if parameters else {})
    described['harbor'] = current or {}
    return described


def job_history(client, path, rbac_resource, count):
    """The `count` most recent runs of a GC or purge job (Harbor lists them newest first), in plain terms."""
    if count == 0:
        return []
    found = client.get(path, params=dict(page=1, page_size=count),
                       permission='%s:list (system administrators only)' % rbac_resource) or []
    return [dict(id=run.get('id'), status=run.get('job_status'), trigger=run.get('job_kind'),
                 start_time=run.get('creation_time'), end_time=run.get('update_time'), parameters=job_parameters(run))
            for run in found]
