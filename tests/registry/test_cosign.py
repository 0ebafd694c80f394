# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Cosign enforcement with the real cosign and helm, offline: a key pair instead of Fulcio, no transparency log.

In order: the unsigned image is blocked for everyone, a chart cannot even be tagged, the CI robot signs by digest,
then the cluster pulls and `cosign verify` accepts the signature (and refuses another key).
"""

from __future__ import annotations

import os
import secrets

import pytest

PROJECTS = [
    {'name': 'signed', 'public': False, 'auto_scan': False, 'prevent_vulnerable': False, 'content_trust_cosign': True},
]
ENVIRONMENTS = [
    {'name': 'prod', 'projects': ['signed'], 'namespaces': ['signed-prod'], 'create_namespace': True,
     'service_accounts': ['default']},
]
NOT_SIGNED = 'The image is not signed by cosign.'
# No Fulcio, Rekor or TUF offline: sign with a key and keep the signature out of any transparency log.
OFFLINE_SIGN = ('--use-signing-config=false', '--tlog-upload=false')
OFFLINE_VERIFY = ('--insecure-ignore-tlog=true',)
PLAIN_HTTP = ('--allow-http-registry', '--allow-insecure-registry')


@pytest.fixture(scope='module')
def setup(world):
    world.bootstrap(PROJECTS, ENVIRONMENTS)
    return world


@pytest.fixture(scope='module')
def ci(setup):
    return setup.ci('signed')


@pytest.fixture(scope='module')
def puller(setup):
    return setup.pull_secret('signed-prod')


@pytest.fixture(scope='module')
def unsigned(setup, clients, ci):
    """signed/api:1.0.0 pushed by CI; its digest from Harbor's API, since the registry will not serve its manifest."""
    run = clients.push_image('signed/api', '1.0.0', ci)
    assert run.ok, run
    return setup.tags('signed', 'api')['1.0.0']


def key_pair(clients, name):
    """A cosign key pair made by `cosign generate-key-pair`, its password given the way CI does (COSIGN_PASSWORD)."""
    directory = os.path.join(clients.workdir, name)
    os.makedirs(directory)
    password = secrets.token_urlsafe(18)
    clients.secrets.add(password)
    run = clients.run('cosign', 'generate-key-pair', env={'COSIGN_PASSWORD': password}, cwd=directory)
    assert run.ok, run
    return os.path.join(directory, 'cosign.key'), os.path.join(directory, 'cosign.pub'), password


def test_nobody_pulls_an_unsigned_image(setup, clients, ci, puller, unsigned):
    assert unsigned.startswith('sha256:')
    # The pusher and the cluster. Not the system administrator: as in Harbor's SkipPolicyChecking, an admin's
    # token holds scanner-pull, which passes content trust (the scanner must read unsigned images).
    for identity in (ci, puller):
        for reference in ('1.0.0', unsigned):
            run = clients.pull('signed/api', reference, identity)
            assert not run.ok, (identity, run)
            assert NOT_SIGNED in run.output, (identity, run)


def test_helm_push_into_an_enforcing_project_fails_at_the_tag(setup, clients, ci):
    charts = os.path.join(clients.workdir, 'charts')
    os.makedirs(charts)
    for arguments in (('create', 'blocked'), ('package', 'blocked')):
        run = clients.run('helm', *arguments, cwd=charts)
        assert run.ok, run
    run = clients.run('helm', 'push', os.path.join(charts, 'blocked-0.1.0.tgz'),
                      'oci://%s/signed/charts' % clients.registry, '--plain-http', identity=ci)
    assert not run.ok, run
    assert NOT_SIGNED in run.output, run
    # the chart was uploaded; only tagging it (which reads the manifest back) was refused
    artifacts = setup.artifacts('signed', 'charts/blocked')
    assert len(artifacts) == 1 and artifacts[0]['type'] == 'CHART'
    assert not artifacts[0].get('tags')


def test_signing_by_digest_makes_the_image_pullable_and_verifiable(setup, clients, ci, puller, unsigned):
    private_key, public_key, password = key_pair(clients, 'ci-key')
    signed_ref = clients.ref('signed/api', unsigned)

    run = clients.run('cosign', 'sign', '--key', private_key, '--yes', *(OFFLINE_SIGN + PLAIN_HTTP), signed_ref,
                      identity=ci, env={'COSIGN_PASSWORD': password})
    assert run.ok, run

    accessories = setup.artifacts('signed', 'api', with_accessory='true')
    subject = next(artifact for artifact in accessories if artifact['digest'] == unsigned)
    assert [accessory['type'] for accessory in subject['accessories']] == ['signature.cosign']

    for identity in (puller, ci, clients.admin):
        run = clients.pull('signed/api', '1.0.0', identity)
        assert run.ok, (identity, run)

    run = clients.run('cosign', 'verify', '--key', public_key, *(OFFLINE_VERIFY + PLAIN_HTTP), signed_ref,
                      identity=puller)
    assert run.ok, run
    assert unsigned in run.stdout, run

    # the signature is checked for real: someone else's key does not verify it
    _other_private, other_public, _other_password = key_pair(clients, 'other-key')
    run = clients.run('cosign', 'verify', '--key', other_public, *(OFFLINE_VERIFY + PLAIN_HTTP), signed_ref,
                      identity=puller)
    assert not run.ok, run


def test_a_new_unsigned_image_is_still_blocked(setup, clients, ci, puller, unsigned):  # pylint: disable=unused-argument
    run = clients.push_image('signed/api', '1.0.1', ci)
    assert run.ok, run
    run = clients.pull('signed/api', '1.0.1', puller)
    assert not run.ok, run
    assert NOT_SIGNED in run.output, run
