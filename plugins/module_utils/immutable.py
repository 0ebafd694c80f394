# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Tag immutability rules: the module's form {repositories, tags, disabled} and Harbor's.

A rule is known by its selectors; `disabled` is one of its properties, so two rules with the same selectors
are the same rule.
"""

from __future__ import annotations

import json
import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import HarborError, ValidationError
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


# -- which tags the rules protect --------------------------------------------------------------------------
# Harbor tells a tag's immutability only for tags that exist (with_immutable_status); a tag a copy will bring into
# a repository is judged here from the rules, as src/pkg/immutable/match/rule/match.go does: an enabled rule
# protects a tag when its first repository selector selects the repository (its name without the project) and its
# first tag selector the tag. A pattern Harbor cannot evaluate protects nothing there either.

def _alternatives(pattern):
    """The brace-free patterns that `pattern` stands for ({a,b} lists alternatives, possibly nested)."""
    depth, start, commas, index = 0, None, [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == '\\':
            index += 1
        elif char == '{':
            depth += 1
            start = index if depth == 1 else start
        elif char == ',' and depth == 1:
            commas.append(index)
        elif char == '}' and depth:
            depth -= 1
            if depth == 0:
                bounds = [start] + commas + [index]
                return [expanded for left, right in zip(bounds, bounds[1:])
                        for expanded in _alternatives(pattern[:start] + pattern[left + 1:right] + pattern[index + 1:])]
        index += 1
    return [pattern]


def _part_regex(part):
    """One '/'-separated part: * and ? never cross a '/', [...] is a class, \\ escapes."""
    out, index = [], 0
    while index < len(part):
        char = part[index]
        if char == '\\' and index + 1 < len(part):
            out.append(re.escape(part[index + 1]))
            index += 1
        elif char in '*?':
            out.append('[^/]*' if char == '*' else '[^/]')
        elif char == '[':
            end = part.index(']', index + 1)
            body = part[index + 1:end]
            negate = body.startswith('^')
            out.append('(?!/)[%s%s]' % ('^' if negate else '', re.escape(body[1:] if negate else body).replace('\\-', '-')))
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return ''.join(out)


def pattern_matches(pattern, name):
    """bmatcuk/doublestar's Match, which Harbor's selectors use; an empty pattern matches everything."""
    if not pattern:
        return True
    for alternative in _alternatives(pattern):
        parts = alternative.split('/')
        regex = ''.join(('.*' if last else '(?:[^/]*/)*') if part == '**' else _part_regex(part) + ('' if last else '/')
                        for last, part in ((number == len(parts) - 1, part) for number, part in enumerate(parts)))
        if re.fullmatch(regex, name, re.DOTALL):
            return True
    return False


def rule_protects(rule, repository, tag):
    """Whether Harbor's rule (its JSON) protects `tag` in `repository` (the name without the project)."""
    if rule.get('disabled'):
        return False
    repositories = (rule.get('scope_selectors') or {}).get('repository') or []
    tags = rule.get('tag_selectors') or []
    if not repositories or not tags:
        return False
    selector, tag_selector = repositories[0], tags[0]
    try:
        selected = {'repoMatches': True, 'repoExcludes': False}.get(selector.get('decoration'))
        if selected is None or pattern_matches(selector.get('pattern') or '', repository) is not selected:
            return False
        kept = {'matches': True, 'excludes': False}.get(tag_selector.get('decoration'))
        return kept is not None and pattern_matches(tag_selector.get('pattern') or '', tag) is kept
    except (ValueError, re.error):
        return False


def protected_tags(rules, repository, tags):
    """The tags among `tags` that one of Harbor's `rules` protects in `repository`."""
    return sorted(tag for tag in tags if any(rule_protects(rule, repository, tag) for rule in rules))


def project_rules(client, project):
    """The project's rules (Harbor's JSON) for protected_tags; none known when the account may not list them
    (immutable-tag:list, which a CI robot seldom has): Harbor's own 412 then stands."""
    try:
        return client.paginate(client.project_path(project, '/immutabletagrules'), resource_name=True,
                               permission='immutable-tag:list on project %s' % project)
    except HarborError as error:
        if error.status == 403:
            return []
        raise
