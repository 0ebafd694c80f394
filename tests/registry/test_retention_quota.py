# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Housekeeping on real content: a retention run of harbor_retention deletes tags from the registry, and the storage
quota refuses the push that would exceed it.
"""

from __future__ import annotations

import time

import pytest

PROJECTS = [
    {'name': 'cleanup', 'public': False, 'auto_scan': False, 'prevent_vulnerable': False},
    {'name': 'small', 'public': False, 'auto_scan': False, 'prevent_vulnerable': False, 'storage_quota': '10KiB'},
]
QUOTA_BYTES = 10 * 1024


@pytest.fixture(scope='module')
def setup(world):
    world.bootstrap(PROJECTS, [])
    return world


def test_a_retention_run_deletes_tags_from_the_registry(setup, clients):
    ci = setup.ci('cleanup')
    digests = {}
    for tag in ('release-1', 'release-2', 'release-3', 'keep-me'):
        run = clients.push_image('cleanup/app', tag, ci)
        assert run.ok, run
        digests[tag] = run.stdout.strip().split('@', 1)[1]
        # push times one second apart, so "most recently pushed" has one answer
        time.sleep(1.1)
    assert sorted(setup.tags('cleanup', 'app')) == ['keep-me', 'release-1', 'release-2', 'release-3']

    run = setup.tasks('retention run', [{'name': 'Keep the two newest releases and keep-*, run it now',
                                         'cloudtemple.harbor.harbor_retention': {
                                             'project': 'cleanup',
                                             'rules': [{'retain': {'most_recently_pushed': 2},
                                                        'tags': {'matching': 'release-*'}},
                                                       {'retain': {'always': True}, 'tags': {'matching': 'keep-*'}}],
                                             'run': {'dry_run': False, 'wait': True}}}])
    result = run.result('Keep the two newest releases and keep-*, run it now')
    assert result['changed'], result

    assert sorted(setup.tags('cleanup', 'app')) == ['keep-me', 'release-2', 'release-3']
    assert digests['release-1'] not in [artifact['digest'] for artifact in setup.artifacts('cleanup', 'app')]
    # gone from the registry itself, by tag and by digest
    listed = clients.run('crane', 'ls', '--insecure', clients.ref('cleanup/app'), identity=ci)
    assert listed.ok, listed
    assert sorted(listed.stdout.split()) == ['keep-me', 'release-2', 'release-3']
    for reference in ('release-1', digests['release-1']):
        run = clients.pull('cleanup/app', reference, ci)
        assert not run.ok, run
        assert 'MANIFEST_UNKNOWN' in run.output or 'NOT_FOUND' in run.output, run
    for tag in ('release-2', 'release-3', 'keep-me'):
        run = clients.pull('cleanup/app', tag, ci)
        assert run.ok, run


def test_a_push_over_the_quota_is_denied(setup, clients):
    ci = setup.ci('small')
    run = clients.push_image('small/app', 'fits', ci)
    assert run.ok, run
    used = quota(setup, 'small')
    assert used['hard']['storage'] == QUOTA_BYTES
    assert 0 < used['used']['storage'] < QUOTA_BYTES

    # random bytes do not compress: this layer alone is bigger than the whole quota
    run = clients.push_image('small/app', 'too-big', ci, size=2 * QUOTA_BYTES)
    assert not run.ok, run
    assert 'DENIED' in run.output, run
    assert sorted(setup.tags('small', 'app')) == ['fits']
    # blobs uploaded alongside the refused one (the image config) may count, the refused layer does not
    assert used['used']['storage'] <= quota(setup, 'small')['used']['storage'] <= QUOTA_BYTES


def quota(setup, project):
    project_id = setup.emulators.harbor('GET', '/projects/%s' % project).json()['project_id']
    response = setup.emulators.harbor('GET', '/quotas', params={'reference': 'project',
                                                                'reference_id': str(project_id)})
    assert response.status_code == 200, response.text
    (entry,) = response.json()
    return entry
