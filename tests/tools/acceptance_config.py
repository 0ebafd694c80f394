# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the ansible-test integration variables for `make acceptance` from the environment.

Usage: python tests/tools/acceptance_config.py PATH

    HARBOR_URL, HARBOR_USERNAME, HARBOR_PASSWORD   required: the Harbor to test, and a system administrator of it
    K8S_AUTH_KUBECONFIG                            optional: the kubeconfig of a cluster for the Kubernetes-facing
                                                   targets, which they prepare and read through its API
    EMULATOR_SEED_URL                              optional: set by with_emulator.py --behind-proxy only
    REPLICATION_ENDPOINT_URL, _USERNAME, _PASSWORD optional: the registry endpoint the replication targets register
                                                   (a Harbor that the Harbor under test can reach); default: the
                                                   Harbor under test itself, with HARBOR_USERNAME/_PASSWORD

The file has no harbor_emulator variable, so the targets use nothing but Harbor's own API and registry.
Exits 2 with a message when a required variable is missing.
"""

from __future__ import annotations

import json
import os
import sys

# environment variable -> integration variable
REQUIRED = {'HARBOR_URL': 'harbor_url', 'HARBOR_USERNAME': 'harbor_username', 'HARBOR_PASSWORD': 'harbor_password'}
OPTIONAL = {'K8S_AUTH_KUBECONFIG': 'acceptance_kubeconfig', 'EMULATOR_SEED_URL': 'emulator_seed_url',
            'REPLICATION_ENDPOINT_URL': 'replication_endpoint_url',
            'REPLICATION_ENDPOINT_USERNAME': 'replication_endpoint_username',
            'REPLICATION_ENDPOINT_PASSWORD': 'replication_endpoint_password'}


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    missing = [name for name in REQUIRED if not os.environ.get(name)]
    if missing:
        print('make acceptance needs %s: the Harbor to test and a system administrator of it '
              '(K8S_AUTH_KUBECONFIG too for the Kubernetes-facing targets)' % ', '.join(missing), file=sys.stderr)
        return 2
    variables = {variable: os.environ[name] for name, variable in {**REQUIRED, **OPTIONAL}.items()
                 if os.environ.get(name)}
    variables['harbor_url'] = variables['harbor_url'].rstrip('/')
    if 'replication_endpoint_url' in variables:
        # Harbor stores an endpoint's URL without a trailing /, and the targets compare it
        variables['replication_endpoint_url'] = variables['replication_endpoint_url'].rstrip('/')
    if 'acceptance_kubeconfig' in variables:
        # ansible-test runs the targets from the staged collection, where a relative path would name nothing
        kubeconfig = os.path.abspath(os.path.expanduser(variables['acceptance_kubeconfig']))
        if not os.path.isfile(kubeconfig):
            print('K8S_AUTH_KUBECONFIG: %s is not a file' % kubeconfig, file=sys.stderr)
            return 2
        variables['acceptance_kubeconfig'] = kubeconfig
    os.makedirs(os.path.dirname(os.path.abspath(argv[1])), exist_ok=True)
    # the file holds a password: readable by its owner only
    descriptor = os.open(argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w', encoding='utf-8') as config_file:
        json.dump(variables, config_file, indent=2, sort_keys=True)
        config_file.write('\n')
    print('make acceptance: Harbor %s as %s; Kubernetes: %s' % (
        variables['harbor_url'], variables['harbor_username'],
        variables.get('acceptance_kubeconfig', 'none (its targets are skipped)')))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
