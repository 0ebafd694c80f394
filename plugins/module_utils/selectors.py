# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The repository and tag selectors of retention and immutability rules.

The modules write a selector `{matching: <pattern>}` or `{excluding: <pattern>}`; Harbor stores a list of
`{kind: doublestar, decoration: matches|excludes|repoMatches|repoExcludes, pattern}`. Patterns are doublestar
globs: `*` stays within one `/`-separated part, `**` spans parts, `{a,b}` lists alternatives, `[0-9]` is a class.
Harbor stores any pattern and only fails when a rule is evaluated, so the syntax is checked here first.
"""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError

MATCH_ALL = '**'
WORDS = ('matching', 'excluding')
DECORATIONS = {
    'tags': {'matching': 'matches', 'excluding': 'excludes'},
    'repositories': {'matching': 'repoMatches', 'excluding': 'repoExcludes'},
}


def check_pattern(option, pattern):
    """The doublestar syntax Harbor's matcher accepts: closed {} and [], non-empty classes, no dangling \\."""
    depth = 0
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == '\\':
            if index + 1 == len(pattern):
                raise ValidationError('%s %r ends with a lone "\\"; escape it as "\\\\"' % (option, pattern))
            index += 2
            continue
        if char == '[':
            end = pattern.find(']', index + 1)
            if end < 0:
                raise ValidationError('%s %r opens a "[" class that is never closed' % (option, pattern))
            body = pattern[index + 1:end]
            if body in ('', '^') or body.lstrip('^').startswith('-') or body.endswith('-'):
                raise ValidationError('%s %r has an empty or malformed class "[%s]"' % (option, pattern, body))
            index = end + 1
            continue
        if char == '{':
            depth += 1
        elif char == '}' and depth:
            depth -= 1
        index += 1
    if depth:
        raise ValidationError('%s %r opens a "{" list of alternatives that is never closed' % (option, pattern))
    return pattern


def normalize_selector(option, value):
    """A task's selector -> {'matching'|'excluding': pattern}; an omitted selector matches everything."""
    given = dict((word, pattern) for word, pattern in (value or {}).items() if pattern is not None)
    if not given:
        return {'matching': MATCH_ALL}
    if len(given) != 1 or set(given) - set(WORDS):
        raise ValidationError('%s takes exactly one of matching or excluding, got %s' % (option, ', '.join(sorted(given))))
    (word, pattern), = given.items()
    pattern = str(pattern)
    if not pattern:
        raise ValidationError('%s.%s is empty; write "**" to select everything' % (option, word))
    return {word: check_pattern('%s.%s' % (option, word), pattern)}


def to_harbor(kind, selector, extras=None):
    """{'matching': 'v*'} -> Harbor's doublestar selector for `kind` ('tags' or 'repositories')."""
    (word, pattern), = selector.items()
    harbor = dict(kind='doublestar', decoration=DECORATIONS[kind][word], pattern=pattern)
    if extras is not None:
        harbor['extras'] = extras
    return harbor


def from_harbor(kind, selectors):
    """Harbor's selector list -> the module's form; anything the module cannot write comes back as is.

    Harbor applies every selector of a list in turn, but the UI and the modules write exactly one; none, several,
    an unknown kind or decoration come back as `{'harbor': selectors}`, which never equals a task's selector.
    """
    selectors = selectors or []
    if len(selectors) == 1 and (selectors[0].get('kind') or 'doublestar') == 'doublestar':
        for word, decoration in DECORATIONS[kind].items():
            if selectors[0].get('decoration') == decoration:
                return {word: selectors[0].get('pattern') or ''}
    return {'harbor': selectors}
