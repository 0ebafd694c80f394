# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pull secrets in Kubernetes: options, rules, the .dockerconfigjson format, the namespaces a task targets,
the Harbor login check (shared by harbor_pull_secret and harbor_pull_secret_info), and PullSecret, which
converges the secret and its service account references namespace by namespace."""

from __future__ import annotations

import base64
import json
import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import (
    harbor_argument_spec,
    normalize_url,
    probe_login,
    registry_host,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import create_or_find
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.in_process import build_module
from ansible_collections.cloudtemple.harbor.plugins.module_utils.secret_records import SecretRecords, records_path
from ansible_collections.cloudtemple.harbor.plugins.module_utils.transport import run_concurrently
from ansible_collections.cloudtemple.harbor.plugins.module_utils.k8s import (
    KubeError,
    already_exists,
    client_from_params,
    k8s_argument_spec,
    path_of,
)

DEFAULT_NAME = 'harbor-pull-secret'
SECRET_TYPE = 'kubernetes.io/dockerconfigjson'
CONFIG_KEY = '.dockerconfigjson'
MANAGED_BY = {'app.kubernetes.io/managed-by': 'cloudtemple.harbor'}
PASSWORD_MASK = '********'
# How long the default service account of a namespace created here may take to appear (the controller makes it).
ACCOUNT_WAIT_SECONDS = 10
ACCOUNT_WAIT_STEP = 0.5

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


def read_namespace(kube, name):
    """The namespace object; None when it does not exist, {} when the account may not read namespaces (403):
    namespace-scoped RBAC often cannot, and the namespace is then assumed to exist."""
    status, found = kube.request('GET', path_of('namespaces', name=name), accept=(403, 404))
    return found if status == 200 else None if status == 404 else {}


def resolve_namespaces(kube, names, selector):
    """[(namespace, object)] for the listed names, then the selector's matches (sorted, without repeats).

    The object is as read_namespace() returns it.
    """
    resolved = []
    for name in names:
        if any(name == known for known, _found in resolved):
            continue
        resolved.append((name, read_namespace(kube, name)))
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
    accepted = probe_login(params['harbor_url'], username, password, validate_certs=params['harbor_validate_certs'],
                           ca_path=params['harbor_ca_path'], timeout=params['harbor_timeout'])
    if accepted:
        # The robot's record that harbor_robot made when it set this secret waits for such a login (secret_records.py).
        SecretRecords(normalize_url(params['harbor_url']), records_path()).confirm(username, password)
    return accepted


# -- the namespaces of harbor_pull_secret ---------------------------------------------------------------------

class Namespace:
    """One covered namespace: what the cluster has, and what the task does there."""

    def __init__(self, name, found):
        self.name = name
        self.found = found
        self.exists = found is not None
        self.create = False
        self.secret = None
        self.accounts = {}
        self.outcome = None
        self.patched = []
        # Whether `secret` was already read (listed namespaces are located through their secret).
        self.secret_read = False
        # Whether the namespace object was asked for (`found` is {} when that answered 403 or was skipped).
        self.namespace_read = True


def locate(kube, name, secret_name):
    """A listed namespace. Its secret is read first: a namespace that holds it exists, and needs no read of its own."""
    secret = kube.get(path_of('secrets', name, secret_name))
    if secret is not None:
        namespace = Namespace(name, {})
        namespace.secret = secret
        namespace.namespace_read = False
    else:
        namespace = Namespace(name, read_namespace(kube, name))
    namespace.secret_read = True
    return namespace


def check_not_terminating(kube, namespace):
    found = namespace.found if namespace.namespace_read else read_namespace(kube, namespace.name) or {}
    if (found.get('status') or {}).get('phase') == 'Terminating':
        raise ValidationError('namespaces: namespace %r is being deleted; nothing was written' % namespace.name)


def check_type(namespace, name, secret):
    if secret is not None and secret.get('type') != SECRET_TYPE:
        raise ValidationError('name: namespace %r already has a secret %r of type %s; Kubernetes cannot change the '
                              'type of a secret: delete it, or choose another name' % (namespace, name, secret.get('type')))


def wait_for_account(kube, namespace, account):
    """The service account of a namespace just created: the controller makes it, within seconds."""
    waited = 0.0
    while True:
        found = kube.get(path_of('serviceaccounts', namespace, account))
        if found is not None:
            return found
        if waited >= ACCOUNT_WAIT_SECONDS:
            raise KubeError('namespace %r was created but its service account %r did not appear within %d seconds; '
                            'run the task again' % (namespace, account, ACCOUNT_WAIT_SECONDS))
        kube.sleep(ACCOUNT_WAIT_STEP)
        waited += ACCOUNT_WAIT_STEP


def secret_patch(secret, config, labels, annotations):
    """The merge patch that makes `secret` hold `config` and carry the labels and annotations, or None."""
    patch = {}
    if decode_docker_config(secret) != config:
        patch['data'] = {CONFIG_KEY: encode_docker_config(config)}
    metadata = {}
    for field, wanted in (('labels', labels), ('annotations', annotations)):
        have = secret['metadata'].get(field) or {}
        missing = dict((key, value) for key, value in wanted.items() if have.get(key) != value)
        if missing:
            metadata[field] = missing
    if metadata:
        patch['metadata'] = metadata
    return patch or None


def account_patch(account, name, present):
    """The merge patch that makes the account's imagePullSecrets name the secret once (present) or not at all."""
    current = account.get('imagePullSecrets') or []
    count = references(account, name)
    if present:
        if count == 1:
            return None
        if count == 0:
            return {'imagePullSecrets': current + [{'name': name}]}
        first = next(index for index, reference in enumerate(current) if reference.get('name') == name)
        return {'imagePullSecrets': [reference for index, reference in enumerate(current)
                                     if reference.get('name') != name or index == first]}
    if count == 0:
        return None
    kept = [reference for reference in current if reference.get('name') != name]
    return {'imagePullSecrets': kept or None}


