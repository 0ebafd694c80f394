# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's system configuration (/configurations): the settings the modules manage, by their plain names.

GET answers every setting as {"value", "editable"} and never the two secrets (the OIDC client secret, the LDAP
bind password); PUT is partial, so only the settings a task names are sent. Harbor stores the UI's banner as a
JSON string, and LDAP scopes as 0/1/2.
"""

from __future__ import annotations

import json

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import format_size, parse_size

CONFIGURATIONS = '/configurations'
READ_PERMISSION = 'configuration:read (system administrators only)'
UPDATE_PERMISSION = 'configuration:update (system administrators only)'
MAX_NUMBER = 9999999999  # Harbor's limit: ten digits, as in its UI
LDAP_SCOPES = {'base': 0, 'onelevel': 1, 'subtree': 2}
BANNER_TYPES = ('success', 'info', 'warning', 'danger')

# (module option, Harbor's key); a dotted option is a sub-option of the group named before the dot.
SETTINGS = (
    ('auth_mode', 'auth_mode'),
    ('primary_auth_mode', 'primary_auth_mode'),
    ('project_creation_restriction', 'project_creation_restriction'),
    ('self_registration', 'self_registration'),
    ('robot_token_duration', 'robot_token_duration'),
    ('robot_name_prefix', 'robot_name_prefix'),
    ('read_only', 'read_only'),
    ('banner_message', 'banner_message'),
    ('audit_log_forward_endpoint', 'audit_log_forward_endpoint'),
    ('skip_audit_log_database', 'skip_audit_log_database'),
    ('storage_per_project', 'storage_per_project'),
    ('session_timeout', 'session_timeout'),
    ('oidc.name', 'oidc_name'),
    ('oidc.endpoint', 'oidc_endpoint'),
    ('oidc.client_id', 'oidc_client_id'),
    ('oidc.client_secret', 'oidc_client_secret'),
    ('oidc.groups_claim', 'oidc_groups_claim'),
    ('oidc.admin_group', 'oidc_admin_group'),
    ('oidc.group_filter', 'oidc_group_filter'),
    ('oidc.scope', 'oidc_scope'),
    ('oidc.user_claim', 'oidc_user_claim'),
    ('oidc.verify_cert', 'oidc_verify_cert'),
    ('oidc.auto_onboard', 'oidc_auto_onboard'),
    ('oidc.logout', 'oidc_logout'),
    ('ldap.url', 'ldap_url'),
    ('ldap.search_dn', 'ldap_search_dn'),
    ('ldap.search_password', 'ldap_search_password'),
    ('ldap.base_dn', 'ldap_base_dn'),
    ('ldap.filter', 'ldap_filter'),
    ('ldap.uid', 'ldap_uid'),
    ('ldap.scope', 'ldap_scope'),
    ('ldap.timeout', 'ldap_timeout'),
    ('ldap.verify_cert', 'ldap_verify_cert'),
    ('ldap.group_base_dn', 'ldap_group_base_dn'),
    ('ldap.group_filter', 'ldap_group_search_filter'),
    ('ldap.group_attribute_name', 'ldap_group_attribute_name'),
    ('ldap.group_admin_dn', 'ldap_group_admin_dn'),
    ('ldap.group_membership_attribute', 'ldap_group_membership_attribute'),
    ('ldap.group_scope', 'ldap_group_search_scope'),
)
HARBOR_KEYS = dict(SETTINGS)
SECRETS = ('oidc.client_secret', 'ldap.search_password')
# The auth mode each group of settings configures: its secret goes along when the group is (re)configured.
GROUP_AUTH_MODES = {'oidc': 'oidc_auth', 'ldap': 'ldap_auth'}
# Harbor refuses these empty (its NonEmptyStringType).
NON_EMPTY = ('robot_name_prefix', 'ldap.url', 'ldap.base_dn', 'ldap.uid')
POSITIVE = ('robot_token_duration', 'session_timeout', 'ldap.timeout')


def flatten(params):
    """{option: value} of the settings the task sets, sub-options as 'group.name'."""
    values = {}
    for option, _key in SETTINGS:
        group, _dot, name = option.rpartition('.')
        source = (params.get(group) or {}) if group else params
        if source.get(name) is not None:
            values[option] = source[name]
    return values


def normalize_banner(banner):
    """The canonical banner: {} for none, else its text, type, closable and dates."""
    if not banner or not banner.get('text'):
        return {}
    kind = banner.get('type') or 'info'
    if kind not in BANNER_TYPES:
        raise ValidationError('banner_message.type must be one of %s, got %r' % (', '.join(BANNER_TYPES), kind))
    return dict(text=banner['text'], type=kind, closable=bool(banner.get('closable')),
                from_date=banner.get('from_date') or None, to_date=banner.get('to_date') or None)


def banner_to_harbor(banner):
    """The JSON string Harbor's UI writes and reads (fromDate/toDate in its Date form), '' for none."""
    if not banner:
        return ''
    return json.dumps(dict(message=banner['text'], type=banner['type'], closable=banner['closable'],
                           fromDate=banner['from_date'], toDate=banner['to_date']), sort_keys=True)


