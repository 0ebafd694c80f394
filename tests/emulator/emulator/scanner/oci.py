# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A small OCI distribution client (standard library only).

The scanner adapter pulls the artifact it was asked to scan with it, the
way Trivy does: with the registry URL and the ``Authorization`` value
Harbor hands over in the scan request, answering the registry's bearer
challenge itself.  Harbor's side of the emulator uses the same client to
push the SBOM accessory, and tests use it to push images they build.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
MANIFEST_ACCEPT = ", ".join((OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX, DOCKER_LIST))
TIMEOUT = 30


class RegistryError(Exception):
    """A registry answer the client cannot use; ``status`` is the HTTP status (0 without one)."""

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status


def sha256_digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _challenge(header):
    """``(scheme, {param: value})`` of a ``Www-Authenticate`` header."""
    scheme, _sep, rest = (header or "").partition(" ")
    return scheme.lower(), dict(re.findall(r'(\w+)="([^"]*)"', rest))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by hand, so credentials never leak to another host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class RegistryClient:
    """Talks to one registry as one identity.

    ``authorization`` is a full header value (``Basic ...`` or ``Bearer ...``)
    or None for anonymous access; ``cafile`` trusts a private CA and
    ``insecure`` skips certificate checks, like Harbor's ``insecure`` flag.
    """

    def __init__(self, url, authorization=None, cafile=None, insecure=False):
        self.url = url.rstrip("/")
        if "://" not in self.url:
            self.url = "https://" + self.url
        self.authorization = authorization
        self.tokens = {}
        if insecure:
            context = ssl._create_unverified_context()  # pylint: disable=protected-access
        else:
            context = ssl.create_default_context(cafile=cafile)
        self.opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _NoRedirect)

    @classmethod
    def with_basic(cls, url, username, password, **kwargs):
        token = base64.b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")
        return cls(url, "Basic " + token, **kwargs)

    # -- plumbing ------------------------------------------------------------
    def _send(self, method, url, headers, body):
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=TIMEOUT) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()
        except (urllib.error.URLError, OSError) as exc:
            raise RegistryError("cannot reach %s: %s" % (url, exc)) from exc

    def _token(self, challenge, scope):
        """Answer a bearer challenge at its realm with our credentials."""
        query = {"service": challenge.get("service", "")}
        if scope:
            query["scope"] = scope
        url = challenge["realm"] + "?" + urllib.parse.urlencode(query)
        headers = {"Authorization": self.authorization} if self.authorization else {}
        status, _headers, body = self._send("GET", url, headers, None)
        if status != 200:
            raise RegistryError("token request refused (%d): %s" % (status, body[:300].decode("utf-8", "replace")),
                                status)
        payload = json.loads(body)
        return payload.get("token") or payload.get("access_token")

    def request(self, method, path, scope, headers=None, body=None, expect=(200,)):
        """Send to ``path`` (relative to the registry or absolute), authenticating as challenged.

        Returns ``(status, headers, body)``; a status outside ``expect`` raises
        RegistryError with the registry's error text.
        """
        url = path if "://" in path else self.url + path
        headers = dict(headers or {})
        for _hop in range(5):
            sent = dict(headers)
            if scope in self.tokens:
                sent["Authorization"] = "Bearer " + self.tokens[scope]
            elif self.authorization and self.authorization.lower().startswith("bearer "):
                sent["Authorization"] = self.authorization
            status, answer_headers, answer = self._send(method, url, sent, body)
            if status == 401 and scope not in self.tokens:
                scheme, params = _challenge(answer_headers.get("Www-Authenticate"))
                if scheme == "bearer" and "realm" in params:
                    self.tokens[scope] = self._token(params, scope)
                    continue
                if scheme == "basic" and self.authorization and "Authorization" not in headers:
                    headers["Authorization"] = self.authorization
                    continue
            if status in (301, 302, 303, 307, 308) and answer_headers.get("Location"):
                # Blob storage redirects: follow without our credentials.
                url = urllib.parse.urljoin(url, answer_headers["Location"])
                status, answer_headers, answer = self._send("GET", url, {}, None)
            if status not in expect:
                raise RegistryError("%s %s answered %d: %s" % (method, urllib.parse.urlsplit(url).path, status,
                                                               answer[:500].decode("utf-8", "replace")), status)
            return status, answer_headers, answer
        raise RegistryError("too many authentication rounds for %s" % url)

    # -- pulling ---------------------------------------------------------------
    def get_manifest(self, repository, reference):
        """``(media_type, manifest dict, raw bytes)``."""
        _status, headers, body = self.request(
            "GET", "/v2/%s/manifests/%s" % (repository, reference), "repository:%s:pull" % repository,
            headers={"Accept": MANIFEST_ACCEPT})
        manifest = json.loads(body)
        media_type = manifest.get("mediaType") or (headers.get("Content-Type") or "").split(";")[0]
        return media_type, manifest, body

    def get_blob(self, repository, digest):
        _status, _headers, body = self.request(
            "GET", "/v2/%s/blobs/%s" % (repository, digest), "repository:%s:pull" % repository)
        if digest.startswith("sha256:") and sha256_digest(body) != digest:
            raise RegistryError("blob %s does not match its digest" % digest)
        return body

    def image_manifest(self, repository, reference, platform=("linux", "amd64")):
        """The image manifest of ``reference``, choosing ``platform`` (or the first entry) from an index."""
        media_type, manifest, _raw = self.get_manifest(repository, reference)
        if media_type in INDEX_TYPES or "manifests" in manifest:
            entries = manifest.get("manifests") or []
            if not entries:
                raise RegistryError("the index %s has no manifest" % reference)
            chosen = entries[0]
            for entry in entries:
                wanted = entry.get("platform") or {}
                if (wanted.get("os"), wanted.get("architecture")) == tuple(platform):
                    chosen = entry
                    break
            media_type, manifest, _raw = self.get_manifest(repository, chosen["digest"])
        return media_type, manifest

    # -- pushing ---------------------------------------------------------------
    def push_blob(self, repository, data):
        digest = sha256_digest(data)
        scope = "repository:%s:pull,push" % repository
        status, _headers, _body = self.request("HEAD", "/v2/%s/blobs/%s" % (repository, digest), scope,
                                               expect=(200, 404))
        if status == 200:
            return digest
        _status, headers, _body = self.request("POST", "/v2/%s/blobs/uploads/" % repository, scope,
                                               headers={"Content-Length": "0"}, body=b"", expect=(202,))
        location = headers.get("Location") or ""
        location = urllib.parse.urljoin(self.url + "/", location)
        separator = "&" if "?" in location else "?"
        self.request("PUT", "%s%sdigest=%s" % (location, separator, urllib.parse.quote(digest)), scope,
                     headers={"Content-Type": "application/octet-stream"}, body=data, expect=(201,))
        return digest

    def push_manifest(self, repository, reference, manifest_bytes, media_type):
        scope = "repository:%s:pull,push" % repository
        _status, headers, _body = self.request(
            "PUT", "/v2/%s/manifests/%s" % (repository, reference), scope,
            headers={"Content-Type": media_type}, body=manifest_bytes, expect=(201,))
        return headers.get("Docker-Content-Digest") or sha256_digest(manifest_bytes)