def secret_view(secret, registry, labels, annotations):
    """A secret as the diff shows it: the password masked, only the labels and annotations the task sets."""
    if secret is None:
        return None
    registry, username, password = credentials_in(decode_docker_config(secret), registry)
    metadata = secret['metadata']
    return dict(type=secret.get('type'), registry=registry, username=username,
                password=PASSWORD_MASK if password is not None else None,
                labels=dict((key, (metadata.get('labels') or {}).get(key)) for key in labels),
                annotations=dict((key, (metadata.get('annotations') or {}).get(key)) for key in annotations))


def string_values(option, mapping):
    """Label and annotation values as the strings Kubernetes stores; a YAML boolean is refused, not guessed."""
    result = {}
    for key, value in (mapping or {}).items():
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise ValidationError('%s: the value of %r must be a string (quote it in YAML, such as "true")'
                                  % (option, key))
        result[str(key)] = str(value)
    return result


def quoted(names, singular=None, plural=None):
    """'a', 'b' [does|do]."""
    text = ', '.join(repr(name) for name in names)
    if singular is None:
        return text
    return '%s %s' % (text, singular if len(names) == 1 else plural)


class PullSecret:
    """What harbor_pull_secret does: one Secret, and its references in service accounts, in every covered
    namespace. Everything is read and checked first; then each namespace is written (nothing in check mode)."""
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = self.params['name']
        self.present = self.params['state'] == 'present'
        self.kube = None
        self.registry = self.config = None
        self.labels = self.annotations = {}

    def validate(self):
        """Every check of the input, before any request."""
        params = self.params
        check_targets(params)
        self.labels = string_values('labels', params['labels'])
        self.annotations = string_values('annotations', params['annotations'])
        check_metadata('labels', self.labels, values_are_labels=True)
        check_metadata('annotations', self.annotations, values_are_labels=False)
        if not self.present:
            return
        for option in ('username', 'password'):
            # required_if lets an explicit null (or an empty template result) through; no request is worth sending.
            if not params[option]:
                raise ValidationError('%s: required with state=present, and cannot be empty' % option)
        if not params['harbor_url'] and (params['verify_credentials'] or not params['registry']):
            raise ValidationError('harbor_url is required with state=present: the credentials are checked there and '
                                  'its host is the default registry (set registry and verify_credentials=false to '
                                  'do without)')
        self.registry = normalize_registry('registry', params['registry'] or registry_host(params['harbor_url']))
        self.config = docker_config(self.registry, params['username'], params['password'])

    def plan(self):
        """Read the namespaces, their secret and service accounts; every check before the first write."""
        params = self.params
        listed = list(dict.fromkeys(params['namespaces']))
        # The namespaces are independent: their reads, and later their writes, overlap.
        namespaces = run_concurrently(lambda name: locate(self.kube, name, self.name), listed)
        namespaces += [Namespace(name, found) for name, found in resolve_namespaces(self.kube, [], params['namespace_selector'])
                       if name not in listed]
        if not namespaces:
            self.module.warn('namespace_selector %r matches no namespace: nothing to do' % params['namespace_selector'])
        missing = [namespace.name for namespace in namespaces if not namespace.exists]
        if self.present and missing and not params['create_namespace']:
            raise ValidationError('namespaces: %s not exist in the cluster; create %s first or set '
                                  'create_namespace: true. Nothing was written'
                                  % (quoted(missing, 'does', 'do'), 'it' if len(missing) == 1 else 'them'))
        run_concurrently(self.read, namespaces)
        writing = [namespace for namespace in namespaces if self.writes(namespace)]
        # A credential is checked before it is written anywhere; one already in place everywhere is not
        # distributed again, so it costs no login (harbor_pull_secret_info check_login tells whether it works).
        if writing and self.present and params['verify_credentials'] \
                and not logs_in(self.module, params['username'], params['password']):
            raise ValidationError(
                'verify_credentials: Harbor at %s rejected username %r with this password (GET /users/current '
                'answered 401), so the secret was written to no namespace. Check username (a robot account\'s full '
                'name, such as robot$payments+puller) and password (its current secret), and that the robot is '
                'enabled and not expired' % (params['harbor_url'], params['username']))
        for namespace in writing:
            if self.present and not namespace.create:
                check_not_terminating(self.kube, namespace)
        return namespaces

    def writes(self, namespace):
        return bool(namespace.create or self.planned_outcome(namespace) in ('created', 'updated', 'deleted')
                    or self.planned_accounts(namespace))

    def read(self, namespace):
        if not namespace.exists:
            namespace.create = self.present
            unknown = [account for account in self.params['service_accounts'] if account != 'default']
            if namespace.create and unknown:
                raise ValidationError('service_accounts: %s cannot exist in namespace %r, which this task creates '
                                      '(only the default service account comes with a new namespace)'
                                      % (quoted(unknown), namespace.name))
            return
        if not namespace.secret_read:
            namespace.secret = self.kube.get(path_of('secrets', namespace.name, self.name))
        if self.present:
            check_type(namespace.name, self.name, namespace.secret)
        for account in self.params['service_accounts']:
            found = self.kube.get(path_of('serviceaccounts', namespace.name, account))
            if found is None and self.present:
                raise ValidationError('service_accounts: service account %r does not exist in namespace %r; nothing '
                                      'was written' % (account, namespace.name))
            namespace.accounts[account] = found

    def secret_patch(self, secret):
        return secret_patch(secret, self.config, self.labels, self.annotations)

    def account_patch(self, account):
        return account_patch(account, self.name, self.present)

    def planned_outcome(self, namespace):
        if not self.present:
            return 'deleted' if namespace.secret is not None else 'absent'
        if namespace.secret is None:
            return 'created'
        return 'updated' if self.secret_patch(namespace.secret) else 'unchanged'

    def planned_accounts(self, namespace):
        if namespace.create:
            return [account for account in self.params['service_accounts'] if account == 'default']
        return [name for name, account in namespace.accounts.items()
                if account is not None and self.account_patch(account) is not None]

    def apply(self, namespace):
        if self.present:
            if namespace.create:
                # Another run may create it too: the namespace is all this needs, whoever made it.
                create_or_find(lambda: self.kube.create(path_of('namespaces'), {
                    'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': {'name': namespace.name}}),
                    lambda: self.kube.get(path_of('namespaces', name=namespace.name)), already_exists)
            namespace.outcome = self.write_secret(namespace)
        for account_name in self.params['service_accounts']:
            account = namespace.accounts.get(account_name)
            if namespace.create:
                account = wait_for_account(self.kube, namespace.name, account_name)
            if account is None:
                continue
            _patched, changed = self.kube.patch_until_applied(path_of('serviceaccounts', namespace.name, account_name),
                                                              account, self.account_patch)
            if changed:
                namespace.patched.append(account_name)
        if not self.present:
            deleted = namespace.secret is not None and self.kube.delete(path_of('secrets', namespace.name, self.name))
            namespace.outcome = 'deleted' if deleted else 'absent'

    def write_secret(self, namespace):
        path = path_of('secrets', namespace.name, self.name)
        secret = namespace.secret
        if secret is None:
            body = {'apiVersion': 'v1', 'kind': 'Secret', 'type': SECRET_TYPE,
                    'metadata': {'name': self.name, 'labels': self.labels, 'annotations': self.annotations},
                    'data': {CONFIG_KEY: encode_docker_config(self.config)}}
            outcome = create_or_find(lambda: self.kube.create(path_of('secrets', namespace.name), body),
                                     lambda: self.kube.get(path), already_exists)
            if outcome.found is None:
                return 'created'
            # Another run created it between our read and our write: converge that one.
            secret = outcome.found
            check_type(namespace.name, self.name, secret)
        _secret, changed = self.kube.patch_until_applied(path, secret, self.secret_patch)
        return 'updated' if changed else 'unchanged'

    def diff(self, namespaces):
        before, after = {}, {}
        for namespace in namespaces:
            accounts_before = dict((name, [reference.get('name') for reference in (account or {}).get(
                'imagePullSecrets') or []]) for name, account in namespace.accounts.items())
            accounts_after = {}
            for name, account in namespace.accounts.items():
                patch = self.account_patch(account) if account is not None else None
                references_after = (patch or {}).get('imagePullSecrets', (account or {}).get('imagePullSecrets'))
                accounts_after[name] = [reference.get('name') for reference in references_after or []]
            if namespace.create:
                accounts_after = dict((name, [self.name]) for name in self.planned_accounts(namespace))
            before[namespace.name] = dict(secret=secret_view(namespace.secret, self.registry, self.labels,
                                                             self.annotations), service_accounts=accounts_before)
            after[namespace.name] = dict(secret=self.desired_view(namespace.secret) if self.present else None,
                                         service_accounts=accounts_after)
            if not namespace.exists:
                before[namespace.name] = None
                if not namespace.create:
                    after[namespace.name] = None
        return dict(before=before, after=after)

    def desired_view(self, secret):
        _registry, _username, password = credentials_in(decode_docker_config(secret), self.registry)
        changed = secret is not None and password != self.params['password']
        return dict(type=SECRET_TYPE, registry=self.registry, username=self.params['username'],
                    password=PASSWORD_MASK + (' (changed)' if changed else ''), labels=dict(self.labels),
                    annotations=dict(self.annotations))

    def run(self):
        self.validate()
        self.kube = kube_client(self.module)
        namespaces = self.plan()
        if not self.module.check_mode:
            run_concurrently(self.apply, namespaces)
        report = {}
        for namespace in namespaces:
            if self.module.check_mode:
                namespace.outcome = self.planned_outcome(namespace)
                namespace.patched = self.planned_accounts(namespace)
            report[namespace.name] = dict(secret=namespace.outcome, namespace_created=namespace.create,
                                          patched_service_accounts=namespace.patched)
        changed = any(entry['namespace_created'] or entry['patched_service_accounts']
                      or entry['secret'] in ('created', 'updated', 'deleted') for entry in report.values())
        result = dict(changed=changed, namespaces=report)
        if self.present:
            result['registry'] = self.registry
        if self.module._diff:
            result['diff'] = self.diff(namespaces)
        return result
