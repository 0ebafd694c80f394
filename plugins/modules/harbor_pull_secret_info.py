#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_pull_secret_info
short_description: Read the Harbor image pull secrets of Kubernetes namespaces
version_added: 0.1.0
description:
  - For each namespace of O(namespaces) and O(namespace_selector), tells whether it has the pull secret O(name),
    for which registry and user name, and whether the service accounts of O(service_accounts) reference it.
  - With O(check_login=true), also whether those credentials still log in to Harbor at O(harbor_url), so that a
    playbook can keep working credentials and replace stale ones.
  - The password is returned only with O(return_password=true).
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.pull_secret
  - cloudtemple.harbor.k8s_auth
  - cloudtemple.harbor.pull_secret.INFO_ATTRIBUTES
options:
  service_accounts:
    description:
      - Service accounts whose C(imagePullSecrets) are checked for the secret, in every covered namespace.
    type: list
    elements: str
    default: []
  check_login:
    description:
      - Log in to Harbor at O(harbor_url) with the credentials found in each secret (once per distinct pair) and
        return the outcome in RV(namespaces[].login).
    type: bool
    default: false
  return_password:
    description:
      - Return the password found in each secret in RV(namespaces[].password).
      - The task must then have C(no_log) set, or the module fails before reading anything, so that the password
        cannot reach the output or the logs.
    type: bool
    default: false
  query:
    description:
      - A JMESPath expression applied to RV(namespaces); the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_pull_secret
"""

EXAMPLES = r"""
---
- name: Which namespaces lack the pull secret, or hold credentials Harbor no longer accepts
  cloudtemple.harbor.harbor_pull_secret_info:
    harbor_url: https://harbor.example.com
    namespace_selector: harbor-pull=enabled
    service_accounts: [default]
    check_login: true
    query: "[?!exists || !login || !service_accounts.default].namespace"
  register: pull_secrets

- name: Show them
  ansible.builtin.debug:
    var: pull_secrets.query_result

- name: Reuse the working credentials of one namespace
  cloudtemple.harbor.harbor_pull_secret_info:
    harbor_url: https://harbor.example.com
    namespaces: [payments-prod]
    check_login: true
    return_password: true
  register: current
  no_log: true
"""

RETURN = r"""
---
namespaces:
  description: One entry per covered namespace, listed namespaces first, then the selector's matches by name.
  returned: always
  type: list
  elements: dict
  sample:
    - namespace: payments-prod
      namespace_exists: true
      exists: true
      type: kubernetes.io/dockerconfigjson
      registry: harbor.example.com
      registries: [harbor.example.com]
      username: robot$payments+puller
      labels:
        app.kubernetes.io/managed-by: cloudtemple.harbor
      service_accounts:
        default: true
      login: true
  contains:
    namespace:
      description: The namespace.
      type: str
      sample: payments-prod
    namespace_exists:
      description: Whether the namespace exists; null when the account may not read namespaces.
      type: bool
      sample: true
    exists:
      description: Whether the namespace has the secret.
      type: bool
      sample: true
    type:
      description: The type of the secret; null when it does not exist.
      type: str
      sample: kubernetes.io/dockerconfigjson
    registry:
      description:
        - The registry of the credentials returned; the host of O(harbor_url) when the secret has an entry for it,
          else its first entry. Null when the secret has no Docker configuration.
      type: str
      sample: harbor.example.com
    registries:
      description: Every registry the secret has credentials for.
      type: list
      elements: str
      sample: [harbor.example.com]
    username:
      description: The user name for RV(namespaces[].registry).
      type: str
      sample: robot$payments+puller
    password:
      description: The password for RV(namespaces[].registry).
      returned: with O(return_password=true)
      type: str
      sample: 3xAmPle-s3cret
    labels:
      description: The labels of the secret.
      type: dict
      sample:
        app.kubernetes.io/managed-by: cloudtemple.harbor
    service_accounts:
      description: For each service account of O(service_accounts), whether its C(imagePullSecrets) name the secret
        (false also when the service account does not exist).
      type: dict
      sample:
        default: true
    login:
      description: Whether Harbor accepts the credentials; null when the secret has none.
      returned: with O(check_login=true)
      type: bool
      sample: true
query_result:
  description: The result of O(query) over RV(namespaces).
  returned: when O(query) is set
  type: raw
  sample: [payments-dev]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import registry_host
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.k8s import path_of
from ansible_collections.cloudtemple.harbor.plugins.module_utils.pull_secret import (
    check_targets,
    credentials_in,
    decode_docker_config,
    kube_client,
    logs_in,
    pull_secret_argument_spec,
    pull_secret_module,
    references,
    resolve_namespaces,
)


def read(module):
    params = module.params
    check_targets(params)
    if params['return_password'] and not module.no_log:
        raise ValidationError('return_password: true needs no_log: true on the task, so that the password cannot '
                              'reach the output or the logs')
    if params['check_login'] and not params['harbor_url']:
        raise ValidationError('check_login: true needs harbor_url, where the credentials are checked')
    harbor = registry_host(params['harbor_url']) if params['harbor_url'] else None
    kube = kube_client(module)
    logins = {}
    entries = []
    for namespace, found in resolve_namespaces(kube, params['namespaces'], params['namespace_selector']):
        secret = kube.get(path_of('secrets', namespace, params['name'])) if found is not None else None
        config = decode_docker_config(secret)
        registry, username, password = credentials_in(config, harbor)
        accounts = {}
        for account in params['service_accounts']:
            accounts[account] = found is not None and references(
                kube.get(path_of('serviceaccounts', namespace, account)), params['name']) > 0
        entry = dict(namespace=namespace, namespace_exists=None if found == {} else found is not None,
                     exists=secret is not None, type=(secret or {}).get('type'), registry=registry,
                     registries=sorted((config or {}).get('auths') or {}), username=username,
                     labels=((secret or {}).get('metadata') or {}).get('labels') or {}, service_accounts=accounts)
        if params['return_password']:
            entry['password'] = password
        if params['check_login']:
            if username is None or password is None:
                entry['login'] = None
            else:
                if (username, password) not in logins:
                    logins[(username, password)] = logs_in(module, username, password)
                entry['login'] = logins[(username, password)]
        entries.append(entry)
    return entries


def main():
    run_info('namespaces', pull_secret_argument_spec(
        service_accounts=dict(type='list', elements='str', default=[]),
        check_login=dict(type='bool', default=False),
        return_password=dict(type='bool', default=False, no_log=False),
    ), read, build=pull_secret_module, connect=None)


if __name__ == '__main__':
    main()
