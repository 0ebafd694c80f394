# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one desired-vs-current engine every writer module uses, and the runner of every module.

A module describes its Harbor object with a Resource subclass: the options it manages (Option, with the field of
Harbor's JSON each maps to), how to find the object, and the create/update/delete calls; RestResource derives
all of them from an endpoint, a lookup and an RBAC name for objects of the usual REST shape. The engine does the
rest the same way everywhere: local validation before any request, lookup, comparison of only the options the
user set, diff (never with secrets), no write in check mode, recovery from a create that raced with another run
or whose answer was lost (create_or_find, which resources also use for their own POSTs), and the module result.
run_module turns every error of the collection into a clean failure.
"""

from __future__ import annotations

import abc

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import (
    client_from_module,
    harbor_argument_spec,
    quote_segment,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import (  # pylint: disable=unused-import
    CollectionError,
    HarborError,
    ValidationError,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.in_process import build_module
from ansible_collections.cloudtemple.harbor.plugins.module_utils.query import Found, compile_query, info_result
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_given


def is_conflict(error):
    """Harbor's 409: the object exists (created by another run since the lookup)."""
    return error.status == 409


def never(_error):
    """For a create whose conflicts the caller leaves to the engine's own create_or_find (see harbor_robot)."""
    return False


class Outcome:
    """What create_or_find settled: the create's answer, or the object found instead, and whether an answer was lost."""

    def __init__(self, created=None, found=None, lost=False):
        self.created = created
        self.found = found
        self.lost = lost

    @property
    def object(self):
        return self.created if self.found is None else self.found


def create_or_find(create, find, conflict=is_conflict):
    """The one recovery of a create, for every writer of the collection; returns an Outcome.

    A create whose answer was lost (an ambiguous transport error) may have been applied: find() looks, and only
    when it sees nothing is the create sent again, so nothing is ever created twice. A create that another run beat
    (conflict(error): 409 for most objects, 412 for schedules, AlreadyExists for Kubernetes) is settled with find()
    too; when find() then sees nothing after all, the error stands. What is found is for the caller to converge:
    it may be another run's object, or ours as the lost answer left it.
    """
    try:
        return Outcome(created=create())
    except CollectionError as error:
        if not error.ambiguous and not conflict(error):
            raise
        found = find()
        if found is not None:
            return Outcome(found=found, lost=error.ambiguous)
        if not error.ambiguous:
            raise
    return Outcome(created=create(), lost=True)


class Option:
    """One module option: how it compares, and where it is in Harbor's JSON.

    name: the module option.
    normalize: turns the user's value into the canonical form that view() also returns (a sorted list for a
      set, bytes for a size...), so that comparison is plain equality.
    create_only: Harbor cannot change it after creation; a different value is an error, not a change.
    secret: never shown in diff or results.
    field: where Harbor keeps it, a dotted path such as 'metadata.public'; the default view() reads it there and
      harbor_fields() writes it there. None for an option the resource reads and writes itself.
    to_harbor, from_harbor: the conversions between the canonical value and Harbor's (none by default).
    """

    def __init__(self, name, normalize=None, create_only=False, secret=False, field=None, to_harbor=None,
                 from_harbor=None):
        self.name = name
        self.normalize = normalize
        self.create_only = create_only
        self.secret = secret
        self.field = field
        self.to_harbor = to_harbor
        self.from_harbor = from_harbor

    def desired(self, value):
        return self.normalize(value) if self.normalize else value

    def read(self, harbor):
        """The canonical value from Harbor's representation of the object."""
        value = harbor
        for key in self.field.split('.'):
            value = value.get(key) if isinstance(value, dict) else None
        return self.from_harbor(value) if self.from_harbor else value


def harbor_fields(options, values):
    """Harbor's JSON for the values (option -> canonical value) of the options that have a field."""
    body = {}
    for option in options:
        if option.field and option.name in values:
            *parents, last = option.field.split('.')
            node = body
            for key in parents:
                node = node.setdefault(key, {})
            node[last] = option.to_harbor(values[option.name]) if option.to_harbor else values[option.name]
    return body


def as_set(values):
    """Normalizer for lists whose order does not matter."""
    return sorted(set(values or []), key=str)


def bool_to_harbor(value):
    """Harbor stores project metadata as the strings "true"/"false"."""
    return 'true' if value else 'false'


def harbor_to_bool(value, default=False):
    if value is None or value == '':
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ('true', '1', 't', 'yes')


class Resource(metaclass=abc.ABCMeta):
    """Base class of a managed Harbor object. Subclasses set `options` and implement the abstract hooks."""

    options = ()
    # The module options that name the object.
    identity_options = ()
    # The key under which the module returns the object.
    return_key = 'object'
    # The module option that gives the object's name (within its project, for a project's object).
    name_option = 'name'
    # What the messages call the object ('registry endpoint'), and the options a create cannot do without.
    kind = 'object'
    required_to_create = ()

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params

    # Hooks -------------------------------------------------------------------------------------------------
    # find, probe, view and the checks only read; state a write needs is found again from `current` and `desired`.

    def check_identity(self):
        """Check the options that name the object, first: a wrong name makes every other message beside the point."""

    def derive(self, desired):
        """The desired values, completed with those other options give (a shorthand); no request."""
        return desired

    def validate(self, desired):
        """Check the desired values against Harbor's rules. Raise ValidationError; no request may be sent here."""

    @abc.abstractmethod
    def find(self):
        """Return Harbor's current representation of the object, or None."""

    def view(self, current, wanted):
        """Return {option: value} in canonical form for the options in `wanted` (a set of names).

        It only reads (a value Harbor keeps elsewhere, such as a quota, may cost a GET), and no other hook may rely
        on it having run: a login or anything else with an effect belongs in probe().

        By default the fields of the options that have one; a resource adds those it maps itself.
        """
        return dict((option.name, option.read(current)) for option in self.options
                    if option.name in wanted and option.field)

    def probe(self, current, desired):
        """{option: current value} of the write-only options in `desired` that only a request can tell (a login).

        Called once per run, before the comparison, and never in a diff-only read; the default has none.
        """
        return {}

    def conflict(self, error):
        """Whether a failed create means that another run created the object first (see create_or_find)."""
        return is_conflict(error)

    def identity(self):
        """The options that name the object (identity_options, those the task set), shown in every diff."""
        return dict((name, self.params[name]) for name in self.identity_options if self.params.get(name) is not None)

    @abc.abstractmethod
    def create(self, desired):
        """Create the object and return its new representation."""

    @abc.abstractmethod
    def update(self, current, changes, desired):
        """Apply `changes` (option -> new value) to `current`; return the new representation (or None to re-read)."""

    @abc.abstractmethod
    def delete(self, current):
        """Delete the object."""

    def prepare(self, current, desired):
        """Checks that need Harbor's state but must still come before any write (permissions, versions)."""

    def before_delete(self, current):
        """Checks before deleting, run in check mode too so that it predicts a refusal."""

    def result(self, current):
        """The returned object; by default Harbor's representation."""
        return current

    def report(self):
        """Other keys of the module result, beside the object (a generated secret, an execution report)."""
        return {}

    def planned(self, desired):
        """What the module returns for an object it would create in check mode."""
        return dict(desired)

    def equal(self, option, current_value, desired_value):
        return current_value == desired_value


class RestResource(Resource):
    """A Harbor object of the usual REST shape, described rather than coded.

    It lives in a list endpoint that POST creates into, and at <list>/<id> for PUT and DELETE. A subclass declares:
    collection: the list endpoint, a format string over the module's params ('/projects/{project}/labels'; each
      value is quoted as one path segment);
    lookup: the list's query (formatted the same way), such as {'q': 'name={name}'}; Harbor may match loosely,
      the name is then compared exactly;
    name_field, name_option: Harbor's field that names the object, and the module option that gives it;
    rbac, rbac_scope: Harbor's RBAC resource and where it applies, for the 403 hint;
    options with a field: read there, written there; PUT sends every mapped option, as Harbor replaces the object.
    """

    collection = None
    lookup = None
    name_field = 'name'
    rbac = None
    rbac_scope = ' (system administrators only)'

    def permission(self, action):
        return '%s:%s%s' % (self.rbac, action, self.rbac_scope.format(**self.params))

    def collection_path(self):
        return self.collection.format(**dict((key, quote_segment(value)) for key, value in self.params.items()
                                             if isinstance(value, (str, int))))

    def find(self):
        query = dict((key, value.format(**self.params)) for key, value in (self.lookup or {}).items())
        name = self.params[self.name_option]
        for item in self.client.paginate(self.collection_path(), params=query, permission=self.permission('list'),
                                         remember=True):
            if item.get(self.name_field) == name:
                return item
        return None

    def body(self, values):
        return dict(harbor_fields(self.options, values), **{self.name_field: self.params[self.name_option]})

    def create(self, desired):
        self.client.post(self.collection_path(), json=self.body(desired), permission=self.permission('create'))
        return None

    def update(self, current, changes, desired):
        values = self.view(current, set(option.name for option in self.options if option.field))
        values.update(changes)
        self.client.put('%s/%s' % (self.collection_path(), current['id']), json=self.body(values),
                        permission=self.permission('update'))
        return None

    def delete(self, current):
        self.client.delete('%s/%s' % (self.collection_path(), current['id']), missing_ok=True,
                           permission=self.permission('delete'))


class Converger:
    """Runs a Resource to the desired state and builds the module result."""

    def __init__(self, resource):
        self.resource = resource
        self.module = resource.module
        self.check_mode = resource.module.check_mode

    def desired(self):
        params = self.module.params
        return self.resource.derive(dict((option.name, option.desired(params[option.name]))
                                         for option in self.resource.options if params.get(option.name) is not None))

    def run(self, state=None):
        resource = self.resource
        state = state or self.module.params.get('state') or 'present'
        resource.check_identity()
        desired = self.desired() if state == 'present' else {}
        resource.validate(desired)
        current = resource.find()
        result = self._absent(current) if state == 'absent' else self._present(current, desired)
        result.update(resource.report())
        return result

    def _visible(self, values):
        secret = set(option.name for option in self.resource.options if option.secret)
        return dict((key, value) for key, value in values.items() if key not in secret)

    def _diff(self, before, after):
        if not self.module._diff:
            return {}
        identity = self.resource.identity()
        return dict(diff=dict(before=dict(identity, **self._visible(before)) if before is not None else {},
                              after=dict(identity, **self._visible(after)) if after is not None else {}))

    def _absent(self, current):
        if current is None:
            return dict(changed=False, **self._diff(None, None))
        # Only the options named in the task: reading every option could cost requests the caller may not be allowed.
        named = set(option.name for option in self.resource.options
                    if not option.secret and self.module.params.get(option.name) is not None)
        before = self.resource.view(current, named) if named else {}
        self.resource.before_delete(current)
        if not self.check_mode:
            self.resource.delete(current)
        result = dict(changed=True, **self._diff(before, None))
        result[self.resource.return_key] = {}
        return result

    def _present(self, current, desired):
        resource = self.resource
        missing = [name for name in resource.required_to_create if name not in desired] if current is None else []
        if missing:
            raise ValidationError('%s: required to create %s %r, which does not exist'
                                  % (' and '.join(missing), resource.kind, self.module.params[resource.name_option]))
        resource.prepare(current, desired)
        if current is None:
            return self._create(desired)
        before = dict(resource.view(current, set(desired)), **resource.probe(current, desired))
        changes = self.changes(before, desired)
        after = dict(before, **changes)
        if changes and not self.check_mode:
            updated = resource.update(current, changes, desired)
            current = updated if updated is not None else resource.find()
        result = dict(changed=bool(changes), **self._diff(before, after))
        result[resource.return_key] = resource.result(current) if current is not None else {}
        return result

    def changes(self, before, desired):
        """{option: desired value} for every option the user set that differs from `before`; create_only checked."""
        resource = self.resource
        changes = {}
        for option in resource.options:
            if option.name not in desired:
                continue
            if resource.equal(option.name, before.get(option.name), desired[option.name]):
                continue
            if option.create_only:
                raise ValidationError('%s cannot be changed once the object exists (Harbor has %r, the task asks for %r); '
                                      'delete and recreate it to change it' % (
                                          option.name, before.get(option.name), desired[option.name]))
            changes[option.name] = desired[option.name]
        return changes

    def _create(self, desired):
        resource = self.resource
        if self.check_mode:
            result = dict(changed=True, **self._diff(None, desired))
            result[resource.return_key] = resource.planned(desired)
            return result
        outcome = create_or_find(lambda: resource.create(desired), resource.find, resource.conflict)
        if outcome.found is not None:
            result = self._present(outcome.found, desired)
            # Our create may be what made it, and its answer was lost: that is a change all the same.
            result['changed'] = result['changed'] or outcome.lost
            return result
        created = outcome.created if outcome.created is not None else resource.find()
        result = dict(changed=True, **self._diff(None, desired))
        result[resource.return_key] = resource.result(created) if created is not None else {}
        return result


# The options every writer of an object that can be deleted has, and every writer of a write-only secret: Harbor
# never returns such a secret, so whether to send it again is the user's choice.
STATE_OPTION = dict(type='str', choices=['present', 'absent'], default='present')
UPDATE_SECRET_OPTION = dict(type='str', choices=['always', 'on_create'], default='on_create', no_log=False)


def harbor_module(argument_spec, state=False, update_secret=False, **kwargs):
    """A module of the collection, check mode supported: an AnsibleModule with the Harbor connection options added to
    `argument_spec`, plus `state` (present/absent) and `update_secret` when asked."""
    spec = harbor_argument_spec()
    spec.update(argument_spec)
    if state:
        spec['state'] = dict(STATE_OPTION)
    if update_secret:
        spec['update_secret'] = dict(UPDATE_SECRET_OPTION)
    return build_module(spec, supports_check_mode=True, **kwargs)


def run_module(module, work, connect=client_from_module):
    """The runner of every module: work(connect(module)) (work() without connect), then exit with its result.

    Every error of the collection (Harbor, Kubernetes, bad input) becomes a clean failure with its details.
    """
    try:
        result = work(connect(module)) if connect is not None else work()
    except CollectionError as error:
        module.fail_json(msg=str(error), **error.details())
    module.exit_json(**result)


def converge(resource_class, argument_spec, state=True, **kwargs):
    """The whole life of a simple writer module: build it (harbor_module, with `state` unless state=False), then the
    client and the resource, converge, exit."""
    module = harbor_module(argument_spec, state=state, **kwargs)
    run_module(module, lambda client: Converger(resource_class(module, client)).run())


def run_info(key, argument_spec, reader, order=None, build=harbor_module, connect=client_from_module, **kwargs):
    """The whole life of an *_info module: build it (with `query`), compile the query before any request, then
    reader(module, client) (reader(module) without connect) gives the items (sorted by their field `order` when
    given), or Found when the result has more; exit with the items under `key` and the query's result.
    """
    module = build(dict(argument_spec, query=dict(type='str')), **kwargs)

    def work(*client):
        expression = compile_query(module)
        found = reader(module, *client)
        if not isinstance(found, Found):
            found = Found(found)
        items = sorted(found.items, key=lambda item: item[order] or '') if order else found.items
        return dict(info_result(key, items, expression), **found.more)

    run_module(module, work, connect=connect)


def named_reader(lister, describe, option='name', check=None):
    """The reader (see run_info) of the objects of one kind, or of the one named by `option` (checked by `check`
    first): describe(object) of each that lister(client, name) lists."""
    def read(module, client):
        if check is not None:
            check_given(module.params, **{option: check})
        return [describe(item) for item in lister(client, module.params[option])]

    return read