def banner_from_harbor(value):
    if not value:
        return {}
    try:
        stored = json.loads(value)
    except ValueError:
        stored = None
    if not isinstance(stored, dict):
        # Not the UI's form (set by hand): the whole string is the message.
        return dict(text=value, type='info', closable=False, from_date=None, to_date=None)
    return normalize_banner(dict(text=stored.get('message'), type=stored.get('type'),
                                 closable=stored.get('closable'), from_date=stored.get('fromDate'),
                                 to_date=stored.get('toDate')))


def scope_name(value):
    names = dict((number, name) for name, number in LDAP_SCOPES.items())
    return names.get(value, value)


TO_HARBOR = {
    'banner_message': banner_to_harbor,
    'storage_per_project': lambda size: parse_size('storage_per_project', size),
    'ldap.scope': LDAP_SCOPES.get,
    'ldap.group_scope': LDAP_SCOPES.get,
}
FROM_HARBOR = {
    'banner_message': banner_from_harbor,
    'storage_per_project': format_size,
    'ldap.scope': scope_name,
    'ldap.group_scope': scope_name,
}


def normalize(option, value):
    """The canonical form of a setting the task gives, checked against Harbor's rules (no request)."""
    if option == 'banner_message':
        return normalize_banner(value)
    if option == 'storage_per_project':
        return format_size(parse_size(option, value))
    if option == 'robot_name_prefix':
        value = value.strip()
    if option in NON_EMPTY and not value.strip():
        raise ValidationError('%s must not be empty: Harbor refuses an empty value' % option)
    if option in POSITIVE and not 1 <= value <= MAX_NUMBER:
        raise ValidationError('%s must be from 1 to %d, got %d' % (option, MAX_NUMBER, value))
    return value


def value_of(config, option):
    """The canonical value of a setting in Harbor's GET answer (None for a secret, which Harbor never shows)."""
    entry = config.get(HARBOR_KEYS[option])
    value = entry.get('value') if isinstance(entry, dict) else entry
    convert = FROM_HARBOR.get(option)
    return convert(value) if convert else value


def to_harbor(option, value):
    convert = TO_HARBOR.get(option)
    return convert(value) if convert else value


def describe(config):
    """The configuration as the modules return it: the settings by their plain names, never a secret."""
    result = {}
    for option, _key in SETTINGS:
        if option in SECRETS:
            continue
        group, _dot, name = option.rpartition('.')
        (result.setdefault(group, {}) if group else result)[name] = value_of(config, option)
    result['auth_mode_editable'] = bool((config.get('auth_mode') or {}).get('editable', True))
    return result
