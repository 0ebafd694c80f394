# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
name: artifact_digest
short_description: The digest of an artifact in Harbor, or its image reference by digest
version_added: 0.1.0
description:
  - Returns the digest (V(sha256:...)) of each artifact named as V(<project>/<repository>:<tag>) (or
    V(<project>/<repository>@<digest>), to check that it exists), or with O(image) the reference a Deployment pulls,
    V(<registry host>/<project>/<repository>@sha256:...).
  - It asks Harbor's API, not the registry's C(/v2/), so it works where cosign enforcement refuses manifest reads of
    an unsigned image (the reason C(crane digest) or C(docker buildx imagetools inspect) fail before signing).
  - The connection options are those of the modules, with the same E(HARBOR_*) environment variables; a lookup does
    not see C(module_defaults), so set them as keyword arguments or in the environment.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
options:
  _terms:
    description:
      - The artifacts, as V(<project>/<repository>:<tag>) or V(<project>/<repository>@<digest>); the repository may
        hold V(/) (V(payments/team/api:2.3.4)).
    type: list
    elements: str
    required: true
  image:
    description:
      - Return V(<registry host>/<project>/<repository>@<digest>) instead of the bare digest.
    type: bool
    default: false
  registry_host:
    description:
      - The registry host (and port) of the image references, when pulls use another name than O(harbor_url)'s host
        (a load balancer, a pull-through name).
      - By default the host and port of O(harbor_url).
    type: str
  harbor_url:
    env:
      - name: HARBOR_URL
  harbor_username:
    env:
      - name: HARBOR_USERNAME
  harbor_password:
    env:
      - name: HARBOR_PASSWORD
  harbor_validate_certs:
    env:
      - name: HARBOR_VALIDATE_CERTS
  harbor_ca_path:
    env:
      - name: HARBOR_CA_PATH
  harbor_timeout:
    env:
      - name: HARBOR_TIMEOUT
notes:
  - The account needs C(artifact:read) on the project (any member, or anyone on a public project).
seealso:
  - module: cloudtemple.harbor.harbor_artifact_info
"""

EXAMPLES = r"""
---
- name: Deploy the release by digest
  ansible.builtin.set_fact:
    api_image: "{{ lookup('cloudtemple.harbor.artifact_digest', 'payments/api:2.3.4', image=true) }}"
  # api_image: harbor.example.com/payments/api@sha256:1d6c...

- name: Sign the digest that the tag names now
  ansible.builtin.command:
    argv: [cosign, sign, --key, cosign.key, "{{ lookup('cloudtemple.harbor.artifact_digest', 'payments/api:2.3.4',
                                                        image=true, harbor_url='https://harbor.example.com') }}"]
  changed_when: true
"""

RETURN = r"""
---
_raw:
  description:
    - One digest (V(sha256:...)) per term, or with O(image) one image reference by digest.
  type: list
  elements: str
  sample: [harbor.example.com/payments/api@sha256:1d6c2a0e9d5e7b1c1f3a2b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80]
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase
from ansible.utils.display import Display

from ansible_collections.cloudtemple.harbor.plugins.module_utils.artifacts import (
    image_reference,
    locate_artifact,
    parse_reference,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import HarborClient, registry_host
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import CollectionError

display = Display()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            names = [parse_reference(term, option='artifact_digest') for term in terms]
            client = self.client()
            host = self.get_option('registry_host') or registry_host(self.get_option('harbor_url'))
            return [self.digest(client, name, host) for name in names]
        except CollectionError as error:
            raise AnsibleLookupError(str(error))

    def client(self):
        if not self.get_option('harbor_validate_certs'):
            display.warning('cloudtemple.harbor.artifact_digest: harbor_validate_certs is false: the TLS certificate '
                            'of Harbor is not verified, so anyone in between can read the credentials. Use '
                            'harbor_ca_path for a private CA instead.')
        return HarborClient(self.get_option('harbor_url'), username=self.get_option('harbor_username'),
                            password=self.get_option('harbor_password'),
                            validate_certs=self.get_option('harbor_validate_certs'),
                            ca_path=self.get_option('harbor_ca_path'), timeout=self.get_option('harbor_timeout'))

    def digest(self, client, name, host):
        artifact = locate_artifact(client, name['project'], name['repository'], name['reference'], details=False,
                                   option='artifact_digest')
        if not self.get_option('image'):
            return artifact['digest']
        return image_reference(host, name['project'], name['repository'], artifact['digest'])
