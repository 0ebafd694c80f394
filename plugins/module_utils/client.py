# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one HTTP client of the collection: every request to Harbor's API goes through HarborClient."""

from __future__ import annotations

import copy
import hashlib
import os
import re
from urllib.parse import quote, urlsplit

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import (
    HarborCredentialsError,
    HarborError,
    HarborTransportError,
    ValidationError,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.login_session import (
    WITHOUT_CREDENTIALS,
    forget_sessions,
    log_in,
    session_for,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.transport import (
    IDEMPOTENT_METHODS,
    MAX_ATTEMPTS,
    REQUESTS_IMPORT_ERROR,
    RETRY_STATUSES,
    NoAnswer,
    Transport,
    decode_body,
    requests,
)

API_PREFIX = '/api/v2.0'
PAGE_SIZE = 100


# Answers to lookups that stay valid while nothing is written, shared by the clients of this process. A module run
# in its own process uses them once; the controller running a task's loop items in one process (see in_process.py)
# reuses them across items: the project and the robot list that two robots of one project both need are read
# once. Any write, by any client of the process, forgets them, except the answers of STABLE_LOOKUPS.
_LOOKUP_ANSWERS = {}
# Lookups whose answers no write of the collection changes, except one to Harbor's configuration: the robot name
# prefix and default duration, the permission catalogue, the version. A loop that creates robots reads them once.
STABLE_LOOKUPS = ('/configurations', '/permissions', '/systeminfo')
# Endpoints whose writes change nothing outside them: a robot's creation, update or deletion changes the robots'
# answers and not, for one, the project a loop over robots looks up for each of them.
CONTAINED_WRITES = ('/robots',)
# What this process did so far: the project names it looked up, whether it wrote anything other than a
# CONTAINED_WRITES one (see get_project), and who each set of credentials it used is (see current_identity).
_PROCESS = dict(projects_asked=set(), written=False, identities={})
# The project list get_project reads: one page, with the details GET /projects/{name} gives.
PROJECT_LIST = dict(page=1, page_size=PAGE_SIZE, with_detail='true')


def forget_lookups():
    """Forget every remembered answer and what the process looked up, as a fresh process would start."""
    _LOOKUP_ANSWERS.clear()
    _PROCESS['projects_asked'].clear()
    _PROCESS['identities'].clear()
    _PROCESS['written'] = False
    forget_sessions()


def forget_after_write(path):
    """A write to `path` is under way: forget the answers it may change."""
    scope = next((prefix for prefix in CONTAINED_WRITES if path.startswith(prefix)), None)
    if scope is None:
        _PROCESS['written'] = True
    for key in list(_LOOKUP_ANSWERS):
        looked_up = key[2]
        if looked_up in STABLE_LOOKUPS and not path.startswith('/configurations'):
            continue
        if scope is not None and not looked_up.startswith(scope):
            continue
        del _LOOKUP_ANSWERS[key]


def harbor_argument_spec():
    """Connection options shared by every module that talks to Harbor (documented in doc_fragments/harbor.py)."""
    return dict(
        harbor_url=dict(type='str', required=True, fallback=(env_fallback, ['HARBOR_URL'])),
        harbor_username=dict(type='str', fallback=(env_fallback, ['HARBOR_USERNAME'])),
        harbor_password=dict(type='str', no_log=True, fallback=(env_fallback, ['HARBOR_PASSWORD'])),
        harbor_validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['HARBOR_VALIDATE_CERTS'])),
        harbor_ca_path=dict(type='path', fallback=(env_fallback, ['HARBOR_CA_PATH'])),
        harbor_timeout=dict(type='int', default=30, fallback=(env_fallback, ['HARBOR_TIMEOUT'])),
    )


