# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real Kubernetes control plane on loopback for a test run: etcd, kube-apiserver, kube-controller-manager.

Usage: <venv>/bin/python tests/kube/control_plane.py [--bin-dir DIR]

Like tests/emulator/run.py, it prints one JSON object as its first stdout line, then serves until SIGTERM or
SIGINT and removes everything it made:

    {"kube_url": "https://127.0.0.1:N", "kubeconfig": "/tmp/kube-real-x/kubeconfig",
     "kube_control_url": "https://127.0.0.1:M", "kube_emulated": false}

- kube-apiserver and kube-controller-manager come from --bin-dir (default: $KUBE_BIN_DIR, which `make kube-tests`
  sets to the cache `make kube-binaries` fills); etcd is Debian's etcd-server, found on PATH (or $ETCD).
- The kubeconfig is JSON, like the emulator's: one cluster (the apiserver's private CA as a file), one user with a
  static bearer token in system:masters, so tests that read `users[0].user.token` work on both.
- `kube_control_url` serves the emulator's control endpoints that make sense on a real cluster, with the same
  bodies, so a test asks "which requests were writes" the same way of either:
    GET /_emulator/requests      [{"method", "path", "status", "write"}] since the last DELETE, read from the apiserver's audit
                                 log: requests of the test's users only (the control plane's own `system:` users
                                 are left out, as the emulator has no such traffic)
    DELETE /_emulator/requests   forget them
    POST /_emulator/seed         {"namespaces": [...], "serviceaccounts": [...], "secrets": [...]} created through
                                 the API as the admin; a new namespace is answered once its `default` service account
                                 exists (the emulator makes it at once, the real controller a moment later)
  Faults, interleaving, reset and the restricted user are emulator-only: those answer 501.

Import it to run a control plane inside a test: `with ControlPlane(bin_dir) as plane: plane.kube_url, ...`.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
# The emulator's private-CA helper makes the apiserver's serving certificate too.
sys.path.insert(0, os.path.join(os.path.dirname(HERE), 'emulator'))
from emulator.tls import create_server_context  # noqa: E402  pylint: disable=wrong-import-position

START_TIMEOUT = 90
ADMIN_USER = 'kube-admin'
# The harness's own calls (readiness, seeding) are made as this user, which the request log leaves out like the
# control plane's other `system:` users: the emulator does not log its seeding either.
HARNESS_USER = 'system:test-harness'
# The five controllers the collection relies on: default service accounts and their tokens, namespace deletion
# (with everything inside), owner-reference clean-up, and the kube-root-ca.crt ConfigMap every real cluster has.
CONTROLLERS = 'serviceaccount,serviceaccount-token,namespace,garbagecollector,root-ca-cert-publisher'
# HTTP method of each audit verb, so the audit log reads like the emulator's request log.
VERB_METHODS = {'get': 'GET', 'list': 'GET', 'watch': 'GET', 'create': 'POST', 'update': 'PUT', 'patch': 'PATCH',
                'delete': 'DELETE', 'deletecollection': 'DELETE'}
# Metadata level is enough (verb, URI, user, status) and never records a Secret's data. The control plane's own
# users are dropped here to keep the file small; the reader drops every `system:` user anyway.
AUDIT_POLICY = {
    'apiVersion': 'audit.k8s.io/v1', 'kind': 'Policy', 'omitStages': ['RequestReceived'],
    'rules': [
        {'level': 'None', 'users': ['system:apiserver', 'system:kube-controller-manager', 'system:anonymous',
                                    HARNESS_USER]},
        {'level': 'None', 'userGroups': ['system:serviceaccounts']},
        {'level': 'Metadata'},
    ],
}


class ControlPlaneError(Exception):
    """The control plane could not be started."""


def default_bin_dir():
    return os.environ.get('KUBE_BIN_DIR') or os.path.join(
        os.environ.get('TOOLS_CACHE') or os.path.join(os.path.expanduser('~'), '.cache', 'cloudtemple-harbor'),
        'kube', 'v1.35.4', 'bin')


def free_port():
    # The port is released before the server binds it; on loopback in a test run the race is harmless.
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def write_file(path, data, mode=0o600):
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, 'w' if isinstance(data, str) else 'wb') as handle:
        handle.write(data)
    return path


def rsa_key_pair(private_path, public_path):
    """The service-account token signing key (the apiserver signs, the controller-manager signs legacy tokens)."""
    # pylint: disable=import-outside-toplevel
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_file(private_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    write_file(public_path, key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo), 0o644)


