# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's user groups: LDAP groups (type 1), groups of the HTTP authentication proxy (2) and OIDC groups (3).

Harbor knows a group by its name, type and LDAP DN together; its group_name= filter matches loosely.
"""

from __future__ import annotations

USER_GROUPS = '/usergroups'
GROUP_TYPES = dict(ldap=1, http=2, oidc=3)
GROUP_TYPE_NAMES = dict((number, name) for name, number in GROUP_TYPES.items())
# harbor_member called type 2 `internal` before the collection settled on Harbor's UI name, HTTP; both are accepted.
GROUP_TYPE_ALIASES = dict(internal='http')
GROUP_TYPE_CHOICES = list(GROUP_TYPES) + list(GROUP_TYPE_ALIASES)


def canonical_group_type(name):
    """A group type as the user wrote it (ldap, http, oidc, or internal for http) -> its one name; None stays."""
    return GROUP_TYPE_ALIASES.get(name, name)


PERMISSION = ' (system administrators only)'


def list_groups(client, name=None, group_type=None, remember=False):
    """The user groups, or those of exactly this name, and of this type (ldap, http, oidc) when given."""
    groups = client.list_by_name(USER_GROUPS, name, 'user-group:list' + PERMISSION, field='group_name',
                                 name_param='group_name', remember=remember)
    return [group for group in groups if group_type is None or group.get('group_type') == GROUP_TYPES[group_type]]


def describe(group):
    number = group.get('group_type')
    return dict(id=group.get('id'), name=group.get('group_name'), type=GROUP_TYPE_NAMES.get(number, str(number)),
                ldap_dn=group.get('ldap_group_dn') or '')