def normalize_url(url):
    """Return scheme://host[:port][/prefix] for the forms users write: host, https://host, .../api/v2.0."""
    url = (url or '').strip()
    if not url:
        raise HarborError('harbor_url is empty: set it to the address of Harbor, for example https://harbor.example.com')
    if '://' not in url:
        url = 'https://' + url
    parts = urlsplit(url)
    if parts.scheme not in ('http', 'https') or not parts.netloc:
        raise HarborError('harbor_url %r is not an http(s) address such as https://harbor.example.com' % url)
    path = parts.path.rstrip('/')
    if path.endswith(API_PREFIX):
        path = path[:-len(API_PREFIX)]
    return '%s://%s%s' % (parts.scheme, parts.netloc, path.rstrip('/'))


def check_connection_settings(ca_path, timeout):
    """Refuse connection options that could only fail later, or crash, before any request is sent."""
    if ca_path and not os.path.isfile(ca_path):
        raise HarborError('harbor_ca_path %r does not exist or is not a file: set it to the PEM file of the CA that '
                          'signed Harbor\'s certificate' % ca_path)
    if timeout is not None and timeout <= 0:
        raise HarborError('harbor_timeout must be a positive number of seconds, got %s' % timeout)


def registry_host(url):
    """The host[:port] that docker and Kubernetes use for this Harbor (no scheme, no path)."""
    return urlsplit(normalize_url(url)).netloc


def quote_segment(value):
    """Quote one path segment (a project name, an id, a tag)."""
    return quote(str(value), safe='')


def quote_repository(name):
    """Repository names are decoded twice by Harbor, so a '/' must travel as %252F."""
    return quote(quote(str(name), safe=''), safe='')


class HarborResponse:
    """What came back from Harbor: status, headers and the decoded body."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def location_id(self):
        """Harbor answers 201 with an empty body and the new object's path in Location; its last segment is the id."""
        location = self.headers.get('Location') or ''
        tail = location.rstrip('/').rsplit('/', 1)[-1]
        return int(tail) if tail.isdigit() else (tail or None)


def parse_version(text):
    """'v2.15.2-abc123' -> (2, 15, 2); None when Harbor did not say."""
    match = re.match(r'v?(\d+)\.(\d+)(?:\.(\d+))?', text or '')
    if not match:
        return None
    return tuple(int(part or 0) for part in match.groups())


def _tls_failure_message(url, error, ca_path):
    text = str(error)
    lowered = text.lower()
    if 'hostname mismatch' in lowered or "doesn't match" in lowered or 'not valid for' in lowered:
        cause = 'the certificate does not name this host'
        fix = ('use the host name the certificate was issued for in harbor_url (not an IP address or an alias), '
               'or have the certificate reissued with this name')
    elif 'expired' in lowered or 'not yet valid' in lowered:
        cause = 'the certificate has expired or is not valid yet'
        fix = ('renew Harbor\'s certificate, and check that the clock of this machine is synchronised '
               '(a wrong clock makes valid certificates look expired)')
    elif 'unable to get local issuer' in lowered or 'self-signed' in lowered or 'self signed' in lowered \
            or 'unknown ca' in lowered or 'certificate verify failed' in lowered:
        cause = 'the certificate is signed by an unknown authority (x509: certificate signed by unknown authority)'
        if ca_path:
            fix = ('the CA in harbor_ca_path (%s) did not sign it: point harbor_ca_path at the CA that did, or at the '
                   'CA of the TLS-intercepting proxy in between' % ca_path)
        else:
            fix = ('set harbor_ca_path to the PEM file of the private CA (or of the TLS-intercepting proxy), or add that '
                   'CA to this machine\'s trust store (ca-certificates)')
    else:
        cause = 'the TLS handshake failed'
        fix = 'check that harbor_url points at Harbor\'s HTTPS port and that no proxy intercepts the connection'
    return 'Cannot verify the TLS certificate of %s: %s. Fix: %s; harbor_validate_certs=false only for throw-away tests' % (
        url, cause, fix)


