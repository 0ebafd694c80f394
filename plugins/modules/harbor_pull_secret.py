#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_pull_secret
short_description: Distribute Harbor credentials to Kubernetes namespaces as image pull secrets
version_added: 0.1.0
description:
  - Creates or updates a C(kubernetes.io/dockerconfigjson) Secret holding a Harbor robot account's credentials in
    each namespace of O(namespaces) and O(namespace_selector), and adds it to the C(imagePullSecrets) of the
    service accounts in O(service_accounts), so that pods pull from Harbor without naming the secret. This is the
    C(kubectl create secret docker-registry) and C(imagePullSecrets) step of the "Using images in Kubernetes"
    guide, for many namespaces at once and idempotent.
  - The credentials are checked against Harbor first (O(verify_credentials)), so a wrong robot secret is never
    distributed. Every check that needs the cluster (namespaces, service accounts, an existing secret of another
    type) also happens before the first write, so a failing task writes nothing.
  - An existing secret is decoded and compared, so an identical one is not written again. Updates carry the
    object's C(resourceVersion); when another client changed it meanwhile (409 Conflict), the module reads it again
    and retries.
  - With O(state=absent), the secret is deleted and removed from the service accounts' C(imagePullSecrets); the
    other entries stay.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.pull_secret
  - cloudtemple.harbor.k8s_auth
  - cloudtemple.harbor.pull_secret.ATTRIBUTES
