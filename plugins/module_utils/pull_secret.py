# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What harbor_pull_secret and harbor_pull_secret_info share: options, rules, the .dockerconfigjson format,
the namespaces a task targets, and the Harbor login check."""

from __future__ import annotations

import base64
import json
import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import (
    HarborError,
    harbor_argument_spec,
    probe_login,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.in_process import build_module
from ansible_collections.cloudtemple.harbor.plugins.module_utils.k8s import (
    KubeError,
    client_from_params,
    k8s_argument_spec,
    path_of,
)

DEFAULT_NAME = 'harbor-pull-secret'
SECRET_TYPE = 'kubernetes.io/dockerconfigjson'
CONFIG_KEY = '.dockerconfigjson'
MANAGED_BY = {'app.kubernetes.io/managed-by': 'cloudtemple.harbor'}
PASSWORD_MASK = '********'

DNS_LABEL = r'[a-z0-9]([-a-z0-9]*[a-z0-9])?'
DNS_SUBDOMAIN = DNS_LABEL + r'(\.' + DNS_LABEL + r')*'
NAME_PART = r'[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?'
LABEL_KEY = r'(' + DNS_SUBDOMAIN + r'/)?' + NAME_PART
LABEL_VALUE = r'(' + NAME_PART + r')?'
SELECTOR_REQUIREMENT = re.compile(
    r'\s*(!\s*{key}|{key}(\s*(==?|!=)\s*{value}|\s+(in|notin)\s*\(\s*{value}(\s*,\s*{value})*\s*\)|\s*[<>]\s*-?\d+)?)\s*'
    .format(key=LABEL_KEY, value=LABEL_VALUE))
SUBDOMAIN_RULE = 'lower-case letters, digits, "-" and ".", starting and ending with a letter or digit, at most 253 ' \
                 'characters (an RFC 1123 subdomain)'
LABEL_RULE = 'lower-case letters, digits and "-", starting and ending with a letter or digit, at most 63 characters ' \
             '(an RFC 1123 label)'


def pull_secret_argument_spec(**options):
    """Harbor (only for the login check and the default registry), cluster, and the options naming the targets."""
    spec = harbor_argument_spec()
    spec['harbor_url'] = dict(spec['harbor_url'], required=False)
    spec.update(k8s_argument_spec())
    spec.update(
        name=dict(type='str', default=DEFAULT_NAME),
        namespaces=dict(type='list', elements='str', default=[]),
        namespace_selector=dict(type='str'),
        service_accounts=dict(type='list', elements='str', default=[]),
    )
    spec.update(options)
    return spec


def pull_secret_module(argument_spec, **kwargs):
    return build_module(argument_spec, supports_check_mode=True,
                        required_one_of=[('namespaces', 'namespace_selector')], **kwargs)


def run(module, work):
    """Exit with work()'s result; errors from Harbor, the cluster or the input fail the module cleanly."""
    try:
        result = work()
    except (HarborError, KubeError) as error:
        module.fail_json(msg=str(error), **error.details())
    module.exit_json(**result)


# -- rules, checked before any request -------------------------------------------------------------------------

def _check(option, value, pattern, limit, rule, what):
    if len(value) > limit or not re.fullmatch(pattern, value):
        raise ValidationError('%s: %r is not a valid %s: %s' % (option, value, what, rule))


def check_targets(params):
    """name, namespaces, namespace_selector and service_accounts against Kubernetes' naming rules."""
    if not params['namespaces'] and params['namespace_selector'] is None:
        raise ValidationError('namespaces is empty and namespace_selector is not set: give at least one namespace')
    _check('name', params['name'], DNS_SUBDOMAIN, 253, SUBDOMAIN_RULE, 'Secret name')
    for namespace in params['namespaces']:
        _check('namespaces', namespace, DNS_LABEL, 63, LABEL_RULE, 'namespace name')
    for account in params['service_accounts']:
        _check('service_accounts', account, DNS_SUBDOMAIN, 253, SUBDOMAIN_RULE, 'service account name')
    selector = params['namespace_selector']
    if selector is not None:
        check_label_selector('namespace_selector', selector)


def check_label_selector(option, selector):
    """The label selector syntax: key, !key, key=value, key!=value, key in (a,b), key notin (a,b)."""
    requirements = re.split(r',(?![^()]*\))', selector)
    if not selector.strip() or not all(SELECTOR_REQUIREMENT.fullmatch(requirement) for requirement in requirements):
        raise ValidationError('%s: %r is not a label selector such as "harbor-pull=enabled", "team in (a,b)" or '
                              '"!legacy" (requirements separated by commas; keys and values are label names)'
                              % (option, selector))


