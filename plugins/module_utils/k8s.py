# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The Kubernetes connection of the pull-secret modules.

The connection options are named as kubernetes.core names them, with the same K8S_AUTH_* variables.
The `kubernetes` library is used for what it is good at, reading kubeconfig files (contexts, client
certificates, exec and OIDC token plugins, in-cluster service accounts), and is imported only when a
client is built, so Harbor-only modules never pay its import time. Requests go through the collection's
one transport (transport.py, the same session, TLS, timeout and retry handling as the Harbor client): the
generated API classes change between library releases (the default PATCH content type did), the REST
calls these modules need do not.
"""

from __future__ import annotations

import os
import threading

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import KubeError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.transport import (
    RETRY_STATUSES,
    NoAnswer,
    Transport,
    decode_body,
    requests,
)

MERGE_PATCH = 'application/merge-patch+json'
# Lists of a pod template (containers, ...) merge element by element, by their merge key, only with this type.
STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json'
TIMEOUT = 30
CONFLICT_ATTEMPTS = 5


def k8s_argument_spec():
    """Cluster connection options (documented in doc_fragments/k8s_auth.py)."""
    return dict(
        kubeconfig=dict(type='raw', fallback=(env_fallback, ['K8S_AUTH_KUBECONFIG'])),
        context=dict(type='str', fallback=(env_fallback, ['K8S_AUTH_CONTEXT'])),
        host=dict(type='str', fallback=(env_fallback, ['K8S_AUTH_HOST'])),
        api_key=dict(type='str', no_log=True, fallback=(env_fallback, ['K8S_AUTH_API_KEY'])),
        validate_certs=dict(type='bool', aliases=['verify_ssl'], fallback=(env_fallback, ['K8S_AUTH_VERIFY_SSL'])),
        ca_cert=dict(type='path', aliases=['ssl_ca_cert'], fallback=(env_fallback, ['K8S_AUTH_SSL_CA_CERT'])),
        client_cert=dict(type='path', aliases=['cert_file'], fallback=(env_fallback, ['K8S_AUTH_CERT_FILE'])),
        client_key=dict(type='path', aliases=['key_file'], no_log=False,
                        fallback=(env_fallback, ['K8S_AUTH_KEY_FILE'])),
        proxy=dict(type='str', fallback=(env_fallback, ['K8S_AUTH_PROXY'])),
    )


class KubeClient:
    """Requests to one Kubernetes API server, authenticated as a kubernetes `Configuration` says.

    Idempotent requests are retried with backoff on connection errors and 429/502/503/504 (honouring
    Retry-After); the API's `Status` answers become KubeError with the server's own message.
    """

    def __init__(self, configuration, timeout=TIMEOUT, sleep=None):
        if requests is None:
            raise KubeError(missing_required_lib('requests'))
        self.host = (configuration.host or '').rstrip('/')
        self._configuration = configuration
        cert = None
        if configuration.cert_file:
            cert = (configuration.cert_file, configuration.key_file) if configuration.key_file else configuration.cert_file
        proxies = {'http': configuration.proxy, 'https': configuration.proxy} if configuration.proxy else None
        # Like the kubernetes library: HTTP(S)_PROXY and REQUESTS_CA_BUNDLE do not apply, only the options do.
        self._transport = Transport(verify=(configuration.ssl_ca_cert or True) if configuration.verify_ssl else False,
                                    timeout=timeout, cert=cert, proxies=proxies, trust_env=False, sleep=sleep)
        self._session = self._transport.session
        # The kubeconfig's token refresh (an exec plugin, OIDC) is not made for threads asking at once.
        self._authorization_lock = threading.Lock()

    @property
    def request_count(self):
        return self._transport.request_count

    @property
    def sleep(self):
        """How the client waits (between retries, and for objects the cluster creates); tests replace it."""
        return self._transport.sleep

    @sleep.setter
    def sleep(self, function):
        self._transport.sleep = function

    def _authorization(self):
        """The Authorization header the kubeconfig (or api_key) gives, if any.

        auth_settings() is the one accessor every release of the library has (the key it stores the token under
        changed); it calls the loader's refresh hook, so exec and OIDC tokens are renewed when they expire.
        """
        for setting in self._configuration.auth_settings().values():
            if setting.get('in') == 'header' and str(setting.get('key')).lower() == 'authorization' and setting.get('value'):
                return setting['value']
        if getattr(self._configuration, 'username', None):
            return self._configuration.get_basic_auth_token()
        return None

    def request(self, method, path, params=None, body=None, content_type='application/json', accept=(), replayable=False):
        """Send one request and return (status, decoded body); statuses in `accept` are returned, not raised.

        replayable: a write that may be sent again after a lost answer or a 5xx, because a replay of an applied one
        is detected (a create names its object, so it meets AlreadyExists; a patch carries the resourceVersion, so
        it meets Conflict) and the callers converge from there.
        """
        headers = {}
        with self._authorization_lock:
            authorization = self._authorization()
        if authorization:
            headers['Authorization'] = authorization
        if body is not None:
            headers['Content-Type'] = content_type
        try:
            raw = self._transport.send(method, self.host + path, replayable=replayable, params=params, json=body,
                                       headers=headers)
        except NoAnswer as failure:
            if failure.tls:
                raise KubeError('Cannot verify the TLS certificate of the Kubernetes API at %s (%s). Set ca_cert, or '
                                'certificate-authority in the kubeconfig, to the cluster CA; validate_certs=false only '
                                'for throw-away clusters' % (self.host, _short(failure.error)), method=method, path=path)
            raise KubeError('Cannot reach the Kubernetes API at %s: %s %s failed (%s); check host or the kubeconfig '
                            'server address, and proxy, then run again'
                            % (self.host, method, path, type(failure.error).__name__), method=method, path=path)
        status = raw.status_code
        decoded = decode_body(raw)
        if status < 400 or status in accept:
            return status, decoded
        raise self._error(method, path, status, decoded)

    def _error(self, method, path, status, body):
        status_body = body if isinstance(body, dict) else {}
        reason = status_body.get('reason') or None
        message = status_body.get('message') or (body.strip()[:200] if isinstance(body, str) else '')
        text = '%s %s answered %s%s' % (method, path, status, ' %s' % reason if reason else '')
        if message:
            text += ': %s' % message
        if status == 401:
            text += ('. The Kubernetes API rejected the credentials: check kubeconfig and context (an expired token '
                     'or client certificate?), or api_key')
        elif status == 403:
            text += ('. Give this identity the RBAC permission in that namespace (get, create, patch and delete on '
                     'secrets, get and patch on serviceaccounts; get on namespaces, create for create_namespace)')
        elif status in RETRY_STATUSES:
            text += ('. The Kubernetes API, or a proxy in front of it, is unavailable or overloaded (still %d after the '
                     'retries); run again once it answers' % status)
        return KubeError(text, status=status, reason=reason, method=method, path=path)

    # -- conveniences ---------------------------------------------------------------------------------------

    def get(self, path, params=None):
        """The object, or None when it does not exist."""
        status, body = self.request('GET', path, params=params, accept=(404,))
        return None if status == 404 else body

    def create(self, path, body):
        """POST; returns the created object. One that exists already fails with reason AlreadyExists, which the
        engine's create_or_find takes for a race (see already_exists), a replay of a lost answer included."""
        return self.request('POST', path, body=body, replayable=True)[1]

    def delete(self, path):
        """DELETE; False when it was already gone."""
        status, _body = self.request('DELETE', path, accept=(404,))
        return status != 404

    def patch_until_applied(self, path, current, compute, content_type=MERGE_PATCH):
        """Apply compute(current) -> patch of content_type (None: nothing to change) under optimistic concurrency.

        The patch carries current's resourceVersion, so a concurrent writer makes it fail with 409 Conflict
        instead of being overwritten; then the object is read again and the patch computed again.
        Returns (object, changed): changed as soon as the object needed a patch, even if a patch whose answer was
        lost, or a concurrent writer, then made it what it should be.
        """
        changed = False
        for _attempt in range(CONFLICT_ATTEMPTS):
            if current is None:
                raise KubeError('%s disappeared while it was being updated; run again' % path, status=404, path=path)
            patch = compute(current)
            if patch is None:
                return current, changed
            changed = True
            patch.setdefault('metadata', {})['resourceVersion'] = current['metadata']['resourceVersion']
            status, patched = self.request('PATCH', path, body=patch, content_type=content_type, accept=(409,),
                                           replayable=True)
            if status != 409:
                return patched, True
            current = self.get(path)
        raise KubeError('PATCH %s kept conflicting with concurrent writers (%d attempts); run again'
                        % (path, CONFLICT_ATTEMPTS), status=409, reason='Conflict', method='PATCH', path=path)


