# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures for the registry tests: the seed guide's flows with the real OCI clients (crane, oras, helm, cosign).

The emulators, the staged collection and the playbook runs are the scenario tests' own (tests/scenarios/conftest.py,
loaded here under another module name so both directories keep a file called conftest.py). On top of them: the
clients `make oci-clients` built, each run with a private HOME and the docker config of one identity, and the
bootstrap playbook run with a vars file written by the test module, so every robot and pull secret a client uses
was made by the collection itself.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import subprocess
import tarfile

import pytest
import requests
import yaml

_SCENARIOS_CONFTEST = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'scenarios',
                                   'conftest.py')
_spec = importlib.util.spec_from_file_location('scenario_fixtures', _SCENARIOS_CONFTEST)
scenario_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(scenario_fixtures)

# The shared fixtures, re-exported so pytest finds them for this directory.
emulators = scenario_fixtures.emulators
collections_dir = scenario_fixtures.collections_dir

CLIENTS = ('crane', 'oras', 'helm', 'cosign')
# Where `make oci-clients` links the pinned clients; the Makefile passes its TOOLS_CACHE on.
CLIENTS_BIN = os.environ.get('OCI_CLIENTS_BIN') or os.path.join(
    os.environ.get('TOOLS_CACHE') or os.path.join(os.path.expanduser('~'), '.cache', 'cloudtemple-harbor'), 'bin')
IN_CI = os.environ.get('CI') == 'true'


def unavailable(reason):
    """In CI a missing prerequisite is a failure (the stage must not pass by testing nothing); locally a skip."""
    if IN_CI:
        pytest.fail('registry-tests: %s (CI=true, so this fails instead of skipping)' % reason, pytrace=False)
    pytest.skip(reason)


class ClientRun:
    """One client invocation: its exit status and its output (stdout then stderr), known secrets masked."""

    def __init__(self, command, completed, secrets):
        self.command = command
        self.returncode = completed.returncode
        self.stdout = mask(completed.stdout, secrets)
        self.output = mask(completed.stdout + completed.stderr, secrets)

    @property
    def ok(self):
        return self.returncode == 0

    def __repr__(self):
        return '%s -> %d\n%s' % (' '.join(self.command), self.returncode, self.output[-3000:])


def mask(text, secrets):
    for secret in secrets:
        if secret:
            text = text.replace(secret, '***')
    return text


class Identity:
    """Credentials as the clients read them: a directory holding a docker config.json (DOCKER_CONFIG)."""

    def __init__(self, name, directory, config, secrets=()):
        self.name = name
        self.directory = directory
        self.secrets = set(secrets)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, 'config.json')
        # 0600 like `docker login` leaves it: the file holds a robot secret.
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w', encoding='utf-8') as handle:
            json.dump(config, handle)

    def __repr__(self):
        return '<identity %s>' % self.name