options:
  state:
    description:
      - V(present) writes the secret and the references; V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  username:
    description:
      - User name written in the secret, usually a robot account's full name such as V(robot$payments+puller).
      - Required with O(state=present).
    type: str
  password:
    description:
      - Password written in the secret, usually the robot account's secret. Never shown in logs or diffs.
      - Required with O(state=present).
    type: str
  registry:
    description:
      - Registry address the credentials are for, as in image names (V(harbor.example.com) or
        V(harbor.example.com:8443)). A scheme such as V(https://) is dropped.
      - Defaults to the host of O(harbor_url).
    type: str
  verify_credentials:
    description:
      - Log in to Harbor at O(harbor_url) with O(username) and O(password) before writing anything, and fail if
        Harbor rejects them, so that a broken credential is never distributed. Also done in check mode when
        something would be written.
      - When every namespace already holds exactly these credentials nothing is written and no login is
        attempted; M(cloudtemple.harbor.harbor_pull_secret_info) with O(cloudtemple.harbor.harbor_pull_secret_info#module:check_login)
        tells whether stored credentials still work.
    type: bool
    default: true
  service_accounts:
    description:
      - Service accounts, in every covered namespace, whose C(imagePullSecrets) get the secret (once, after the
        entries already there, which are kept).
      - They must exist, except V(default) in a namespace this task creates, which Kubernetes creates with it.
      - With O(state=absent), the secret is removed from their C(imagePullSecrets) and the other entries stay.
    type: list
    elements: str
    default: []
  create_namespace:
    description:
      - Create the namespaces of O(namespaces) that do not exist. Without it, a missing namespace fails the task
        before anything is written.
    type: bool
    default: false
  labels:
    description:
      - Labels the secret must carry. Labels that are there and not listed here are kept.
    type: dict
    default:
      app.kubernetes.io/managed-by: cloudtemple.harbor
  annotations:
    description:
      - Annotations the secret must carry. Annotations that are there and not listed here are kept.
    type: dict
    default: {}
seealso:
  - module: cloudtemple.harbor.harbor_pull_secret_info
  - module: cloudtemple.harbor.harbor_robot
  - name: Pull an image from a private registry
    description: Kubernetes documentation on image pull secrets.
    link: https://kubernetes.io/docs/tasks/configure-pod-container/pull-image-private-registry/
"""

EXAMPLES = r"""
---
- name: Create a pull-only robot for the payments project
  cloudtemple.harbor.harbor_robot:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    project: payments
    name: puller
    permissions:
      - resource: repository
        action: pull
  register: puller
  no_log: true

- name: Give three namespaces the pull secret, used by their default service account
  cloudtemple.harbor.harbor_pull_secret:
    harbor_url: https://harbor.example.com
    kubeconfig: ~/.kube/prod.yaml
    namespaces: [payments-dev, payments-staging, payments-prod]
    username: "{{ puller.robot.name }}"
    password: "{{ puller.robot.secret }}"
    service_accounts: [default]

- name: Every namespace labelled harbor-pull=enabled, in another cluster
  cloudtemple.harbor.harbor_pull_secret:
    harbor_url: https://harbor.example.com
    kubeconfig: ~/.kube/config
    context: edge-cluster
    namespace_selector: harbor-pull=enabled
    username: robot$payments+puller
    password: "{{ vault_puller_secret }}"
    annotations:
      owner: platform-team

- name: Remove the secret and its references
  cloudtemple.harbor.harbor_pull_secret:
    namespaces: [payments-dev]
    service_accounts: [default]
    state: absent
"""

RETURN = r"""
---
registry:
  description: The registry the secret is for.
  returned: when O(state=present)
  type: str
  sample: harbor.example.com
namespaces:
  description:
    - What happened in each covered namespace, by namespace name.
    - In check mode, what would happen.
  returned: always
  type: dict
  sample:
    payments-dev:
      secret: created
      namespace_created: false
      patched_service_accounts: [default]
    payments-prod:
      secret: unchanged
      namespace_created: false
      patched_service_accounts: []
  contains:
    secret:
      description:
        - V(created), V(updated) or V(unchanged) with O(state=present); V(deleted) or V(absent) with O(state=absent).
      type: str
      sample: created
    namespace_created:
      description: Whether the namespace was created (O(create_namespace)).
      type: bool
      sample: false
    patched_service_accounts:
      description: The service accounts whose C(imagePullSecrets) were changed.
      type: list
      elements: str
      sample: [default]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import registry_host
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.k8s import KubeError, path_of
from ansible_collections.cloudtemple.harbor.plugins.module_utils.pull_secret import (
    CONFIG_KEY,
    MANAGED_BY,
    PASSWORD_MASK,
    SECRET_TYPE,
    check_metadata,
    check_targets,
    credentials_in,
    decode_docker_config,
    docker_config,
    encode_docker_config,
    kube_client,
    logs_in,
    normalize_registry,
    pull_secret_argument_spec,
    pull_secret_module,
    references,
    resolve_namespaces,
    run,
)

# How long the default service account of a namespace created here may take to appear (the controller makes it).
ACCOUNT_WAIT_SECONDS = 10
ACCOUNT_WAIT_STEP = 0.5


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


class PullSecret:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = self.params['name']
        self.present = self.params['state'] == 'present'
        self.kube = None
        self.registry = self.config = None
        self.labels = self.annotations = {}

    # -- before any request --------------------------------------------------------------------------------

    def validate(self):
        params = self.params
        check_targets(params)
        self.labels = _strings('labels', params['labels'])
        self.annotations = _strings('annotations', params['annotations'])
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

    # -- reading: every check before the first write ---------------------------------------------------------

    def plan(self):
        params = self.params
        listed = list(dict.fromkeys(params['namespaces']))
        namespaces = [self.locate(name) for name in listed]
        namespaces += [Namespace(name, found) for name, found in resolve_namespaces(self.kube, [], params['namespace_selector'])
                       if name not in listed]
        if not namespaces:
            self.module.warn('namespace_selector %r matches no namespace: nothing to do' % params['namespace_selector'])
        missing = [namespace.name for namespace in namespaces if not namespace.exists]
        if self.present and missing and not params['create_namespace']:
            raise ValidationError('namespaces: %s not exist in the cluster; create %s first or set '
                                  'create_namespace: true. Nothing was written'
                                  % (_names(missing, 'does', 'do'), 'it' if len(missing) == 1 else 'them'))
        for namespace in namespaces:
            self.read(namespace)
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
            self.check_not_terminating(namespace)
        return namespaces

    def locate(self, name):
        """A listed namespace. Its secret is read first: a namespace that holds it exists, and needs no read of its own."""
        secret = self.kube.get(path_of('secrets', name, self.name))
        if secret is not None:
            namespace = Namespace(name, {})
            namespace.secret = secret
            namespace.secret_read = True
            namespace.namespace_read = False
            return namespace
        status, found = self.kube.request('GET', path_of('namespaces', name=name), accept=(403, 404))
        namespace = Namespace(name, found if status == 200 else None if status == 404 else {})
        namespace.secret_read = True
        return namespace

    def writes(self, namespace):
        return bool(namespace.create or self.planned_outcome(namespace) in ('created', 'updated', 'deleted')
                    or self.planned_accounts(namespace))

    def check_not_terminating(self, namespace):
        if not self.present or namespace.create:
            return
        found = namespace.found
        if not namespace.namespace_read:
            status, found = self.kube.request('GET', path_of('namespaces', name=namespace.name), accept=(403, 404))
            found = found if status == 200 else {}
        if (found.get('status') or {}).get('phase') == 'Terminating':
            raise ValidationError('namespaces: namespace %r is being deleted; nothing was written' % namespace.name)

    def read(self, namespace):
        if not namespace.exists:
            namespace.create = self.present
            unknown = [account for account in self.params['service_accounts'] if account != 'default']
            if namespace.create and unknown:
                raise ValidationError('service_accounts: %s cannot exist in namespace %r, which this task creates '
                                      '(only the default service account comes with a new namespace)'
                                      % (_names(unknown), namespace.name))
            return
        if not namespace.secret_read:
            namespace.secret = self.kube.get(path_of('secrets', namespace.name, self.name))
        if self.present:
            self.check_type(namespace.name, namespace.secret)
        for account in self.params['service_accounts']:
            found = self.kube.get(path_of('serviceaccounts', namespace.name, account))
            if found is None and self.present:
                raise ValidationError('service_accounts: service account %r does not exist in namespace %r; nothing '
                                      'was written' % (account, namespace.name))
            namespace.accounts[account] = found

    def check_type(self, namespace, secret):
        if secret is not None and secret.get('type') != SECRET_TYPE:
            raise ValidationError('name: namespace %r already has a secret %r of type %s; Kubernetes cannot change the '
                                  'type of a secret: delete it, or choose another name' % (
                                      namespace, self.name, secret.get('type')))

    # -- what to change --------------------------------------------------------------------------------------

    def secret_patch(self, secret):
        """The merge patch that makes `secret` what the task asks for, or None."""
        patch = {}
        if decode_docker_config(secret) != self.config:
            patch['data'] = {CONFIG_KEY: encode_docker_config(self.config)}
        metadata = {}
        for field in ('labels', 'annotations'):
            have = secret['metadata'].get(field) or {}
            wanted = dict((key, value) for key, value in getattr(self, field).items() if have.get(key) != value)
            if wanted:
                metadata[field] = wanted
        if metadata:
            patch['metadata'] = metadata
        return patch or None

    def account_patch(self, account):
        """The merge patch that adds (or removes) the secret in the account's imagePullSecrets, or None."""
        current = account.get('imagePullSecrets') or []
        count = references(account, self.name)
        if self.present:
            if count == 1:
                return None
            if count == 0:
                return {'imagePullSecrets': current + [{'name': self.name}]}
            first = next(index for index, reference in enumerate(current) if reference.get('name') == self.name)
            return {'imagePullSecrets': [reference for index, reference in enumerate(current)
                                         if reference.get('name') != self.name or index == first]}
        if count == 0:
            return None
        kept = [reference for reference in current if reference.get('name') != self.name]
        return {'imagePullSecrets': kept or None}

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

    # -- writing ---------------------------------------------------------------------------------------------

    def apply(self, namespace):
        if self.present:
            if namespace.create:
                self.kube.create(path_of('namespaces'), {'apiVersion': 'v1', 'kind': 'Namespace',
                                                         'metadata': {'name': namespace.name}})
            namespace.outcome = self.write_secret(namespace)
        for account_name in self.params['service_accounts']:
            path = path_of('serviceaccounts', namespace.name, account_name)
            account = namespace.accounts.get(account_name)
            if namespace.create:
                account = self.wait_for_account(path, namespace.name, account_name)
            if account is None:
                continue
            _patched, changed = self.kube.patch_until_applied(path, account, self.account_patch)
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
            if self.kube.create(path_of('secrets', namespace.name), body) is not None:
                return 'created'
            # Another run created it between our read and our write: converge that one.
            secret = self.kube.get(path)
            self.check_type(namespace.name, secret)
        _secret, changed = self.kube.patch_until_applied(path, secret, self.secret_patch)
        return 'updated' if changed else 'unchanged'

    def wait_for_account(self, path, namespace, account):
        waited = 0.0
        while True:
            found = self.kube.get(path)
            if found is not None:
                return found
            if waited >= ACCOUNT_WAIT_SECONDS:
                raise KubeError('namespace %r was created but its service account %r did not appear within %d seconds; '
                                'run the task again' % (namespace, account, ACCOUNT_WAIT_SECONDS))
            self.kube.sleep(ACCOUNT_WAIT_STEP)
            waited += ACCOUNT_WAIT_STEP

    # -- diff ------------------------------------------------------------------------------------------------

    def secret_view(self, secret):
        if secret is None:
            return None
        registry, username, password = credentials_in(decode_docker_config(secret), self.registry)
        metadata = secret['metadata']
        return dict(type=secret.get('type'), registry=registry, username=username,
                    password=PASSWORD_MASK if password is not None else None,
                    labels=dict((key, (metadata.get('labels') or {}).get(key)) for key in self.labels),
                    annotations=dict((key, (metadata.get('annotations') or {}).get(key)) for key in self.annotations))

    def desired_view(self, secret):
        _registry, _username, password = credentials_in(decode_docker_config(secret), self.registry)
        changed = secret is not None and password != self.params['password']
        return dict(type=SECRET_TYPE, registry=self.registry, username=self.params['username'],
                    password=PASSWORD_MASK + (' (changed)' if changed else ''), labels=dict(self.labels),
                    annotations=dict(self.annotations))

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
            before[namespace.name] = dict(secret=self.secret_view(namespace.secret), service_accounts=accounts_before)
            after[namespace.name] = dict(secret=self.desired_view(namespace.secret) if self.present else None,
                                         service_accounts=accounts_after)
            if not namespace.exists:
                before[namespace.name] = None
                if not namespace.create:
                    after[namespace.name] = None
        return dict(before=before, after=after)

    # -- the whole run ---------------------------------------------------------------------------------------

    def run(self):
        self.validate()
        self.kube = kube_client(self.module)
        namespaces = self.plan()
        report = {}
        for namespace in namespaces:
            if self.module.check_mode:
                namespace.outcome = self.planned_outcome(namespace)
                namespace.patched = self.planned_accounts(namespace)
            else:
                self.apply(namespace)
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


def _strings(option, mapping):
    """Label and annotation values as the strings Kubernetes stores; a YAML boolean is refused, not guessed."""
    result = {}
    for key, value in (mapping or {}).items():
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            raise ValidationError('%s: the value of %r must be a string (quote it in YAML, such as "true")'
                                  % (option, key))
        result[str(key)] = str(value)
    return result


def _names(names, singular=None, plural=None):
    text = ', '.join(repr(name) for name in names)
    if singular is None:
        return text
    return '%s %s' % (text, singular if len(names) == 1 else plural)


def main():
    module = pull_secret_module(
        pull_secret_argument_spec(
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            username=dict(type='str'),
            password=dict(type='str', no_log=True),
            registry=dict(type='str'),
            verify_credentials=dict(type='bool', default=True),
            create_namespace=dict(type='bool', default=False),
            labels=dict(type='dict', default=dict(MANAGED_BY)),
            annotations=dict(type='dict', default={}),
        ),
        required_if=[('state', 'present', ('username', 'password'))],
    )
    run(module, PullSecret(module).run)


if __name__ == '__main__':
    main()
