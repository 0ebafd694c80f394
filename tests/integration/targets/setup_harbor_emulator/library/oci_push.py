#!/usr/bin/python
# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only module: push small images to Harbor's registry with the OCI distribution API, as docker would."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: oci_push
short_description: Push tiny images into a Harbor registry (integration test support only)
description:
  - Pushes one image per entry of O(artifacts) into O(repository), each a distinct config and one shared layer,
    tagged with the entry's tags (none gives an untagged artifact, pushed by digest).
  - Authenticates as docker does, with the Bearer challenge of C(GET /v2/) and a token from its realm
    (Harbor's C(/service/token)), or with basic auth when the registry asks for it.
  - When C(/v2/) answers 503 (the emulator without its registry), pushes nothing and returns
    RV(registry_available=false), so the caller can fall back. Any other answer that is not a registry's fails.
options:
  harbor_url: {description: Harbor's address., type: str, required: true}
  username: {description: Who pushes., type: str, required: true}
  password: {description: Their password or secret., type: str, required: true}
  ca_path: {description: CA bundle for HTTPS., type: path}
  repository: {description: "C(<project>/<repository>).", type: str, required: true}
  artifacts:
    description:
      - The images to push, in this order (so the last one has the latest push time), each C({tags: [...]}).
      - C(packages), a list of C({name, version}), puts a Debian package database (C(var/lib/dpkg/status)) listing
        them in the layer instead of an empty one, for a scanner to find them.
      - Other keys (the C(push_time) of an emulator seed) are ignored, so one list serves both.
    type: list
    elements: dict
    default: []
author: Cloud Temple
"""

RETURN = r"""
registry_available: {description: False when /v2/ answered 503., type: bool, returned: always}
digests: {description: The manifest digest of each pushed image, in order., type: list, returned: always}
"""

import gzip
import hashlib
import io
import json
import re
import tarfile
import uuid

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

try:
    import requests
except ImportError:
    requests = None

MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json'
CONFIG_TYPE = 'application/vnd.oci.image.config.v1+json'
LAYER_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip'
# An empty tar archive (its two end blocks), gzipped: the smallest valid layer.
EMPTY_TAR = b'\0' * 1024
EMPTY_LAYER = gzip.compress(EMPTY_TAR, mtime=0)
CHALLENGE_PARAMETER = re.compile(r'(\w+)="([^"]*)"')


def package_layer(packages):
    """(tar, gzipped tar) of a layer whose dpkg status lists the packages as installed."""
    status = ''.join('Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n\n'
                     % (package['name'], package['version']) for package in packages).encode()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode='w') as tar:
        member = tarfile.TarInfo('var/lib/dpkg/status')
        member.size, member.mtime = len(status), 0
        tar.addfile(member, io.BytesIO(status))
    data = archive.getvalue()
    return data, gzip.compress(data, mtime=0)


def digest_of(data):
    return 'sha256:' + hashlib.sha256(data).hexdigest()


class Registry:
    """One repository of a registry, with the authorisation docker would use for a push."""

    def __init__(self, module):
        self.module = module
        self.base = module.params['harbor_url'].rstrip('/')
        self.repository = module.params['repository']
        self.credentials = (module.params['username'], module.params['password'])
        self.verify = module.params['ca_path'] or True
        self.authorization = None

    def request(self, method, url, **kwargs):
        # Upload locations may be relative to the registry, or absolute (the registry's own view of its address).
        url = requests.compat.urljoin(self.base + '/', url)
        headers = dict(kwargs.pop('headers', {}))
        if self.authorization:
            headers['Authorization'] = self.authorization
        return requests.request(method, url, headers=headers, verify=self.verify, timeout=30, **kwargs)

    def log_in(self):
        """False when there is no registry behind /v2/ (503); else set the authorisation for pull and push."""
        answer = self.request('GET', '/v2/')
        if answer.status_code == 503:
            return False
        if answer.status_code == 200:
            return True
        challenge = answer.headers.get('Www-Authenticate', '')
        if answer.status_code != 401 or not challenge:
            self.module.fail_json(msg='%s/v2/ does not answer as a registry: %d %s'
                                  % (self.base, answer.status_code, answer.text[:300]))
        scheme = challenge.split(' ', 1)[0].lower()
        if scheme == 'basic':
            self.authorization = requests.auth._basic_auth_str(*self.credentials)
            return True
        parameters = dict(CHALLENGE_PARAMETER.findall(challenge))
        token = requests.get(parameters['realm'], auth=self.credentials, verify=self.verify, timeout=30, params={
            'service': parameters.get('service', ''), 'scope': 'repository:%s:pull,push' % self.repository})
        if token.status_code != 200:
            self.module.fail_json(msg='the token service %s answered %d: %s'
                                  % (parameters['realm'], token.status_code, token.text[:300]))
        body = token.json()
        self.authorization = 'Bearer ' + (body.get('token') or body['access_token'])
        return True

    def expect(self, answer, statuses, what):
        if answer.status_code not in statuses:
            self.module.fail_json(msg='%s: the registry answered %d: %s' % (what, answer.status_code, answer.text[:300]))
        return answer

    def push_blob(self, data):
        digest = digest_of(data)
        path = '/v2/%s/blobs/%s' % (self.repository, digest)
        if self.request('HEAD', path).status_code == 200:
            return digest
        started = self.expect(self.request('POST', '/v2/%s/blobs/uploads/' % self.repository), (202,), 'start upload')
        location = started.headers['Location']
        location += ('&' if '?' in location else '?') + 'digest=' + digest
        self.expect(self.request('PUT', location, data=data, headers={'Content-Type': 'application/octet-stream'}),
                    (201,), 'upload %s' % digest)
        return digest

    def push_image(self, tags, packages=None):
        tar, layer = package_layer(packages) if packages else (EMPTY_TAR, EMPTY_LAYER)
        config = json.dumps({
            'architecture': 'amd64', 'os': 'linux',
            'config': {'Labels': {'io.cloudtemple.harbor.test': str(uuid.uuid4())}},
            'rootfs': {'type': 'layers', 'diff_ids': [digest_of(tar)]},
        }, sort_keys=True).encode()
        manifest = json.dumps({
            'schemaVersion': 2, 'mediaType': MANIFEST_TYPE,
            'config': {'mediaType': CONFIG_TYPE, 'digest': self.push_blob(config), 'size': len(config)},
            'layers': [{'mediaType': LAYER_TYPE, 'digest': self.push_blob(layer), 'size': len(layer)}],
        }, sort_keys=True).encode()
        digest = digest_of(manifest)
        for reference in tags or [digest]:
            self.expect(self.request('PUT', '/v2/%s/manifests/%s' % (self.repository, reference), data=manifest,
                                     headers={'Content-Type': MANIFEST_TYPE}), (201,), 'push %s' % reference)
        return digest


def main():
    module = AnsibleModule(argument_spec=dict(
        harbor_url=dict(type='str', required=True),
        username=dict(type='str', required=True),
        password=dict(type='str', required=True, no_log=True),
        ca_path=dict(type='path'),
        repository=dict(type='str', required=True),
        artifacts=dict(type='list', elements='dict', default=[]),
    ))
    if requests is None:
        module.fail_json(msg=missing_required_lib('requests'))
    registry = Registry(module)
    if not registry.log_in():
        module.exit_json(changed=False, registry_available=False, digests=[])
    digests = [registry.push_image(artifact.get('tags') or [], artifact.get('packages'))
               for artifact in module.params['artifacts']]
    module.exit_json(changed=bool(digests), registry_available=True, digests=digests)


if __name__ == '__main__':
    main()
