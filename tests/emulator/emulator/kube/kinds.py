# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The three core/v1 kinds the emulator serves, with the API server's registry strategies.

pkg/registry/core/{namespace,secret,serviceaccount}/strategy.go and pkg/apis/core/validation/validation.go:
defaults, which fields an update may not change, and validation. Decoding mirrors the JSON decoder
(wrong types answer 400 "cannot be handled as a <Kind>"; unknown fields are dropped with a warning,
or answer 400 with ``fieldValidation=Strict``).
"""

from __future__ import annotations

import base64
import binascii
import json

from . import errors, validation

METADATA_FIELDS = frozenset((
    "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
    "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
    "managedFields", "selfLink",
))
# Fields the server owns: what a client sends there is replaced.
SYSTEM_FIELDS = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generation")
STRING_MAP, OBJECT_LIST, STRING_LIST, STRING, BOOLEAN, OBJECT = "map[string]string", "[]object", "[]string", "string", \
    "bool", "object"
METADATA_TYPES = {"labels": STRING_MAP, "annotations": STRING_MAP, "finalizers": STRING_LIST,
                  "ownerReferences": OBJECT_LIST, "name": STRING, "generateName": STRING, "namespace": STRING,
                  "resourceVersion": STRING}
SECRET_SIZE_LIMIT = 1024 * 1024
IMMUTABLE_MESSAGE = "Forbidden: field is immutable when `immutable` is set"
METADATA_NAME_LABEL = "kubernetes.io/metadata.name"


def _type_matches(value, kind):
    if value is None:
        return True
    if kind == STRING_MAP:
        return isinstance(value, dict) and all(isinstance(item, str) for item in value.values())
    if kind == OBJECT_LIST:
        return isinstance(value, list) and all(isinstance(item, dict) for item in value)
    if kind == STRING_LIST:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, {STRING: str, BOOLEAN: bool, OBJECT: dict}[kind])


class Kind:
    resource = ""
    kind = ""
    # "" is the core group, served under /api/v1; others under /apis/<api_version>
    group = ""
    api_version = "v1"
    singular = ""
    namespaced = True
    short_names = ()
    verbs = ("create", "delete", "get", "list", "patch", "update")
    # top-level field -> type; unknown ones are dropped (or rejected with fieldValidation=Strict)
    fields = {}
    # strategic merge patch: field path -> merge key (None: a merge list of scalars)
    strategies = {("metadata", "finalizers"): None, ("metadata", "ownerReferences"): "uid"}
    # DELETE answers the deleted object (the registry's ReturnDeletedObject) rather than a Success Status
    return_deleted = False

    @property
    def list_kind(self):
        return self.kind + "List"

    @property
    def qualified(self):
        """The resource as error messages name it: secrets, deployments.apps."""
        return "%s.%s" % (self.resource, self.group) if self.group else self.resource

    @property
    def qualified_kind(self):
        """The kind as a 422 names it: Secret, Deployment.apps."""
        return "%s.%s" % (self.kind, self.group) if self.group else self.kind

    def field_selectors(self):
        getters = {"metadata.name": lambda obj: obj["metadata"].get("name", "")}
        if self.namespaced:
            getters["metadata.namespace"] = lambda obj: obj["metadata"].get("namespace", "")
        return getters

    def check_name(self, field, name):
        return validation.dns1123_subdomain(field, name)

    # -- decoding --------------------------------------------------------------------------------------------
    def decode(self, obj, strict):
        """Check types and drop unknown fields; returns (object, warnings)."""
        if not isinstance(obj, dict):
            raise errors.bad_request("%s in version \"v1\" cannot be handled as a %s: json: cannot unmarshal into Go "
                                     "value of type struct" % (self.kind, self.kind))
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        if api_version not in (None, "", self.api_version):
            raise errors.bad_request("the API version in the data (%s) does not match the expected API version (%s)"
                                     % (api_version, self.api_version))
        if kind not in (None, "", self.kind):
            raise errors.bad_request("the object provided is unrecognized (must be of type %s): kind %s"
                                     % (self.kind, kind))
        unknown = ['unknown field "%s"' % key for key in sorted(obj) if key not in self.fields
                   and key not in ("apiVersion", "kind", "metadata")]
        metadata = obj.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise self._type_error("metadata", "v1.ObjectMeta", metadata)
        unknown += ['unknown field "metadata.%s"' % key for key in sorted(metadata) if key not in METADATA_FIELDS]
        if unknown and strict:
            raise errors.bad_request("strict decoding error: %s" % ", ".join(unknown))
        for key, kind in METADATA_TYPES.items():
            if not _type_matches(metadata.get(key), kind):
                raise self._type_error("metadata." + key, kind, metadata.get(key))
        for key, kind in self.fields.items():
            if not _type_matches(obj.get(key), kind):
                raise self._type_error(key, kind, obj.get(key))
        decoded = dict((key, value) for key, value in obj.items() if key in self.fields and value is not None)
        decoded["metadata"] = dict((key, value) for key, value in metadata.items()
                                   if key in METADATA_FIELDS and value is not None)
        return decoded, unknown

    def _type_error(self, field, kind, value):
        json_type = {dict: "object", list: "array", str: "string", bool: "bool"}.get(type(value), "number")
        return errors.bad_request('%s in version "v1" cannot be handled as a %s: json: cannot unmarshal %s into Go '
                                  'struct field %s.%s of type %s' % (self.kind, self.kind, json_type, self.kind,
                                                                     field, kind))

    # -- strategies ------------------------------------------------------------------------------------------
    def prepare_create(self, obj):
        """Defaults applied to a new object (after decoding, before validation)."""

    def prepare_update(self, obj, old):
        """Fields an update cannot change are taken from the stored object."""

    def validate(self, obj, old=None):
        """Causes (field, reason, message) that make the object invalid."""
        metadata = obj["metadata"]
        causes = []
        if not metadata.get("name"):
            causes += validation.required("metadata.name", "name or generateName is required")
        else:
            causes += self.check_name("metadata.name", metadata["name"])
        causes += validation.labels(metadata.get("labels"))
        causes += validation.annotations(metadata.get("annotations"))
        for index, finalizer in enumerate(metadata.get("finalizers") or []):
            causes += validation.qualified_name("metadata.finalizers[%d]" % index, finalizer)
        return causes

    def serialize(self, obj):
        """Drop what Go's encoder omits when empty (omitempty maps and lists)."""
        for holder in (obj, obj.get("metadata") or {}):
            for key in [key for key, value in holder.items() if value in ({}, []) and key not in ("metadata",)]:
                del holder[key]
        return obj


