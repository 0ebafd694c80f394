# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The artifact_digest lookup where cosign enforcement blocks the registry (goharbor/harbor#22650).

CI pushes an image into a project that enforces cosign signatures: `crane digest` of the tag is refused, since the
registry will not serve an unsigned manifest, while the lookup, which asks Harbor's API, gives the digest to sign.
Signed by that digest, the image reads back as signed in harbor_artifact_info, and crane can read it.
"""

from __future__ import annotations

import pytest

from test_cosign import OFFLINE_SIGN, PLAIN_HTTP, key_pair  # pylint: disable=import-error

PROJECTS = [
    {'name': 'enforced', 'public': False, 'auto_scan': False, 'prevent_vulnerable': False,
     'content_trust_cosign': True},
]
NOT_SIGNED = 'The image is not signed by cosign.'


@pytest.fixture(scope='module')
def setup(world):
    world.bootstrap(PROJECTS, [])
    return world


def test_the_lookup_gives_the_digest_that_crane_cannot_read(setup, clients):
    ci = setup.ci('enforced')
    run = clients.push_image('enforced/team/api', '2.3.4', ci)
    assert run.ok, run
    digest = setup.tags('enforced', 'team/api')['2.3.4']

    blocked = clients.run('crane', 'digest', '--insecure', clients.ref('enforced/team/api', '2.3.4'), identity=ci)
    assert not blocked.ok and NOT_SIGNED in blocked.output, blocked

    # The lookup as CI runs it: the robot's credentials in HARBOR_USERNAME and HARBOR_PASSWORD.
    username, password = setup.ci_credentials('enforced')
    looked_up = setup.tasks('digest lookup', [{'name': 'look up', 'ansible.builtin.set_fact': {
        'digest': "{{ lookup('cloudtemple.harbor.artifact_digest', 'enforced/team/api:2.3.4') }}",
        'image': "{{ lookup('cloudtemple.harbor.artifact_digest', 'enforced/team/api:2.3.4', image=true) }}"}}],
        env={'HARBOR_USERNAME': username, 'HARBOR_PASSWORD': password})
    facts = looked_up.result('look up')['ansible_facts']
    assert facts['digest'] == digest
    assert facts['image'] == '%s/enforced/team/api@%s' % (clients.registry, digest)
    assert password not in looked_up.output

    # CI signs what the lookup gave; the signature is then an accessory of that artifact.
    private_key, _public_key, key_password = key_pair(clients, 'digest-key')
    signed = clients.run('cosign', 'sign', '--key', private_key, '--yes', *(OFFLINE_SIGN + PLAIN_HTTP), facts['image'],
                         identity=ci, env={'COSIGN_PASSWORD': key_password})
    assert signed.ok, signed
    read = setup.tasks('artifact info', [{'name': 'read', 'cloudtemple.harbor.harbor_artifact_info': {
        'project': 'enforced', 'repository': 'team/api', 'reference': '2.3.4'}, 'register': 'release'}])
    artifact = read.result('read')['artifacts'][0]
    assert artifact['digest'] == digest and artifact['signed']
    assert artifact['signatures'] == [accessory['digest'] for accessory in setup.artifact(
        'enforced', 'team/api', digest, with_accessory='true').json()['accessories']]
    assert clients.digest('enforced/team/api', '2.3.4', ci) == digest
