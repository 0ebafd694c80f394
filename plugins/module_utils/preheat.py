# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's P2P preheat provider instances (/p2p/preheat/instances), addressed by name.

Harbor checks only the name at creation (a bad one is a bare 500) and neither the vendor nor the auth mode;
it never returns the credentials (auth_info), keeps the stored ones when an update omits them and the auth mode
still needs them, finds the instance to update by the body's id, cannot change the vendor (a bare 500), and
clears the other instances' default flag only on update.
"""

from __future__ import annotations

import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import quote_segment
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

INSTANCES = '/p2p/preheat/instances'
PERMISSION = ' (system administrators only)'
NAME_PATTERN = re.compile(r'^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$')
VENDORS = ('dragonfly', 'kraken')
AUTH_MODES = ('NONE', 'BASIC', 'OAUTH')
# The credentials of each auth mode, as Harbor's UI puts them in auth_info.
CREDENTIALS = {'NONE': (), 'BASIC': ('username', 'password'), 'OAUTH': ('token',)}


def check_name(option, value):
    if not value or not NAME_PATTERN.match(value):
        raise ValidationError('%s %r is not a valid instance name: letters and digits, optionally separated by '
                              'single ".", "_" or "-"' % (option, value))
    return value


def check_endpoint(value):
    if not re.match(r'^https?://[^/\s]+', value or ''):
        raise ValidationError('endpoint must be an http:// or https:// URL of the provider, got %r' % value)
    return value


def path(name):
    return '%s/%s' % (INSTANCES, quote_segment(name))


def list_instances(client, name=None, remember=False):
    """Every instance, or only the one of exactly this name."""
    return client.list_by_name(INSTANCES, name, 'preheat-instance:list' + PERMISSION, remember=remember)


def describe(instance):
    """An instance as the modules return it: never its credentials (Harbor returned them before v2.15.2)."""
    return dict(
        id=instance.get('id'),
        name=instance.get('name'),
        description=instance.get('description') or '',
        vendor=instance.get('vendor'),
        endpoint=instance.get('endpoint'),
        auth_mode=instance.get('auth_mode') or 'NONE',
        enabled=bool(instance.get('enabled')),
        default=bool(instance.get('default')),
        insecure=bool(instance.get('insecure')),
        status=instance.get('status'),
        setup_timestamp=instance.get('setup_timestamp'),
    )