def already_exists(error):
    """A create met an object of that name: made by another run, or by this one when the answer was lost."""
    return getattr(error, 'reason', None) == 'AlreadyExists'


def _short(error):
    text = str(error)
    return text if len(text) < 300 else text[:300] + '...'


def path_of(resource, namespace=None, name=None, api='/api/v1'):
    """<api>[/namespaces/<namespace>]/<resource>[/<name>]: every name was validated, none needs quoting.

    api: /api/v1 for the core kinds, /apis/<group>/<version> for the others (/apis/apps/v1 for Deployments).
    """
    path = api
    if namespace is not None:
        path += '/namespaces/%s' % namespace
    path += '/%s' % resource
    if name is not None:
        path += '/%s' % name
    return path


def _load_configuration(params):
    """A kubernetes Configuration from the options, with the same precedence as kubernetes.core.

    A kubeconfig (the option, K8S_AUTH_KUBECONFIG, KUBECONFIG or ~/.kube/config) is read unless only host is
    given; explicit options then override what it says. Without any, the in-cluster service account is used.
    """
    try:
        # Imported here on purpose: only these modules need the library, and it costs ~0.2 s to import.
        from kubernetes import client as kube_client, config as kube_config  # pylint: disable=import-outside-toplevel
    except ImportError:
        raise KubeError(missing_required_lib('kubernetes'))
    configuration = kube_client.Configuration()
    kubeconfig, context, host = params.get('kubeconfig'), params.get('context'), params.get('host')
    default_files = os.environ.get('KUBECONFIG') or '~/.kube/config'
    try:
        if isinstance(kubeconfig, dict):
            kube_config.load_kube_config_from_dict(config_dict=kubeconfig, context=context,
                                                   client_configuration=configuration, persist_config=False)
        elif kubeconfig:
            missing = [path for path in _paths(str(kubeconfig)) if not os.path.exists(path)]
            if missing:
                raise KubeError('kubeconfig: the file %s does not exist' % ', '.join(missing))
            kube_config.load_kube_config(config_file=str(kubeconfig), context=context,
                                         client_configuration=configuration, persist_config=False)
        elif context or (not host and any(os.path.exists(path) for path in _paths(default_files))):
            kube_config.load_kube_config(config_file=default_files, context=context,
                                         client_configuration=configuration, persist_config=False)
        elif not host and os.environ.get('KUBERNETES_SERVICE_HOST'):
            kube_config.load_incluster_config(client_configuration=configuration)
        elif not host:
            raise KubeError('No Kubernetes connection: set kubeconfig (or K8S_AUTH_KUBECONFIG or KUBECONFIG), or host '
                            'and api_key, or run inside a pod with a service account')
    except kube_config.ConfigException as error:
        option = 'context' if context and 'context' in str(error).lower() else 'kubeconfig'
        raise KubeError('%s: cannot use the Kubernetes configuration: %s' % (option, error))
    _apply_options(configuration, params)
    if not configuration.host or configuration.host == 'http://localhost':
        if not host:
            raise KubeError('kubeconfig: the selected context names no cluster server; set host')
    return configuration


