# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print the path of the newest CPython >= 3.12 on this machine; exit 1 when there is none.

The newest ansible-core needs Python >= 3.12, while the main venv runs on the machine's python3.
A name found on PATH is only trusted after it has run: pyenv shims for versions that are not
activated exist on PATH but fail with "command not found".
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys

MINIMUM = (3, 12)
# free-threaded builds are left out: ansible-core does not support them
PROBE = ('import sys, sysconfig; '
         'print("%d.%d" % sys.version_info[:2], int(bool(sysconfig.get_config_var("Py_GIL_DISABLED"))), sys.executable)')


def probe(candidate):
    """Return ((major, minor), real executable) for a working interpreter, else None."""
    try:
        result = subprocess.run([candidate, '-c', PROBE], capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    if result.returncode != 0:
        return None
    version, free_threaded, executable = result.stdout.split(None, 2)
    if free_threaded == '1':
        return None
    return tuple(int(part) for part in version.split('.')), executable.strip()


def pyenv_candidates():
    """Interpreters installed by pyenv, whether or not they are activated."""
    root = os.environ.get('PYENV_ROOT')
    if not root and shutil.which('pyenv'):
        root = subprocess.run(['pyenv', 'root'], capture_output=True, text=True, check=False).stdout.strip()
    if not root:
        return []
    return glob.glob(os.path.join(root, 'versions', '3.*', 'bin', 'python3'))


def path_candidates():
    """pythonX.Y names on PATH for every minor version from MINIMUM up."""
    names = []
    for minor in range(MINIMUM[1], 20):
        found = shutil.which('python3.%d' % minor)
        if found:
            names.append(found)
    return names


def main():
    """Probe every candidate and print the newest one."""
    best = None
    for candidate in path_candidates() + pyenv_candidates():
        found = probe(candidate)
        if found and found[0] >= MINIMUM and (best is None or found[0] > best[0]):
            best = found
    if best is None:
        return 1
    print(best[1])
    return 0


if __name__ == '__main__':
    sys.exit(main())