class AuditLog:
    """The apiserver's JSON audit log read as the emulator's request log, from a mark set by clear()."""

    # The apiserver writes an event when the response is complete, which can be a moment after the client has
    # read it: entries() waits until the file has stopped growing for SETTLE seconds.
    SETTLE = 0.25

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.lock = threading.Lock()

    def _size(self):
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def _settle(self):
        size, deadline = self._size(), time.monotonic() + 5
        while time.monotonic() < deadline:
            time.sleep(self.SETTLE)
            now = self._size()
            if now == size:
                return size
            size = now
        return size

    def _complete(self):
        """The bytes after the mark up to the last complete line (a line being written is left for later)."""
        end = self._settle()
        if end <= self.offset:
            return b''
        with open(self.path, 'rb') as handle:
            handle.seek(self.offset)
            data = handle.read(end - self.offset)
        return data[:data.rfind(b'\n') + 1]

    def clear(self):
        with self.lock:
            self.offset += len(self._complete())

    def events(self):
        with self.lock:
            data = self._complete()
        events = []
        for line in data.decode('utf-8', 'replace').splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        return events

    def entries(self):
        """[{"method", "path", "status", "write"}] of the test's requests, in the order they completed."""
        entries = []
        for event in self.events():
            username = (event.get('user') or {}).get('username') or ''
            if username.startswith('system:') or event.get('stage') != 'ResponseComplete':
                continue
            verb = event.get('verb') or ''
            method = VERB_METHODS.get(verb, verb.upper())
            entries.append({'method': method, 'path': event.get('requestURI'),
                            'status': (event.get('responseStatus') or {}).get('code'),
                            'write': method not in ('GET', 'HEAD')})
        return entries


