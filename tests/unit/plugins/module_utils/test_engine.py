# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import HarborError, HarborTransportError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Converger,
    Option,
    Resource,
    ValidationError,
    as_set,
    harbor_to_bool,
)


class FakeModule:
    def __init__(self, params, check_mode=False, diff=True):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff


class Widget(Resource):
    """An in-memory object with a plain option, a set option, a create-only option and a secret."""

    return_key = 'widget'
    options = (
        Option('color'),
        Option('tags', normalize=as_set),
        Option('size', create_only=True),
        Option('token', secret=True),
    )

    def __init__(self, module, store, create_error=None):
        super().__init__(module, client=None)
        self.store = store
        self.calls = []
        self.create_error = create_error

    def validate(self, desired):
        if desired.get('color') == 'plaid':
            raise ValidationError('color must be a plain color')

    def find(self):
        self.calls.append('find')
        return dict(self.store['widget']) if 'widget' in self.store else None

    def view(self, current, wanted):
        return dict((key, value) for key, value in current.items() if key in wanted)

    def identity(self):
        return dict(name='w')

    def create(self, desired):
        self.calls.append('create')
        if self.create_error:
            error, self.create_error = self.create_error, None
            if error.status == 409 or getattr(error, 'ambiguous', False):
                self.store['widget'] = dict(color='red', tags=[], size=1, token='t0')
            raise error
        self.store['widget'] = dict(desired)
        return dict(desired)

    def update(self, current, changes, desired):
        self.calls.append(('update', dict(changes)))
        self.store['widget'].update(changes)

    def delete(self, current):
        self.calls.append('delete')
        del self.store['widget']


def converge(params, store, check_mode=False, diff=True, **kwargs):
    base = dict(color=None, tags=None, size=None, token=None, state='present')
    base.update(params)
    resource = Widget(FakeModule(base, check_mode, diff), store, **kwargs)
    return Converger(resource).run(), resource


def test_create_then_idempotent():
    store = {}
    result, resource = converge(dict(color='blue', tags=['b', 'a']), store)
    assert result['changed'] and 'create' in resource.calls
    assert store['widget']['tags'] == ['a', 'b']
    result, resource = converge(dict(color='blue', tags=['a', 'b', 'a']), store)
    assert not result['changed']
    assert resource.calls == ['find']


def test_check_mode_create_writes_nothing_and_returns_the_plan():
    store = {}
    result, resource = converge(dict(color='blue'), store, check_mode=True)
    assert result['changed'] and result['widget'] == {'color': 'blue'}
    assert resource.calls == ['find'] and store == {}


def test_only_options_set_by_the_user_are_compared_and_sent():
    store = {'widget': dict(color='red', tags=['x'], size=1)}
    result, resource = converge(dict(tags=['y']), store)
    assert result['changed']
    assert resource.calls == ['find', ('update', {'tags': ['y']}), 'find']
    assert result['diff'] == {'before': {'name': 'w', 'tags': ['x']}, 'after': {'name': 'w', 'tags': ['y']}}


def test_check_mode_update_reports_without_writing():
    store = {'widget': dict(color='red', tags=[], size=1)}
    result, resource = converge(dict(color='green'), store, check_mode=True)
    assert result['changed'] and result['diff']['after']['color'] == 'green'
    assert resource.calls == ['find'] and store['widget']['color'] == 'red'


def test_no_diff_without_diff_mode():
    result, _resource = converge(dict(color='blue'), {}, diff=False)
    assert 'diff' not in result


def test_secrets_never_enter_the_diff():
    result, _resource = converge(dict(color='blue', token='hunter2'), {})
    assert 'hunter2' not in repr(result['diff'])


def test_create_only_option_cannot_change():
    store = {'widget': dict(color='red', tags=[], size=1)}
    with pytest.raises(ValidationError, match='size cannot be changed'):
        converge(dict(size=2), store)


def test_validation_runs_before_any_lookup():
    store = {}
    resource = Widget(FakeModule(dict(color='plaid', tags=None, size=None, token=None, state='present')), store)
    with pytest.raises(ValidationError):
        Converger(resource).run()
    assert resource.calls == []


def test_delete_and_delete_again():
    store = {'widget': dict(color='red')}
    result, resource = converge(dict(state='absent'), store)
    assert result['changed'] and 'delete' in resource.calls and store == {}
    result, resource = converge(dict(state='absent'), store)
    assert not result['changed'] and resource.calls == ['find']


def test_check_mode_delete_keeps_the_object():
    store = {'widget': dict(color='red')}
    result, _resource = converge(dict(state='absent'), store, check_mode=True)
    assert result['changed'] and 'widget' in store


def test_create_race_409_converges_the_object_the_other_run_made():
    store = {}
    result, resource = converge(dict(color='blue'), store, create_error=HarborError('exists', status=409))
    assert result['changed']
    assert resource.calls == ['find', 'create', 'find', ('update', {'color': 'blue'}), 'find']
    assert store['widget']['color'] == 'blue'


def test_lost_create_answer_is_looked_up_instead_of_creating_twice():
    store = {}
    error = HarborTransportError('lost', ambiguous=True, status=502)
    result, resource = converge(dict(color='red'), store, create_error=error)
    assert result['changed']
    assert resource.calls.count('create') == 1


def test_lost_create_that_did_not_happen_is_sent_again():
    class Forgetful(Widget):
        def create(self, desired):
            if not self.calls.count('create'):
                self.calls.append('create')
                raise HarborTransportError('lost', ambiguous=True)
            return super().create(desired)

    store = {}
    module = FakeModule(dict(color='red', tags=None, size=None, token=None, state='present'))
    resource = Forgetful(module, store)
    result = Converger(resource).run()
    assert result['changed'] and store['widget']['color'] == 'red'
    assert resource.calls == ['find', 'create', 'find', 'create']


def test_other_create_errors_propagate():
    with pytest.raises(HarborError):
        converge(dict(color='red'), {}, create_error=HarborError('denied', status=403))


@pytest.mark.parametrize('value, expected', [
    ('true', True), ('false', False), (None, False), ('', False), (True, True), ('TRUE', True), ('0', False),
])
def test_harbor_booleans(value, expected):
    assert harbor_to_bool(value) is expected


class Gadget(Widget):
    name_option = 'name'
    kind = 'gadget'
    required_to_create = ('color', 'tags')


def test_a_create_without_the_options_it_needs_fails_before_any_write_naming_them():
    params = dict(color=None, tags=None, size=None, token=None, state='present', name='g1')
    resource = Gadget(FakeModule(dict(params, color='blue')), {})
    with pytest.raises(ValidationError) as raised:
        Converger(resource).run()
    assert str(raised.value) == "tags: required to create gadget 'g1', which does not exist"
    assert resource.calls == ['find']
    with pytest.raises(ValidationError, match='^color and tags: required'):
        Converger(Gadget(FakeModule(params), {})).run()


def test_the_options_a_create_needs_are_not_asked_of_an_existing_object_nor_for_a_delete():
    store = dict(widget=dict(color='red', tags=[], size=1, token='t0'))
    params = dict(color='blue', tags=None, size=None, token=None, state='present', name='g1')
    resource = Gadget(FakeModule(params), store)
    assert Converger(resource).run()['changed']
    assert ('update', dict(color='blue')) in resource.calls
    assert Converger(Gadget(FakeModule(dict(params, color=None, state='absent')), store)).run()['changed']
