# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's local users (database authentication): their rules, lookup and the form the modules return.

Harbor checks these rules itself, but only when the user is created or changed; checking them first makes bad
input an error before any write. /users never lists the admin user, and its q=username= is an exact match.
"""

from __future__ import annotations

import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

USERS = '/users'
ILLEGAL_USERNAME_CHARACTERS = ',~#$%'
EMAIL_PATTERN = re.compile(r'^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$')
PASSWORD_RULE = '8 to 128 characters with at least one upper-case letter, one lower-case letter and one digit'
PERMISSION = ' (system administrators only)'


def check_username(option, value):
    if not value or len(value) > 255:
        raise ValidationError('%s must be 1 to 255 characters long, got %d' % (option, len(value or '')))
    bad = sorted(set(ILLEGAL_USERNAME_CHARACTERS) & set(value))
    if bad:
        raise ValidationError('%s %r must not contain %s' % (option, value, ' '.join(bad)))
    if value == 'admin':
        raise ValidationError('%s admin is the Harbor administrator created at installation, which Harbor never '
                              'lists; this module manages the other local users' % option)
    return value


def check_profile(values):
    """The rules of Harbor's user profile for the values given (email, realname, comment)."""
    email = values.get('email')
    if email is not None and not EMAIL_PATTERN.match(email):
        raise ValidationError('email %r is not an e-mail address' % email)
    realname = values.get('realname')
    if realname is not None and not 1 <= len(realname) <= 255:
        raise ValidationError('realname must be 1 to 255 characters long, got %d' % len(realname))
    comment = values.get('comment')
    if comment is not None and len(comment) > 30:
        raise ValidationError('comment must be at most 30 characters long, got %d' % len(comment))


def check_password(value):
    """Harbor's password policy; the message never shows the password."""
    if not (8 <= len(value) <= 128 and any(c.isupper() for c in value) and any(c.islower() for c in value)
            and any(c.isdigit() for c in value)):
        raise ValidationError('password does not follow Harbor\'s policy: %s' % PASSWORD_RULE)
    return value


def list_users(client, username=None, remember=False):
    """Every local user but admin, or only the one of exactly this name."""
    return client.list_by_name(USERS, username, 'user:list' + PERMISSION, field='username', remember=remember)


def describe(user):
    """A user as the modules return it: never a password (Harbor never returns one)."""
    return dict(
        user_id=user.get('user_id'),
        username=user.get('username'),
        email=user.get('email') or '',
        realname=user.get('realname') or '',
        comment=user.get('comment') or '',
        admin=bool(user.get('sysadmin_flag')),
        creation_time=user.get('creation_time'),
        update_time=user.get('update_time'),
    )
