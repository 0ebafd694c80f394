# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip script that ansible-test downloads from its CI file host.

ansible-test bootstraps pip in every venv it creates by running
``~/.ansible/test/cache/get_pip_<version>.py`` and downloads that file when it is missing.
Only package registries are reachable here, so tests/tools/run_ansible_test.py copies this file to
that path. It runs with the arguments ansible-test gives get-pip (pip options and pins such as
``pip==24.2``): seed pip from the standard library, then let it install the pinned pip from PyPI.
"""

from __future__ import annotations

import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def main():
    """Install pip into the running interpreter."""
    pip_arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]
    subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
    return subprocess.call([sys.executable, '-m', 'pip', 'install', '--upgrade'] + pip_arguments)


if __name__ == '__main__':
    sys.exit(main())
