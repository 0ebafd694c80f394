# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Label and field selectors of list requests (``labelSelector=``, ``fieldSelector=``).

Labels: k8s.io/apimachinery/pkg/labels/selector.go (Parse): comma-separated requirements ``key``,
``!key``, ``key=v``, ``key==v``, ``key!=v``, ``key in (a,b)``, ``key notin (a,b)``, ``key>1``, ``key<1``.
``!=`` and ``notin`` also match objects without the label. Fields: pkg/fields/selector.go, with the
field labels each kind supports (metadata.name, metadata.namespace, plus per-kind ones).
A selector that does not parse answers 400 BadRequest.
"""

from __future__ import annotations

import re

from . import errors, validation

SPECIAL = "!=,()<> \t"
OPERATORS = "in, notin, =, ==, !=, gt, lt"


def _tokens(text):
    """Split into identifiers and the symbols ! = == != , ( ) < >."""
    tokens = []
    index = 0
    while index < len(text):
        char = text[index]
        if char in " \t":
            index += 1
        elif text.startswith(("==", "!="), index):
            tokens.append(text[index:index + 2])
            index += 2
        elif char in "!=,()<>":
            tokens.append(char)
            index += 1
        else:
            end = index
            while end < len(text) and text[end] not in SPECIAL:
                end += 1
            tokens.append(text[index:end])
            index = end
    return tokens


def _is_identifier(token):
    return token is not None and token not in ("!", "=", "==", "!=", ",", "(", ")", "<", ">")


class _LabelParser:
    def __init__(self, text):
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self):
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.position += 1
        return token

    def fail(self, found, expected):
        raise errors.bad_request("unable to parse requirement: found '%s', expected: %s" % (found or "", expected))

    def parse(self):
        requirements = []
        while self.peek() is not None:
            requirements.append(self.requirement())
            token = self.take()
            if token not in (None, ","):
                self.fail(token, "',' or 'end of string'")
            if token == "," and self.peek() is None:
                self.fail("", "identifier")
        return requirements

    def requirement(self):
        negated = self.peek() == "!"
        if negated:
            self.take()
        key = self.take()
        if not _is_identifier(key):
            self.fail(key, "identifier")
        _check(validation.qualified_name("key", key))
        if negated:
            return ("!", key, ())
        operator = self.peek()
        if operator in (None, ","):
            return ("exists", key, ())
        self.take()
        if operator in ("=", "==", "!="):
            value = self.peek()
            if value in (None, ","):
                return (operator.replace("==", "="), key, ("",))
            if not _is_identifier(value):
                self.fail(value, "identifier")
            self.take()
            _check(validation.label_value("values[0][%s]" % key, value))
            return (operator.replace("==", "="), key, (value,))
        if operator in ("<", ">"):
            value = self.take()
            if not _is_identifier(value) or not re.fullmatch(r"-?\d+", value):
                raise errors.bad_request("unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an "
                                         "integer: %s" % (value or ""))
            return (operator, key, (int(value),))
        if operator in ("in", "notin"):
            return (operator, key, self.value_set(key))
        return self.fail(operator, OPERATORS)

    def value_set(self, key):
        token = self.take()
        if token != "(":
            self.fail(token, "'('")
        values = []
        while True:
            token = self.take()
            if token == ")" and not values:
                raise errors.bad_request("unable to parse requirement: for 'in', 'notin' operators, values set can't "
                                         "be empty")
            if not _is_identifier(token):
                self.fail(token, "identifier")
            _check(validation.label_value("values[%d][%s]" % (len(values), key), token))
            values.append(token)
            token = self.take()
            if token == ")":
                return tuple(values)
            if token != ",":
                self.fail(token, "',' or ')'")


def _check(causes):
    if causes:
        field, _reason, message = causes[0]
        raise errors.bad_request("unable to parse requirement: %s: %s" % (field, message))


def _requirement_matches(requirement, labels):
    operator, key, values = requirement
    present = key in labels
    value = labels.get(key)
    if operator == "exists":
        return present
    if operator == "!":
        return not present
    if operator in ("=", "in"):
        return present and value in values
    if operator in ("!=", "notin"):
        return not present or value not in values
    if not present or not re.fullmatch(r"-?\d+", value):
        return False
    return int(value) > values[0] if operator == ">" else int(value) < values[0]


def label_matcher(text):
    """A predicate on a labels dict; raises KubeError(400) when ``text`` does not parse."""
    requirements = _LabelParser(text or "").parse()
    return lambda labels: all(_requirement_matches(requirement, labels or {}) for requirement in requirements)


# metav1.LabelSelectorRequirement operators and the parsed requirement each one is
EXPRESSION_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


def selector_matcher(selector):
    """A predicate on a labels dict for a metav1.LabelSelector object (a Deployment's spec.selector), as
    LabelSelectorAsSelector makes it: no selector matches nothing, an empty one everything. Operators other than
    the four known ones are left to the caller's validation: they match nothing here."""
    if not isinstance(selector, dict):
        return lambda labels: False
    requirements = [("=", key, (value,)) for key, value in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        operator = EXPRESSION_OPERATORS.get(expression.get("operator")) if isinstance(expression, dict) else None
        if operator is None:
            return lambda labels: False
        requirements.append((operator, expression.get("key"), tuple(expression.get("values") or ())))
    return lambda labels: all(_requirement_matches(requirement, labels or {}) for requirement in requirements)


def field_matcher(text, supported):
    """A predicate on an object; ``supported`` maps field labels to getters."""
    terms = []
    for term in (text or "").split(","):
        term = term.strip()
        if not term:
            continue
        match = re.fullmatch(r"([^!=]+?)\s*(==|!=|=)\s*(.*)", term)
        if not match:
            raise errors.bad_request("invalid selector: '%s'; can't understand '%s'" % (text, term))
        field, operator, value = match.groups()
        if field not in supported:
            raise errors.bad_request("field label not supported: %s" % field)
        terms.append((supported[field], operator != "!=", value))
    return lambda obj: all((getter(obj) == value) == equal for getter, equal, value in terms)
