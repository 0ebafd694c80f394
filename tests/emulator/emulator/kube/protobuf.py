# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request bodies in ``application/vnd.kubernetes.protobuf``, decoded to the JSON form.

kubectl 1.32 and newer send built-in objects (``kubectl create namespace``, ``create secret``,
``replace``, the DeleteOptions of ``delete``) as protobuf, which the API server accepts besides JSON.
The body is ``k8s\\x00`` then a ``runtime.Unknown`` (k8s.io/apimachinery/pkg/runtime/generated.proto)
wrapping the object's own message. Field numbers come from k8s.io/api/core/v1/generated.proto and
k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto. Only the kinds this emulator serves are known.
"""

from __future__ import annotations

import base64
import datetime

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"

TIME = {1: ("seconds", "int64"), 2: ("nanos", "int64")}
OWNER_REFERENCE = {1: ("kind", "string"), 3: ("name", "string"), 4: ("uid", "string"), 5: ("apiVersion", "string"),
                   6: ("controller", "bool"), 7: ("blockOwnerDeletion", "bool")}
OBJECT_META = {
    1: ("name", "string"), 2: ("generateName", "string"), 3: ("namespace", "string"), 4: ("selfLink", "string"),
    5: ("uid", "string"), 6: ("resourceVersion", "string"), 7: ("generation", "int64"),
    8: ("creationTimestamp", "time"), 9: ("deletionTimestamp", "time"), 10: ("deletionGracePeriodSeconds", "int64"),
    11: ("labels", "map_string"), 12: ("annotations", "map_string"), 13: ("ownerReferences", [OWNER_REFERENCE]),
    14: ("finalizers", ["string"]),
}
OBJECT_REFERENCE = {1: ("kind", "string"), 2: ("namespace", "string"), 3: ("name", "string"), 4: ("uid", "string"),
                    5: ("apiVersion", "string"), 6: ("resourceVersion", "string"), 7: ("fieldPath", "string")}
MESSAGES = {
    "Namespace": {1: ("metadata", OBJECT_META), 2: ("spec", {1: ("finalizers", ["string"])}),
                  3: ("status", {1: ("phase", "string")})},
    "Secret": {1: ("metadata", OBJECT_META), 2: ("data", "map_bytes"), 3: ("type", "string"),
               4: ("stringData", "map_string"), 5: ("immutable", "bool")},
    "ServiceAccount": {1: ("metadata", OBJECT_META), 2: ("secrets", [OBJECT_REFERENCE]),
                       3: ("imagePullSecrets", [{1: ("name", "string")}]),
                       4: ("automountServiceAccountToken", "bool")},
    "DeleteOptions": {1: ("gracePeriodSeconds", "int64"),
                      2: ("preconditions", {1: ("uid", "string"), 2: ("resourceVersion", "string")}),
                      3: ("orphanDependents", "bool"), 4: ("propagationPolicy", "string"), 5: ("dryRun", ["string"])},
}
UNKNOWN = {1: ("typeMeta", {1: ("apiVersion", "string"), 2: ("kind", "string")}), 2: ("raw", "raw"),
           3: ("contentEncoding", "string"), 4: ("contentType", "string")}


class ProtobufError(ValueError):
    """The body is not a protobuf message this emulator can read."""


def _varint(data, position):
    result = shift = 0
    while True:
        if position >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _fields(data):
    """(field number, wire type, value) triples; length-delimited values are bytes."""
    position = 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = _varint(data, position)
        elif wire == 2:
            length, position = _varint(data, position)
            value, position = data[position:position + length], position + length
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            value, position = int.from_bytes(data[position:position + size], "little"), position + size
        else:
            raise ProtobufError("unsupported wire type %d" % wire)
        yield number, wire, value


def _scalar(kind, value):
    if kind == "string":
        return value.decode("utf-8")
    if kind == "bool":
        return bool(value)
    if kind == "int64":
        return value - (1 << 64) if value >= 1 << 63 else value
    if kind == "time":
        seconds = decode_message(value, TIME).get("seconds", 0)
        if not seconds:
            return None
        return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "raw":
        return value
    return decode_message(value, kind)


def decode_message(data, schema):
    result = {}
    for number, _wire, value in _fields(data):
        if number not in schema:
            continue
        name, kind = schema[number]
        if kind in ("map_string", "map_bytes"):
            entry = dict((field, raw) for field, _entry_wire, raw in _fields(value))
            text = entry.get(2, b"")
            result.setdefault(name, {})[entry.get(1, b"").decode("utf-8")] = (
                base64.b64encode(text).decode("ascii") if kind == "map_bytes" else text.decode("utf-8"))
        elif isinstance(kind, list):
            result.setdefault(name, []).append(_scalar(kind[0], value))
        else:
            decoded = _scalar(kind, value)
            # gogo-protobuf writes empty strings and zero numbers that JSON (omitempty) leaves out
            if decoded not in ("", 0) or isinstance(decoded, bool):
                result[name] = decoded
    return result


def decode(body):
    """The JSON form of a protobuf-encoded object or DeleteOptions."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf prefix")
    envelope = decode_message(body[len(MAGIC):], UNKNOWN)
    type_meta = envelope.get("typeMeta") or {}
    kind = type_meta.get("kind")
    if kind not in MESSAGES:
        raise ProtobufError("no protobuf schema for kind %r in this emulator" % kind)
    obj = decode_message(envelope.get("raw") or b"", MESSAGES[kind])
    obj["kind"] = kind
    obj["apiVersion"] = type_meta.get("apiVersion") or "v1"
    return obj