def check_metadata(option, mapping, values_are_labels):
    """Label or annotation keys (and label values) as the API server checks them."""
    for key, value in (mapping or {}).items():
        name = key.rpartition('/')[2]
        if not re.fullmatch(LABEL_KEY, key) or len(name) > 63 or len(key.rpartition('/')[0]) > 253:
            raise ValidationError('%s: %r is not a valid key: an optional DNS subdomain prefix and "/", then at most 63 '
                                  'letters, digits, "-", "_" or ".", starting and ending with a letter or digit'
                                  % (option, key))
        if values_are_labels and (len(value) > 63 or not re.fullmatch(LABEL_VALUE, value)):
            raise ValidationError('%s: the value %r of %r is not a valid label value: empty, or at most 63 letters, '
                                  'digits, "-", "_" or ".", starting and ending with a letter or digit'
                                  % (option, value, key))


def normalize_registry(option, value):
    """The host[:port][/path] kubelet matches image names against; a scheme and a trailing / are dropped."""
    registry = re.sub(r'^[a-zA-Z][a-zA-Z0-9+.-]*://', '', (value or '').strip()).rstrip('/')
    if not registry or re.search(r'[\s@?#]', registry):
        raise ValidationError('%s: %r is not a registry address such as harbor.example.com or harbor.example.com:8443'
                              % (option, value))
    return registry


# -- the .dockerconfigjson -------------------------------------------------------------------------------------

def docker_config(registry, username, password):
    """What `kubectl create secret docker-registry` writes: auths.<registry> with username, password and auth."""
    auth = base64.b64encode(('%s:%s' % (username, password)).encode('utf-8')).decode('ascii')
    return {'auths': {registry: {'username': username, 'password': password, 'auth': auth}}}


def encode_docker_config(config):
    return base64.b64encode(json.dumps(config, separators=(',', ':')).encode('utf-8')).decode('ascii')


def decode_docker_config(secret):
    """The decoded .dockerconfigjson of a Secret, or None when it has none or it does not decode."""
    encoded = ((secret or {}).get('data') or {}).get(CONFIG_KEY)
    if not encoded:
        return None
    try:
        config = json.loads(base64.b64decode(encoded).decode('utf-8'))
    except ValueError:
        return None
    return config if isinstance(config, dict) else None


def credentials_in(config, registry=None):
    """(registry, username, password) of the entry for `registry` (else the only or first entry), or Nones."""
    auths = (config or {}).get('auths')
    if not isinstance(auths, dict) or not auths:
        return None, None, None
    key = registry if registry in auths else sorted(auths)[0]
    entry = auths[key] if isinstance(auths[key], dict) else {}
    username, password = entry.get('username'), entry.get('password')
    if (username is None or password is None) and entry.get('auth'):
        try:
            username, _colon, password = base64.b64decode(entry['auth']).decode('utf-8').partition(':')
        except ValueError:
            pass
    return key, username, password


def references(account, name):
    """How many times the service account's imagePullSecrets names the secret."""
    return sum(1 for reference in (account or {}).get('imagePullSecrets') or [] if reference.get('name') == name)


# -- cluster and Harbor ----------------------------------------------------------------------------------------

def kube_client(module):
    return client_from_params(module.params, warn=module.warn)


def resolve_namespaces(kube, names, selector):
    """[(namespace, object)] for the listed names, then the selector's matches (sorted, without repeats).

    The object is None when the namespace does not exist, and {} when the account may not read namespaces
    (403): namespace-scoped RBAC often cannot, and the namespace is then assumed to exist.
    """
    resolved = []
    for name in names:
        if any(name == known for known, _found in resolved):
            continue
        status, found = kube.request('GET', path_of('namespaces', name=name), accept=(403, 404))
        resolved.append((name, found if status == 200 else None if status == 404 else {}))
    if selector is not None:
        try:
            matches = list_all(kube, path_of('namespaces'), {'labelSelector': selector})
        except KubeError as error:
            if error.status == 400:
                raise ValidationError('namespace_selector: the Kubernetes API rejected %r: %s' % (selector, error))
            raise
        listed = set(name for name, _found in resolved)
        resolved += sorted((item['metadata']['name'], item) for item in matches if item['metadata']['name'] not in listed)
    return resolved


def list_all(kube, path, params):
    """Every item of a list, 500 at a time."""
    items, query = [], dict(params, limit=500)
    while True:
        _status, page = kube.request('GET', path, params=query)
        items += page.get('items') or []
        token = (page.get('metadata') or {}).get('continue')
        if not token:
            return items
        query['continue'] = token


def logs_in(module, username, password):
    """True/False: does Harbor at harbor_url accept these credentials? Raises HarborError when it cannot tell."""
    params = module.params
    if not params['harbor_url']:
        raise ValidationError('harbor_url is required to check the credentials against Harbor')
    if not params['harbor_validate_certs']:
        module.warn('harbor_validate_certs is false: the TLS certificate of Harbor is not verified while the '
                    'credentials are checked. Use harbor_ca_path for a private CA instead.')
    return probe_login(params['harbor_url'], username, password, validate_certs=params['harbor_validate_certs'],
                       ca_path=params['harbor_ca_path'], timeout=params['harbor_timeout'])