class ControlPlane:
    """etcd + kube-apiserver + kube-controller-manager on loopback, in a temporary directory; a context manager."""

    def __init__(self, bin_dir=None, etcd=None, log=None):
        self.bin_dir = bin_dir or default_bin_dir()
        self.etcd = etcd or os.environ.get('ETCD') or shutil.which('etcd') or '/usr/bin/etcd'
        self.log = log if log is not None else sys.stderr
        self.directory = None
        self.processes = []
        self.kube_url = self.kubeconfig = self.ca_path = self.token = None
        self.audit = None
        self.control = None

    # -- lifecycle ---------------------------------------------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def start(self):
        for binary in ('kube-apiserver', 'kube-controller-manager'):
            if not os.access(os.path.join(self.bin_dir, binary), os.X_OK):
                raise ControlPlaneError('%s is not in %s: run `make kube-binaries`' % (binary, self.bin_dir))
        if not os.access(self.etcd, os.X_OK):
            raise ControlPlaneError('etcd is not installed: apt-get install etcd-server')
        # etcd fsyncs every write; on tmpfs (when there is one) a test cluster's writes cost nothing.
        base = '/dev/shm' if os.path.isdir('/dev/shm') and os.access('/dev/shm', os.W_OK) else None
        self.directory = tempfile.mkdtemp(prefix='kube-real-', dir=base)
        started = time.monotonic()
        self._start_etcd()
        self._start_apiserver()
        self._wait_ready()
        self._start_controller_manager()
        # Only now is it a cluster like any other: the default namespace has its default service account.
        self._wait_for(lambda: self.request('GET', '/api/v1/namespaces/default/serviceaccounts/default')[0] == 200,
                       'the default service account of namespace default')
        self.audit = AuditLog(os.path.join(self.directory, 'audit.log'))
        self.audit.clear()
        self.control = ControlServer(self)
        self.log.write('kubernetes control plane ready at %s in %.1fs\n' % (self.kube_url, time.monotonic() - started))

    def stop(self):
        if self.control:
            self.control.shutdown()
            self.control = None
        # Reverse order: the controller-manager and the apiserver stop before their store.
        for name, process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.log.write('%s did not stop on SIGTERM; killing it\n' % name)
                    process.kill()
                    process.wait()
        self.processes = []
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def details(self):
        """The connection details, as the first line of the CLI prints them."""
        return {'kube_url': self.kube_url, 'kubeconfig': self.kubeconfig, 'kube_control_url': self.control.url,
                'kube_emulated': False}

    # -- processes ---------------------------------------------------------------------------------------

    def _spawn(self, name, command):
        log_path = os.path.join(self.directory, name + '.log')
        with open(log_path, 'wb') as log_file:
            process = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped by stop()
                command, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.processes.append((name, process))
        return process

    def _path(self, name):
        return os.path.join(self.directory, name)

    def _start_etcd(self):
        client, peer = free_port(), free_port()
        self.etcd_url = 'http://127.0.0.1:%d' % client
        peer_url = 'http://127.0.0.1:%d' % peer
        self._spawn('etcd', [
            self.etcd, '--name', 'test', '--data-dir', self._path('etcd'),
            '--listen-client-urls', self.etcd_url, '--advertise-client-urls', self.etcd_url,
            '--listen-peer-urls', peer_url, '--initial-advertise-peer-urls', peer_url,
            '--initial-cluster', 'test=' + peer_url, '--log-level', 'warn'])

    def _start_apiserver(self):
        _context, self.ca_path = create_server_context(self.directory, prefix='apiserver-')
        rsa_key_pair(self._path('sa.key'), self._path('sa.pub'))
        self.token, self.harness_token, manager_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32), \
            secrets.token_urlsafe(32)
        # static tokens: token,user,uid,"groups"; system:masters may do anything, as a cluster admin does.
        write_file(self._path('tokens.csv'), ''.join(','.join(entry) + '\n' for entry in (
            (self.token, ADMIN_USER, ADMIN_USER, '"system:masters"'),
            (self.harness_token, HARNESS_USER, HARNESS_USER, '"system:masters"'),
            # the bootstrap RBAC policy binds this user name to the controller-manager's role
            (manager_token, 'system:kube-controller-manager', 'system:kube-controller-manager'))))
        write_file(self._path('audit-policy.json'), json.dumps(AUDIT_POLICY))
        port = free_port()
        self.kube_url = 'https://127.0.0.1:%d' % port
        self._spawn('kube-apiserver', [
            os.path.join(self.bin_dir, 'kube-apiserver'),
            '--etcd-servers', self.etcd_url,
            '--bind-address', '127.0.0.1', '--secure-port', str(port), '--advertise-address', '127.0.0.1',
            '--cert-dir', self._path('apiserver-certs'),
            '--tls-cert-file', self._path('apiserver-server.pem'),
            '--tls-private-key-file', self._path('apiserver-server-key.pem'),
            '--token-auth-file', self._path('tokens.csv'),
            '--authorization-mode', 'RBAC',
            '--service-account-issuer', 'https://kubernetes.default.svc.cluster.local',
            '--service-account-key-file', self._path('sa.pub'),
            '--service-account-signing-key-file', self._path('sa.key'),
            '--service-cluster-ip-range', '10.0.0.0/24',
            # With a loopback advertise address the default reconciler logs about the kubernetes Endpoints forever.
            '--endpoint-reconciler-type', 'none',
            '--audit-policy-file', self._path('audit-policy.json'),
            '--audit-log-path', self._path('audit.log'), '--audit-log-format', 'json',
            '--audit-log-maxsize', '0',
            '--profiling=false',
        ])
        self.kubeconfig = write_file(self._path('kubeconfig'), json.dumps(
            kubeconfig(self.kube_url, self.ca_path, ADMIN_USER, self.token), indent=2) + '\n')
        write_file(self._path('controller-manager.kubeconfig'), json.dumps(
            kubeconfig(self.kube_url, self.ca_path, 'system:kube-controller-manager', manager_token)))

    def _start_controller_manager(self):
        self._spawn('kube-controller-manager', [
            os.path.join(self.bin_dir, 'kube-controller-manager'),
            '--kubeconfig', self._path('controller-manager.kubeconfig'),
            '--controllers', CONTROLLERS,
            # each controller acts as its own service account, with the RBAC roles a real cluster gives it
            '--use-service-account-credentials=true',
            '--service-account-private-key-file', self._path('sa.key'),
            '--root-ca-file', self.ca_path,
            '--leader-elect=false', '--bind-address', '127.0.0.1', '--secure-port', str(free_port()),
            '--cert-dir', self._path('controller-manager-certs'),
        ])

    def _check_alive(self):
        for name, process in self.processes:
            if process.poll() is not None:
                with open(self._path(name + '.log'), encoding='utf-8', errors='replace') as handle:
                    tail = handle.read()[-3000:]
                raise ControlPlaneError('%s exited with status %s:\n%s' % (name, process.returncode, tail))

    def _wait_for(self, condition, what):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                if condition():
                    return
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        raise ControlPlaneError('%s not there within %d seconds' % (what, START_TIMEOUT))

    def _wait_ready(self):
        self._wait_for(lambda: self.request('GET', '/readyz')[0] == 200, 'kube-apiserver /readyz')

    # -- API calls as the harness --------------------------------------------------------------------------

    def ssl_context(self):
        return ssl.create_default_context(cafile=self.ca_path)

    def request(self, method, path, body=None, content_type='application/json', token=None):
        """(status, decoded JSON body or None) of one API call, as the harness unless another token is given."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.kube_url + path, data=data, method=method, headers={
            'Authorization': 'Bearer ' + (token or self.harness_token), 'Content-Type': content_type, 'Accept': 'application/json'})
        try:
            with urllib.request.urlopen(request, context=self.ssl_context(), timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw.decode('utf-8', 'replace')

    def seed(self, payload):
        """Create namespaces, service accounts and secrets as /_emulator/seed does; (status, created or a Status)."""
        created = {}
        for key, collection in (('namespaces', '/api/v1/namespaces'), ('serviceaccounts', 'serviceaccounts'),
                                ('secrets', 'secrets')):
            for item in payload.get(key) or []:
                body = {'metadata': {'name': item}} if isinstance(item, str) else dict(item)
                path = collection if collection.startswith('/') else '/api/v1/namespaces/%s/%s' % (
                    body['metadata'].get('namespace', 'default'), collection)
                status, answer = self.request('POST', path, body)
                if status != 201:
                    return status, answer
                created.setdefault(key, []).append(answer)
                if key == 'namespaces':
                    name = answer['metadata']['name']
                    self._wait_for(lambda n=name: self.request(
                        'GET', '/api/v1/namespaces/%s/serviceaccounts/default' % n)[0] == 200,
                        'the default service account of namespace %s' % name)
        return 201, created


def kubeconfig(url, ca_path, user, token):
    return {
        'apiVersion': 'v1', 'kind': 'Config', 'preferences': {},
        'clusters': [{'name': 'kube-real', 'cluster': {'server': url, 'certificate-authority': ca_path}}],
        'users': [{'name': user, 'user': {'token': token}}],
        'contexts': [{'name': 'kube-real', 'context': {'cluster': 'kube-real', 'user': user, 'namespace': 'default'}}],
        'current-context': 'kube-real',
    }


class ControlServer:
    """HTTPS server of the control endpoints described in the module docstring."""

    def __init__(self, plane):
        # Signed by the apiserver's CA, so that tests trust both with the kubeconfig's certificate-authority.
        directory = os.path.join(plane.directory, 'control')
        os.makedirs(directory)
        for name in ('ca.pem', 'ca-key.pem'):
            shutil.copy(os.path.join(plane.directory, 'apiserver-' + name), os.path.join(directory, name))
        context, _ca = create_server_context(directory)
        handler = type('Handler', (ControlHandler,), {'plane': plane})
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = 'https://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def shutdown(self):
        self.server.shutdown()
        self.server.server_close()


class ControlHandler(http.server.BaseHTTPRequestHandler):
    plane = None

    def log_message(self, *_args):    # silent, like the emulator without --verbose
        pass

    def _answer(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _not_here(self):
        self._answer(501, {'error': '%s %s is emulator-only: a real control plane has no such control' % (
            self.command, self.path)})

    def do_GET(self):  # noqa: N802
        if self.path == '/_emulator/requests':
            return self._answer(200, self.plane.audit.entries())
        return self._not_here()

    def do_DELETE(self):  # noqa: N802
        if self.path == '/_emulator/requests':
            self.plane.audit.clear()
            return self._answer(200, [])
        return self._not_here()

    def do_POST(self):  # noqa: N802
        if self.path != '/_emulator/seed':
            return self._not_here()
        length = int(self.headers.get('Content-Length') or 0)
        try:
            payload = json.loads(self.rfile.read(length) or b'{}')
        except ValueError:
            return self._answer(400, {'error': 'body must be a JSON object'})
        unknown = set(payload) - {'namespaces', 'serviceaccounts', 'secrets'}
        if unknown:
            return self._answer(501, {'error': 'seeding %s is emulator-only' % ', '.join(sorted(unknown))})
        status, answer = self.plane.seed(payload)
        return self._answer(status, answer)


def main():
    parser = argparse.ArgumentParser(description='Run a real Kubernetes control plane on loopback.')
    parser.add_argument('--bin-dir', help='where kube-apiserver and kube-controller-manager are (default: %s)'
                        % default_bin_dir())
    options = parser.parse_args()
    # Only a flag in the handlers: Event.set() there could deadlock on the lock that the main thread holds inside
    # Event.wait() when the signal lands there.
    stop_requested = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stop_requested.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _frame: stop_requested.append(signum))
    try:
        with ControlPlane(options.bin_dir) as plane:
            sys.stdout.write(json.dumps(plane.details()) + '\n')
            sys.stdout.flush()
            while not stop_requested:
                time.sleep(0.5)
                plane._check_alive()  # pylint: disable=protected-access
    except ControlPlaneError as error:
        sys.stderr.write('ERROR: the Kubernetes control plane: %s\n' % error)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