class Namespaces(Kind):
    resource, kind, singular, namespaced, short_names = "namespaces", "Namespace", "namespace", False, ("ns",)
    fields = {"spec": OBJECT, "status": OBJECT}

    def field_selectors(self):
        getters = super().field_selectors()
        getters["status.phase"] = lambda obj: (obj.get("status") or {}).get("phase", "")
        return getters

    def check_name(self, field, name):
        return validation.dns1123_label(field, name)

    def prepare_create(self, obj):
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
        self._name_label(obj)

    def prepare_update(self, obj, old):
        # pkg/registry/core/namespace/strategy.go: finalizers change through /finalize, status through /status.
        obj["spec"] = dict(old.get("spec") or {})
        obj["status"] = dict(old.get("status") or {})
        self._name_label(obj)

    @staticmethod
    def _name_label(obj):
        # Since 1.21 the server sets this label on every namespace and puts it back when it is changed.
        name = obj["metadata"].get("name")
        if name:
            obj["metadata"].setdefault("labels", {})[METADATA_NAME_LABEL] = name


class Secrets(Kind):
    resource, kind, singular = "secrets", "Secret", "secret"
    fields = {"data": STRING_MAP, "stringData": STRING_MAP, "type": STRING, "immutable": BOOLEAN}
    # type -> keys that must be present (pkg/apis/core/validation/validation.go ValidateSecret)
    REQUIRED_KEYS = {
        "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
        "kubernetes.io/dockercfg": (".dockercfg",),
        "kubernetes.io/ssh-auth": ("ssh-privatekey",),
        "kubernetes.io/tls": ("tls.crt", "tls.key"),
    }

    def field_selectors(self):
        getters = super().field_selectors()
        getters["type"] = lambda obj: obj.get("type", "")
        return getters

    def decode(self, obj, strict):
        decoded, warnings = super().decode(obj, strict)
        for key, value in (decoded.get("data") or {}).items():
            try:
                base64.b64decode(value.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError) as exc:
                raise errors.bad_request('Secret in version "v1" cannot be handled as a Secret: illegal base64 data '
                                         'at input byte %d (key %s)' % (_bad_base64_offset(value), key)) from exc
        # stringData is write-only: folded into data, it wins over the same key in data.
        string_data = decoded.pop("stringData", None) or {}
        if string_data:
            data = decoded.setdefault("data", {})
            for key, value in string_data.items():
                data[key] = base64.b64encode(value.encode("utf-8")).decode("ascii")
        return decoded, warnings

    def prepare_create(self, obj):
        obj["type"] = obj.get("type") or "Opaque"

    def prepare_update(self, obj, old):
        obj["type"] = obj.get("type") or old.get("type") or "Opaque"

    def validate(self, obj, old=None):
        causes = super().validate(obj)
        data = obj.get("data") or {}
        total = 0
        for key in sorted(data):
            causes += validation.config_key("data[%s]" % key, key)
            total += len(base64.b64decode(data[key]))
        if total > SECRET_SIZE_LIMIT:
            causes.append(("data", "FieldValueTooLong", "Too long: must have at most %d bytes" % SECRET_SIZE_LIMIT))
        secret_type = obj.get("type")
        for key in self.REQUIRED_KEYS.get(secret_type, ()):
            if key not in data:
                causes += validation.required("data[%s]" % key, "")
        if secret_type == "kubernetes.io/basic-auth" and "username" not in data and "password" not in data:
            causes += validation.required("data[username]", "")
        for key in (".dockerconfigjson", ".dockercfg"):
            if secret_type in ("kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg") and key in data:
                try:
                    json.loads(base64.b64decode(data[key]).decode("utf-8"))
                except ValueError as exc:
                    causes.append(("data[%s]" % key, "FieldValueInvalid",
                                   'Invalid value: "<secret contents redacted>": %s' % exc))
        if old is not None:
            if secret_type != old.get("type"):
                causes += validation.immutable("type", secret_type)
            if old.get("immutable"):
                if not obj.get("immutable"):
                    causes.append(("immutable", "FieldValueForbidden", IMMUTABLE_MESSAGE))
                if data != (old.get("data") or {}):
                    causes.append(("data", "FieldValueForbidden", IMMUTABLE_MESSAGE))
        return causes


