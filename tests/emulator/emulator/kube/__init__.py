# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Kubernetes API server emulator: core/v1 Namespaces, Secrets and ServiceAccounts, apps/v1 Deployments.

Enough of the real API for kubectl, the ``kubernetes`` Python client and the collection's modules:
discovery (``/version``, ``/api``, ``/apis``, ``/api/v1``), bearer-token authentication and a small
RBAC, create / get / list / update / patch / delete with the API server's semantics (uid,
resourceVersion, optimistic concurrency, ``Status`` errors, validation, label and field selectors,
``limit``/``continue``, ``dryRun``), the three patch formats, and the ``/_emulator`` control endpoints
shared with the Harbor emulator plus ``seed``, ``reset`` and ``interleave`` (a concurrent writer).

Behaviour follows kubernetes/kubernetes: k8s.io/apiserver/pkg/endpoints/handlers (create.go,
update.go, patch.go, delete.go, get.go), k8s.io/apiserver/pkg/registry/generic/registry/store.go and
pkg/registry/core/*/strategy.go.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import re
import secrets
import threading
import uuid
from urllib.parse import parse_qs

from ..http import Response
from . import apps, errors, kinds, patch, protobuf, selectors
from .errors import KubeError
from .store import IMMORTAL_NAMESPACES, SYSTEM_NAMESPACES, Store, now_rfc3339

KUBE_VERSION = {
    # kubectl from the Google Cloud SDK picks its binary from the server's minor version: keep one it ships.
    "major": "1", "minor": "32", "gitVersion": "v1.32.4", "gitCommit": "59526cd4867447956156ae3a602fcbac10a2c335",
    "gitTreeState": "clean", "buildDate": "2025-04-22T16:02:27Z", "goVersion": "go1.23.6", "compiler": "gc",
    "platform": "linux/amd64",
}
PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")
JSON = "application/json"
ANONYMOUS = "system:anonymous"
ADMIN_USER = "emulator-admin"
RESTRICTED_USER = "emulator-restricted"
GENERATE_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
RESOURCE_PATH = re.compile(r"(?:/api/(?P<core>v1)|/apis/(?P<group_version>[^/]+/[^/]+))"
                           r"(?:/namespaces/(?P<namespace>[^/]+))?/(?P<resource>[^/]+)(?:/(?P<name>[^/]+))?"
                           r"(?P<subresource>/.*)?")
# group/version -> the kinds served there; "v1" is the core group under /api
SERVED = {"v1": kinds.KINDS, "apps/v1": apps.KINDS}
API_GROUPS = {"apps": "v1"}
DISCOVERY_PATHS = frozenset(["/api", "/apis", "/api/v1"] + ["/apis/" + group for group in API_GROUPS]
                            + ["/apis/" + group_version for group_version in SERVED if "/" in group_version])


def kube_json(obj, status=200, headers=None):
    return Response(status, json.dumps(obj, separators=(",", ":")), headers, content_type=JSON)


class User:
    def __init__(self, name, admin):
        self.name = name
        self.admin = admin


class KubeRequest:
    """A request with its decoded query and the resource it addresses."""

    def __init__(self, base, user):
        self.base = base
        self.method = base.method
        self.user = user
        self.query = parse_qs(base.raw_query, keep_blank_values=True)
        self.warnings = []
        self.resource = self.namespace = self.name = self.group_version = None

    def arg(self, name, default=None):
        values = self.query.get(name)
        return values[0] if values else default

    @property
    def dry_run(self):
        values = self.query.get("dryRun") or []
        if any(value != "All" for value in values):
            raise errors.bad_request("Invalid dry run value: %s; supported: All" % ", ".join(values))
        return bool(values)

    @property
    def strict(self):
        return self.arg("fieldValidation", "Warn") == "Strict"

    def content_type(self):
        return (self.base.header("Content-Type") or "").split(";")[0].strip().lower()

    def body_object(self):
        """The decoded body of a create, update or delete: JSON, or protobuf as kubectl >= 1.32 sends it."""
        content_type = self.content_type()
        if content_type == protobuf.CONTENT_TYPE:
            try:
                return protobuf.decode(self.base.body)
            except (protobuf.ProtobufError, UnicodeDecodeError) as exc:
                raise errors.bad_request("the body of the request could not be decoded as protobuf: %s" % exc) from exc
        # negotiation.NegotiateInputSerializer: no Content-Type means the first supported type, JSON
        if content_type not in (JSON, ""):
            # the real list names YAML too, which this emulator does not decode (kubectl never sends it)
            raise errors.unsupported_media_type((JSON, "application/yaml", protobuf.CONTENT_TYPE))
        try:
            return json.loads(self.base.body or b"null")
        except ValueError as exc:
            raise errors.bad_request("couldn't get version/kind; json parse error: %s" % exc) from exc


class KubeEmulator:
    """The application served by an EmulatorServer (see emulator.http)."""

    def __init__(self, admin_token=None, restricted_token=None):
        self.admin_token = admin_token or secrets.token_urlsafe(24)
        self.restricted_token = restricted_token or secrets.token_urlsafe(24)
        self.users = {self.admin_token: User(ADMIN_USER, admin=True),
                      self.restricted_token: User(RESTRICTED_USER, admin=False)}
        self.store = Store()
        self.denied_namespaces = set()
        self.interleaved = []
        self._interleave_lock = threading.Lock()
        self._handlers = {"get": self._get, "list": self._list, "create": self._post_create, "update": self._update,
                          "patch": self._patch, "delete": self._delete}
        self.reset()

    def reset(self):
        with self.store.lock:
            self.store.reset()
            # The restricted user may never touch kube-system, as in most clusters.
            self.denied_namespaces = {"kube-system"}
            for name in SYSTEM_NAMESPACES:
                self._new_namespace({"metadata": {"name": name}})
        with self._interleave_lock:
            self.interleaved = []

    def kubeconfig(self, url, ca_path=None):
        """A kubeconfig (JSON is valid YAML) with two contexts: ``emulator`` (admin) and ``emulator-restricted``."""
        cluster = {"server": url}
        if ca_path:
            cluster["certificate-authority"] = ca_path
        users = [(ADMIN_USER, self.admin_token), (RESTRICTED_USER, self.restricted_token)]
        return {
            "apiVersion": "v1", "kind": "Config", "preferences": {},
            "clusters": [{"name": "emulator", "cluster": cluster}],
            "users": [{"name": name, "user": {"token": token}} for name, token in users],
            "contexts": [{"name": "emulator", "context": {"cluster": "emulator", "user": ADMIN_USER,
                                                          "namespace": "default"}},
                         {"name": "emulator-restricted", "context": {"cluster": "emulator", "user": RESTRICTED_USER,
                                                                     "namespace": "default"}}],
            "current-context": "emulator",
        }

    # -- control endpoints ---------------------------------------------------------------------------------
    def register_control(self, router):
        router.add("POST", "/_emulator/seed", self._seed)
        router.add("POST", "/_emulator/reset", self._reset)
        router.add("GET", "/_emulator/interleave", lambda request: kube_json(self._pending_interleaved()))
        router.add("POST", "/_emulator/interleave", self._add_interleaved)
        router.add("DELETE", "/_emulator/interleave", self._clear_interleaved)

    @staticmethod
    def render_fault(status):
        return errors.fault_status(status)

    def _reset(self, _request):
        self.reset()
        return kube_json({"reset": True})

    def _seed(self, request):
        try:
            payload = json.loads(request.body or b"{}")
        except ValueError:
            return kube_json({"error": "body must be a JSON object"}, 400)
        order = ("namespaces", "serviceaccounts", "secrets", "deployments", "denied_namespaces")
        if not isinstance(payload, dict) or set(payload) - set(order):
            return kube_json({"error": "body must be an object with the keys %s" % ", ".join(order)}, 400)
        created = {}
        with self.store.lock:
            try:
                for key in order[:4]:
                    for item in payload.get(key) or []:
                        if key == "namespaces":
                            obj = self._new_namespace({"metadata": {"name": item}} if isinstance(item, str) else item)
                        else:
                            obj = self._create(kinds.KINDS.get(key) or apps.KINDS[key],
                                               (item.get("metadata") or {}).get("namespace"), item,
                                               dry_run=False, strict=False)
                        created.setdefault(key, []).append(obj["metadata"].get("namespace", "") + "/"
                                                           + obj["metadata"]["name"])
            except KubeError as exc:
                return kube_json({"error": exc.message, "created": created}, 400)
            if "denied_namespaces" in payload:
                self.denied_namespaces = set(payload["denied_namespaces"] or [])
                created["denied_namespaces"] = sorted(self.denied_namespaces)
        return kube_json(created, 201)

    def _add_interleaved(self, request):
        """A concurrent writer: before the next ``count`` requests matching ``method`` and the ``path`` regex are
        served, apply ``merge_patch`` to the object they address, or ``create`` an object in their collection."""
        try:
            specs = json.loads(request.body or b"null")
        except ValueError:
            return kube_json({"error": "body must be JSON"}, 400)
        specs = specs if isinstance(specs, list) else [specs]
        for spec in specs:
            if not isinstance(spec, dict) or ("merge_patch" in spec) == ("create" in spec):
                return kube_json({"error": "each entry needs a path regex and exactly one of merge_patch, create"}, 400)
            try:
                re.compile(spec.get("path", ""))
            except re.error as exc:
                return kube_json({"error": "invalid path regex: %s" % exc}, 400)
        with self._interleave_lock:
            for spec in specs:
                self.interleaved.append(dict(spec, method=str(spec.get("method", "*")).upper(),
                                             count=int(spec.get("count", 1))))
        return kube_json(specs, 201)

    def _clear_interleaved(self, _request):
        with self._interleave_lock:
            self.interleaved = []
        return kube_json({"cleared": True})

    def _pending_interleaved(self):
        with self._interleave_lock:
            return copy.deepcopy(self.interleaved)

    def _take_interleaved(self, method, target):
        with self._interleave_lock:
            for spec in self.interleaved:
                if spec["method"] in ("*", method) and re.search(spec.get("path", ""), target):
                    spec["count"] -= 1
                    if spec["count"] <= 0:
                        self.interleaved.remove(spec)
                    return spec
        return None

    def _interleave(self, req, spec):
        kind = SERVED[req.group_version].get(req.resource)
        if kind is None:
            return
        if "create" in spec:
            self._create(kind, req.namespace, copy.deepcopy(spec["create"]), dry_run=False, strict=False)
            return
        old = self.store.get(kind.resource, req.namespace, req.name)
        if old is not None:
            patched = patch.merge_patch(old, spec["merge_patch"])
            patched["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            self._store_update(kind, patched, old, dry_run=False)

    # -- dispatch --------------------------------------------------------------------------------------------
    def handle(self, request):
        try:
            response = self._dispatch(request)
        except KubeError as exc:
            response = kube_json(exc.status_body(), exc.code)
        except Exception:  # pylint: disable=broad-except
            response = kube_json(errors.internal("unexpected error in the emulator").status_body(), 500)
        response.set_header("Audit-Id", str(uuid.uuid4()))
        response.set_header("Cache-Control", "no-cache, private")
        return response

    def _authenticate(self, request):
        header = request.header("Authorization")
        if not header:
            return User(ANONYMOUS, admin=False)
        scheme, _space, token = header.partition(" ")
        user = self.users.get(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise errors.unauthorized()
        return user

    def _dispatch(self, request):
        user = self._authenticate(request)
        path = request.path.rstrip("/") or "/"
        if request.method == "GET" and path in PUBLIC_PATHS:
            return kube_json(KUBE_VERSION) if path == "/version" else Response(200, "ok", content_type="text/plain")
        if path in DISCOVERY_PATHS:
            if user.name == ANONYMOUS:
                raise errors.forbidden_path(user.name, request.path)
            if request.method != "GET":
                raise errors.method_not_allowed()
            return kube_json(self._discovery(path, request))
        match = RESOURCE_PATH.fullmatch(path)
        if not match:
            return Response(404, "404 page not found\n", content_type="text/plain; charset=utf-8")
        req = KubeRequest(request, user)
        req.resource, req.namespace, req.name = match.group("resource", "namespace", "name")
        req.group_version = match.group("core") or match.group("group_version")
        if match.group("subresource") or req.group_version not in SERVED:
            raise errors.unknown_resource()
        kind = SERVED[req.group_version].get(req.resource)
        if kind is None or (kind.namespaced and req.name is not None and req.namespace is None) \
                or (not kind.namespaced and req.namespace is not None):
            raise errors.unknown_resource()
        verb = self._verb(req, kind)
        self._authorize(req, verb)
        spec = self._take_interleaved(request.method, request.raw_target)
        with self.store.lock:
            if spec is not None:
                self._interleave(req, spec)
            response = self._handlers[verb](req, kind)
        for warning in req.warnings:
            response.add_header("Warning", '299 - "%s"' % warning.replace('"', '\\"'))
        return response

    @staticmethod
    def _verb(req, kind):
        method = req.method
        if method == "GET" and req.arg("watch") in ("true", "1"):
            verb = "watch"
        elif method == "GET":
            verb = "get" if req.name else "list"
        elif method == "POST" and not req.name and (req.namespace is not None or not kind.namespaced):
            verb = "create"
        elif method in ("PUT", "PATCH", "DELETE") and req.name:
            verb = {"PUT": "update", "PATCH": "patch", "DELETE": "delete"}[method]
        else:
            verb = None
        if verb not in kind.verbs:
            raise errors.method_not_allowed()
        return verb

    def _authorize(self, req, verb):
        user = req.user
        if user.admin:
            return
        if user.name != ANONYMOUS:
            if req.resource == "namespaces" and verb in ("get", "list"):
                return
            if req.resource != "namespaces" and req.namespace is not None \
                    and req.namespace not in self.denied_namespaces:
                return
        group = req.group_version.split("/")[0] if "/" in (req.group_version or "") else ""
        raise errors.forbidden(req.resource, req.name, user.name, verb, req.namespace, group)

    @staticmethod
    def _discovery(path, request):
        if path == "/api":
            host = request.header("Host") or "127.0.0.1"
            return {"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}]}
        if path == "/api/v1":
            return kinds.discovery()
        groups = [{"name": group, "versions": [{"groupVersion": group + "/" + version, "version": version}],
                   "preferredVersion": {"groupVersion": group + "/" + version, "version": version}}
                  for group, version in sorted(API_GROUPS.items())]
        if path == "/apis":
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
        group_version = path[len("/apis/"):]
        if group_version in SERVED:
            return kinds.discovery(group_version, SERVED[group_version])
        group = next((entry for entry in groups if entry["name"] == group_version), None)
        if group is None:
            raise errors.unknown_resource()
        return dict({"kind": "APIGroup", "apiVersion": "v1"}, **group)

    # -- verbs -----------------------------------------------------------------------------------------------
    def _served(self, kind, obj, with_type=True):
        obj = kind.serialize(copy.deepcopy(obj))
        if not with_type:
            obj.pop("kind", None)
            obj.pop("apiVersion", None)
            return obj
        ordered = {"kind": kind.kind, "apiVersion": kind.api_version}
        ordered.update((key, value) for key, value in obj.items() if key not in ("kind", "apiVersion"))
        return ordered

    def _get(self, req, kind):
        obj = self.store.get(kind.resource, req.namespace, req.name)
        if obj is None:
            raise errors.not_found(kind.qualified, req.name)
        return kube_json(self._served(kind, obj))

    def _list(self, req, kind):
        label_match = selectors.label_matcher(req.arg("labelSelector", ""))
        field_match = selectors.field_matcher(req.arg("fieldSelector", ""), kind.field_selectors())
        items = [obj for obj in self.store.items(kind.resource, req.namespace)
                 if label_match(obj["metadata"].get("labels")) and field_match(obj)]
        metadata = {"resourceVersion": str(self.store.revision)}
        start = req.arg("continue")
        if start:
            try:
                after = json.loads(base64.urlsafe_b64decode(start.encode("ascii")).decode("utf-8"))["start"]
            except (ValueError, KeyError, TypeError) as exc:
                raise errors.bad_request("continue key is not valid: %s" % exc) from exc
            items = [obj for obj in items if self._list_key(obj) > tuple(after)]
        limit = req.arg("limit")
        if limit and limit.isdigit() and 0 < int(limit) < len(items):
            items, rest = items[:int(limit)], items[int(limit):]
            token = json.dumps({"start": list(self._list_key(items[-1]))}).encode("utf-8")
            metadata["continue"] = base64.urlsafe_b64encode(token).decode("ascii")
            metadata["remainingItemCount"] = len(rest)
        return kube_json({"kind": kind.list_kind, "apiVersion": kind.api_version, "metadata": metadata,
                          "items": [self._served(kind, obj, with_type=False) for obj in items]})

    @staticmethod
    def _list_key(obj):
        return (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])

    def _create(self, kind, namespace, body, dry_run, strict, req=None):
        obj, warnings = kind.decode(body, strict)
        if req is not None:
            req.warnings += warnings
        metadata = obj["metadata"]
        if kind.namespaced:
            if metadata.get("namespace") and metadata["namespace"] != namespace:
                raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                         "the request")
            metadata["namespace"] = namespace
            if not self.store.exists("namespaces", None, namespace):
                raise errors.not_found("namespaces", namespace)
        else:
            metadata.pop("namespace", None)
        if metadata.get("resourceVersion"):
            # etcd3 store Create: a plain error, so the client sees a 500.
            raise errors.internal("resourceVersion should not be set on objects to be created")
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = metadata["generateName"] + "".join(random.choice(GENERATE_NAME_ALPHABET)
                                                                  for _index in range(5))
        for field in kinds.SYSTEM_FIELDS:
            metadata.pop(field, None)
        kind.prepare_create(obj)
        causes = kind.validate(obj)
        if causes:
            raise errors.invalid(kind.qualified_kind, metadata.get("name", ""), causes)
        if self.store.exists(kind.resource, namespace if kind.namespaced else None, metadata["name"]):
            raise errors.already_exists(kind.qualified, metadata["name"])
        if dry_run:
            metadata.update(uid=str(uuid.uuid4()), creationTimestamp=now_rfc3339())
            return obj
        return self.store.create(kind.resource, kind.serialize(obj))

    def _new_namespace(self, body, dry_run=False, strict=False, req=None):
        namespace = self._create(kinds.KINDS["namespaces"], None, body, dry_run, strict, req)
        if not dry_run:
            # The service account controller gives every new namespace its "default" service account.
            self._create(kinds.KINDS["serviceaccounts"], namespace["metadata"]["name"],
                         {"metadata": {"name": "default"}}, False, False)
        return namespace

    def _post_create(self, req, kind):
        if kind.resource == "namespaces":
            obj = self._new_namespace(req.body_object(), req.dry_run, req.strict, req)
        else:
            obj = self._create(kind, req.namespace, req.body_object(), req.dry_run, req.strict, req)
        return kube_json(self._served(kind, obj), 201)

    def _update(self, req, kind):
        obj, warnings = kind.decode(req.body_object(), req.strict)
        req.warnings += warnings
        self._check_identity(req, kind, obj)
        old = self._existing(req, kind)
        return kube_json(self._served(kind, self._replace(req, kind, obj, old)))

    def _patch(self, req, kind):
        content_type = req.content_type()
        if content_type not in patch.PATCH_TYPES:
            raise errors.unsupported_patch_type()
        old = self._existing(req, kind)
        patched = patch.apply(content_type, self._served(kind, old), req.base.body, kind.strategies)
        obj, warnings = kind.decode(patched, req.strict)
        req.warnings += warnings
        self._check_identity(req, kind, obj)
        return kube_json(self._served(kind, self._replace(req, kind, obj, old)))

    def _existing(self, req, kind):
        old = self.store.get(kind.resource, req.namespace, req.name)
        if old is None:
            raise errors.not_found(kind.qualified, req.name)
        return old

    @staticmethod
    def _check_identity(req, kind, obj):
        """The handler's checks that the body names the object of the URL (update.go, before any lookup)."""
        metadata = obj["metadata"]
        if metadata.get("name") != req.name:
            raise errors.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                     % (metadata.get("name", ""), req.name))
        if kind.namespaced:
            if metadata.get("namespace") and metadata["namespace"] != req.namespace:
                raise errors.bad_request("the namespace of the provided object does not match the namespace sent on "
                                         "the request")
            metadata["namespace"] = req.namespace
        else:
            metadata.pop("namespace", None)

    def _replace(self, req, kind, obj, old):
        """The update path shared by PUT and PATCH (rest.BeforeUpdate, then the store's GuaranteedUpdate)."""
        metadata = obj["metadata"]
        version = metadata.get("resourceVersion")
        if version and version != old["metadata"]["resourceVersion"]:
            raise errors.conflict(kind.qualified, req.name)
        if metadata.get("uid") and metadata["uid"] != old["metadata"]["uid"]:
            raise errors.conflict(kind.qualified, req.name, "Precondition failed: UID in precondition: %s, UID in "
                                  "object meta: %s" % (metadata["uid"], old["metadata"]["uid"]))
        for field in kinds.SYSTEM_FIELDS:
            metadata.pop(field, None)
            if field in old["metadata"]:
                metadata[field] = old["metadata"][field]
        kind.prepare_update(obj, old)
        causes = kind.validate(obj, old)
        if causes:
            raise errors.invalid(kind.qualified_kind, req.name, causes)
        return self._store_update(kind, obj, old, req.dry_run)

    def _store_update(self, kind, obj, old, dry_run):
        obj = dict((key, value) for key, value in obj.items() if key in ("metadata",) or value is not None)
        if dry_run:
            return obj
        return self.store.update(kind.resource, kind.serialize(obj), kind.serialize(copy.deepcopy(old)))

    def _delete(self, req, kind):
        old = self._existing(req, kind)
        options = {}
        if req.base.body.strip():
            options = req.body_object()
            if not isinstance(options, dict):
                raise errors.bad_request("DeleteOptions must be an object")
        preconditions = options.get("preconditions") or {}
        for field, label in (("uid", "UID"), ("resourceVersion", "ResourceVersion")):
            wanted = preconditions.get(field)
            if wanted and wanted != old["metadata"][field]:
                raise errors.conflict(kind.qualified, req.name, "Precondition failed: %s in precondition: %s, %s in "
                                      "object meta: %s" % (label, wanted, label, old["metadata"][field]))
        if kind.resource == "namespaces":
            if req.name in IMMORTAL_NAMESPACES:
                raise KubeError(403, 'namespaces "%s" is forbidden: this namespace may not be deleted' % req.name,
                                "Forbidden", {"name": req.name, "kind": "namespaces"})
            # Served as Terminating, then removed with its content at once, as if the namespace controller
            # had already finished. Setting the deletionTimestamp is a write of its own on a real apiserver, so
            # the Terminating answer carries a new resourceVersion (seen by tests/kube/test_differential.py).
            old["metadata"]["deletionTimestamp"] = now_rfc3339()
            old["status"] = {"phase": "Terminating"}
            if not req.dry_run:
                self.store.revision += 1
                old["metadata"]["resourceVersion"] = str(self.store.revision)
                self.store.delete_namespace_content(req.name)
                self.store.delete(kind.resource, None, req.name)
            return kube_json(self._served(kind, old))
        if not req.dry_run:
            self.store.delete(kind.resource, req.namespace, req.name)
        if kind.return_deleted:
            # the deleted object, stamped with the deletion's revision, as the etcd3 store decodes it
            if not req.dry_run:
                old["metadata"]["resourceVersion"] = str(self.store.revision)
            return kube_json(self._served(kind, old))
        return kube_json(errors.status_body(None, None, reason="", success=True, details=dict(
            errors.status_details(kind.qualified, req.name), uid=old["metadata"]["uid"])))
