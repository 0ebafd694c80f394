# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The system CVE allowlist: its options in the module's terms, read by the writer and the reader alike.

Harbor always has one (GET answers an empty list before anyone set it), every logged-in user may read it, and
only a system administrator may change it.
"""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import Option, as_set
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_cve_ids

SYSTEM_ALLOWLIST = '/system/CVEAllowlist'
ALLOWLIST_OPTIONS = (
    Option('cve_ids', normalize=lambda ids: as_set(check_cve_ids('cve_ids', ids)), field='items',
           to_harbor=lambda ids: [dict(cve_id=cve) for cve in ids],
           from_harbor=lambda items: as_set(item.get('cve_id') for item in items or [])),
    # Harbor drops expires_at when the body has none: that is "never".
    Option('expires_at', field='expires_at', to_harbor=lambda value: value or None,
           from_harbor=lambda value: value or 0),
)


def read_system_allowlist(client):
    return client.get(SYSTEM_ALLOWLIST, permission='the system CVE allowlist (read: any logged-in user)')


def describe_allowlist(current):
    """The allowlist as both modules return it: cve_ids (sorted), expires_at (0 for never), update_time."""
    values = dict((option.name, option.read(current)) for option in ALLOWLIST_OPTIONS)
    values['update_time'] = current.get('update_time')
    return values
