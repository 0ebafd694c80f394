# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Objects in memory, keyed like etcd keys, with one cluster-wide resourceVersion counter.

Like the etcd3 store (k8s.io/apiserver/pkg/storage/etcd3/store.go), a write that changes nothing keeps
the object's resourceVersion, and every real write takes the next value of the counter.
"""

from __future__ import annotations

import copy
import datetime
import threading
import uuid

# Created at start: what a fresh cluster (kubeadm, kind, k3s) has.
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")
# NamespaceLifecycle admission refuses to delete these.
IMMORTAL_NAMESPACES = ("default", "kube-public", "kube-system")


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.objects = {}
        self.revision = 0

    def reset(self):
        with self.lock:
            self.objects.clear()
            self.revision = 1000

    @staticmethod
    def key(resource, namespace, name):
        return (resource, namespace or "", name)

    def get(self, resource, namespace, name):
        obj = self.objects.get(self.key(resource, namespace, name))
        return copy.deepcopy(obj) if obj is not None else None

    def exists(self, resource, namespace, name):
        return self.key(resource, namespace, name) in self.objects

    def items(self, resource, namespace=None):
        """Objects of one resource, in one namespace or all, in key order (namespace, then name)."""
        keys = sorted(key for key in self.objects if key[0] == resource and (namespace is None or key[1] == namespace))
        return [copy.deepcopy(self.objects[key]) for key in keys]

    def create(self, resource, obj):
        """Store a new object: uid, creationTimestamp and the next resourceVersion."""
        metadata = obj["metadata"]
        metadata["uid"] = str(uuid.uuid4())
        metadata["creationTimestamp"] = now_rfc3339()
        self.revision += 1
        metadata["resourceVersion"] = str(self.revision)
        self.objects[self.key(resource, metadata.get("namespace"), metadata["name"])] = copy.deepcopy(obj)
        return obj

    def update(self, resource, obj, old):
        """Store ``obj`` in place of ``old``; unchanged content keeps the resourceVersion."""
        metadata = obj["metadata"]
        metadata["resourceVersion"] = old["metadata"]["resourceVersion"]
        if obj == old:
            return obj
        self.revision += 1
        metadata["resourceVersion"] = str(self.revision)
        self.objects[self.key(resource, metadata.get("namespace"), metadata["name"])] = copy.deepcopy(obj)
        return obj

    def delete(self, resource, namespace, name):
        self.revision += 1
        return self.objects.pop(self.key(resource, namespace, name), None)

    def delete_namespace_content(self, namespace):
        """What the namespace controller does before it removes a terminating namespace."""
        for key in [key for key in self.objects if key[1] == namespace and key[0] != "namespaces"]:
            del self.objects[key]
