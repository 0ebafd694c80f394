# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three patch formats the API server applies to built-in kinds.

- ``application/json-patch+json``: RFC 6902 operations (evanphx/json-patch, as used by
  k8s.io/apiserver/pkg/endpoints/handlers/patch.go); a failing operation answers 422.
- ``application/merge-patch+json``: RFC 7386; ``null`` deletes, lists are replaced whole.
- ``application/strategic-merge-patch+json``: like a merge patch, except for lists whose Go field
  carries a patch strategy (k8s.io/apimachinery/pkg/util/strategicpatch/patch.go): ``merge`` lists
  with a merge key (ServiceAccount ``secrets`` by ``name``) merge element by element, ``merge`` lists
  of scalars (``metadata.finalizers``) become a union, and lists without a strategy
  (ServiceAccount ``imagePullSecrets``, Namespace ``spec.finalizers``) are replaced. The directives
  ``$patch: replace|delete|merge``, ``$deleteFromPrimitiveList/<field>`` and ``$setElementOrder/<field>``
  (the order kubectl apply wants, normalizeElementOrder) are honoured; ``$retainKeys`` is accepted and dropped.
"""

from __future__ import annotations

import copy
import json

from . import errors

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH)


class PatchError(Exception):
    """An operation that does not apply to the document."""


def apply(content_type, document, raw_patch, strategies):
    """Return the patched copy of ``document``; ``strategies`` maps field paths to SMP list strategies."""
    try:
        patch = json.loads(raw_patch or b"null")
    except ValueError as exc:
        raise errors.bad_request("error decoding patch: %s" % exc) from exc
    if content_type == JSON_PATCH:
        if not isinstance(patch, list):
            raise errors.bad_request("error decoding patch: json: cannot unmarshal %s into Go value of type "
                                     "[]handlers.jsonPatchOp" % _json_type(patch))
        try:
            return json_patch(document, patch)
        except PatchError as exc:
            # kube-apiserver 1.35 keeps the reason to itself: empty details (tests/kube/test_differential.py)
            raise errors.KubeError(422, "the server rejected our request due to an error in our request", "Invalid",
                                   {}) from exc
    if not isinstance(patch, dict):
        raise errors.bad_request("json: cannot unmarshal %s into Go value of type map[string]interface {}"
                                 % _json_type(patch))
    if content_type == MERGE_PATCH:
        return merge_patch(document, patch)
    return strategic_merge_patch(document, patch, strategies)


def _json_type(value):
    return {dict: "object", list: "array", str: "string", bool: "bool", type(None): "null"}.get(type(value), "number")


# -- RFC 7386 -----------------------------------------------------------------------------------------------

def merge_patch(document, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(document) if isinstance(document, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# -- RFC 6902 -----------------------------------------------------------------------------------------------

def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError("JSON pointer must start with '/': %s" % path)
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _parent(document, parts, operation, path):
    node = document
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise PatchError("%s operation does not apply: doc is missing path: %s" % (operation, path))
    return node


def _index(node, part, operation, path, allow_end=False):
    if part == "-" and allow_end:
        return len(node)
    if not part.isdigit() or int(part) > len(node) or (int(part) == len(node) and not allow_end):
        raise PatchError("%s operation does not apply: doc is missing path: %s" % (operation, path))
    return int(part)


def _get(document, path, operation):
    parts = _pointer(path)
    if not parts:
        return document
    parent = _parent(document, parts, operation, path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, operation, path)]
    raise PatchError("%s operation does not apply: doc is missing path: %s" % (operation, path))


def _remove(document, path, operation="remove"):
    parts = _pointer(path)
    parent = _parent(document, parts, operation, path)
    if isinstance(parent, dict) and parts[-1] in parent:
        return parent.pop(parts[-1])
    if isinstance(parent, list):
        return parent.pop(_index(parent, parts[-1], operation, path))
    raise PatchError("%s operation does not apply: doc is missing path: %s" % (operation, path))


def _add(document, path, value, operation="add"):
    parts = _pointer(path)
    if not parts:
        return value
    parent = _parent(document, parts, operation, path)
    if isinstance(parent, dict):
        parent[parts[-1]] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, parts[-1], operation, path, allow_end=True), value)
    else:
        raise PatchError("%s operation does not apply: doc is missing path: %s" % (operation, path))
    return document


def json_patch(document, operations):
    result = copy.deepcopy(document)
    for operation in operations:
        if not isinstance(operation, dict) or "op" not in operation:
            raise PatchError("Unexpected kind: %r" % (operation,))
        kind, path = operation["op"], operation.get("path")
        if not isinstance(path, str):
            raise PatchError("%s operation does not apply: missing path" % kind)
        if kind in ("add", "replace", "test") and "value" not in operation:
            raise PatchError("%s operation does not apply: missing value" % kind)
        if kind == "add":
            result = _add(result, path, copy.deepcopy(operation["value"]))
        elif kind == "remove":
            _remove(result, path)
        elif kind == "replace":
            _get(result, path, "replace")
            if _pointer(path):
                _remove(result, path, "replace")
            result = _add(result, path, copy.deepcopy(operation["value"]), "replace")
        elif kind in ("move", "copy"):
            source = operation.get("from")
            if not isinstance(source, str):
                raise PatchError("%s operation does not apply: missing from" % kind)
            value = _remove(result, source, kind) if kind == "move" else copy.deepcopy(_get(result, source, kind))
            result = _add(result, path, value, kind)
        elif kind == "test":
            try:
                found = _get(result, path, "test")
            except PatchError:
                found = None
            if found != operation["value"]:
                raise PatchError("testing value %s failed: test failed" % path)
        else:
            raise PatchError("Unexpected kind: %s" % kind)
    return result


# -- strategic merge ----------------------------------------------------------------------------------------

def _strip_directives(value):
    if isinstance(value, dict):
        return dict((key, _strip_directives(item)) for key, item in value.items()
                    if key != "$patch" and not key.startswith(("$setElementOrder/", "$deleteFromPrimitiveList/"))
                    and key != "$retainKeys" and item is not None)
    if isinstance(value, list):
        return [_strip_directives(item) for item in value]
    return value


def strategic_merge_patch(document, patch, strategies, path=()):
    """Merge ``patch`` into ``document``; ``strategies[path] = (merge_key or None)`` marks merge lists."""
    directive = patch.get("$patch")
    if directive == "replace":
        return _strip_directives(patch)
    if directive not in (None, "merge", "delete"):
        raise errors.bad_request("Unknown patch type: %s" % directive)
    result = copy.deepcopy(document) if isinstance(document, dict) else {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys") or key.startswith("$setElementOrder/"):
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [item for item in result.get(field) or [] if item not in (value or [])]
            continue
        field_path = path + (key,)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            if value.get("$patch") == "delete":
                result.pop(key, None)
            else:
                result[key] = strategic_merge_patch(result.get(key), value, strategies, field_path)
        elif isinstance(value, list) and field_path in strategies:
            result[key] = _merge_list(result.get(key) or [], value, strategies[field_path], strategies, field_path)
        else:
            result[key] = _strip_directives(value)
    for key, order in patch.items():
        field = key.split("/", 1)[1] if key.startswith("$setElementOrder/") else None
        if field and path + (field,) in strategies and isinstance(result.get(field), list) and isinstance(order, list):
            server = (document or {}).get(field) if isinstance(document, dict) else None
            result[field] = _element_order(result[field], order, server or [], strategies[path + (field,)])
    return result


def _element_order(merged, order, server, merge_key):
    """strategicpatch's normalizeElementOrder: the items named in $setElementOrder in that order, the others
    (server-only) in their server order, interleaved where both were on the server."""
    def key_of(item):
        return item.get(merge_key) if merge_key and isinstance(item, dict) else item

    order_keys = [key_of(item) for item in order]
    server_keys = [key_of(item) for item in server]
    in_patch = sorted((item for item in merged if key_of(item) in order_keys),
                      key=lambda item: order_keys.index(key_of(item)))
    server_only = sorted((item for item in merged if key_of(item) not in order_keys),
                         key=lambda item: server_keys.index(key_of(item)) if key_of(item) in server_keys else -1)
    result = []
    while in_patch or server_only:
        if in_patch and server_only:
            left, right = key_of(server_only[0]), key_of(in_patch[0])
            take_left = left in server_keys and right in server_keys and \
                server_keys.index(left) < server_keys.index(right)
            result.append(server_only.pop(0) if take_left else in_patch.pop(0))
        else:
            result.append((in_patch or server_only).pop(0))
    return result


def _merge_list(original, patch, merge_key, strategies, path):
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [_strip_directives(item) for item in patch if not (isinstance(item, dict) and item.get("$patch"))]
    # mergeSlice ends with normalizeElementOrder, the patch's own list being the order: the patch's items come
    # in its order, ahead of server-only ones unless both were on the server ({"secrets": [s2]} on [s1] is [s2, s1]).
    return _element_order(_merge_items(original, patch, merge_key, strategies, path), patch, original, merge_key)


def _merge_items(original, patch, merge_key, strategies, path):
    if merge_key is None:
        return list(original) + [item for item in patch if item not in original]
    result = copy.deepcopy(original)
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            raise errors.bad_request("map: %s does not contain declared merge key: %s" % (item, merge_key))
        position = next((index for index, current in enumerate(result)
                         if isinstance(current, dict) and current.get(merge_key) == item[merge_key]), None)
        if item.get("$patch") == "delete":
            result = [current for current in result if not (isinstance(current, dict)
                                                            and current.get(merge_key) == item[merge_key])]
        elif position is None:
            result.append(_strip_directives(item))
        else:
            result[position] = strategic_merge_patch(result[position], item, strategies, path)
    return result
