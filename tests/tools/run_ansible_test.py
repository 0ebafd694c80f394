# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run ansible-test in the staged collection, prepared for a machine that only reaches PyPI.

Usage: <venv>/bin/python tests/tools/run_ansible_test.py COLLECTION_DIR ANSIBLE_TEST_ARGS...

- ansible-test comes from the venv of the interpreter running this script, and that venv's bin
  directory goes first on PATH, so ``--local --python X.Y`` finds the venv's interpreter;
- the get-pip stand-in is written where ansible-test looks for its cached copy;
- ``sanity`` refuses to run while a tests/sanity/ignore-*.txt file has entries: problems are
  fixed, never ignored.
"""

from __future__ import annotations

import glob
import os
import shutil
import sys
import types

from ansible_test._internal.python_requirements import get_venv_packages

STANDIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'get_pip_standin.py')
GET_PIP_CACHE = os.path.join('~', '.ansible', 'test', 'cache', 'get_pip_%s.py')


def target_python_version(arguments):
    """The version given with --python, else the version of this interpreter."""
    for index, argument in enumerate(arguments):
        if argument == '--python' and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith('--python='):
            return argument.split('=', 1)[1]
    return '%d.%d' % sys.version_info[:2]


def install_get_pip_standin(python_version):
    """Put the stand-in where ansible-test reads the get-pip script for its pinned pip."""
    pip_version = get_venv_packages(types.SimpleNamespace(version=python_version))['pip']
    path = os.path.expanduser(GET_PIP_CACHE % pip_version.replace('.', '_'))
    with open(STANDIN, 'rb') as source:
        wanted = source.read()
    if os.path.exists(path):
        with open(path, 'rb') as current:
            if current.read() == wanted:
                return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as target:
        target.write(wanted)


def sanity_ignore_entries(collection_dir):
    """Every non-blank line of tests/sanity/ignore-*.txt, as 'file:line: text'."""
    entries = []
    for path in sorted(glob.glob(os.path.join(collection_dir, 'tests', 'sanity', 'ignore-*.txt'))):
        with open(path, encoding='utf-8') as ignore_file:
            for number, line in enumerate(ignore_file, start=1):
                if line.strip():
                    entries.append('%s:%d: %s' % (os.path.relpath(path, collection_dir), number, line.rstrip()))
    return entries


def main():
    """Prepare the environment, then replace this process with ansible-test."""
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    collection_dir, arguments = sys.argv[1], sys.argv[2:]

    if arguments[0] == 'sanity':
        entries = sanity_ignore_entries(collection_dir)
        if entries:
            print('ERROR: sanity ignore files must stay empty; fix these instead of ignoring them:')
            print('\n'.join(entries))
            return 1

    install_get_pip_standin(target_python_version(arguments))

    bin_dir = os.path.dirname(sys.executable)
    os.environ['PATH'] = bin_dir + os.pathsep + os.environ.get('PATH', '')
    ansible_test = shutil.which('ansible-test', path=bin_dir)
    if ansible_test is None:
        print('ERROR: no ansible-test next to %s' % sys.executable)
        return 1
    os.chdir(collection_dir)
    sys.stdout.flush()
    os.execv(ansible_test, [ansible_test] + arguments)
    return 0  # not reached: execv replaces the process


if __name__ == '__main__':
    sys.exit(main())
