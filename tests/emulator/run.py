#!/usr/bin/env python
# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start the emulators and print one JSON line describing them.

    python3 tests/emulator/run.py [--harbor-port N] [--kube-port N] [--tls] [--state-file F] [--scanner]

The first stdout line is ``{"harbor_url", "username", "password", "kube_url", "kubeconfig"[, "ca_path"]}``;
the process then serves until SIGTERM/SIGINT and exits 0.  With ``--scanner`` the line also has
``scanner_url``, the scanner adapter Harbor uses as its default scanner. ``kubeconfig`` is a file written for this run
(removed at exit) that points at the Kubernetes API emulator with its bearer tokens.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

from emulator.harbor import AuthLatency, HarborEmulator
from emulator.http import EmulatorServer
from emulator.kube import KubeEmulator


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Harbor API v2.0 and Kubernetes API emulators for tests.")
    parser.add_argument("--harbor-port", type=int, default=0, help="port of the Harbor API (default: a free one)")
    parser.add_argument("--kube-port", type=int, default=0,
                        help="port of the Kubernetes API emulator (default: a free one)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a freshly generated private CA")
    parser.add_argument("--state-file", help="load state from this file and save it after every write")
    parser.add_argument("--admin-password", help="password of the admin user (default: random)")
    parser.add_argument("--harbor-version", help="Harbor release to emulate, e.g. v2.10.0 (default: v2.15.2)")
    parser.add_argument("--auth-latency-ms", type=float, default=0, metavar="N",
                        help="each request authenticated with a user's password waits N ms first, as a real "
                             "Harbor spends ~84 ms checking it (default: 0)")
    parser.add_argument("--robot-auth-latency-ms", type=float, default=0, metavar="N",
                        help="the same for a robot's secret (a real Harbor: ~4 ms; default: 0)")
    parser.add_argument("--external-url",
                        help="the address clients use, as Harbor's external_url when it sits behind a proxy "
                             "(default: the emulator's own address)")
    parser.add_argument("--scanner", action="store_true",
                        help="start the scanner adapter and register it as Harbor's default scanner")
    parser.add_argument("--scanner-port", type=int, default=0, help="port of the scanner adapter (default: a free one)")
    parser.add_argument("--advisories", help="advisory file of the scanner adapter (default: the one shipped)")
    parser.add_argument("--verbose", action="store_true", help="log one line per request on stderr")
    return parser.parse_args(argv)


class TlsMaterial:
    """Where the CA lives: next to the state file (reused across restarts) or in a temp dir."""

    def __init__(self, state_file):
        if state_file:
            self.directory = os.path.dirname(os.path.abspath(state_file))
            self.prefix = os.path.basename(state_file) + "."
            self.temporary = False
        else:
            self.directory = tempfile.mkdtemp(prefix="harbor-emulator-")
            self.prefix = ""
            self.temporary = True

    def server_context(self):
        try:
            from emulator.tls import create_server_context  # pylint: disable=import-outside-toplevel
            return create_server_context(self.directory, self.prefix)
        except ImportError as exc:
            self.cleanup()
            raise SystemExit("--tls needs the 'cryptography' package (%s)" % exc) from exc

    def cleanup(self):
        if self.temporary:
            shutil.rmtree(self.directory, ignore_errors=True)


def kube_tls(directory):
    """``(ssl_context, ca_path)`` of a private CA made for the Kubernetes API emulator in ``directory``."""
    try:
        from emulator.tls import create_server_context  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        shutil.rmtree(directory, ignore_errors=True)
        raise SystemExit("the Kubernetes API emulator serves HTTPS and needs the 'cryptography' package (%s)"
                         % exc) from exc
    return create_server_context(directory)


def write_kubeconfig(directory, config):
    """Write the kubeconfig (JSON, which kubectl and the Python client read as YAML), readable by us only."""
    path = os.path.join(directory, "kubeconfig")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")
    return path


def start_scanner(harbor, args, ca_path):
    """The scanner adapter (plain HTTP on loopback, like Trivy beside Harbor), registered as the default scanner."""
    from emulator.scanner import ScannerAdapter  # pylint: disable=import-outside-toplevel
    from emulator.scanner.advisories import AdvisoryError  # pylint: disable=import-outside-toplevel
    try:
        adapter = ScannerAdapter(advisories_path=args.advisories, cafile=ca_path)
    except AdvisoryError as exc:
        raise SystemExit(str(exc)) from exc
    server = EmulatorServer(adapter, port=args.scanner_port, verbose=args.verbose)
    harbor.enable_scanner(server.url, ca_path)
    return server


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    tls = TlsMaterial(args.state_file) if args.tls else None
    ssl_context, ca_path = tls.server_context() if tls else (None, None)

    harbor = HarborEmulator(admin_password=args.admin_password, state_file=args.state_file,
                            harbor_version=args.harbor_version,
                            auth_latency=AuthLatency(args.auth_latency_ms, args.robot_auth_latency_ms))
    harbor_server = EmulatorServer(harbor, port=args.harbor_port, ssl_context=ssl_context, verbose=args.verbose)
    harbor.set_external_url(args.external_url or harbor_server.url)
    harbor.start_registry()
    servers = [harbor_server]
    info = {"harbor_url": harbor_server.url, "username": "admin", "password": harbor.admin_password}
    if ca_path:
        info["ca_path"] = ca_path
    if args.scanner:
        scanner_server = start_scanner(harbor, args, ca_path)
        servers.append(scanner_server)
        info["scanner_url"] = scanner_server.url

    # Further emulators plug in here: build the app, wrap it in an
    # EmulatorServer (same ssl_context), append it to ``servers`` and publish
    # its coordinates in ``info``.
    # The Kubernetes API is always HTTPS: kubectl sends no credentials to a plain-HTTP server.
    kube_dir = tempfile.mkdtemp(prefix="kube-emulator-")
    kube_context, kube_ca_path = (ssl_context, ca_path) if tls else kube_tls(kube_dir)
    kube = KubeEmulator()
    kube_server = EmulatorServer(kube, port=args.kube_port, ssl_context=kube_context, verbose=args.verbose)
    servers.append(kube_server)
    info["kube_url"] = kube_server.url
    info["kubeconfig"] = write_kubeconfig(kube_dir, kube.kubeconfig(kube_server.url, kube_ca_path))

    stop_requested = []

    def request_stop(signum, _frame):
        # Only a flag: a handler that called Event.set() could deadlock on the lock that the main thread holds
        # inside Event.wait() when the signal lands there (it did, once, on a loaded machine).
        stop_requested.append(signum)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    for server in servers:
        server.start_background()

    sys.stdout.write(json.dumps(info) + "\n")
    sys.stdout.flush()
    while not stop_requested:
        time.sleep(0.2)

    for server in servers:
        server.shutdown()
    harbor.save()
    harbor.stop_registry()
    shutil.rmtree(kube_dir, ignore_errors=True)
    if tls:
        tls.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
