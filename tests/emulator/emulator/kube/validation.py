# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Name, label and annotation rules, with the API server's own wording.

k8s.io/apimachinery/pkg/util/validation/validation.go (IsDNS1123Label, IsDNS1123Subdomain,
IsQualifiedName, IsValidLabelValue, IsConfigMapKey) and
pkg/api/validation/objectmeta.go (ValidateAnnotations: 256 KiB in total).
Each check returns a list of (field, reason, message) causes; an empty list means valid.
"""

from __future__ import annotations

import json
import re

DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_SUBDOMAIN = DNS1123_LABEL + r"(\." + DNS1123_LABEL + r")*"
QUALIFIED_NAME = r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
LABEL_VALUE = r"(" + QUALIFIED_NAME + r")?"
CONFIG_KEY = r"[-._a-zA-Z0-9]+"
ANNOTATIONS_MAX_BYTES = 256 * 1024


def bad_value(value, struct=False):
    """A map or struct value in a FieldValueInvalid message: field.ErrorBody prints json.Marshal's output since 1.34
    (compact, <, > and & escaped, map keys sorted); a struct is a dict already in its Go field order."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=not struct)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _invalid(field, value, text):
    return [(field, "FieldValueInvalid", 'Invalid value: "%s": %s' % (value, text))]


def _too_long(field, value, limit):
    return [(field, "FieldValueTooLong", 'Invalid value: "%s": must be no more than %d characters' % (value, limit))]


SUBDOMAIN_RULE = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                  "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
                  "is '%s')" % DNS1123_SUBDOMAIN)
LABEL_RULE = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
              "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
              "'%s')" % DNS1123_LABEL)
NAME_PART_RULE = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                  "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                  "'%s')" % QUALIFIED_NAME)


def dns1123_label(field, value):
    if len(value) > 63:
        return _too_long(field, value, 63)
    return [] if re.fullmatch(DNS1123_LABEL, value) else _invalid(field, value, LABEL_RULE)


def dns1123_subdomain(field, value):
    if len(value) > 253:
        return _too_long(field, value, 253)
    return [] if re.fullmatch(DNS1123_SUBDOMAIN, value) else _invalid(field, value, SUBDOMAIN_RULE)


def qualified_name(field, key):
    """A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters."""
    prefix, slash, name = key.rpartition("/")
    causes = []
    if slash and not prefix:
        causes += _invalid(field, key, "prefix part must be non-empty")
    elif slash and (len(prefix) > 253 or not re.fullmatch(DNS1123_SUBDOMAIN, prefix)):
        causes += _invalid(field, key, "prefix part " + SUBDOMAIN_RULE)
    if not name:
        causes += _invalid(field, key, "name part must be non-empty")
    elif len(name) > 63:
        causes += _invalid(field, key, "name part must be no more than 63 characters")
    elif not re.fullmatch(QUALIFIED_NAME, name):
        causes += _invalid(field, key, NAME_PART_RULE)
    return causes


def label_value(field, value):
    if len(value) > 63:
        return _invalid(field, value, "must be no more than 63 characters")
    if not re.fullmatch(LABEL_VALUE, value):
        return _invalid(field, value, "a valid label must be an empty string or consist of alphanumeric characters, "
                                      "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                                      "'MyValue',  or 'my_value',  or '12345', regex used for validation is '%s')"
                                      % LABEL_VALUE)
    return []


def labels(mapping, field="metadata.labels"):
    causes = []
    for key, value in sorted((mapping or {}).items()):
        causes += qualified_name(field, key)
        if not isinstance(value, str):
            causes += _invalid(field, value, "label values must be strings")
        else:
            causes += label_value(field, value)
    return causes


def annotations(mapping, field="metadata.annotations"):
    causes = []
    total = 0
    for key, value in sorted((mapping or {}).items()):
        causes += qualified_name(field, key.lower())
        total += len(key) + len(value if isinstance(value, str) else str(value))
    if total > ANNOTATIONS_MAX_BYTES:
        causes.append((field, "FieldValueTooLong", "Too long: must have at most %d bytes" % ANNOTATIONS_MAX_BYTES))
    return causes


def config_key(field, key):
    if len(key) > 253:
        return _too_long(field, key, 253)
    if not re.fullmatch(CONFIG_KEY, key):
        return _invalid(field, key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                                    "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                                    "'%s')" % CONFIG_KEY)
    return []


def required(field, what):
    # field.Required: "Required value" and, when there is one, ": <detail>"
    return [(field, "FieldValueRequired", "Required value: %s" % what if what else "Required value")]


def immutable(field, value):
    return [(field, "FieldValueInvalid", 'Invalid value: "%s": field is immutable' % value)]
