# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A minimal OCI distribution client over ``requests``, for the emulator's /v2/ tests.

It does what docker, crane or oras do on the wire: answer a ``Bearer`` challenge by asking the
realm for a token with basic auth, then push blobs (monolithic or chunked ``PATCH`` uploads) and
manifests and pull them.  No session, so no cookie is replayed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import requests

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_TAR_LAYER = "application/vnd.oci.image.layer.v1.tar"
OCI_EMPTY = "application/vnd.oci.empty.v1+json"
ACCEPT = ", ".join([OCI_MANIFEST, OCI_INDEX, "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json"])


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def parse_challenge(value):
    scheme, _sep, rest = value.partition(" ")
    return scheme, dict(re.findall(r'(\w+)="([^"]*)"', rest))


class OciClient:
    """``auth``: (username, password) or None for anonymous; ``basic=True`` skips the token service."""

    def __init__(self, url, auth=None, basic=False, verify=True):
        self.url = url.rstrip("/")
        self.auth = auth
        self.basic = basic
        self.verify = verify
        self.tokens = {}  # scope -> token
        self.last_token_response = None

    # -- plumbing --------------------------------------------------------------
    def token(self, realm, service, scope):
        params = {"service": service}
        if scope:
            params["scope"] = scope
        response = requests.get(realm, params=params, auth=self.auth, verify=self.verify, timeout=10)
        self.last_token_response = response
        if response.status_code != 200:
            return None
        return response.json()["token"]

    def request(self, method, path, scope=None, **kwargs):
        """A /v2/ request; a 401 Bearer challenge is answered once, as docker does."""
        url = path if path.startswith("http") else self.url + path
        headers = dict(kwargs.pop("headers", None) or {})
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("timeout", 30)
        kwargs.setdefault("allow_redirects", False)
        if self.basic and self.auth:
            return requests.request(method, url, headers=headers, auth=self.auth, **kwargs)
        if scope in self.tokens:
            headers["Authorization"] = "Bearer " + self.tokens[scope]
        data = kwargs.get("data")
        response = requests.request(method, url, headers=headers, **kwargs)
        if response.status_code != 401 or "Authorization" in headers:
            return response
        scheme, params = parse_challenge(response.headers.get("Www-Authenticate", ""))
        if scheme != "Bearer":
            return response
        wanted = scope or params.get("scope", "")
        token = self.token(params["realm"], params["service"], wanted)
        if token is None:
            return response
        self.tokens[scope] = token
        headers["Authorization"] = "Bearer " + token
        if hasattr(data, "seek"):
            data.seek(0)
        return requests.request(method, url, headers=headers, **kwargs)

    @staticmethod
    def scope(repository, actions="pull,push"):
        return "repository:%s:%s" % (repository, actions)

    # -- blobs -----------------------------------------------------------------
    def push_blob(self, repository, data, chunked=False):
        """Upload ``data``; returns the final response (201 on success)."""
        scope = self.scope(repository)
        digest = digest_of(data)
        started = self.request("POST", "/v2/%s/blobs/uploads/" % repository, scope)
        if started.status_code != 202:
            return started
        location = started.headers["Location"]
        if not chunked:
            # distribution 2.8 ignores a POST body: a monolithic upload is POST, then PUT with the bytes
            separator = "&" if "?" in location else "?"
            return self.request("PUT", "%s%sdigest=%s" % (location, separator, digest), scope, data=data,
                                headers={"Content-Type": "application/octet-stream"})
        # A generator makes requests send Transfer-Encoding: chunked, like Go clients.
        patched = self.request("PATCH", location, scope, data=iter([data[:len(data) // 2], data[len(data) // 2:]]),
                               headers={"Content-Type": "application/octet-stream"})
        if patched.status_code != 202:
            return patched
        location = patched.headers["Location"]
        separator = "&" if "?" in location else "?"
        return self.request("PUT", "%s%sdigest=%s" % (location, separator, digest), scope)

    def get_blob(self, repository, digest):
        return self.request("GET", "/v2/%s/blobs/%s" % (repository, digest), self.scope(repository, "pull"),
                            allow_redirects=True)

    # -- manifests -------------------------------------------------------------
    def put_manifest(self, repository, reference, manifest, media_type=OCI_MANIFEST):
        body = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
        return self.request("PUT", "/v2/%s/manifests/%s" % (repository, reference), self.scope(repository),
                            data=body, headers={"Content-Type": media_type})

    def get_manifest(self, repository, reference, method="GET"):
        return self.request(method, "/v2/%s/manifests/%s" % (repository, reference), self.scope(repository, "pull"),
                            headers={"Accept": ACCEPT})

    def push_image(self, repository, tag=None, layer=None, config_media_type=OCI_CONFIG, chunked=False,
                   subject=None, artifact_type=None, layer_media_type=OCI_LAYER, annotations=None, layers=None):
        """Config blob + its layers (``layers``, else one: ``layer`` or random bytes) + manifest.

        ``layer_media_type=None`` names each layer by its content: gzipped or a plain tar.
        Returns (manifest response, digest, manifest bytes).
        """
        blobs = list(layers) if layers is not None else [layer if layer is not None else os.urandom(64)]
        config = json.dumps({"architecture": "amd64", "os": "linux",
                             "rootfs": {"type": "layers", "diff_ids": [digest_of(blob) for blob in blobs]}}).encode()
        if config_media_type == OCI_EMPTY:
            config = b"{}"
        for blob in [config] + blobs:
            answer = self.push_blob(repository, blob, chunked=chunked)
            if answer.status_code != 201:
                return answer, None, None
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": config_media_type, "digest": digest_of(config), "size": len(config)},
                    "layers": [{"mediaType": layer_media_type or (OCI_LAYER if blob[:2] == b"\x1f\x8b" else OCI_TAR_LAYER),
                                "digest": digest_of(blob), "size": len(blob)} for blob in blobs]}
        if artifact_type:
            manifest["artifactType"] = artifact_type
        if subject:
            manifest["subject"] = subject
        if annotations:
            manifest["annotations"] = annotations
        body = json.dumps(manifest).encode()
        digest = digest_of(body)
        answer = self.put_manifest(repository, tag or digest, body)
        return answer, digest, body

    def push_index(self, repository, tag, children):
        """``children``: [(digest, manifest bytes, platform dict)]."""
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": digest, "size": len(body), "platform": platform}
            for digest, body, platform in children]}
        body = json.dumps(index).encode()
        return self.put_manifest(repository, tag, body, OCI_INDEX), digest_of(body)
