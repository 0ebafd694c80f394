# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The seed guide's security story with crane: scan on push, pulls blocked from High, the CVE allowlist, SBOMs.

The emulator runs with its scanner adapter (tests/emulator/run.py --scanner, which the scenario fixtures pass). The
images are built here with `crane append` from a tarball holding var/lib/dpkg/status; what the scanner finds comes
from that file, matched against the advisories shipped with the emulator (libfixture-high before 1.2.0-1 is High).
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import time

import pytest

VULN = 'application/vnd.security.vulnerability.report; version=1.1'
HIGH_CVE = 'CVE-2099-0001'
PROJECTS = [
    {'name': 'scanned', 'public': False, 'auto_scan': True, 'prevent_vulnerable': True, 'severity': 'high'},
    {'name': 'sbom', 'public': False, 'auto_scan': False, 'prevent_vulnerable': False, 'auto_sbom_generation': True},
]
ENVIRONMENTS = [
    {'name': 'prod', 'projects': ['scanned'], 'namespaces': ['scanned-prod'], 'create_namespace': True,
     'service_accounts': ['default']},
]
BLOCKED = ('current image with 1 vulnerability cannot be pulled due to configured policy in \'Prevent images with '
           'vulnerability severity of "High" or higher from running.\'')


def dpkg_status(*packages):
    return ''.join('Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n\n' % package
                   for package in packages)


@pytest.fixture(scope='module')
def setup(world):
    world.bootstrap(PROJECTS, ENVIRONMENTS)
    return world


def push(clients, identity, repository, tag, *packages):
    """`crane append` an image whose only layer holds a dpkg status listing `packages`; returns its digest."""
    layer = os.path.join(clients.workdir, 'dpkg-%s-%s.tar' % (repository.replace('/', '_'), tag))
    with tarfile.open(layer, 'w') as archive:
        for path, text in (('var/lib/dpkg/status', dpkg_status(*packages)), ('etc/image', repository + ':' + tag)):
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    run = clients.run('crane', 'append', '--insecure', '-f', layer, '-t', clients.ref(repository, tag),
                      identity=identity)
    assert run.ok, run
    return run.stdout.strip().splitlines()[-1].split('@', 1)[1]


def settled(world, project, repository, reference, key='scan_overview', timeout=60):
    """The artifact once its scan (or SBOM generation) is over."""
    deadline = time.time() + timeout
    while True:
        response = world.artifact(project, repository, reference, with_scan_overview='true',
                                  with_sbom_overview='true')
        assert response.status_code == 200, response.text
        body = response.json()
        overview = body.get(key) or {}
        if key == 'scan_overview':
            overview = overview.get(VULN) or {}
        if overview.get('scan_status') in ('Success', 'Error', 'Stopped'):
            return body
        assert time.time() < deadline, body
        time.sleep(0.5)


def test_a_clean_image_is_scanned_on_push_and_stays_pullable(setup, clients):
    ci = setup.ci('scanned')
    push(clients, ci, 'scanned/clean', '1.0.0', ('bash', '5.2.15-2+b2'), ('libfixture-high', '1.2.0-1'))
    overview = settled(setup, 'scanned', 'clean', '1.0.0')['scan_overview'][VULN]
    assert overview['scan_status'] == 'Success' and overview['severity'] == 'None'
    assert overview['summary'] == {'total': 0, 'fixable': 0, 'summary': {}}
    pulled = clients.pull('scanned/clean', '1.0.0', setup.pull_secret('scanned-prod'))
    assert pulled.ok, pulled


def test_a_vulnerable_image_is_blocked_until_allowlisted(setup, clients):
    ci = setup.ci('scanned')
    puller = setup.pull_secret('scanned-prod')
    push(clients, ci, 'scanned/vulnerable', '1.0.0', ('bash', '5.2.15-2+b2'), ('libfixture-high', '1.1.0-1'))
    overview = settled(setup, 'scanned', 'vulnerable', '1.0.0')['scan_overview'][VULN]
    assert overview['severity'] == 'High' and overview['summary']['summary'] == {'High': 1}
    blocked = clients.pull('scanned/vulnerable', '1.0.0', puller)
    assert not blocked.ok and BLOCKED in blocked.output.replace('\\"', '"'), blocked
    # the pusher is refused too: the policy is about the image, not the caller
    assert not clients.pull('scanned/vulnerable', '1.0.0', ci).ok

    setup.tasks('allowlist the CVE', [{'name': 'Allowlist the High CVE', 'cloudtemple.harbor.harbor_project': {
        'name': 'scanned', 'cve_allowlist': [HIGH_CVE]}}])
    allowed = clients.pull('scanned/vulnerable', '1.0.0', puller)
    assert allowed.ok, allowed

    setup.tasks('empty the allowlist', [{'name': 'Empty the allowlist', 'cloudtemple.harbor.harbor_project': {
        'name': 'scanned', 'cve_allowlist': []}}])
    assert not clients.pull('scanned/vulnerable', '1.0.0', puller).ok
    setup.tasks('block from critical', [{'name': 'Block from Critical only', 'cloudtemple.harbor.harbor_project': {
        'name': 'scanned', 'severity': 'critical'}}])
    pulled = clients.pull('scanned/vulnerable', '1.0.0', puller)
    assert pulled.ok, pulled


def test_auto_sbom_generation_attaches_an_sbom_listing_the_packages(setup, clients):
    ci = setup.ci('sbom')
    digest = push(clients, ci, 'sbom/app', '1.0.0', ('bash', '5.2.15-2+b2'), ('libfixture-high', '1.1.0-1'))
    sbom = settled(setup, 'sbom', 'app', '1.0.0', key='sbom_overview')['sbom_overview']
    assert sbom['scan_status'] == 'Success', sbom
    manifest = clients.run('crane', 'manifest', '--insecure', clients.ref('sbom/app', sbom['sbom_digest']),
                           identity=ci)
    assert manifest.ok, manifest
    document = json.loads(manifest.stdout)
    assert document['config']['mediaType'] == 'application/vnd.goharbor.harbor.sbom.v1'
    assert document['subject']['digest'] == digest
    blob = clients.run('crane', 'blob', '--insecure', '%s@%s' % (clients.ref('sbom/app'), document['layers'][0]['digest']),
                       identity=ci)
    assert blob.ok, blob
    spdx = json.loads(blob.stdout)
    assert spdx['spdxVersion'].startswith('SPDX-')
    assert sorted((package['name'], package.get('versionInfo')) for package in spdx['packages']
                  if package['SPDXID'] != 'SPDXRef-Image') == [('bash', '5.2.15-2+b2'), ('libfixture-high', '1.1.0-1')]
