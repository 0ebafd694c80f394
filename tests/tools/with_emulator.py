# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command while the Harbor API emulator is serving, then stop the emulator.

Usage: <venv>/bin/python tests/tools/with_emulator.py [--integration-config PATH] [--behind-proxy]
       [--kube emulator|real|kubeconfig] -- COMMAND...

The emulator (tests/emulator/run.py, run with this interpreter) prints one JSON object as its first
line on stdout, with harbor_url, username and password and, when it also fakes a Kubernetes API,
kubeconfig and kube_url. The command runs with those values in its environment:

    HARBOR_URL, HARBOR_USERNAME, HARBOR_PASSWORD     always
    KUBECONFIG, K8S_AUTH_KUBECONFIG                  when the emulator gives a kubeconfig
    EMULATOR_KUBE_URL                                when the emulator gives a kube_url
    KUBE_CONTROL_URL, KUBE_EMULATED                  where /_emulator/requests (and /_emulator/seed) of the
                                                     Kubernetes API answer, and whether it is the emulator

--kube real (default: $TEST_KUBE, else emulator) puts a real control plane (tests/kube/control_plane.py: etcd,
kube-apiserver, kube-controller-manager) in the Kubernetes emulator's place; Harbor stays the emulator. The
kubeconfig and kube_url are then the real apiserver's, and kube_control_url serves its audit log as the same
request log, so "was anything written to the cluster" is asked the same way of both. --kube kubeconfig leaves the
Kubernetes side to the cluster K8S_AUTH_KUBECONFIG (or KUBECONFIG) already names, yours: the emulator's Kubernetes
details are then not passed on (the molecule scenarios and playbooks need nothing else; the integration targets run
against your cluster with make acceptance, which passes K8S_AUTH_KUBECONFIG on to them).

With --integration-config, the same values are also written to PATH as the variables
harbor_url, harbor_username, harbor_password, emulator_kubeconfig, emulator_kube_url, kube_control_url and
kube_emulated (those present), the file ansible-test integration reads, with harbor_emulator: true, which
lets the targets use the emulator's control endpoints (/_emulator/...).

