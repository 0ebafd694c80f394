# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one HTTP transport of the collection: a requests session with its TLS settings, timeout and retries.

The Harbor client and the Kubernetes client both send through it; each turns what comes back (an answer, or
NoAnswer) into its own errors, because the two APIs describe failures differently.
"""

from __future__ import annotations

import random
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import DefaultCookiePolicy

REQUESTS_IMPORT_ERROR = None
try:
    import requests
except ImportError:
    requests = None
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

# Statuses that mean "not processed, try again later": safe to retry for idempotent methods.
RETRY_STATUSES = frozenset((429, 502, 503, 504))
IDEMPOTENT_METHODS = frozenset(('GET', 'HEAD', 'PUT', 'DELETE'))
MAX_ATTEMPTS = 5
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0
# At most this many requests of one task at a time (see run_concurrently): enough to overlap the latency of a
# real server, little enough not to load it.
MAX_CONCURRENT = 4


def run_concurrently(function, items, limit=None):
    """[function(item) for item in items], at most `limit` (MAX_CONCURRENT) at a time, in the order of `items`.

    For independent work only, such as the namespaces of one pull secret: every call runs to its end, and then the
    first failure, in the order of the items, is raised. Each thread sends with its own session (Transport).
    """
    items = list(items)
    limit = MAX_CONCURRENT if limit is None else limit
    if limit <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(limit, len(items))) as pool:
        futures = [pool.submit(function, item) for item in items]
    for future in futures:
        error = future.exception()
        if error is not None:
            raise error
    return [future.result() for future in futures]


def backoff_delay(attempt):
    """Seconds to wait before retry number `attempt`: exponential, capped, with jitter so parallel runs spread out."""
    delay = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** (attempt - 1)))
    return delay / 2 + random.uniform(0, delay / 2)


def retry_after(raw):
    """The server's Retry-After in seconds (capped), or None."""
    value = raw.headers.get('Retry-After')
    if value and value.strip().isdigit():
        return min(RETRY_AFTER_CAP, float(value.strip()))
    return None


def decode_body(raw):
    """A requests response's body: decoded JSON when it says so, else text; None when empty."""
    if not raw.content:
        return None
    if 'json' in (raw.headers.get('Content-Type') or ''):
        try:
            return raw.json()
        except ValueError:
            return raw.text
    return raw.text


class NoAnswer(Exception):
    """No usable answer came: `error` is the requests exception of the last attempt.

    tls: the certificate could not be verified (never retried: it will not change).
    ambiguous: the request may have reached the server and been applied (a write whose answer got lost).
    """

    def __init__(self, error, tls=False, ambiguous=False):
        super().__init__(str(error))
        self.error = error
        self.tls = tls
        self.ambiguous = ambiguous

    @property
    def timed_out(self):
        return isinstance(self.error, requests.exceptions.Timeout)


class Transport:
    """A session to one server, and `send` with retries.

    Retried, with exponential backoff and jitter (or the server's Retry-After): connection errors, timeouts and
    502/503/504 for idempotent methods and for writes the caller marks replayable; a refused connection (never
    sent) and 429 (not processed) for any method. Nothing is retried after a TLS failure.

    `session` is configured by the caller; another thread (run_concurrently) sends with its own copy of it, as a
    requests session is not safe to share between threads.
    """

    def __init__(self, verify=True, timeout=30, cert=None, proxies=None, trust_env=True, cookies=True, sleep=None,
                 max_attempts=MAX_ATTEMPTS):
        self.session = requests.Session()
        self.session.trust_env = trust_env
        if not cookies:
            self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        self.session.headers.update({'Accept': 'application/json', 'User-Agent': 'cloudtemple.harbor'})
        self.session.verify = verify
        if cert:
            self.session.cert = cert
        if proxies:
            self.session.proxies = proxies
        self.timeout = timeout
        self.sleep = sleep or time.sleep
        self.max_attempts = max_attempts
        self.request_count = 0
        self._owner = threading.get_ident()
        self._threads = threading.local()
        self._count_lock = threading.Lock()

    def _thread_session(self):
        """The session of the calling thread: `session` itself in the thread that made the transport."""
        if threading.get_ident() == self._owner:
            return self.session
        session = getattr(self._threads, 'session', None)
        if session is None:
            primary = self.session
            session = requests.Session()
            session.trust_env = primary.trust_env
            session.headers = primary.headers.copy()
            session.auth = primary.auth
            session.verify = primary.verify
            session.cert = primary.cert
            session.proxies = dict(primary.proxies)
            session.cookies.set_policy(primary.cookies.get_policy())
            self._threads.session = session
        return session

    def send(self, method, url, replayable=False, **kwargs):
        """Send one request, retried as the class says; return the last requests response, or raise NoAnswer."""
        retried = method in IDEMPOTENT_METHODS or replayable
        attempt = 0
        while True:
            attempt += 1
            session = self._thread_session()
            try:
                with self._count_lock:
                    self.request_count += 1
                # verify is passed on every request: requests lets REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE override the
                # session's setting, which would ignore a private CA and even a disabled verification.
                raw = session.request(method, url, timeout=self.timeout, allow_redirects=False,
                                      verify=session.verify, **kwargs)
            except requests.exceptions.SSLError as error:
                raise NoAnswer(error, tls=True)
            except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
                # A refused connection never reached the server; a reset or a read timeout may have been processed.
                never_sent = isinstance(error, requests.exceptions.ConnectTimeout) or (
                    isinstance(error, requests.exceptions.ConnectionError) and 'refused' in str(error).lower())
                if not (retried or never_sent) or attempt >= self.max_attempts:
                    raise NoAnswer(error, ambiguous=not never_sent)
                self.sleep(backoff_delay(attempt))
                continue
            if raw.status_code in RETRY_STATUSES and (retried or raw.status_code == 429) and attempt < self.max_attempts:
                self.sleep(retry_after(raw) or backoff_delay(attempt))
                continue
            return raw
