# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's audit log: the filters of GET /auditlog-exts, paging up to a limit, and the export file.

Harbor v2.15 writes its audit log to /auditlog-exts (GET /audit-logs only reads the log of Harbor before 2.13
and answers [] on a new installation). The filters travel in `q`, terms joined by commas: exact `operation`,
`resource_type` and `username`, `resource=~text` for a part of the resource, and `op_time=[from~to]` with
times in UTC as 2006-01-02T15:04:05. Harbor URL-decodes `q` a second time before splitting it, so `%` and `+`
are escaped once more, and a comma cannot be part of a value. Entries come newest first.
"""

from __future__ import annotations

import datetime
import json
import os
import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.private_files import replace_private_file

RELATIVE = re.compile(r'^(\d+)\s*([smhdw])$')
UNITS = dict(s='seconds', m='minutes', h='hours', d='days', w='weeks')
Q_TIME = '%Y-%m-%dT%H:%M:%S'
PAGE_SIZE = 100


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_time(option, text, now):
    """ISO 8601 (a date, or a date and time, UTC unless it says otherwise) or a duration before `now` such as
    30m, 24h, 7d or 2w -> an aware UTC datetime."""
    text = str(text).strip()
    relative = RELATIVE.match(text)
    if relative:
        return now - datetime.timedelta(**{UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        moment = datetime.datetime.fromisoformat(text[:-1] + '+00:00' if text.endswith(('Z', 'z')) else text)
    except ValueError:
        raise ValidationError('%s %r is neither an ISO 8601 time (2026-12-06, 2026-12-06T18:42:10Z, '
                              '2026-12-06T19:42:10+01:00) nor a duration before now (30m, 24h, 7d, 2w)' % (option, text))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def _q_value(option, value):
    value = str(value)
    if not value.strip() or ',' in value:
        raise ValidationError('%s %r must be a non-empty text without a comma (Harbor splits its filters on '
                              'commas)' % (option, value))
    # Harbor decodes q twice: escape what the second decoding would change.
    return value.replace('%', '%25').replace('+', '%2B')


def build_q(params, now):
    """The `q` of the request (None without filter), every filter checked first; and the UTC time range."""
    terms = []
    for option in ('operation', 'resource_type', 'username'):
        if params.get(option) is not None:
            terms.append('%s=%s' % (option, _q_value(option, params[option])))
    if params.get('resource') is not None:
        terms.append('resource=~%s' % _q_value('resource', params['resource']))
    since = parse_time('since', params['since'], now) if params.get('since') is not None else None
    until = parse_time('until', params['until'], now) if params.get('until') is not None else None
    if since and until and since > until:
        raise ValidationError('since (%s) is after until (%s): no entry can match' % (
            since.strftime(Q_TIME), until.strftime(Q_TIME)))
    if since or until:
        terms.append('op_time=[%s~%s]' % (since.strftime(Q_TIME) if since else '', until.strftime(Q_TIME) if until else ''))
    return ','.join(terms) or None


def read_entries(client, path, q, limit):
    """Up to `limit` entries (newest first), and how many Harbor has that match."""
    entries, page, total = [], 1, None
    page_size = min(PAGE_SIZE, limit)
    while len(entries) < limit:
        params = dict(page=page, page_size=page_size)
        if q:
            params['q'] = q
        response = client.request('GET', path, params=params, resource_name=path.startswith('/projects/'),
                                  permission='audit-log:list (project administrators see their projects only)')
        batch = response.body or []
        count = response.headers.get('X-Total-Count')
        total = int(count) if count is not None and count.isdigit() else total
        entries.extend(batch[:limit - len(entries)])
        if len(batch) < page_size or (total is not None and page * page_size >= total):
            break
        page += 1
    return entries, total if total is not None else len(entries)


def check_dest(path):
    """Before any request: the export goes to a file in an existing directory."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path) or not os.path.isdir(directory):
        raise ValidationError('dest %r must be a file in an existing directory' % path)


def export(path, entries, check_mode):
    """Write the entries as JSON to `path`, readable by its owner only; True when the file changed."""
    text = json.dumps(entries, indent=2, sort_keys=True) + '\n'
    try:
        with open(path) as current:
            if current.read() == text and (os.stat(path).st_mode & 0o777) == 0o600:
                return False
    except (IOError, OSError):
        pass
    if check_mode:
        return True
    replace_private_file(path, text, '.audit-log-')
    return True