With --behind-proxy, the command sees Harbor only through tests/tools/reverse_proxy.py, which forwards
/api/, /v2/ and /service/ and nothing else: HARBOR_URL is the proxy's address, and no Kubernetes
variable is set (so the command treats it as a real Harbor without a cluster). As a real Harbor
behind a proxy has its external_url set to the proxy's address, the emulator is started with
--external-url, so the addresses it hands out (/systeminfo, the registry's token realm) name the
proxy. EMULATOR_SEED_URL is the emulator's own address, for the one fallback that needs it:
seeding images while the emulator has no registry to push them to.

HARBOR_SECRET_RECORDS, unless already set, names a file in a temporary directory removed with the emulator.

The emulator is stopped with SIGTERM however the command ends (also on Ctrl-C), and this script
exits with the command's status. The emulator's own output goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading

TOOLS = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(TOOLS)
EMULATOR = os.path.join(TESTS, 'emulator', 'run.py')
REVERSE_PROXY = os.path.join(TOOLS, 'reverse_proxy.py')
CONTROL_PLANE = os.path.join(TESTS, 'kube', 'control_plane.py')
START_TIMEOUT = 120
STOP_TIMEOUT = 15

# emulator JSON field -> (environment variables, integration_config.yml variable)
FIELDS = {
    'harbor_url': (('HARBOR_URL',), 'harbor_url'),
    'username': (('HARBOR_USERNAME',), 'harbor_username'),
    'password': (('HARBOR_PASSWORD',), 'harbor_password'),
    'kubeconfig': (('KUBECONFIG', 'K8S_AUTH_KUBECONFIG'), 'emulator_kubeconfig'),
    'kube_url': (('EMULATOR_KUBE_URL',), 'emulator_kube_url'),
    'kube_control_url': (('KUBE_CONTROL_URL',), 'kube_control_url'),
    'kube_emulated': (('KUBE_EMULATED',), 'kube_emulated'),
}
REQUIRED = ('harbor_url', 'username', 'password')
REQUIRED_REAL = ('kube_url', 'kubeconfig', 'kube_control_url')


class EmulatorError(Exception):
    """The emulator did not start as expected."""


def read_first_line(process):
    """The first stdout line of process, waiting at most START_TIMEOUT seconds."""
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    if not selector.select(timeout=START_TIMEOUT):
        raise EmulatorError('printed nothing within %d seconds' % START_TIMEOUT)
    line = process.stdout.readline()
    if not line:
        raise EmulatorError('exited with status %s before printing its connection details' % process.wait())
    return line


def forward_rest(stream):
    """Copy the emulator's remaining stdout to stderr, so its pipe never fills up."""
    for line in stream:
        sys.stderr.write(line)
    stream.close()


def start_emulator(script=EMULATOR, required=REQUIRED, arguments=()):
    """Start the emulator (or another server printing its details first) and return (process, connection details)."""
    if not os.path.isfile(script):
        raise EmulatorError('%s does not exist yet' % os.path.relpath(script))
    process = subprocess.Popen(  # pylint: disable=consider-using-with  # stopped by stop_emulator()
        [sys.executable, script] + list(arguments), stdout=subprocess.PIPE, text=True, start_new_session=True,
    )
    try:
        line = read_first_line(process)
        try:
            details = json.loads(line)
        except ValueError:
            raise EmulatorError('first line is not JSON: %r' % line[:200]) from None
        missing = [field for field in required if not details.get(field)]
        if missing:
            raise EmulatorError('connection details lack %s: %r' % (', '.join(missing), sorted(details)))
    except BaseException:
        stop_emulator(process)
        raise
    threading.Thread(target=forward_rest, args=(process.stdout,), daemon=True).start()
    return process, details


def free_port():
    """A loopback port free now, for the proxy, whose address the emulator must know before it starts.

    It is taken below the kernel's ephemeral range: the emulator's own servers and children (registry, scanner,
    Kubernetes API) ask the kernel for free ports while it starts, and could otherwise be given this one before
    the proxy binds it.
    """
    low = 20000
    try:
        with open('/proc/sys/net/ipv4/ip_local_port_range', encoding='ascii') as handle:
            low = min(low, int(handle.read().split()[0]) - 1000)
    except (OSError, ValueError, IndexError):
        pass
    for port in random.sample(range(low - 10000, low), 200):
        with socket.socket() as probe:
            try:
                probe.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise EmulatorError('found no free loopback port for the reverse proxy')


def start_proxy(details, port):
    """Start the reverse proxy in front of the emulator's Harbor; return (process, the proxy's URL)."""
    arguments = ['--upstream', details['harbor_url'], '--port', str(port)]
    if details.get('ca_path'):
        arguments += ['--upstream-ca', details['ca_path']]
    process, proxy = start_emulator(REVERSE_PROXY, ('url',), arguments)
    return process, proxy['url']


def behind_proxy(details, proxy_url):
    """The details a client of the proxy gets: Harbor at the proxy's address, no Kubernetes."""
    hidden = dict((field, value) for field, value in details.items() if field in REQUIRED)
    hidden['harbor_url'] = proxy_url
    return hidden


def stop_emulator(process):
    """SIGTERM the emulator's process group, SIGKILL it if it does not go in time."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def write_integration_config(path, details):
    """Write the ansible-test integration variables (JSON is valid YAML)."""
    variables = {FIELDS[field][1]: value for field, value in details.items()
                 if field in FIELDS and value is not None and value != ''}
    variables['harbor_emulator'] = True
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as config_file:
        json.dump(variables, config_file, indent=2, sort_keys=True)
        config_file.write('\n')


def command_environment(details):
    """os.environ plus the connection details."""
    environment = dict(os.environ)
    for field, value in details.items():
        if field in FIELDS and value is not None and value != '':
            for name in FIELDS[field][0]:
                environment[name] = str(value).lower() if isinstance(value, bool) else str(value)
    return environment


def raise_keyboard_interrupt(signum, frame):
    """Turn SIGTERM into the same clean shutdown as Ctrl-C."""
    raise KeyboardInterrupt('signal %d' % signum)


def main():
    """Start the emulator, run the command, stop the emulator, exit with the command's status."""
    parser = argparse.ArgumentParser(description='Run a command against the Harbor API emulator.')
    parser.add_argument('--integration-config', metavar='PATH',
                        help='also write the details as ansible-test integration variables to PATH')
    parser.add_argument('--behind-proxy', action='store_true',
                        help='show the command Harbor only through tests/tools/reverse_proxy.py')
    parser.add_argument('--kube', choices=('emulator', 'real', 'kubeconfig'), default=os.environ.get('TEST_KUBE') or 'emulator',
                        help='the Kubernetes API: the emulator, a real control plane on loopback, or the cluster '
                             'of $K8S_AUTH_KUBECONFIG (default: $TEST_KUBE, else emulator)')
    parser.add_argument('command', nargs=argparse.REMAINDER, help='the command to run, after --')
    options = parser.parse_args()
    command = options.command[1:] if options.command[:1] == ['--'] else options.command
    if not command:
        parser.error('no command given')

    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    proxy_port = free_port() if options.behind_proxy else None
    try:
        # --scanner: like most Harbor installations (Trivy), the emulator gets a default scanner, which
        # harbor_scan_all_schedule needs.
        process, details = start_emulator(arguments=['--scanner'] + (
            ['--external-url', 'http://127.0.0.1:%s' % proxy_port] if proxy_port else []))
    except EmulatorError as error:
        print('ERROR: the Harbor emulator %s' % error, file=sys.stderr)
        return 1
    processes = [process]
    if options.kube == 'kubeconfig':
        if not (os.environ.get('K8S_AUTH_KUBECONFIG') or os.environ.get('KUBECONFIG')):
            stop_emulator(process)
            print('ERROR: --kube kubeconfig needs K8S_AUTH_KUBECONFIG (or KUBECONFIG) naming your cluster',
                  file=sys.stderr)
            return 2
        for field in ('kubeconfig', 'kube_url'):
            details.pop(field, None)
        os.environ.setdefault('K8S_AUTH_KUBECONFIG', os.environ.get('KUBECONFIG', ''))
        details['kube_emulated'] = False
    elif details.get('kube_url'):
        details.update(kube_control_url=details['kube_url'], kube_emulated=True)
    if options.kube == 'real':
        try:
            real, real_details = start_emulator(CONTROL_PLANE, REQUIRED_REAL)
        except (EmulatorError, KeyboardInterrupt) as error:
            stop_emulator(process)
            print('ERROR: the Kubernetes control plane %s' % error, file=sys.stderr)
            return 1
        processes.append(real)
        details.update(real_details)
    kube = {'emulator': details.get('kube_url') or 'none', 'real': '%s, a real kube-apiserver' % details.get('kube_url'),
            'kubeconfig': 'the cluster of %s' % os.environ.get('K8S_AUTH_KUBECONFIG')}[options.kube]
    print('Harbor emulator serving %s (kubernetes: %s)' % (details['harbor_url'], kube), flush=True)

    proxy = None
    # harbor_robot's records of proven secrets (module_utils/secret_records.py) name robots of this emulator only:
    # they live and go with it, instead of piling up in the user's cache (unless the caller chose a place).
    records = tempfile.TemporaryDirectory(prefix='harbor-secret-records-')
    try:
        environment = command_environment(details)
        environment.setdefault('HARBOR_SECRET_RECORDS', os.path.join(records.name, 'robots.json'))
        if options.behind_proxy:
            proxy, proxy_url = start_proxy(details, proxy_port)
            print('Reverse proxy serving %s in front of it (/api/, /v2/, /service/ only)' % proxy_url, flush=True)
            environment = command_environment(behind_proxy(details, proxy_url))
            for names, _variable in FIELDS.values():
                for name in names:
                    if name not in ('HARBOR_URL', 'HARBOR_USERNAME', 'HARBOR_PASSWORD'):
                        environment.pop(name, None)
            environment['EMULATOR_SEED_URL'] = details['harbor_url']
        if options.integration_config:
            write_integration_config(options.integration_config, details)
        with subprocess.Popen(command, env=environment) as child:
            try:
                return child.wait()
            except KeyboardInterrupt:
                child.send_signal(signal.SIGINT)
                child.wait()
                return 130
    except EmulatorError as error:
        print('ERROR: the reverse proxy %s' % error, file=sys.stderr)
        return 1
    finally:
        if proxy is not None:
            stop_emulator(proxy)
        for running in reversed(processes):
            stop_emulator(running)
        records.cleanup()


if __name__ == '__main__':
    sys.exit(main())
