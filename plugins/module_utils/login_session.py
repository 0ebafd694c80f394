# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A Harbor login session for the reads of a process that sends many of them.

Harbor checks a user's password on every basic-auth request: about 84 ms each on a real Harbor v2.15.2, whatever
the request asks, while a request that carries a login session only has its session read from Redis. A task looping over
fifty projects reads fifty times or more in one process (see in_process.py), so once a process has sent
READS_BEFORE_LOGIN reads as a user, it logs that user in once, as Harbor's own web interface does, and sends its
further reads with the session cookie:

1. GET /c/log_out without credentials: Harbor's CSRF middleware hands out a token (header) and its cookie. Without
   a session this destroys nothing, and Harbor audits no logout for it.
2. POST /c/login with the form fields principal and password, the token and its cookie: the session cookie.
3. GET /users/current with the session alone: it must name the same user, else the session is not used.

Writes keep basic auth and carry no cookie: a request carrying a session must carry a CSRF token too. Anything
unexpected (a refused login, an OIDC user, a proxy that drops cookies) leaves the process on basic auth, and a
read that a lost session answers 401 is sent again with basic auth: the session only ever saves time. Robots keep
basic auth: Harbor checks their secrets cheaply and /c/login does not take them.

HARBOR_LOGIN_SESSION=off turns this off. The session cookie is a credential: it is kept in memory only, never
logged, and Harbor forgets it after its session timeout (`session_timeout`, 60 minutes by default) unused.
"""

from __future__ import annotations

import os
import threading
import time

try:
    from requests.auth import AuthBase
except ImportError:  # the client reports the missing library
    AuthBase = object

# A login costs one password check (and a row in Harbor's audit log) and saves one on every later read: it pays from
# the second read after it. A process that has read this often as a user is a loop that will read much more; a
# short task (a bootstrap step reads two to five times, a loop over a few projects a little more) stays on basic
# auth rather than spend a login on a read or two.
READS_BEFORE_LOGIN = 10
# Harbor forgets a session unused for its session timeout, one minute at the least; an expired session makes a
# read anonymous, which Harbor answers with 401 or, for what anonymous users may see, with less. A session idle
# this long is not trusted again: the process counts its reads anew and may log in again.
IDLE_SECONDS = 50
SESSION_COOKIE = 'sid'
CSRF_COOKIE = '_gorilla_csrf'
CSRF_HEADER = 'X-Harbor-CSRF-Token'
SWITCH = 'HARBOR_LOGIN_SESSION'

# (base URL, identity key) -> LoginSession, for every client of the process.
_SESSIONS = {}
_SESSIONS_LOCK = threading.Lock()


def enabled():
    return os.environ.get(SWITCH, 'on').strip().lower() not in ('off', 'no', 'false', '0')


def forget_sessions():
    """Forget every session, as a fresh process would start (the sessions expire on Harbor's side)."""
    with _SESSIONS_LOCK:
        _SESSIONS.clear()


def session_for(base_url, identity_key):
    with _SESSIONS_LOCK:
        return _SESSIONS.setdefault((base_url, identity_key), LoginSession())


class WithoutCredentials(AuthBase):
    """requests auth that sends no Authorization header, over the session's basic auth."""

    def __call__(self, request):
        return request


WITHOUT_CREDENTIALS = WithoutCredentials()


class LoginSession:
    """One user's login session with one Harbor: waiting (counting reads), active (a cookie) or off."""

    def __init__(self, clock=time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._reads = 0
        self._cookie = None
        self._used = None
        self._off = not enabled()

    def cookie_for_read(self, log_in):
        """The Cookie header to send the next read with, or None to send it with basic auth.

        `log_in()` returns a verified Cookie header or None; it is called once, by the read that reaches the
        threshold, while the others wait.
        """
        with self._lock:
            if self._off:
                return None
            now = self._clock()
            if self._cookie is not None and now - self._used > IDLE_SECONDS:
                self._cookie, self._reads = None, 0
            if self._cookie is None:
                self._reads += 1
                if self._reads <= READS_BEFORE_LOGIN:
                    return None
                self._cookie = log_in()
                self._off = self._cookie is None
                now = self._clock()
            self._used = now
            return self._cookie

    def lost(self):
        """Harbor no longer knows the session (401): back to basic auth for the rest of the process."""
        with self._lock:
            self._cookie = None
            self._off = True


def response_cookie(raw, name):
    """The value of cookie `name` a requests response sets, or None."""
    value = raw.cookies.get(name)
    return value or None


def log_in(send, base_url, api_url, username, password):
    """Steps 1 to 3 of the module docstring with `send(method, url, **kwargs)` (a Transport's); a Cookie header
    for the reads, or None when any step does not answer as Harbor does."""
    try:
        handed_out = send('GET', base_url + '/c/log_out', auth=WITHOUT_CREDENTIALS)
        token, csrf_cookie = handed_out.headers.get(CSRF_HEADER), response_cookie(handed_out, CSRF_COOKIE)
        if handed_out.status_code != 200 or not token or not csrf_cookie:
            return None
        csrf = '%s=%s' % (CSRF_COOKIE, csrf_cookie)
        # principal before password: Harbor's audit log reads the user's name from the form in that order
        answer = send('POST', base_url + '/c/login', auth=WITHOUT_CREDENTIALS,
                      data=[('principal', username), ('password', password)],
                      headers={CSRF_HEADER: token, 'Cookie': csrf, 'Referer': base_url + '/'})
        sid = response_cookie(answer, SESSION_COOKIE)
        if answer.status_code != 200 or not sid:
            return None
        cookie = '%s=%s; %s' % (SESSION_COOKIE, sid, csrf)
        check = send('GET', api_url + '/users/current', auth=WITHOUT_CREDENTIALS, headers={'Cookie': cookie})
        if check.status_code != 200 or (check.json() or {}).get('username') != username:
            return None
        return cookie
    except Exception:  # pylint: disable=broad-except
        # the session only saves time: any failure leaves the process on basic auth, which reports real errors
        return None
