# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:

    # What harbor_pull_secret and harbor_pull_secret_info share: the secret, the namespaces, and Harbor for the login check.
    DOCUMENTATION = r"""
options:
  name:
    description:
      - Name of the image pull secret in each namespace.
    type: str
    default: harbor-pull-secret
  namespaces:
    description:
      - Namespaces to work on, by name.
      - With O(namespace_selector) too, the task covers both the listed namespaces and the matching ones.
    type: list
    elements: str
    default: []
  namespace_selector:
    description:
      - A label selector; every namespace whose labels match is covered, such as V(harbor-pull=enabled) or
        V(team in (payments,billing)).
      - Every namespace has the label C(kubernetes.io/metadata.name) with its own name.
    type: str
  harbor_url:
    description:
      - Address of Harbor, where the credentials are checked. Its host is the default registry of the secret.
      - If not set, the value of the E(HARBOR_URL) environment variable is used.
    type: str
  harbor_validate_certs:
    description:
      - Whether to verify Harbor's TLS certificate during the login check.
      - If not set, the value of the E(HARBOR_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  harbor_ca_path:
    description:
      - Path of the PEM file of the certificate authority of Harbor's certificate, for the login check.
      - If not set, the value of the E(HARBOR_CA_PATH) environment variable is used.
    type: path
  harbor_timeout:
    description:
      - Seconds to wait for Harbor to answer the login check.
      - If not set, the value of the E(HARBOR_TIMEOUT) environment variable is used.
    type: int
    default: 30
  harbor_username:
    description:
      - Not used by this module, which logs in to Harbor with the pull secret's own credentials; accepted so that
        C(module_defaults) for the C(cloudtemple.harbor.harbor) group apply to it as to the other modules.
      - If not set, the value of the E(HARBOR_USERNAME) environment variable is used.
    type: str
  harbor_password:
    description:
      - Not used by this module, see O(harbor_username).
      - If not set, the value of the E(HARBOR_PASSWORD) environment variable is used.
    type: str
requirements:
  - requests
"""

    # Attributes of harbor_pull_secret.
    ATTRIBUTES = r"""
attributes:
  check_mode:
    description: In check mode the module reads the cluster and Harbor, reports what it would change and writes nothing.
    support: full
  diff_mode:
    description: >-
      With C(--diff) the module returns, per namespace, the secret (registry, username, labels, annotations; the
      password masked) and the image pull secrets of each service account, before and after.
    support: full
  idempotent:
    description: Running the module twice with the same options changes nothing the second time, and only reads.
    support: full
  action_group:
    description: Use C(group/cloudtemple.harbor.harbor) in C(module_defaults) to set the Harbor options once.
    support: full
    membership:
      - cloudtemple.harbor.harbor
"""

    # Attributes of harbor_pull_secret_info.
    INFO_ATTRIBUTES = r"""
attributes:
  check_mode:
    description: The module only reads, so it behaves the same in check mode.
    support: full
  diff_mode:
    description: The module never changes anything.
    support: N/A
  idempotent:
    description: Running the module twice returns the same result when nothing changed in between.
    support: full
  action_group:
    description: Use C(group/cloudtemple.harbor.harbor) in C(module_defaults) to set the Harbor options once.
    support: full
    membership:
      - cloudtemple.harbor.harbor
"""