def _bad_base64_offset(value):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
    return next((index for index, char in enumerate(value) if char not in alphabet), len(value))


class ServiceAccounts(Kind):
    resource, kind, singular, short_names = "serviceaccounts", "ServiceAccount", "serviceaccount", ("sa",)
    fields = {"secrets": OBJECT_LIST, "imagePullSecrets": OBJECT_LIST, "automountServiceAccountToken": BOOLEAN}
    # types.go: Secrets has patchStrategy:"merge" patchMergeKey:"name"; ImagePullSecrets has no strategy,
    # so a strategic merge patch replaces the whole list.
    strategies = {**Kind.strategies, ("secrets",): "name"}
    # pkg/registry/core/serviceaccount/storage: ReturnDeletedObject: true
    return_deleted = True


KINDS = dict((kind.resource, kind) for kind in (Namespaces(), Secrets(), ServiceAccounts()))


def discovery(group_version="v1", served=None):
    """The APIResourceList of /api/v1, or of /apis/<group_version> for the kinds ``served`` there."""
    resources = []
    for kind in sorted((served or KINDS).values(), key=lambda item: item.resource):
        entry = {"name": kind.resource, "singularName": kind.singular, "namespaced": kind.namespaced,
                 "kind": kind.kind, "verbs": list(kind.verbs)}
        if kind.short_names:
            entry["shortNames"] = list(kind.short_names)
        resources.append(entry)
    return {"kind": "APIResourceList", "groupVersion": group_version, "resources": resources}
