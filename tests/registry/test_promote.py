# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Promotion to production by digest (playbooks/promote.yml), and Helm charts in their own project.

CI pushes with crane and signs with cosign by digest, Harbor scans on push; the promote playbook checks the scan, the
signature (cosign verify with the public key) and copies the digest into payments-prod, then points the Deployment
of the prod namespace at it. In order: the happy path, a re-run that writes nothing, the refusals (unsigned; a High
finding at promote_max_severity medium, until that CVE is allowlisted; both at once), then helm push and pull with
the bootstrap's robots.
"""

from __future__ import annotations

import os
import subprocess

import pytest
import yaml

from conftest import CLIENTS_BIN, mask, scenario_fixtures
from test_cosign import OFFLINE_SIGN, OFFLINE_VERIFY, PLAIN_HTTP, key_pair
from test_scanning import HIGH_CVE, push, settled

PROJECTS = [
    {'name': 'payments', 'auto_scan': True, 'prevent_vulnerable': False, 'content_trust_cosign': True},
    {'name': 'payments-prod', 'auto_scan': True, 'prevent_vulnerable': True, 'severity': 'high',
     'content_trust_cosign': True},
    {'name': 'payments-charts', 'charts': True, 'auto_scan': False, 'prevent_vulnerable': False,
     'content_trust_cosign': False},
]
ENVIRONMENTS = [
    # two projects: the secrets are harbor-payments-prod and harbor-payments-charts
    {'name': 'prod', 'projects': ['payments-prod', 'payments-charts'], 'namespaces': ['payments-prod'],
     'create_namespace': True, 'service_accounts': ['default']},
]
CLEAN = (('bash', '5.2.15-2+b2'), ('libfixture-high', '1.2.0-1'))
VULNERABLE = (('bash', '5.2.15-2+b2'), ('libfixture-high', '1.1.0-1'))
DEPLOYMENTS = '/apis/apps/v1/namespaces/payments-prod/deployments'


@pytest.fixture(scope='module')
def setup(world):
    world.bootstrap(PROJECTS, ENVIRONMENTS)
    return world


@pytest.fixture(scope='module')
def ci(setup):
    return setup.ci('payments')


@pytest.fixture(scope='module')
def signing_key(clients):
    return key_pair(clients, 'promote-key')


def sign(clients, identity, repository, digest, signing_key):
    private_key, _public_key, password = signing_key
    run = clients.run('cosign', 'sign', '--key', private_key, '--yes', *(OFFLINE_SIGN + PLAIN_HTTP),
                      clients.ref(repository, digest), identity=identity, env={'COSIGN_PASSWORD': password})
    assert run.ok, run


def deployment(clients, name, image):
    return {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': name},
            'spec': {'selector': {'matchLabels': {'app': name}},
                     'template': {'metadata': {'labels': {'app': name}},
                                  'spec': {'containers': [{'name': name, 'image': clients.ref(image[0], image[1])},
                                                          {'name': 'proxy', 'image': 'envoyproxy/envoy:v1.31'}]}}}}


class Promotion:
    """One run of playbooks/promote.yml: exit status, output (secrets masked), changed count."""

    def __init__(self, completed, secrets):
        self.returncode = completed.returncode
        self.output = mask(completed.stdout, secrets)
        recaps = scenario_fixtures.RECAP_LINE.findall(self.output)
        self.changed = sum(int(changed) for _host, changed, _failed in recaps)

    def __repr__(self):
        return self.output[-4000:]


def promote(setup, clients, ci, signing_key, name, source, *extra, **variables):
    """Run playbooks/promote.yml as the admin (HARBOR_*), verifying signatures with the CI robot's credentials."""
    settings = {
        'promote_source': source, 'promote_target_project': 'payments-prod',
        'promote_cosign_public_key': signing_key[1],
        'promote_cosign_command': os.path.join(CLIENTS_BIN, 'cosign'),
        'promote_cosign_verify_args': list(OFFLINE_VERIFY + PLAIN_HTTP),
        'promote_cosign_environment': {'DOCKER_CONFIG': ci.directory, 'HOME': clients.home},
        'promote_deployments': [{'namespace': 'payments-prod', 'name': 'api', 'container': 'api'}],
    }
    settings.update(variables)
    vars_file = os.path.join(setup.workdir, 'promote-%s.yml' % name)
    with open(vars_file, 'w', encoding='utf-8') as handle:
        yaml.safe_dump(settings, handle)
    completed = subprocess.run(
        [scenario_fixtures.ANSIBLE_PLAYBOOK, '-i', scenario_fixtures.INVENTORY,
         os.path.join(scenario_fixtures.REPO_ROOT, 'playbooks', 'promote.yml'), '-e', '@' + vars_file] + list(extra),
        env=scenario_fixtures.ansible_environment(setup.emulators, setup.collections_dir),
        cwd=scenario_fixtures.REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    return Promotion(completed, clients.secrets)


@pytest.fixture(scope='module')
def released(setup, clients, ci, signing_key):
    """payments/api:2.3.4, clean, signed by digest, scanned; the prod Deployment still runs 2.3.3 by tag."""
    digest = push(clients, ci, 'payments/api', '2.3.4', *CLEAN)
    sign(clients, ci, 'payments/api', digest, signing_key)
    settled(setup, 'payments', 'api', digest)
    response = setup.emulators.kube('POST', DEPLOYMENTS, json=deployment(clients, 'api', ('payments-prod/api', '2.3.3')))
    assert response.status_code == 201, response.text
    return digest


def prod_images(setup, name='api'):
    response = setup.emulators.kube('GET', DEPLOYMENTS + '/' + name)
    assert response.status_code == 200, response.text
    body = response.json()
    return {container['name']: container['image'] for container in body['spec']['template']['spec']['containers']}, \
        body['metadata']['generation']


def test_check_mode_says_what_would_be_promoted_and_writes_nothing(setup, clients, ci, signing_key, released):
    setup.emulators.clear_logs()
    run = promote(setup, clients, ci, signing_key, 'check', 'payments/api:2.3.4', '--check')
    assert run.returncode == 0, run
    assert 'Would promote payments/api:2.3.4 (%s) to payments-prod/api' % released in run.output, run
    assert 'would roll out %s/payments-prod/api@%s to payments-prod/api' % (clients.registry, released) in run.output
    assert setup.emulators.writes() == []
    assert setup.artifact('payments-prod', 'api', released).status_code == 404


def test_promotion_copies_the_digest_and_rolls_it_out(setup, clients, ci, signing_key, released):
    run = promote(setup, clients, ci, signing_key, 'release', 'payments/api:2.3.4')
    assert run.returncode == 0, run
    assert 'Promoted payments/api:2.3.4 (%s)' % released in run.output, run

    copied = setup.artifacts('payments-prod', 'api', with_accessory='true')
    assert [artifact['digest'] for artifact in copied] == [released]
    # the source's tag and its cosign signature came along, so the enforcing prod project serves it
    assert [tag['name'] for tag in copied[0]['tags']] == ['2.3.4']
    assert [accessory['type'] for accessory in copied[0]['accessories']] == ['signature.cosign']
    images, generation = prod_images(setup)
    assert images == {'api': '%s/payments-prod/api@%s' % (clients.registry, released),
                      'proxy': 'envoyproxy/envoy:v1.31'}
    assert generation == 2
    # what the cluster will pull: the prod pull secret pulls the promoted digest, once the prod project's scan on
    # push of the copy is over (a project that prevents vulnerable images refuses the pull of one being scanned)
    settled(setup, 'payments-prod', 'api', released)
    pulled = clients.pull('payments-prod/api', released, setup.pull_secret('payments-prod', 'harbor-payments-prod'))
    assert pulled.ok, pulled


def test_a_second_promotion_changes_nothing_and_writes_nothing(setup, clients, ci, signing_key, released):
    setup.emulators.clear_logs()
    run = promote(setup, clients, ci, signing_key, 'again', 'payments/api:2.3.4')
    assert run.returncode == 0 and run.changed == 0, run
    assert '(already there)' in run.output and 'no deployment (every one listed is up to date)' in run.output, run
    assert setup.emulators.writes() == []
    assert prod_images(setup)[1] == 2


def test_an_unsigned_image_is_refused(setup, clients, ci, signing_key, released):  # pylint: disable=unused-argument
    digest = push(clients, ci, 'payments/api', '2.3.5', *CLEAN)
    settled(setup, 'payments', 'api', digest)
    setup.emulators.clear_logs()
    run = promote(setup, clients, ci, signing_key, 'unsigned', 'payments/api:2.3.5')
    assert run.returncode != 0, run
    assert 'Refusing to promote payments/api:2.3.5 (%s) to payments-prod/api: signature: no cosign signature' % digest \
        in run.output, run
    assert 'scan:' not in run.output.split('Refusing to promote', 1)[1], run
    assert setup.emulators.writes() == []
    assert prod_images(setup)[0]['api'].endswith(released)


def test_a_high_finding_is_refused_at_medium_until_allowlisted(setup, clients, ci, signing_key, released):
    digest = push(clients, ci, 'payments/api', '2.4.0', *VULNERABLE)
    sign(clients, ci, 'payments/api', digest, signing_key)
    settled(setup, 'payments', 'api', digest)
    run = promote(setup, clients, ci, signing_key, 'vulnerable', 'payments/api:2.4.0', promote_max_severity='medium')
    assert run.returncode != 0, run
    refusal = run.output.split('Refusing to promote', 1)[1]
    assert 'scan: ' in refusal and HIGH_CVE in refusal and 'signature:' not in refusal, run
    assert prod_images(setup)[0]['api'].endswith(released)

    setup.tasks('allowlist the CVE', [{'name': 'Allowlist the High CVE', 'cloudtemple.harbor.harbor_project': {
        'name': 'payments', 'cve_allowlist': [HIGH_CVE]}}])
    run = promote(setup, clients, ci, signing_key, 'allowlisted', 'payments/api:2.4.0', promote_max_severity='medium')
    assert run.returncode == 0, run
    assert prod_images(setup)[0]['api'] == '%s/payments-prod/api@%s' % (clients.registry, digest)


def test_a_refusal_names_every_failed_check(setup, clients, ci, signing_key):
    digest = push(clients, ci, 'payments/api', '2.5.0', *VULNERABLE)
    settled(setup, 'payments', 'api', digest)
    setup.tasks('empty the allowlist', [{'name': 'Empty the allowlist', 'cloudtemple.harbor.harbor_project': {
        'name': 'payments', 'cve_allowlist': []}}])
    run = promote(setup, clients, ci, signing_key, 'everything', 'payments/api@' + digest, promote_require_sbom=True)
    assert run.returncode != 0, run
    refusal = run.output.split('Refusing to promote', 1)[1]
    assert 'scan: ' in refusal and HIGH_CVE in refusal, run
    assert 'signature: no cosign signature' in refusal and 'sbom: no SBOM' in refusal, run
    # each check turned off: nothing left to refuse
    run = promote(setup, clients, ci, signing_key, 'unchecked', 'payments/api@' + digest, '--check',
                  promote_require_scan=False, promote_require_signature=False, promote_cosign_public_key=None)
    assert run.returncode == 0, run
    assert 'Would promote payments/api@%s' % digest in run.output, run


def test_a_wrong_key_fails_the_signature_verification(setup, clients, ci, signing_key, released):
    _private, other_public, _password = key_pair(clients, 'promote-other-key')
    run = promote(setup, clients, ci, signing_key, 'other-key', 'payments/api:2.3.4', promote_cosign_public_key=other_public)
    assert run.returncode != 0, run
    assert 'signature: cosign verify --key %s refused it' % other_public in run.output, run
    assert setup.artifact('payments', 'api', released).status_code == 200


def test_helm_push_and_pull_in_the_charts_project_with_the_bootstraps_robots(setup, clients):
    charts = os.path.join(clients.workdir, 'promote-charts')
    os.makedirs(charts)
    for arguments in (('create', 'payments'), ('package', 'payments')):
        run = clients.run('helm', *arguments, cwd=charts)
        assert run.ok, run
    pushed = clients.run('helm', 'push', os.path.join(charts, 'payments-0.1.0.tgz'),
                         'oci://%s/payments-charts/charts' % clients.registry, '--plain-http',
                         identity=setup.ci('payments-charts'))
    assert pushed.ok, pushed
    artifacts = setup.artifacts('payments-charts', 'charts/payments')
    assert [(artifact['type'], [tag['name'] for tag in artifact['tags']]) for artifact in artifacts] == [
        ('CHART', ['0.1.0'])]
    puller = setup.pull_secret('payments-prod', 'harbor-payments-charts')
    os.makedirs(os.path.join(charts, 'pulled'))
    pulled = clients.run('helm', 'pull', 'oci://%s/payments-charts/charts/payments' % clients.registry,
                         '--version', '0.1.0', '--plain-http', '--destination', os.path.join(charts, 'pulled'),
                         identity=puller)
    assert pulled.ok, pulled
    assert os.listdir(os.path.join(charts, 'pulled')) == ['payments-0.1.0.tgz']
    # the pull robot may not push
    refused = clients.run('helm', 'push', os.path.join(charts, 'payments-0.1.0.tgz'),
                          'oci://%s/payments-charts/charts' % clients.registry, '--plain-http', identity=puller)
    assert not refused.ok, refused
