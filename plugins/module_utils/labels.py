# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's labels: global ones (scope g, system administrators) and those of one project (scope p).

Both live in /labels; the list needs the scope, and the project's id for a project's labels. Harbor checks
neither the colour nor an empty name, and answers 500 to a name over 128 characters, so those rules are ours.
"""

from __future__ import annotations

import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

LABELS = '/labels'
MAX_NAME_LENGTH = 128
COLOR_PATTERN = re.compile(r'^#[0-9A-Fa-f]{6}$')


def check_label_name(option, value):
    if value is None or not value.strip() or len(value) > MAX_NAME_LENGTH:
        raise ValidationError('%s must be 1 to %d characters long and not blank, got %d characters'
                              % (option, MAX_NAME_LENGTH, len(value or '')))
    return value


def normalize_color(value):
    """The canonical form of a colour: upper-case #RRGGBB, or '' for none."""
    if value == '':
        return ''
    if not COLOR_PATTERN.match(value):
        raise ValidationError('color must be a colour in the #RRGGBB form (such as #61717D), or an empty string for '
                              'none; got %r' % value)
    return value.upper()


def harbor_color(value):
    """Harbor's stored colour in canonical form; a colour Harbor kept as sent in another form is compared as is."""
    value = value or ''
    return value.upper() if COLOR_PATTERN.match(value) else value


def permission(action, project=None):
    if project is None:
        return 'label:%s (global labels: system administrators only)' % action
    return 'label:%s on project %s' % (action, project)


def label_query(project_id=None, name=None):
    query = dict(scope='g') if project_id is None else dict(scope='p', project_id=project_id)
    if name is not None:
        # Harbor matches name= loosely; callers compare exactly.
        query['name'] = name
    return query


def list_labels(client, project=None, project_id=None, name=None, remember=False):
    """The global labels, or those of the project (name and id); with name, only the label of exactly that name."""
    labels = client.paginate(LABELS, params=label_query(project_id, name), permission=permission('list', project),
                             remember=remember)
    return [label for label in labels if name is None or label.get('name') == name]


def describe(label, project=None):
    """A label as the modules return it: Harbor's fields, absent ones filled, and the project's name."""
    return dict(
        id=label.get('id'),
        name=label.get('name'),
        description=label.get('description') or '',
        color=label.get('color') or '',
        scope='project' if label.get('scope') == 'p' else 'global',
        project=project,
        project_id=label.get('project_id'),
        creation_time=label.get('creation_time'),
        update_time=label.get('update_time'),
    )


def labels_by_name(client, names, project=None, project_id=None):
    """{name: label} for the label names: each a label of the project or a global label, as the artifacts of the
    project may carry either. An unknown name, or one that is both, is an error (Harbor tells them apart by id)."""
    scopes = [list_labels(client, remember=True)]
    if project_id is not None:
        scopes.append(list_labels(client, project, project_id, remember=True))
    found = {}
    for name in names:
        matching = [label for labels in scopes for label in labels if label.get('name') == name]
        if not matching:
            raise ValidationError('labels: no global label%s is named %r; create it first with '
                                  'cloudtemple.harbor.harbor_label' % (
                                      ' and no label of project %s' % project if project else '', name))
        if len(matching) > 1:
            raise ValidationError('labels: %r names both a global label and a label of project %s; rename one of '
                                  'them with cloudtemple.harbor.harbor_label' % (name, project))
        found[name] = matching[0]
    return found