class HarborClient:
    """A small client for Harbor's REST API v2.0 on requests.

    - one normalised base URL, basic auth, TLS verification with an optional private CA;
    - no cookie jar: a replayed session cookie makes Harbor demand a CSRF token on every write; the reads of a
      busy process go with a login session instead of the password (login_session.py), writes never;
    - retries with exponential backoff and jitter on connection errors and 429/502/503/504 for idempotent
      methods (429 also for POST, it means "not processed"); other POST failures are reported as ambiguous
      so the caller can look the object up instead of creating it twice;
    - Harbor's error envelope turned into HarborError with a hint the user can act on.
    """

    def __init__(self, url, username=None, password=None, validate_certs=True, ca_path=None, timeout=30,
                 sleep=None, max_attempts=MAX_ATTEMPTS):
        if requests is None:
            raise HarborError(missing_required_lib('requests'))
        check_connection_settings(ca_path, timeout)
        self.base_url = normalize_url(url)
        self.api_url = self.base_url + API_PREFIX
        self.username = username or None
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.timeout = timeout
        self._transport = Transport(verify=(ca_path or True) if validate_certs else False, timeout=timeout,
                                    cookies=False, sleep=sleep, max_attempts=max_attempts)
        # No cookies at all: a replayed session cookie makes Harbor demand a CSRF token on every write.
        self._session = self._transport.session
        self._password = None
        if self.username:
            self._session.auth = (self.username, password or '')
            self._password = password or ''
        # Remembered lookups are per identity: another account may see other things. Only a digest is kept.
        self._identity_key = hashlib.sha256(('%s\0%s' % (self.username, password or '')).encode('utf-8')).hexdigest()
        self._identity = None
        self._system_info = None

    # -- identity -------------------------------------------------------------------------------------------

    def current_identity(self, remembered=True):
        """Log in with GET /users/current and return who we are.

        Harbor treats rejected credentials as anonymous instead of answering 401 everywhere, so a wrong password
        would otherwise look like "project not found" or an empty list. Valid robots get a 412 here.
        Returns {'kind': 'user'|'robot'|'anonymous', 'username': ..., 'sysadmin': bool}. Asked once per process
        and set of credentials: the loop items of a task share the answer, unless `remembered` is false (a login
        check, which must ask Harbor now).
        """
        if self._identity is None and remembered:
            self._identity = _PROCESS['identities'].get(self._identity_key)
        if self._identity is not None:
            return self._identity
        if not self.username:
            self._identity = dict(kind='anonymous', username=None, sysadmin=False)
            return self._identity
        response = self.request('GET', '/users/current', accept=(401, 412), check_credentials=False)
        if response.status == 401:
            raise self._credentials_error('GET', '/users/current', response)
        if response.status == 412:
            self._identity = dict(kind='robot', username=self.username, sysadmin=False)
        else:
            body = response.body or {}
            self._identity = dict(kind='user', username=body.get('username', self.username),
                                  sysadmin=bool(body.get('sysadmin_flag')), user_id=body.get('user_id'))
        _PROCESS['identities'][self._identity_key] = self._identity
        return self._identity

    def credentials_valid(self):
        """True if Harbor accepts the configured credentials; never raises for rejected ones. Not answered from
        what another client of the process saw: a robot's secret may have changed since."""
        try:
            self.current_identity(remembered=False)
        except HarborCredentialsError:
            return False
        return True

    def accepts(self, username, password):
        """Whether this Harbor accepts other credentials (see probe_login), asked with this client's settings."""
        return probe_login(self.base_url, username, password, validate_certs=self.validate_certs, ca_path=self.ca_path,
                           timeout=self.timeout)

    def _credentials_error(self, method, path, response):
        if self.username:
            message = 'Harbor rejected the credentials of %r (%s %s answered 401)' % (self.username, method, path)
            hint = ('Harbor treats rejected credentials as anonymous. Check harbor_username and harbor_password; '
                    'for a robot account use its full name (robot$project+name), and check that it is enabled '
                    'and not expired')
        else:
            message = '%s %s needs authentication and no credentials were given' % (method, path)
            hint = 'Set harbor_username and harbor_password (or HARBOR_USERNAME and HARBOR_PASSWORD)'
        return HarborCredentialsError(message, status=401, code='UNAUTHORIZED', method=method, path=path, hint=hint,
                                      request_id=response.headers.get('X-Request-Id'))

    # -- server facts ---------------------------------------------------------------------------------------

    def system_info(self):
        if self._system_info is None:
            self._system_info = self.get('/systeminfo', remember=True) or {}
        return self._system_info

    def version(self):
        return parse_version(self.system_info().get('harbor_version'))

    def require_version(self, minimum, what):
        """Fail before any write when `what` needs a newer Harbor than the one we talk to."""
        version = self.version()
        if version is not None and version < tuple(minimum):
            raise HarborError('%s needs Harbor %s or newer, but this Harbor reports %s' % (
                what, '.'.join(str(part) for part in minimum), self.system_info().get('harbor_version')))

    # -- HTTP -----------------------------------------------------------------------------------------------

    def request(self, method, path, params=None, json=None, headers=None, accept=(), resource_name=False,
                permission=None, check_credentials=True, remember=False):
        """Send one request, with retries, and return a HarborResponse.

        accept: error statuses the caller handles itself (returned instead of raised).
        resource_name: the path addresses a project by name (sends X-Is-Resource-Name so that an all-digit
        name is not taken for an id).
        permission: what the call needs, such as 'robot:create on project payments', for the 403 hint.
        remember: a GET whose answer (200, or an accepted 404) may be reused in this process until the next write.
        Only for lookups: never for polling, nor for a login check.
        """
        method = method.upper()
        if method not in ('GET', 'HEAD'):
            forget_after_write(path)
        key = None
        if remember and method == 'GET':
            key = (self.api_url, self._identity_key, path, tuple(sorted((params or {}).items())), resource_name, tuple(accept))
            if key in _LOOKUP_ANSWERS:
                status, headers_seen, body = _LOOKUP_ANSWERS[key]
                return HarborResponse(status, headers_seen, copy.deepcopy(body))
        response = self._send(method, path, params, json, headers, accept, resource_name, permission, check_credentials)
        if key is not None and response.status in (200, 404):
            _LOOKUP_ANSWERS[key] = (response.status, response.headers, copy.deepcopy(response.body))
        return response

    @property
    def request_count(self):
        return self._transport.request_count

    def _send(self, method, path, params, json, headers, accept, resource_name, permission, check_credentials):
        """One request with its retries (see request()). A read may go with the login session (login_session.py);
        a login check (check_credentials false) never does: it is there to test the password."""
        all_headers = {'X-Is-Resource-Name': 'true'} if resource_name else {}
        all_headers.update(headers or {})
        session = self._login_session() if method == 'GET' and check_credentials else None
        try:
            raw = None
            cookie = session.cookie_for_read(self._log_in) if session is not None else None
            if cookie is not None:
                raw = self._transport.send(method, self.api_url + path, params=params, headers=dict(
                    all_headers, Cookie=cookie), auth=WITHOUT_CREDENTIALS)
                if raw.status_code == 401:
                    session.lost()
                    raw = None
            if raw is None:
                raw = self._transport.send(method, self.api_url + path, params=params, json=json, headers=all_headers)
        except NoAnswer as failure:
            if failure.tls:
                raise HarborTransportError(_tls_failure_message(self.base_url, failure.error, self.ca_path),
                                           method=method, path=path)
            raise self._transport_error(method, path, failure)
        return self._finish(method, path, raw, accept, permission, check_credentials)

    def _login_session(self):
        """The process's login session for these credentials when they are a user's; else None. Robots keep basic
        auth: Harbor forbids '$' in user names, and every robot name has it unless the prefix was changed (then
        Harbor refuses the robot's login once, and the process stays on basic auth)."""
        if self._password is None:
            return None
        identity = self._identity or _PROCESS['identities'].get(self._identity_key)
        kind = identity.get('kind') if identity else ('robot' if '$' in self.username else 'user')
        return session_for(self.base_url, self._identity_key) if kind == 'user' else None

    def _log_in(self):
        return log_in(self._transport.send, self.base_url, self.api_url, self.username, self._password)

    def _transport_error(self, method, path, failure):
        ambiguous = failure.ambiguous
        if failure.timed_out:
            what = 'no answer within %s seconds (harbor_timeout)' % self.timeout
        else:
            what = 'the connection failed (%s)' % type(failure.error).__name__
        message = '%s %s%s: %s' % (method, self.base_url, path, what)
        if ambiguous and method not in IDEMPOTENT_METHODS:
            message += '; Harbor may or may not have applied this write'
        return HarborTransportError(message, method=method, path=path, ambiguous=ambiguous,
                                    hint='Check that harbor_url is reachable from this machine, then run again')

    def _finish(self, method, path, raw, accept, permission, check_credentials):
        body = decode_body(raw)
        response = HarborResponse(raw.status_code, raw.headers, body)
        if raw.status_code < 400 or raw.status_code in accept:
            return response
        if raw.status_code == 401 and check_credentials:
            if not self.username or not self.credentials_valid():
                raise self._credentials_error(method, path, response)
        raise self._error(method, path, response, permission)

    def _error(self, method, path, response, permission):
        status = response.status
        code, harbor_message = None, None
        if isinstance(response.body, dict) and response.body.get('errors'):
            first = response.body['errors'][0]
            code, harbor_message = first.get('code'), first.get('message')
        elif isinstance(response.body, str):
            harbor_message = response.body.strip()[:200] or None
        hint = self._hint(status, permission, harbor_message)
        message = '%s %s answered %s%s' % (method, path, status, ' %s' % code if code else '')
        if harbor_message:
            message += ': %s' % harbor_message
        error_class = HarborTransportError if status >= 500 else HarborError
        kwargs = dict(status=status, code=code, method=method, path=path, hint=hint,
                      request_id=response.headers.get('X-Request-Id'), harbor_message=harbor_message)
        if error_class is HarborTransportError:
            kwargs['ambiguous'] = method not in IDEMPOTENT_METHODS
        return error_class(message, **kwargs)

    def _hint(self, status, permission, harbor_message):
        who = repr(self.username) if self.username else 'the anonymous caller'
        if status == 403:
            if harbor_message and 'read only' in harbor_message:
                return 'Harbor is in read-only mode; an administrator must turn it off before any change'
            needed = (' %s' % permission) if permission else ' the permission this call needs'
            return ('denied: requested access to the resource is denied. The account %s lacks%s; give it that '
                    'permission (for a robot, in its permissions; for a user, a project role or system admin)' % (
                        who, needed))
        if status == 404:
            return 'Check the name: the project, repository, tag or object does not exist (or was just deleted)'
        if status == 409:
            return 'An object with this name already exists, perhaps created by a concurrent run; run again to converge'
        if status == 412:
            return 'Harbor refuses this change in the current state of the object'
        if status == 413:
            return ('413 Request Entity Too Large: the request is larger than Harbor or the ingress in front of it '
                    'allows; adjust that limit (the registry or ingress body size)')
        if status == 429:
            return 'Harbor (or a proxy in front of it) is rate-limiting; retry later or lower the parallelism'
        if status in RETRY_STATUSES:
            return ('Harbor, or the proxy in front of it, is unavailable or overloaded (still %d after the retries): '
                    'check that Harbor is up (its /api/v2.0/health), then run again' % status)
        if status >= 500:
            return 'Harbor failed internally; its core log has the details for this request id'
        return None

    # -- conveniences ---------------------------------------------------------------------------------------

    def get(self, path, params=None, missing_ok=False, resource_name=False, permission=None, remember=False):
        """GET and return the body; with missing_ok, None on 404."""
        response = self.request('GET', path, params=params, accept=(404,) if missing_ok else (),
                                resource_name=resource_name, permission=permission, remember=remember)
        if response.status == 404:
            return None
        return response.body

    def paginate(self, path, params=None, resource_name=False, permission=None, remember=False):
        """Every item of a list endpoint: page_size=100 until X-Total-Count items were read."""
        items = []
        page = 1
        while True:
            query = dict(params or {})
            query.update(page=page, page_size=PAGE_SIZE)
            response = self.request('GET', path, params=query, resource_name=resource_name, permission=permission,
                                    remember=remember)
            batch = response.body or []
            items.extend(batch)
            total = response.headers.get('X-Total-Count')
            if not batch or len(batch) < PAGE_SIZE or (total is not None and total.isdigit() and len(items) >= int(total)):
                return items
            page += 1

    def list_by_name(self, path, name, permission, field='name', name_param=None, resource_name=False, remember=False):
        """Every item of a list endpoint, or (name not None) only those whose `field` is exactly `name`.

        Harbor filters by name with q=<field>=<name>, or with its own query parameter `name_param` on some lists, and
        may match loosely: the name is compared again.
        """
        params = None
        if name is not None:
            params = {name_param: name} if name_param else {'q': '%s=%s' % (field, name)}
        found = self.paginate(path, params=params, resource_name=resource_name, permission=permission, remember=remember)
        return [item for item in found if name is None or item.get(field) == name]

    def _whole_list_key(self, path, params, accept):
        """The key under which a remembered GET of the first page of the list (page_size PAGE_SIZE) is kept."""
        query = dict(params or {}, page=1, page_size=PAGE_SIZE)
        return (self.api_url, self._identity_key, path, tuple(sorted(query.items())), False, tuple(accept))

    def remembered_list(self, path, params=None, accept=()):
        """The items paginate(path, params, remember=True) remembers, when one page held them all; else None."""
        answer = _LOOKUP_ANSWERS.get(self._whole_list_key(path, params, accept))
        if answer is None or answer[0] != 200 or not isinstance(answer[2], list) or len(answer[2]) >= PAGE_SIZE:
            return None
        return copy.deepcopy(answer[2])

    def remember_list(self, path, params, items, accept=()):
        """Remember `items` as the whole answer of paginate(path, params, remember=True).

        For a list that this process changed itself: what remembered_list gave before the writes, with what the
        writes made (see keeping_list). A list of PAGE_SIZE items or more is not remembered.
        """
        if len(items) < PAGE_SIZE:
            _LOOKUP_ANSWERS[self._whole_list_key(path, params, accept)] = (200, {'X-Total-Count': str(len(items))},
                                                                           copy.deepcopy(items))

    def keeping_list(self, path, params, write, key, accept=()):
        """write() (writes that change one item of the list, and return it as the list shows it) and, when this
        process remembered the whole list before, that list with the item in it (matched by its field `key`): the
        next item of a loop is looked up without reading the list again. As those writes change nothing else, they
        do not keep get_project from reading the project list afterwards either."""
        written = _PROCESS['written']
        listed = self.remembered_list(path, params, accept)
        item = write()
        _PROCESS['written'] = written
        if listed is not None and isinstance(item, dict):
            self.remember_list(path, params, [entry for entry in listed if entry.get(key) != item.get(key)] + [item],
                               accept)
        return item

    def post(self, path, json=None, resource_name=False, permission=None, headers=None):
        return self.request('POST', path, json=json, resource_name=resource_name, permission=permission,
                            headers=headers)

    def put(self, path, json=None, resource_name=False, permission=None):
        return self.request('PUT', path, json=json, resource_name=resource_name, permission=permission)

    def patch(self, path, json=None, permission=None):
        return self.request('PATCH', path, json=json, permission=permission)

    def delete(self, path, missing_ok=False, resource_name=False, permission=None):
        """DELETE; with missing_ok a 404 (already gone) returns False instead of raising."""
        response = self.request('DELETE', path, accept=(404,) if missing_ok else (), resource_name=resource_name,
                                permission=permission)
        return response.status != 404

    # -- projects (used by almost every module) --------------------------------------------------------------

    def project_path(self, name, suffix=''):
        return '/projects/%s%s' % (quote_segment(name), suffix)

    def get_project(self, name, permission='project:read'):
        """The project named `name`, or None if it does not exist.

        Harbor answers 403 rather than 404 to non-admins for a project that does not exist, so a 403 is
        settled with HEAD /projects?project_name=, which only needs a login.
        """
        answered, listed = self._listed_project(name)
        if answered:
            return listed
        _PROCESS['projects_asked'].add(name)
        response = self.request('GET', self.project_path(name), accept=(403, 404), resource_name=True, remember=True)
        if response.status == 200:
            return response.body
        if response.status == 404 or not self.project_exists(name):
            return None
        raise self._error('GET', self.project_path(name), response, '%s on project %s' % (permission, name))

    def project_exists(self, name):
        """Whether a project of this name exists, for any logged-in caller (HEAD /projects?project_name=)."""
        return self.request('HEAD', '/projects', params={'project_name': name}, accept=(404,)).status != 404

    def _listed_project(self, name):
        """(True, the project `name` or None when it does not exist) when the project list answers, else (False, None).

        A loop over projects looks them up one after the other: from the second project of a process on, one
        page of the list (with the same details as GET /projects/{name}) answers for up to PAGE_SIZE of them. Not
        read once this process has written anything that may change a project: a loop that creates projects would
        read the list again after each write, where one GET by name does; but still used when a creation kept it
        up to date (keeping_project_list). A loop that creates robots only writes CONTAINED_WRITES, which keep it.
        A project missing from the page is looked up by name, unless the page is the whole list and the account
        sees every project (a system administrator): then it does not exist.
        """
        listed = self.remembered_list('/projects', PROJECT_LIST, accept=(403,))
        if listed is None:
            asked = _PROCESS['projects_asked']
            if _PROCESS['written'] or not asked or asked == {name}:
                return False, None
            response = self.request('GET', '/projects', params=PROJECT_LIST, accept=(403,), remember=True)
            if response.status != 200 or not isinstance(response.body, list):
                return False, None
            listed = response.body
        project = next((project for project in listed if isinstance(project, dict) and project.get('name') == name),
                       None)
        if project is not None:
            return True, project
        whole = len(listed) < PAGE_SIZE
        return (True, None) if whole and self.current_identity().get('sysadmin') else (False, None)

    def keeping_project_list(self, create):
        """create() (a project's creation, returning the project as GET /projects/{name} reads it) keeping the
        project list that get_project reads, with the new project in it (see keeping_list)."""
        return self.keeping_list('/projects', PROJECT_LIST, create, 'name', accept=(403,))

    def require_project(self, name, option='project', permission='project:read'):
        project = self.get_project(name, permission=permission)
        if project is None:
            raise HarborError('%s: project %r does not exist in Harbor (name unknown)' % (option, name),
                              status=404, hint='Create it first with cloudtemple.harbor.harbor_project, or fix the name')
        return project