def _paths(files):
    """The files of a KUBECONFIG-style list (separated like PATH)."""
    return [os.path.expanduser(path) for path in files.split(os.pathsep) if path]


def _apply_options(configuration, params):
    """Explicit options win over the kubeconfig, as in kubernetes.core."""
    if params.get('host'):
        configuration.host = params['host']
    if params.get('api_key'):
        configuration.api_key = {'authorization': 'Bearer %s' % params['api_key']}
        configuration.api_key_prefix = {}
        # An exec or OIDC plugin of the kubeconfig must not replace the token given here.
        configuration.refresh_api_key_hook = None
    if params.get('validate_certs') is not None:
        configuration.verify_ssl = params['validate_certs']
    for option, attribute in (('ca_cert', 'ssl_ca_cert'), ('client_cert', 'cert_file'), ('client_key', 'key_file')):
        if params.get(option):
            if not os.path.isfile(params[option]):
                raise KubeError('%s: the file %s does not exist' % (option, params[option]))
            setattr(configuration, attribute, params[option])
    if params.get('proxy'):
        configuration.proxy = params['proxy']


def client_from_params(params, warn=None):
    """Build the KubeClient; no request is sent."""
    configuration = _load_configuration(params)
    if not configuration.verify_ssl and warn is not None:
        warn('The TLS certificate of the Kubernetes API is not verified (validate_certs or insecure-skip-tls-verify): '
             'anyone in between can read the token and the pull secrets. Use ca_cert for a private CA instead.')
        try:
            import urllib3  # pylint: disable=import-outside-toplevel
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        except (ImportError, AttributeError):
            pass
    return KubeClient(configuration)
