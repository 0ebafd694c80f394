# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:

    # The connection options every module that talks to Harbor's API shares.
    DOCUMENTATION = r"""
options:
  harbor_url:
    description:
      - Address of the Harbor instance.
      - Accepted as V(https://harbor.example.com), V(harbor.example.com) (HTTPS is assumed) or with the API
        base path V(https://harbor.example.com/api/v2.0); the module normalises it.
      - If not set, the value of the E(HARBOR_URL) environment variable is used.
    type: str
    required: true
  harbor_username:
    description:
      - User name for HTTP basic authentication, a Harbor user or a robot account such as V(robot$payments+ci).
      - If not set, the value of the E(HARBOR_USERNAME) environment variable is used.
      - Without credentials, requests are anonymous and Harbor shows public projects only.
    type: str
  harbor_password:
    description:
      - Password of O(harbor_username), or the robot account's secret.
      - If not set, the value of the E(HARBOR_PASSWORD) environment variable is used.
    type: str
  harbor_validate_certs:
    description:
      - Whether to verify Harbor's TLS certificate.
      - Only turn this off for a throw-away test instance; prefer O(harbor_ca_path) for a private CA.
      - If not set, the value of the E(HARBOR_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  harbor_ca_path:
    description:
      - Path of a PEM file with the certificate authority that signed Harbor's certificate, for a private CA
        or a TLS-intercepting proxy.
      - If not set, the value of the E(HARBOR_CA_PATH) environment variable is used.
    type: path
  harbor_timeout:
    description:
      - Seconds to wait for Harbor to answer one request before retrying or failing.
      - If not set, the value of the E(HARBOR_TIMEOUT) environment variable is used.
    type: int
    default: 30
notes:
  - All modules of this collection belong to the action group C(cloudtemple.harbor.harbor), so the
    connection options can be set once for a play under C(module_defaults) with the key
    C(group/cloudtemple.harbor.harbor).
  - A task that reads Harbor more than ten times as a user (a loop) logs the user in once, as Harbor's web
    interface does, and sends its further reads with that login session instead of the password; writes keep
    basic auth. Set the environment variable E(HARBOR_LOGIN_SESSION=off) to keep basic auth for every request.
    See the collection's docs/connecting.md.
"""

    # Attributes of modules that change Harbor.
    ATTRIBUTES = r"""
attributes:
  check_mode:
    description: In check mode the module reports what it would change and sends no write to Harbor.
    support: full
  diff_mode:
    description: With C(--diff) the module returns the settings before and after the change, never a secret.
    support: full
  idempotent:
    description: Running the module twice with the same options changes nothing the second time.
    support: full
  action_group:
    description: Use C(group/cloudtemple.harbor.harbor) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - cloudtemple.harbor.harbor
"""

    # Attributes of the read-only *_info modules.
    INFO_ATTRIBUTES = r"""
attributes:
  check_mode:
    description: In check mode the module reports what it would change and sends no write to Harbor.
    support: full
    details:
      - This module only reads, so it behaves the same in check mode.
  diff_mode:
    description: With C(--diff) the module returns the settings before and after the change, never a secret.
    support: N/A
    details:
      - This module never changes anything.
  idempotent:
    description: Running the module twice with the same options changes nothing the second time.
    support: full
  action_group:
    description: Use C(group/cloudtemple.harbor.harbor) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - cloudtemple.harbor.harbor
"""
