# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The seed guide's daily flows with real clients: CI pushes with crane, the cluster's pull secret pulls, immutable
tags hold, Helm charts go over OCI, and an SBOM is attached with oras.

The tests build on each other in order, like a pipeline's first day: push, pull, re-push, chart, SBOM.
"""

from __future__ import annotations

import json
import os

import pytest

PROJECTS = [
    # the guide's private project: semantic version tags are immutable; no cosign enforcement (see test_cosign.py)
    {'name': 'payments', 'public': False, 'auto_scan': False, 'prevent_vulnerable': False,
     'content_trust_cosign': False, 'immutable_rules': [{'tags': {'matching': '{v,}[0-9]*.[0-9]*.[0-9]*'}}]},
    {'name': 'base-images', 'public': True, 'auto_scan': False, 'prevent_vulnerable': False},
]
ENVIRONMENTS = [
    {'name': 'dev', 'projects': ['payments'], 'namespaces': ['payments-dev'], 'create_namespace': True,
     'service_accounts': ['default']},
]


@pytest.fixture(scope='module')
def setup(world):
    world.bootstrap(PROJECTS, ENVIRONMENTS)
    return world


@pytest.fixture(scope='module')
def ci(setup):
    return setup.ci('payments')


@pytest.fixture(scope='module')
def puller(setup):
    return setup.pull_secret('payments-dev')


@pytest.fixture(scope='module')
def pushed(setup, clients, ci):
    """payments/api:1.0.0 pushed by the CI robot; its digest as crane reported it."""
    run = clients.push_image('payments/api', '1.0.0', ci)
    assert run.ok, run
    # crane append prints the pushed image by digest
    reference = run.stdout.strip().splitlines()[-1]
    assert reference.startswith(clients.ref('payments/api') + '@sha256:'), run
    return reference.split('@', 1)[1]


def test_the_ci_robot_pushes_an_image_listed_with_its_digest_and_tag(setup, clients, ci, pushed):
    assert ci.name == 'ci-payments'
    artifacts = setup.artifacts('payments', 'api')
    assert [artifact['digest'] for artifact in artifacts] == [pushed]
    artifact = artifacts[0]
    assert [tag['name'] for tag in artifact['tags']] == ['1.0.0']
    assert artifact['type'] == 'IMAGE'
    assert artifact['manifest_media_type'] in ('application/vnd.oci.image.manifest.v1+json',
                                               'application/vnd.docker.distribution.manifest.v2+json')
    # the registry itself resolves the tag to the same digest
    assert clients.digest('payments/api', '1.0.0', ci) == pushed


def test_the_pull_secret_as_the_cluster_holds_it_pulls_the_image(setup, clients, puller, pushed):
    with open(os.path.join(puller.directory, 'config.json'), encoding='utf-8') as handle:
        auths = json.load(handle)['auths']
    assert list(auths) == [clients.registry]
    assert [entry.get('username') for entry in auths.values()] == ['robot$payments+pull-dev']
    run = clients.pull('payments/api', '1.0.0', puller)
    assert run.ok, run
    run = clients.pull('payments/api', pushed, puller)
    assert run.ok, run


def test_the_pull_robot_cannot_push(setup, clients, puller, pushed):  # pylint: disable=unused-argument
    run = clients.push_image('payments/api', 'from-the-cluster', puller)
    assert not run.ok, run
    assert 'UNAUTHORIZED' in run.output, run
    assert 'from-the-cluster' not in setup.tags('payments', 'api')


def test_anonymous_pulls_private_refused_public_accepted(setup, clients, pushed):  # pylint: disable=unused-argument
    run = clients.pull('payments/api', '1.0.0', clients.anonymous)
    assert not run.ok, run
    assert 'UNAUTHORIZED' in run.output, run

    run = clients.push_image('base-images/alpine', '3.20', setup.ci('base-images'))
    assert run.ok, run
    run = clients.pull('base-images/alpine', '3.20', clients.anonymous)
    assert run.ok, run
    # public means readable by anyone, not writable
    run = clients.push_image('base-images/alpine', 'anonymous', clients.anonymous)
    assert not run.ok, run
    assert 'anonymous' not in setup.tags('base-images', 'alpine')


def test_an_immutable_tag_cannot_be_pushed_again(setup, clients, ci, pushed):
    run = clients.push_image('payments/api', '1.0.0', ci, content='another build of 1.0.0')
    assert not run.ok, run
    assert setup.tags('payments', 'api')['1.0.0'] == pushed
    assert clients.digest('payments/api', '1.0.0', ci) == pushed

    # a tag the rule does not match moves, so the refusal above is the rule at work
    first = clients.push_image('payments/api', 'latest', ci, content='build 1')
    second = clients.push_image('payments/api', 'latest', ci, content='build 2')
    assert first.ok and second.ok, (first, second)
    assert setup.tags('payments', 'api')['latest'] == second.stdout.strip().split('@', 1)[1]


def test_a_helm_chart_pushed_by_ci_is_pulled_by_the_cluster(setup, clients, ci, puller):
    charts = os.path.join(clients.workdir, 'charts')
    os.makedirs(charts, exist_ok=True)
    for arguments in (('create', 'myapp'), ('package', 'myapp')):
        run = clients.run('helm', *arguments, cwd=charts)
        assert run.ok, run
    package = os.path.join(charts, 'myapp-0.1.0.tgz')

    run = clients.run('helm', 'push', package, 'oci://%s/payments/charts' % clients.registry, '--plain-http',
                      identity=ci)
    assert run.ok, run

    artifacts = setup.artifacts('payments', 'charts/myapp')
    assert len(artifacts) == 1
    assert artifacts[0]['type'] == 'CHART'
    assert artifacts[0]['media_type'] == 'application/vnd.cncf.helm.config.v1+json'
    assert [tag['name'] for tag in artifacts[0]['tags']] == ['0.1.0']

    destination = os.path.join(clients.workdir, 'pulled-charts')
    os.makedirs(destination)
    run = clients.run('helm', 'pull', 'oci://%s/payments/charts/myapp' % clients.registry, '--version', '0.1.0',
                      '--plain-http', '--destination', destination, identity=puller)
    assert run.ok, run
    assert os.listdir(destination) == ['myapp-0.1.0.tgz']


def test_an_sbom_attached_with_oras_is_listed_as_an_accessory(setup, clients, ci, puller, pushed):
    sbom = os.path.join(clients.workdir, 'sbom.spdx.json')
    with open(sbom, 'w', encoding='utf-8') as handle:
        json.dump({'spdxVersion': 'SPDX-2.3', 'name': 'payments/api', 'packages': []}, handle)

    run = clients.run('oras', 'attach', '--plain-http', '--artifact-type', 'application/spdx+json',
                      clients.ref('payments/api', pushed), 'sbom.spdx.json:application/spdx+json',
                      '--format', 'json', identity=ci, cwd=clients.workdir)
    assert run.ok, run
    referrer = json.loads(run.stdout)['digest']

    response = setup.artifact('payments', 'api', pushed).json()
    accessories = setup.emulators.harbor('GET', '/projects/payments/repositories/api/artifacts/%s/accessories'
                                         % pushed).json()
    assert [(accessory['digest'], accessory['type']) for accessory in accessories] == [
        (referrer, 'subject.accessory')], response
    listed = setup.artifacts('payments', 'api', with_accessory='true')
    subject = next(artifact for artifact in listed if artifact['digest'] == pushed)
    assert [accessory['digest'] for accessory in subject['accessories']] == [referrer]
    # an accessory is not an artifact of its own in the listing
    assert referrer not in [artifact['digest'] for artifact in listed]

    # the cluster's robot (preset pull: accessory:list) finds and reads it
    run = clients.run('oras', 'discover', '--plain-http', '--format', 'json', clients.ref('payments/api', pushed),
                      identity=puller)
    assert run.ok, run
    assert referrer in run.stdout, run
    destination = os.path.join(clients.workdir, 'pulled-sbom')
    run = clients.run('oras', 'pull', '--plain-http', '--output', destination, clients.ref('payments/api', referrer),
                      identity=puller)
    assert run.ok, run
    with open(os.path.join(destination, 'sbom.spdx.json'), encoding='utf-8') as handle:
        assert json.load(handle)['spdxVersion'] == 'SPDX-2.3'
