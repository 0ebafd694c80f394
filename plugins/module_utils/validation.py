# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's input rules, checked locally so that bad input fails before the first request."""

from __future__ import annotations

import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

# Harbor's rule for project and robot names (src/pkg/project/manager.go, src/controller/robot/controller.go).
HARBOR_NAME_PATTERN = re.compile(r'^[a-z0-9]+(?:[._-][a-z0-9]+)*$')
HARBOR_NAME_RULE = ('lower-case letters and digits, optionally separated by single ".", "_" or "-" '
                    '(it must start and end with a letter or digit)')

# -1 (unlimited) or 1 byte to 1024 TiB (src/lib/quota_storage_limit.go).
MAX_STORAGE_BYTES = 1024 ** 5
SIZE_UNITS = {'B': 1, 'KIB': 1024, 'MIB': 1024 ** 2, 'GIB': 1024 ** 3, 'TIB': 1024 ** 4, 'PIB': 1024 ** 5}
SIZE_PATTERN = re.compile(r'^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$')

CVE_PATTERN = re.compile(r'^CVE-\d{4}-\d{4,}$')


def check_harbor_name(option, value, max_length=255):
    """A project or robot name as Harbor accepts it."""
    if value is None or not 1 <= len(value) <= max_length:
        raise ValidationError('%s must be 1 to %d characters long, got %d' % (option, max_length, len(value or '')))
    if not HARBOR_NAME_PATTERN.match(value):
        raise ValidationError('%s %r is not a valid Harbor name: use %s' % (option, value, HARBOR_NAME_RULE))
    return value


def check_given(params, **rules):
    """Each option of `rules` the task gave (None is left out) against its rule, rule(option, value), in that order."""
    for option, rule in rules.items():
        if params[option] is not None:
            rule(option, params[option])


def check_not_blank(option, value):
    if not value or not value.strip():
        raise ValidationError('%s must not be empty' % option)
    return value


def check_range(option, value, low, high):
    if not low <= value <= high:
        raise ValidationError('%s must be %d to %d, got %d' % (option, low, high, value))
    return value


def parse_size(option, value):
    """'10GiB', '500MiB', '1TiB', 1073741824 or -1 -> bytes (int); -1 means unlimited."""
    text = str(value).strip()
    if text == '-1':
        return -1
    match = SIZE_PATTERN.match(text)
    unit = match.group(2).upper() if match else None
    if not match or (unit and unit not in SIZE_UNITS):
        raise ValidationError('%s %r is not a size: write -1 (unlimited) or a number with one of the units %s, '
                              'for example 10GiB or 500MiB' % (option, value, ', '.join(_unit_names())))
    size = float(match.group(1)) * SIZE_UNITS.get(unit or 'B')
    if size != int(size):
        raise ValidationError('%s %r is not a whole number of bytes' % (option, value))
    size = int(size)
    if not 1 <= size <= MAX_STORAGE_BYTES:
        raise ValidationError('%s %r is out of range: Harbor accepts -1 (unlimited) or 1 byte to 1024TiB' % (option, value))
    return size


def _unit_names():
    return ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']


def format_size(size):
    """Bytes -> the largest exact binary unit ('10GiB'); -1 stays -1."""
    if size is None:
        return None
    size = int(size)
    if size < 0:
        return '-1'
    for unit in reversed(_unit_names()):
        factor = SIZE_UNITS[unit.upper()]
        if size >= factor and size % factor == 0:
            return '%d%s' % (size // factor, unit)
    return '%dB' % size


def check_cve_ids(option, values):
    bad = [value for value in values or [] if not CVE_PATTERN.match(str(value))]
    if bad:
        raise ValidationError('%s has entries that are not CVE ids (CVE-YYYY-NNNN): %s' % (option, ', '.join(map(str, bad))))
    return values
