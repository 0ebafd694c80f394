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
      - A login that Harbor accepts also proves the record M(cloudtemple.harbor.harbor_robot) made of a secret it
        set when it created the robot, so that its next runs need no login of their own (the collection's
        docs/robots.md).
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

from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import STATE_OPTION, run_module
from ansible_collections.cloudtemple.harbor.plugins.module_utils.pull_secret import (
    MANAGED_BY,
    PullSecret,
    pull_secret_argument_spec,
    pull_secret_module,
)


def main():
    module = pull_secret_module(
        pull_secret_argument_spec(
            state=dict(STATE_OPTION),
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
    run_module(module, PullSecret(module).run, connect=None)


if __name__ == '__main__':
    main()
