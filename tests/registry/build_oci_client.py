# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build one pinned Go client into the tools cache: ``build_oci_client.py BINARY PACKAGE@VERSION``.

BINARY is ``<cache>/oci-clients/<name>@<version>/<name>`` (tests/registry/tools.mk computes it). The build goes to
a scratch directory beside it and is renamed into place when it succeeded, so an interrupted build never leaves a
binary that looks complete. A lock on the cache lets several checkouts of the same user run `make oci-clients` at
once: the second waits and then finds the binary built.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import subprocess
import sys
import time


def parse_args(argv):
    parser = argparse.ArgumentParser(description='go install one pinned client into the tools cache')
    parser.add_argument('binary', help='where the binary must end up')
    parser.add_argument('package', help='Go main package at a version, e.g. oras.land/oras/cmd/oras@v1.3.6')
    parser.add_argument('--go', default='go', help='the go command (default: go on PATH)')
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    go = shutil.which(args.go)
    if go is None:
        print('oci-clients: no Go toolchain (%r not found): install Go >= 1.25 (https://go.dev/dl/; Debian '
              "bookworm's golang package is too old) or run make with GO=/path/to/go" % args.go, file=sys.stderr)
        return 1
    binary = os.path.abspath(args.binary)
    directory = os.path.dirname(binary)
    os.makedirs(os.path.dirname(directory), exist_ok=True)
    with open(os.path.join(os.path.dirname(directory), '.lock'), 'w', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.access(binary, os.X_OK):
            print('oci-clients: %s was built meanwhile by another make' % args.package)
            return 0
        scratch = directory + '.partial'
        shutil.rmtree(scratch, ignore_errors=True)
        os.makedirs(scratch)
        environment = dict(os.environ, GOBIN=scratch,
                           # the build does not depend on where the module cache is, and the binaries are smaller
                           GOFLAGS='-trimpath',
                           # a client that wants a newer Go fails here, clearly, instead of fetching a toolchain
                           GOTOOLCHAIN='local')
        print('oci-clients: go install %s' % args.package, flush=True)
        started = time.monotonic()
        status = subprocess.call([go, 'install', '-ldflags=-s -w', args.package], env=environment)
        if status != 0:
            shutil.rmtree(scratch, ignore_errors=True)
            print('oci-clients: go install %s failed (exit %d)' % (args.package, status), file=sys.stderr)
            return 1
        if not os.access(os.path.join(scratch, os.path.basename(binary)), os.X_OK):
            shutil.rmtree(scratch, ignore_errors=True)
            print('oci-clients: go install %s made no %s' % (args.package, os.path.basename(binary)), file=sys.stderr)
            return 1
        shutil.rmtree(directory, ignore_errors=True)
        os.rename(scratch, directory)
        print('oci-clients: %s built in %.0fs' % (os.path.basename(binary), time.monotonic() - started), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
