# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tag immutability rules: the module's form {repositories, tags, disabled} and Harbor's.

A rule is known by its selectors; `disabled` is one of its properties, so two rules with the same selectors
are the same rule.
"""

from __future__ import annotations

import json

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.selectors import (
    from_harbor,
    normalize_selector,
    to_harbor,
)


def immutable_permission(action, project):
    return 'immutable-tag:%s on project %s' % (action, project)


def list_rules(client, project):
    """Every immutability rule of the project, as Harbor returns them."""
    return client.paginate(client.project_path(project, '/immutabletagrules'), resource_name=True,
                           permission=immutable_permission('list', project))


def identity_of(rule):
    return json.dumps([rule['repositories'], rule['tags']], sort_keys=True)


def sort_rules(rules):
    return sorted(rules, key=lambda rule: (identity_of(rule), rule['disabled']))


def normalize_rules(rules):
    """The task's rules in the module's form, each listed once."""
    listed = [dict(repositories=normalize_selector('rules[%d].repositories' % index, rule.get('repositories')),
                   tags=normalize_selector('rules[%d].tags' % index, rule.get('tags')),
                   disabled=bool(rule.get('disabled')))
              for index, rule in enumerate(rules or [])]
    seen = {}
    for index, rule in enumerate(listed):
        key = identity_of(rule)
        if key in seen:
            raise ValidationError('rules[%d] and rules[%d] have the same repositories and tags; a rule is known by '
                                  'its selectors, list it once' % (seen[key], index))
        seen[key] = index
    return listed


def rule_from_harbor(rule):
    return dict(repositories=from_harbor('repositories', (rule.get('scope_selectors') or {}).get('repository')),
                tags=from_harbor('tags', rule.get('tag_selectors')), disabled=bool(rule.get('disabled')))


def rule_to_harbor(rule, rule_id=None, disabled=None):
    """Harbor's form; `disabled` overrides the rule's flag (one PUT changes either the selectors or the flag)."""
    body = dict(priority=0, action='immutable', template='immutable_template',
                disabled=rule['disabled'] if disabled is None else disabled,
                tag_selectors=[to_harbor('tags', rule['tags'])],
                scope_selectors=dict(repository=[to_harbor('repositories', rule['repositories'])]))
    if rule_id is not None:
        body['id'] = rule_id
    return body
