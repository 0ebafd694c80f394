# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Mirror the collection's files into DEST, a directory named .../ansible_collections/cloudtemple/harbor.

Usage: python tests/tools/stage.py DEST

ansible-test, ansible-doc and antsibull-docs find a collection by its path, and the repository root
is not named like one (a symlink does not help: the tools resolve it). The files copied are those
git knows about: tracked plus untracked-but-not-ignored, so the virtualenvs, build/ and test output
never reach the staged tree. Unchanged files are not copied again and files that left the
repository are deleted, so a re-stage takes a fraction of a second.

DEST becomes its own (empty) git repository. Without that, ansible-test would walk up to the
outer repository, which ignores build/, and would see no files at all.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# Left alone in DEST: ansible-test's results and caches, and the staged repository itself.
KEEP_DIRS = ('.git', 'tests/output')
KEEP_DIR_NAMES = ('__pycache__', '.pytest_cache')


def source_files(repo_root):
    """Paths, relative to repo_root, of the files git tracks or would track."""
    listing = subprocess.run(
        ['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        cwd=repo_root, capture_output=True, check=True,
    ).stdout.decode('utf-8')
    files = set()
    for path in listing.split('\0'):
        full = os.path.join(repo_root, path)
        # skip tracked files deleted from the work tree, and submodule directories
        if path and (os.path.islink(full) or os.path.isfile(full)):
            files.add(path)
    return files


def up_to_date(source, target):
    """True when target already is a copy of source (same type, size and mtime, or same link)."""
    if os.path.islink(source) or os.path.islink(target):
        return os.path.islink(source) and os.path.islink(target) and os.readlink(source) == os.readlink(target)
    if not os.path.isfile(target):
        return False
    source_stat, target_stat = os.stat(source), os.stat(target)
    return (source_stat.st_size == target_stat.st_size
            and source_stat.st_mtime_ns == target_stat.st_mtime_ns
            and source_stat.st_mode == target_stat.st_mode)


def copy(source, target):
    """Copy a file with its mode and times, or recreate a symlink as is."""
    if os.path.lexists(target) or os.path.isdir(target):
        remove(target)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.islink(source):
        os.symlink(os.readlink(source), target)
    else:
        shutil.copy2(source, target)


def remove(path):
    """Remove a file, a symlink or a whole directory."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def prune(dest, wanted):
    """Delete what is in dest but not wanted, then the directories left empty."""
    visited = []
    for root, dir_names, file_names in os.walk(dest):
        relative_root = os.path.relpath(root, dest)
        relative_root = '' if relative_root == '.' else relative_root
        if relative_root:
            visited.append(root)
        for name in list(dir_names):
            relative = os.path.join(relative_root, name)
            if relative in KEEP_DIRS or name in KEEP_DIR_NAMES:
                dir_names.remove(name)
            elif os.path.islink(os.path.join(root, name)):
                dir_names.remove(name)
                if relative not in wanted:
                    os.unlink(os.path.join(root, name))
        for name in file_names:
            if os.path.join(relative_root, name) not in wanted:
                os.unlink(os.path.join(root, name))
    # children sort after their parents, so reversed order empties a tree bottom-up
    for directory in sorted(visited, reverse=True):
        if not os.listdir(directory):
            os.rmdir(directory)


def main():
    """Stage the repository that holds this script into the directory given as argument."""
    if len(sys.argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    repo_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dest = os.path.abspath(sys.argv[1])
    wanted = source_files(repo_root)

    os.makedirs(dest, exist_ok=True)
    prune(dest, wanted)
    copied = 0
    for path in sorted(wanted):
        source, target = os.path.join(repo_root, path), os.path.join(dest, path)
        if not up_to_date(source, target):
            copy(source, target)
            copied += 1

    if not os.path.isdir(os.path.join(dest, '.git')):
        subprocess.run(['git', 'init', '--quiet', dest], check=True)
    print('staged %d files into %s (%d copied)' % (len(wanted), os.path.relpath(dest), copied))
    return 0


if __name__ == '__main__':
    sys.exit(main())
