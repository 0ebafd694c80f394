# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""harbor_label and harbor_label_info against scripted Harbor conversations."""

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.modules import harbor_label, harbor_label_info
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import (  # pylint: disable=unused-import
    Call,
    FakeResponse,
    error_body,
    harbor,
    run_module,
)

PROJECT = Call('GET', '/projects/payments', FakeResponse(200, {'project_id': 12, 'name': 'payments'}))
NO_PROJECT = Call('GET', '/projects/payments', FakeResponse(404, error_body('NOT_FOUND', 'project payments not found')))
PCI = {'id': 7, 'name': 'pci', 'color': '#F52F52', 'scope': 'p', 'project_id': 12,
       'creation_time': '2026-01-05T10:00:00.000Z', 'update_time': '2026-01-05T10:00:00.000Z'}
GOLD = {'id': 3, 'name': 'gold', 'description': 'Approved', 'color': '#48960C', 'scope': 'g',
        'creation_time': '2026-01-05T10:00:00.000Z', 'update_time': '2026-01-05T10:00:00.000Z'}


def project_labels(*labels, name='pci'):
    # Harbor's name= matches loosely: a longer name comes back too.
    return Call('GET', '/labels', FakeResponse(200, list(labels), {'X-Total-Count': str(len(labels))}),
                params={'scope': 'p', 'project_id': 12, 'name': name, 'page': 1, 'page_size': 100})


def global_labels(*labels, name='gold'):
    return Call('GET', '/labels', FakeResponse(200, list(labels), {'X-Total-Count': str(len(labels))}),
                params={'scope': 'g', 'name': name, 'page': 1, 'page_size': 100})


def run(monkeypatch, args, **kwargs):
    return run_module(harbor_label.main, monkeypatch, args, **kwargs)


PCI_TASK = dict(project='payments', name='pci', color='#f52f52')


def test_create_a_project_label(monkeypatch, harbor):
    harbor([
        PROJECT, project_labels(dict(PCI, id=8, name='pci-old')),
        Call('POST', '/labels', FakeResponse(201, headers={'Location': '/api/v2.0/labels/7'}),
             json={'name': 'pci', 'color': '#F52F52', 'scope': 'p', 'project_id': 12}),
        project_labels(PCI),
    ])
    result, failed = run(monkeypatch, PCI_TASK, diff=True)
    assert not failed and result['changed']
    assert result['label'] == dict(PCI, description='', scope='project', project='payments')
    assert result['diff'] == {'before': {}, 'after': {'project': 'payments', 'name': 'pci', 'color': '#F52F52'}}


def test_create_a_project_label_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, project_labels(PCI)])
    result, failed = run(monkeypatch, PCI_TASK)
    assert not failed and not result['changed'] and result['label']['id'] == 7
    assert conversation.methods == ['GET', 'GET']