class Clients:
    """Runs crane, oras, helm and cosign against the emulator's registry as a given identity."""

    def __init__(self, emulators, workdir):
        self.emulators = emulators
        self.workdir = str(workdir)
        self.registry = emulators.harbor_url.split('://', 1)[1]
        # Every client gets this HOME: helm's caches, cosign's TUF directory and oras' state stay out of the
        # user's own, and nothing the user logged into elsewhere is picked up.
        self.home = os.path.join(self.workdir, 'home')
        os.makedirs(self.home, exist_ok=True)
        self.secrets = {emulators.admin[1]}
        self.anonymous = Identity('anonymous', os.path.join(self.workdir, 'anonymous'), {'auths': {}})
        self.admin = self.identity('admin', *emulators.admin)

    def identity(self, name, username, password):
        """An identity that logs in with basic credentials, written the way `docker login` stores them."""
        auth = base64.b64encode(('%s:%s' % (username, password)).encode()).decode()
        self.secrets.update((password, auth))
        return Identity(name, os.path.join(self.workdir, name), {'auths': {self.registry: {'auth': auth}}},
                        secrets=(password, auth))

    def from_docker_config(self, name, dockerconfigjson):
        """An identity using a .dockerconfigjson exactly as a cluster stores it (the raw, decoded JSON text)."""
        config = json.loads(dockerconfigjson)
        for entry in config.get('auths', {}).values():
            self.secrets.update(value for key, value in entry.items() if key in ('password', 'auth') and value)
        return Identity(name, os.path.join(self.workdir, name), config)

    def ref(self, repository, reference=None):
        """<registry>/<repository>[:tag|@digest], as the clients take it."""
        if reference is None:
            return '%s/%s' % (self.registry, repository)
        return '%s/%s%s%s' % (self.registry, repository, '@' if reference.startswith('sha256:') else ':', reference)

    def run(self, client, *arguments, identity=None, env=None, cwd=None):
        identity = identity or self.anonymous
        command = [os.path.join(CLIENTS_BIN, client)] + list(arguments)
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith(('DOCKER_', 'HELM_', 'COSIGN_', 'ORAS_', 'SIGSTORE_', 'TUF_'))}
        environment.update(HOME=self.home, DOCKER_CONFIG=identity.directory,
                           # helm reads registry credentials from its own file first; point it at the identity's
                           HELM_REGISTRY_CONFIG=os.path.join(identity.directory, 'config.json'),
                           HELM_CACHE_HOME=os.path.join(self.home, 'helm-cache'),
                           HELM_CONFIG_HOME=os.path.join(self.home, 'helm-config'),
                           HELM_DATA_HOME=os.path.join(self.home, 'helm-data'),
                           NO_COLOR='1')
        environment.update(env or {})
        completed = subprocess.run(command, env=environment, cwd=cwd or self.workdir, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, timeout=300, check=False)
        return ClientRun([client] + list(arguments), completed, self.secrets | identity.secrets)

    # crane ---------------------------------------------------------------------------------------------------------

    def push_image(self, repository, tag, identity, content=None, size=None):
        """`crane append` a one-layer image (no base) built from a fresh tarball; return the ClientRun.

        `content` makes the layer distinct per call (so each push is a new artifact), `size` pads it with
        incompressible bytes (for the quota).
        """
        layer = os.path.join(self.workdir, 'layer-%s-%s.tar' % (repository.replace('/', '_'), tag))
        payload = (content or '%s:%s' % (repository, tag)).encode()
        if size:
            payload += os.urandom(max(0, size - len(payload)))
        with tarfile.open(layer, 'w') as archive:
            info = tarfile.TarInfo('hello.txt')
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
        return self.run('crane', 'append', '--insecure', '-f', layer, '-t', self.ref(repository, tag),
                        identity=identity)

    def pull(self, repository, reference, identity):
        """`crane pull` (manifest, config and layers) into a scratch tarball."""
        target = os.path.join(self.workdir, 'pulled.tar')
        run = self.run('crane', 'pull', '--insecure', self.ref(repository, reference), target, identity=identity)
        if os.path.exists(target):
            os.remove(target)
        return run

    def digest(self, repository, reference, identity):
        run = self.run('crane', 'digest', '--insecure', self.ref(repository, reference), identity=identity)
        assert run.ok, run
        return run.stdout.strip()


@pytest.fixture(scope='session')
def clients_built():
    """The four clients exist where `make oci-clients` puts them."""
    missing = [client for client in CLIENTS if not os.access(os.path.join(CLIENTS_BIN, client), os.X_OK)]
    if missing:
        unavailable('%s not found in %s: run `make oci-clients` (needs Go) first' % (', '.join(missing), CLIENTS_BIN))


@pytest.fixture(scope='module')
def clients(clients_built, emulators, tmp_path_factory):  # pylint: disable=redefined-outer-name,unused-argument
    """The clients, once the emulator's registry answers (it is a child process that may be missing)."""
    response = requests.get(emulators.harbor_url + '/v2/', timeout=10, verify=emulators.harbor_ca or True)
    if response.status_code == 503:
        unavailable("the Harbor emulator has no registry (/v2/ answered 503: %s); Debian's docker-registry "
                    "package provides it" % response.text.strip()[:200])
    return Clients(emulators, tmp_path_factory.mktemp('oci-clients'))


