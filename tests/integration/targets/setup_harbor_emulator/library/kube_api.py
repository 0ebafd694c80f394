#!/usr/bin/python
# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only module: one request to a Kubernetes API, authenticated as a kubeconfig says."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r"""
module: kube_api
short_description: Send one request to a Kubernetes API (integration test support only)
description:
  - Prepares and reads the cluster of a test (namespaces, service accounts, secrets) through the Kubernetes API
    itself, so the tests need no emulator control endpoint and run against any cluster a kubeconfig reaches.
  - Connects with the collection's own Kubernetes client, so every kubeconfig the modules accept (client
    certificates, exec plugins, tokens) works here too.
options:
  method: {description: The HTTP method., type: str, choices: [GET, POST, PATCH, DELETE], default: GET}
  path: {description: "The API path, such as C(/api/v1/namespaces).", type: str, required: true}
  body: {description: The JSON body; a PATCH is sent as a JSON merge patch., type: raw}
  status_code: {description: The statuses that count as success., type: list, elements: int, default: [200]}
extends_documentation_fragment: [cloudtemple.harbor.k8s_auth]
author: Cloud Temple
"""

RETURN = r"""
status: {description: The HTTP status., type: int, returned: always}
json: {description: The decoded answer., type: raw, returned: always}
cluster:
  description:
    - The server the connection reached and how its certificate is checked (C(ca_pem), the CA in PEM, or null for
      the system's trust store; C(validate_certs)), so a test can reach the same server with other credentials.
  type: dict
  returned: always
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import KubeError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.k8s import (
    MERGE_PATCH,
    client_from_params,
    k8s_argument_spec,
)


def cluster_of(configuration):
    ca_pem = None
    # the kubernetes library writes certificate-authority-data to a temporary file, removed when the module exits
    if configuration.ssl_ca_cert:
        with open(configuration.ssl_ca_cert, encoding='utf-8') as ca_file:
            ca_pem = ca_file.read()
    return dict(server=configuration.host, ca_pem=ca_pem, validate_certs=bool(configuration.verify_ssl))


def main():
    argument_spec = k8s_argument_spec()
    argument_spec.update(
        method=dict(type='str', choices=['GET', 'POST', 'PATCH', 'DELETE'], default='GET'),
        path=dict(type='str', required=True),
        body=dict(type='raw'),
        status_code=dict(type='list', elements='int', default=[200]),
    )
    module = AnsibleModule(argument_spec=argument_spec)
    params = module.params
    try:
        client = client_from_params(params)
        status, answer = client.request(params['method'], params['path'], body=params['body'],
                                        content_type=MERGE_PATCH if params['method'] == 'PATCH' else 'application/json',
                                        accept=[code for code in params['status_code'] if code >= 400])
    except KubeError as error:
        module.fail_json(msg=str(error), status=getattr(error, 'status', None))
    # pylint: disable=protected-access  # test support: the connection the client was built from
    cluster = cluster_of(client._configuration)
    if status not in params['status_code']:
        module.fail_json(msg='%s %s answered %s, not one of %s' % (
            params['method'], params['path'], status, params['status_code']), status=status, json=answer)
    module.exit_json(changed=params['method'] != 'GET', status=status, json=answer, cluster=cluster)


if __name__ == '__main__':
    main()
