# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""RestResource: an object described by its endpoint, lookup and fields converges with the exact requests expected."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import HarborClient
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import Converger, Option, RestResource
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
)


class FakeModule:
    def __init__(self, params, check_mode=False):
        self.params = params
        self.check_mode = check_mode
        self._diff = True


class Label(RestResource):
    """A project label, as a module on the engine would declare it."""

    return_key = 'label'
    identity_options = ('project', 'name')
    collection = '/projects/{project}/labels'
    lookup = {'q': 'name={name}'}
    rbac = 'label'
    rbac_scope = ' on project {project}'
    options = (
        Option('description', field='description', from_harbor=lambda value: value or ''),
        Option('color', field='style.color', normalize=str.upper),
    )


LABELS = '/projects/pay%2Fments/labels'
LABEL = dict(id=7, name='gold', description='', style=dict(color='#FFD700'))


def converge(params, check_mode=False):
    base = dict(project='pay/ments', name='gold', description=None, color=None, state='present')
    base.update(params)
    return Converger(Label(FakeModule(base, check_mode), HarborClient('harbor.example.com', 'admin', 'pw'))).run()


def listed(*labels):
    return FakeResponse(200, list(labels), headers={'X-Total-Count': str(len(labels))})


def test_create_posts_the_mapped_fields_then_reads_the_object(harbor):
    conversation = harbor([
        Call('GET', LABELS, listed(dict(LABEL, name='golden')), params={'q': 'name=gold', 'page': 1, 'page_size': 100}),
        Call('POST', LABELS, FakeResponse(201), json={'name': 'gold', 'description': 'Paid', 'style': {'color': '#FFD700'}}),
        Call('GET', LABELS, listed(dict(LABEL, description='Paid'))),
    ])
    result = converge(dict(description='Paid', color='#ffd700'))
    assert result['changed'] and result['label']['id'] == 7
    after = {'project': 'pay/ments', 'name': 'gold', 'description': 'Paid', 'color': '#FFD700'}
    assert result['diff'] == {'before': {}, 'after': after}
    assert conversation.methods == ['GET', 'POST', 'GET']


def test_no_change_sends_only_the_lookup(harbor):
    conversation = harbor([Call('GET', LABELS, listed(LABEL))])
    assert not converge(dict(color='#ffd700', description=''))['changed']
    assert conversation.methods == ['GET']


def test_update_puts_the_whole_object_with_the_change(harbor):
    harbor([
        Call('GET', LABELS, listed(LABEL)),
        Call('PUT', LABELS + '/7', json={'name': 'gold', 'description': '', 'style': {'color': '#C0C0C0'}}),
        Call('GET', LABELS, listed(dict(LABEL, style=dict(color='#C0C0C0')))),
    ])
    result = converge(dict(color='#c0c0c0'))
    assert result['changed'] and result['diff']['before']['color'] == '#FFD700'


def test_check_mode_writes_nothing_so_the_lookup_is_remembered_for_the_delete(harbor):
    conversation = harbor([Call('GET', LABELS, listed(LABEL)), Call('DELETE', LABELS + '/7')])
    assert converge(dict(color='#000000'), check_mode=True)['changed']
    assert converge(dict(state='absent'))['changed']
    assert conversation.methods == ['GET', 'DELETE']


def test_a_create_race_converges_the_other_runs_object(harbor):
    harbor([
        Call('GET', LABELS, listed()),
        Call('POST', LABELS, FakeResponse(409, error_body('CONFLICT', 'label gold already exists'))),
        Call('GET', LABELS, listed(LABEL)),
    ])
    result = converge(dict(color='#FFD700'))
    assert not result['changed'] and result['label']['id'] == 7


def test_a_refusal_names_the_permission(harbor):
    harbor([Call('GET', LABELS, FakeResponse(403, error_body('FORBIDDEN', 'forbidden')))])
    with pytest.raises(Exception, match='label:list on project pay/ments'):
        converge(dict(color='#FFD700'))
