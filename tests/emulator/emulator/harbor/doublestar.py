# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The doublestar patterns of retention and immutability rules.

Harbor's selector (src/lib/selector/selectors/doublestar/selector.go)
calls bmatcuk/doublestar v1 ``Match``: ``*`` and ``?`` stay inside one
``/``-separated component, a whole ``**`` component spans any number of
components, ``[a-z]``/``[^a-z]`` are classes, ``{a,b}`` alternatives
and ``\\`` escapes; an empty pattern matches everything.  Here a pattern
is expanded into its alternatives and each one is turned into a regex.
"""

from __future__ import annotations

import functools
import json
import re


class PatternError(ValueError):
    """doublestar.ErrBadPattern."""

    def __init__(self):
        super().__init__("syntax error in pattern")


def _closing_brace(pattern, start):
    """Index of the ``}`` closing the ``{`` at ``start``, and the top-level ``,`` positions inside."""
    depth = 0
    commas = []
    index = start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index, commas
        elif char == "," and depth == 1:
            commas.append(index)
        index += 1
    raise PatternError()


def _alternatives(pattern):
    """Every brace-free pattern that ``pattern`` stands for."""
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\":
            index += 2
            continue
        if pattern[index] == "{":
            end, commas = _closing_brace(pattern, index)
            bounds = [index] + commas + [end]
            prefix, suffix = pattern[:index], pattern[end + 1:]
            expanded = []
            for left, right in zip(bounds, bounds[1:]):
                expanded.extend(_alternatives(prefix + pattern[left + 1:right] + suffix))
            return expanded
        index += 1
    return [pattern]


def _class(body):
    """A ``[...]`` body as a regex class that never matches ``/``."""
    negate = body.startswith("^")
    chars = body[1:] if negate else body
    if not chars:
        raise PatternError()
    items = []
    index = 0
    while index < len(chars):
        low = chars[index]
        if low == "-":
            raise PatternError()
        if low == "\\":
            index += 1
            if index >= len(chars):
                raise PatternError()
            low = chars[index]
        index += 1
        item = re.escape(low)
        if index < len(chars) and chars[index] == "-":
            index += 1
            if index >= len(chars) or chars[index] == "-":
                raise PatternError()
            high = chars[index]
            if high == "\\":
                index += 1
                if index >= len(chars):
                    raise PatternError()
                high = chars[index]
            index += 1
            item += "-" + re.escape(high)
        items.append(item)
    return "(?!/)[%s%s]" % ("^" if negate else "", "".join(items))


def _component(text):
    out = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\":
            if index + 1 >= len(text):
                raise PatternError()
            out.append(re.escape(text[index + 1]))
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            end = index + 1
            while end < len(text) and text[end] != "]":
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                raise PatternError()
            out.append(_class(text[index + 1:end]))
            index = end + 1
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


def _split(pattern):
    """Split on the ``/`` that are not escaped."""
    parts = [""]
    index = 0
    while index < len(pattern):
        if pattern[index] == "\\":
            parts[-1] += pattern[index:index + 2]
            index += 2
            continue
        if pattern[index] == "/":
            parts.append("")
        else:
            parts[-1] += pattern[index]
        index += 1
    return parts


def _regex(pattern):
    components = _split(pattern)
    out = []
    for index, component in enumerate(components):
        last = index == len(components) - 1
        if component == "**":
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        out.append(_component(component))
        if not last:
            out.append("/")
    return "".join(out)


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern):
    """The compiled alternatives of ``pattern``; raises PatternError when it is malformed."""
    return tuple(re.compile(_regex(alternative), re.DOTALL) for alternative in _alternatives(pattern))


def match(pattern, name):
    """``doublestar.Match(pattern, name)`` behind Harbor's ``match``: an empty pattern matches everything."""
    if not pattern:
        return True
    return any(regex.fullmatch(name) for regex in compile_pattern(pattern))


def tag_selected(decoration, pattern, untagged, tags):
    """Whether a tag selector keeps an artifact with ``tags`` (``matches``/``excludes``).

    ``matches``: some tag matches; ``excludes``: some tag does not match.
    Untagged artifacts are kept by ``matches`` when ``untagged`` is true and
    by ``excludes`` when it is false.  Other decorations select nothing.
    """
    if decoration not in ("matches", "excludes"):
        return False
    if not tags:
        return untagged if decoration == "matches" else not untagged
    if decoration == "matches":
        return any(match(pattern, tag) for tag in tags)
    return any(not match(pattern, tag) for tag in tags)


def repository_selected(decoration, pattern, repository):
    """``repoMatches``/``repoExcludes`` on a repository name without its project; others select nothing."""
    if decoration == "repoMatches":
        return match(pattern, repository)
    if decoration == "repoExcludes":
        return not match(pattern, repository)
    return False


def untagged_of(decoration, extras):
    """The ``untagged`` flag of a selector, as selector.New reads its JSON ``extras``.

    No extras: true for ``matches``, false for ``excludes``.  Extras that
    decode (even ``{}`` or ``null``) give their ``untagged`` value, false if
    absent; extras that do not decode leave the default.
    """
    default = decoration != "excludes"
    if not extras:
        return default
    try:
        parsed = json.loads(extras)
    except ValueError:
        return default
    if parsed is None:
        return False
    if not isinstance(parsed, dict):
        return default
    value = parsed.get("untagged")
    if value is None:
        return False
    return value if isinstance(value, bool) else default