def test_create_a_project_label_check_mode(monkeypatch, harbor):
    conversation = harbor([PROJECT, project_labels()])
    result, failed = run(monkeypatch, PCI_TASK, check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET', 'GET']
    assert result['label']['color'] == '#F52F52' and result['label']['project_id'] == 12
    assert result['label']['scope'] == 'project'


def test_create_a_project_label_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([PROJECT, project_labels(PCI)])
    result, failed = run(monkeypatch, PCI_TASK, check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET', 'GET']


def test_a_change_puts_the_whole_label_and_keeps_what_the_task_left_out(monkeypatch, harbor):
    harbor([
        global_labels(GOLD),
        Call('PUT', '/labels/3', json={'name': 'gold', 'description': 'Approved', 'color': '#0095D3', 'scope': 'g'}),
        global_labels(dict(GOLD, color='#0095D3')),
    ])
    result, failed = run(monkeypatch, dict(name='gold', color='#0095d3'), diff=True)
    assert not failed and result['changed'] and result['label']['color'] == '#0095D3'
    assert result['diff'] == {'before': {'name': 'gold', 'color': '#48960C'}, 'after': {'name': 'gold', 'color': '#0095D3'}}


def test_a_change_in_check_mode_writes_nothing(monkeypatch, harbor):
    conversation = harbor([global_labels(GOLD)])
    result, failed = run(monkeypatch, dict(name='gold', description=''), check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']


def test_delete(monkeypatch, harbor):
    harbor([PROJECT, project_labels(PCI), Call('DELETE', '/labels/7')])
    result, failed = run(monkeypatch, dict(project='payments', name='pci', state='absent'))
    assert not failed and result['changed'] and result['label'] == {}


def test_delete_idempotent_also_when_the_project_is_gone(monkeypatch, harbor):
    conversation = harbor([NO_PROJECT])
    result, failed = run(monkeypatch, dict(project='payments', name='pci', state='absent'))
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_delete_check_mode(monkeypatch, harbor):
    conversation = harbor([global_labels(GOLD)])
    result, failed = run(monkeypatch, dict(name='gold', state='absent'), check_mode=True)
    assert not failed and result['changed'] and conversation.methods == ['GET']


def test_delete_check_mode_idempotent(monkeypatch, harbor):
    conversation = harbor([global_labels()])
    result, failed = run(monkeypatch, dict(name='gold', state='absent'), check_mode=True)
    assert not failed and not result['changed'] and conversation.methods == ['GET']


def test_a_missing_project_is_an_error_before_any_write(monkeypatch, harbor):
    harbor([NO_PROJECT])
    result, failed = run(monkeypatch, PCI_TASK)
    assert failed and "project 'payments' does not exist" in result['msg']


def test_a_create_race_converges_the_label_another_run_made(monkeypatch, harbor):
    harbor([
        global_labels(),
        Call('POST', '/labels', FakeResponse(409, error_body('CONFLICT', 'label gold already exists'))),
        global_labels(GOLD),
    ])
    result, failed = run(monkeypatch, dict(name='gold', color='#48960C'))
    assert not failed and not result['changed'] and result['label']['id'] == 3


def test_a_refusal_names_the_permission(monkeypatch, harbor):
    harbor([global_labels(GOLD), Call('PUT', '/labels/3', FakeResponse(403, error_body('FORBIDDEN', 'alice')))])
    result, failed = run(monkeypatch, dict(name='gold', color='#000000'))
    assert failed and 'label:update (global labels: system administrators only)' in result['msg']


@pytest.mark.parametrize('args, option', [
    (dict(name=''), 'name'),
    (dict(name='   '), 'name'),
    (dict(name='x' * 129), 'name'),
    (dict(name='gold', color='red'), 'color'),
    (dict(name='gold', color='#FFF'), 'color'),
    (dict(name='gold', project='Pay Ments'), 'project'),
])
def test_bad_input_fails_before_any_request(monkeypatch, harbor, args, option):
    conversation = harbor([])
    result, failed = run(monkeypatch, args)
    assert failed and result['msg'].startswith(option) and conversation.methods == []


def test_info_reads_the_labels_of_a_project_sorted(monkeypatch, harbor):
    other = dict(PCI, id=9, name='audit', description='Audited')
    harbor([
        PROJECT,
        Call('GET', '/labels', FakeResponse(200, [PCI, other], {'X-Total-Count': '2'}),
             params={'scope': 'p', 'project_id': 12, 'page': 1, 'page_size': 100}),
    ])
    result, failed = run_module(harbor_label_info.main, monkeypatch, dict(project='payments', query='[].name'))
    assert not failed and not result['changed']
    assert [label['name'] for label in result['labels']] == ['audit', 'pci'] and result['query_result'] == ['audit', 'pci']
    assert result['labels'][1] == dict(PCI, description='', scope='project', project='payments')


def test_info_by_name_is_exact(monkeypatch, harbor):
    harbor([global_labels(dict(GOLD, id=4, name='golden'), GOLD)])
    result, failed = run_module(harbor_label_info.main, monkeypatch, dict(name='gold'))
    assert not failed and [label['id'] for label in result['labels']] == [3]
    assert result['labels'][0]['scope'] == 'global' and result['labels'][0]['project'] is None


def test_info_on_a_missing_project_fails(monkeypatch, harbor):
    harbor([NO_PROJECT])
    result, failed = run_module(harbor_label_info.main, monkeypatch, dict(project='payments'))
    assert failed and 'project' in result['msg']