def missing_project(name):
    """The error for a task on a project that does not exist (found before any write)."""
    return ValidationError('project: project %r does not exist in Harbor; create it first with '
                           'cloudtemple.harbor.harbor_project, or fix the name' % name)


def probe_login(url, username, password, validate_certs=True, ca_path=None, timeout=30):
    """True if Harbor accepts these credentials (a user, or a robot by its full name), False if it rejects them.

    Only GET /users/current is sent, with these credentials alone: it answers 200 for a user, 412 for a robot and
    401 when the credentials were rejected (wrong secret, disabled or expired robot, wrong robot name prefix).
    Anything else, such as an unreachable Harbor, raises HarborError: it says nothing about the credentials.
    """
    if not username or not password:
        return False
    return HarborClient(url, username=username, password=password, validate_certs=validate_certs, ca_path=ca_path,
                        timeout=timeout).credentials_valid()


def client_from_module(module):
    """Build the client from the connection options, or fail the module with a clear message."""
    if requests is None:
        module.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
    params = module.params
    if not params['harbor_validate_certs']:
        module.warn('harbor_validate_certs is false: the TLS certificate of Harbor is not verified, so anyone in '
                    'between can read the credentials. Use harbor_ca_path for a private CA instead.')
        try:
            import urllib3
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        except (ImportError, AttributeError):
            pass
    try:
        return HarborClient(params['harbor_url'], username=params.get('harbor_username'),
                            password=params.get('harbor_password'), validate_certs=params['harbor_validate_certs'],
                            ca_path=params.get('harbor_ca_path'), timeout=params['harbor_timeout'])
    except HarborError as error:
        module.fail_json(msg=str(error))
