# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Records of robot secrets proven by a login, so that a no-op run need not log in as every robot again.

Harbor never shows a robot's secret, so only a login tells whether the robot has the one a task wants. But Harbor
moves a robot's update_time on every update of the robot, a new secret included (its model declares the column
auto_now, which its ORM adds to every update, and a database trigger sets it too). So once a login has accepted a
secret, that secret stays in place for as long as update_time stays what it was when the robot was read before
the login. A record keeps, per robot, that update_time and a salted slow hash of the secret, never the secret;
anything that does not match exactly (no record, another update_time, another secret, an unreadable file) means
a login, as without records.

A robot read just after its secret was set gives a record that awaits a login: the first login that accepts that
secret afterwards (the module's own on its next run, or harbor_pull_secret's before it hands the secret out) proves
it, since the update_time it holds was read before that login too. Until then it proves nothing.

The records are one JSON file, by default $XDG_CACHE_HOME/cloudtemple-harbor/secret-records/robots.json (else
~/.cache/...), readable by its owner only. HARBOR_SECRET_RECORDS=off turns them off; a path moves the file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

try:
    import fcntl
except ImportError:  # not a POSIX system: records still work, without the lock between concurrent runs
    fcntl = None

from ansible_collections.cloudtemple.harbor.plugins.module_utils.private_files import replace_private_file

ENVIRONMENT_VARIABLE = 'HARBOR_SECRET_RECORDS'
OFF = ('off', 'false', 'no', '0')
FILE_NAME = os.path.join('cloudtemple-harbor', 'secret-records', 'robots.json')
FORMAT = 1
# PBKDF2-SHA256 rounds: about 5 ms per check on a laptop core. A check runs once per robot and run, beside the
# login it saves (a request, and 3.5 ms of Harbor's own hashing); a stolen file, already readable only by its owner,
# costs a guesser as much per guess and per record, each record having its own salt. More rounds would make every
# run of a large fleet slower for little: a secret worth guessing offline is a weak one, which Harbor's policy and a
# vault's generator already rule out.
ITERATIONS = 10000
SALT_BYTES = 16


def records_path(environ=None):
    """The file of the records, or None when HARBOR_SECRET_RECORDS turns them off."""
    environ = os.environ if environ is None else environ
    setting = (environ.get(ENVIRONMENT_VARIABLE) or '').strip()
    if setting.lower() in OFF:
        return None
    if setting:
        return os.path.abspath(os.path.expanduser(setting))
    cache = environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(cache, FILE_NAME)


def _digest(secret, salt, iterations):
    return hashlib.pbkdf2_hmac('sha256', secret.encode('utf-8'), salt, iterations)


def _encode(data):
    return base64.b64encode(data).decode('ascii')


def _holds(record, secret):
    """Whether the record's hash is that of `secret`. Records of another round count are not trusted (nor computed:
    a file could ask for any number)."""
    try:
        if record['iterations'] != ITERATIONS:
            return False
        return hmac.compare_digest(base64.b64decode(record['hash']),
                                   _digest(secret, base64.b64decode(record['salt']), ITERATIONS))
    except (KeyError, TypeError, ValueError):
        return False


class SecretRecords:
    """The proven secrets of the robots of one Harbor, read from and written to the file at `path`.

    Nothing here ever fails a task: a file that cannot be read or written only means a login.
    """

    def __init__(self, harbor_url, path):
        self.harbor_url = harbor_url
        self.path = path

    @classmethod
    def for_client(cls, client, environ=None):
        return cls(client.base_url, records_path(environ))

    def key(self, robot):
        return '%s robot %s %s' % (self.harbor_url, robot.get('id'), robot.get('name'))

    def _read(self):
        try:
            with open(self.path, encoding='utf-8') as handle:
                content = json.load(handle)
        except (OSError, ValueError):
            return {}
        if not isinstance(content, dict) or content.get('format') != FORMAT or not isinstance(content.get('robots'), dict):
            return {}
        return content['robots']

    def logs_in(self, client, name, secret, robot=None):
        """Whether the robot `name` logs in with `secret`.

        `robot` is Harbor's robot as read before this question: a record made at the same update_time with this
        secret answers it, else a login does, and a login that succeeds is recorded with that update_time. A robot
        read after the login could carry a secret set in between; one read before cannot.
        """
        if robot is not None and self.proves(robot, secret):
            return True
        accepted = client.accepts(name, secret)
        if accepted and robot is not None:
            self.remember(robot, secret)
        return accepted

    def proves(self, robot, secret):
        """Whether a login accepted `secret` and the robot has not been updated since."""
        if not self.path or not robot.get('update_time'):
            return False
        record = self._read().get(self.key(robot))
        try:
            return (record['update_time'] == robot['update_time'] and not record.get('awaiting_login')
                    and _holds(record, secret))
        except (KeyError, TypeError, AttributeError):
            return False

    def remember(self, robot, secret, proven=True):
        """Record that `robot`, as read before a login that accepted `secret`, has that secret.

        proven=False: `robot` was read after setting `secret` and no login has accepted it since; the record waits
        for one (confirm) and proves nothing until then.
        """
        if robot.get('update_time'):
            salt = os.urandom(SALT_BYTES)
            record = dict(update_time=robot['update_time'], iterations=ITERATIONS, salt=_encode(salt),
                          hash=_encode(_digest(secret, salt, ITERATIONS)))
            if not proven:
                record['awaiting_login'] = True
            self._change(self.key(robot), record)

    def confirm(self, name, secret):
        """A login has just accepted `secret` for the robot named `name`: its records awaiting a login with that
        secret are proven.

        Such a record holds the update_time read after the secret was set, so before this login: it proves what a
        record made by logs_in proves, that the secret stays in place while update_time stays the same. So a robot
        whose secret a task has just set needs no login of its own when another one follows anyway (harbor_pull_secret
        logs in before it hands the secret out).
        """
        if not self.path:
            return
        prefix = '%s robot ' % self.harbor_url

        def awaiting(records, check_secret):
            return [key for key, record in records.items()
                    if key.startswith(prefix) and key.rsplit(' ', 1)[-1] == name and isinstance(record, dict)
                    and record.get('awaiting_login') and (not check_secret or _holds(record, secret))]

        def prove(records):
            proven = awaiting(records, check_secret=True)
            for key in proven:
                del records[key]['awaiting_login']
            return bool(proven)

        # Most logins have no record awaiting them: then the file is only read, neither locked nor rewritten.
        if awaiting(self._read(), check_secret=False):
            self._edit(prove)

    def forget(self, robot):
        self._change(self.key(robot), None)

    def _change(self, key, record):
        """Set (or with None, drop) one record."""
        def change(records):
            if record is not None:
                records[key] = record
                return True
            return records.pop(key, None) is not None

        self._edit(change)

    def _edit(self, edit):
        """edit(records), which tells whether it changed them, under a lock, on the file as it is now; the file is
        then replaced at once."""
        if not self.path:
            return
        try:
            # Created readable by its owner only; a directory the user chose is left as it is.
            os.makedirs(os.path.dirname(self.path), 0o700, exist_ok=True)
            lock = os.open(self.path + '.lock', os.O_WRONLY | os.O_CREAT, 0o600)
        except OSError:
            return
        try:
            if fcntl:
                fcntl.flock(lock, fcntl.LOCK_EX)
            records = self._read()
            if not edit(records):
                return
            replace_private_file(self.path, json.dumps(dict(format=FORMAT, robots=records), indent=1, sort_keys=True),
                                 '.robots-')
        except OSError:
            pass
        finally:
            os.close(lock)