class World:
    """What the bootstrap playbook built: the CI identities per project, and the cluster's pull secrets."""

    def __init__(self, emulators, clients, collections_dir, workdir):  # pylint: disable=redefined-outer-name
        self.emulators = emulators
        self.clients = clients
        self.collections_dir = collections_dir
        self.workdir = str(workdir)
        self.credentials_dir = os.path.join(self.workdir, 'ci-credentials')

    def bootstrap(self, projects, environments):
        """Run playbooks/bootstrap.yml with these bootstrap_projects and bootstrap_environments."""
        vars_file = os.path.join(self.workdir, 'bootstrap-vars.yml')
        with open(vars_file, 'w', encoding='utf-8') as handle:
            yaml.safe_dump({'bootstrap_projects': projects, 'bootstrap_environments': environments,
                            'bootstrap_ci_credentials_dir': self.credentials_dir}, handle)
        completed = subprocess.run(
            [scenario_fixtures.ANSIBLE_PLAYBOOK, '-i', scenario_fixtures.INVENTORY,
             os.path.join(scenario_fixtures.REPO_ROOT, 'playbooks', 'bootstrap.yml'), '-e', '@' + vars_file],
            env=scenario_fixtures.ansible_environment(self.emulators, self.collections_dir),
            cwd=scenario_fixtures.REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        assert completed.returncode == 0, mask(completed.stdout[-3000:], self.clients.secrets)

    def tasks(self, name, tasks, env=None):
        """Run a generated one-play playbook of collection tasks (connection from the environment, `env` added)."""
        directory = os.path.join(self.workdir, name)
        os.makedirs(directory, exist_ok=True)
        path = scenario_fixtures.write_playbook(directory, [
            {'name': name, 'hosts': 'localhost', 'gather_facts': False, 'tasks': tasks}])
        run = scenario_fixtures.run_generated(path, self.emulators, self.collections_dir, env=env)
        assert run.returncode == 0, mask(run.output[-3000:], self.clients.secrets)
        return run

    def ci_credentials(self, project):
        """(username, password) of the CI robot of `project`, from the credentials file the bootstrap wrote."""
        with open(os.path.join(self.credentials_dir, '%s-ci-push.json' % project), encoding='utf-8') as handle:
            stored = json.load(handle)
        return stored['username'], stored['password']

    def ci(self, project):
        """The CI robot of `project` (the bootstrap's `push` preset robot), as a client identity."""
        return self.clients.identity('ci-' + project, *self.ci_credentials(project))

    def pull_secret(self, namespace, secret='harbor-pull-secret'):
        """The identity of a pull secret, decoded from the Secret exactly as the cluster holds it."""
        response = self.emulators.kube('GET', '/api/v1/namespaces/%s/secrets/%s' % (namespace, secret))
        assert response.status_code == 200, response.text
        stored = response.json()
        assert stored['type'] == 'kubernetes.io/dockerconfigjson'
        return self.clients.from_docker_config('pull-%s-%s' % (namespace, secret),
                                               base64.b64decode(stored['data']['.dockerconfigjson']).decode())

    # Harbor's view -------------------------------------------------------------------------------------------------

    def artifacts(self, project, repository, **params):
        """The artifacts of a repository, as Harbor's API lists them (admin)."""
        params.setdefault('with_tag', 'true')
        response = self.emulators.harbor('GET', '/projects/%s/repositories/%s/artifacts' % (
            project, repository.replace('/', '%252F')), params=params)
        assert response.status_code == 200, response.text
        return response.json()

    def artifact(self, project, repository, reference, **params):
        response = self.emulators.harbor('GET', '/projects/%s/repositories/%s/artifacts/%s' % (
            project, repository.replace('/', '%252F'), reference), params=params)
        return response

    def tags(self, project, repository):
        """{tag: digest} of a repository, from Harbor's API."""
        return {tag['name']: artifact['digest'] for artifact in self.artifacts(project, repository)
                for tag in artifact.get('tags') or []}


@pytest.fixture(scope='module')
def world(emulators, clients, collections_dir, tmp_path_factory):  # pylint: disable=redefined-outer-name
    return World(emulators, clients, collections_dir, tmp_path_factory.mktemp('registry-world'))
