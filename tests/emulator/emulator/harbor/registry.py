# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The distribution registry behind ``/v2/``: a ``docker-registry`` child process and a client for it.

Harbor runs the CNCF distribution registry next to core and proxies ``/v2/`` to it; Debian packages
the same registry as ``docker-registry``.  The emulator starts it on a free loopback port with its
storage in a directory of its own and no authentication (the emulator authenticates, as Harbor's
core does), and stops it with itself.  When the binary is missing the emulator runs without it
(``/v2/`` answers 503) and says so on stderr.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BINARY = "docker-registry"
# Headers that belong to one hop only (RFC 7230 6.1) and never cross the proxy.
HOP_HEADERS = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
               "transfer-encoding", "upgrade", "host", "content-length", "authorization",
               "date", "server"}  # the emulator's server sets its own Date and Server

CONFIG_TEMPLATE = """version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %(root)s
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
    readonly:
      enabled: false
http:
  addr: 127.0.0.1:%(port)d
  secret: %(secret)s
  headers:
    X-Content-Type-Options: [nosniff]
"""


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _die_with_parent():
    """Child side of Popen: get SIGTERM when the emulator dies, even by SIGKILL (Linux only)."""
    try:
        import ctypes  # pylint: disable=import-outside-toplevel
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class RegistryUnavailable(Exception):
    """The registry is not installed, did not start or does not answer."""


class RegistryProcess:
    """One ``docker-registry`` child process.

    ``storage`` is where the blobs live: a temporary directory removed at stop, or a directory kept
    across runs (next to ``--state-file``) so that a restarted emulator still serves what its state
    lists.
    """

    def __init__(self, storage=None, binary=None):
        # HARBOR_EMULATOR_REGISTRY names another binary; set empty, it runs the emulator without one.
        override = os.environ.get("HARBOR_EMULATOR_REGISTRY")
        if binary is None and override is not None:
            binary = override or ""
        self.binary = binary if binary is not None else shutil.which(BINARY)
        self.binary = self.binary or None
        self.temporary = storage is None
        self.workdir = tempfile.mkdtemp(prefix="harbor-registry-")
        self.storage = storage or os.path.join(self.workdir, "storage")
        self.port = None
        self.process = None
        self.error = None
        self._ready = threading.Event()
        self._client_lock = threading.Lock()
        self._client = None
        self.seeded_blobs = set()  # (repository, digest) already uploaded by seeding

    @property
    def available(self):
        return self.process is not None and self.error is None

    def start(self):
        """Spawn the registry; readiness is awaited by the first request (``wait_ready``)."""
        if self.binary is None:
            self.error = "the %s package is not installed: /v2/ answers 503" % BINARY
            sys.stderr.write("harbor emulator: %s (apt-get install docker-registry)\n" % self.error)
            sys.stderr.flush()
            return False
        os.makedirs(self.storage, exist_ok=True)
        self.port = _free_port()
        config = os.path.join(self.workdir, "config.yml")
        with open(config, "w", encoding="utf-8") as handle:
            handle.write(CONFIG_TEMPLATE % {"root": json.dumps(self.storage), "port": self.port,
                                            "secret": secrets.token_hex(16)})
        env = dict(os.environ)
        # The Debian package reads this too; without it the registry ignores our file on some versions.
        env["REGISTRY_CONFIGURATION_PATH"] = config
        try:
            self.process = subprocess.Popen(  # pylint: disable=consider-using-with
                [self.binary, "serve", config], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, env=env, preexec_fn=_die_with_parent)
        except OSError as exc:
            self.error = "%s could not start: %s" % (BINARY, exc)
            sys.stderr.write("harbor emulator: %s: /v2/ answers 503\n" % self.error)
            return False
        threading.Thread(target=self._watch_stderr, name="registry-stderr", daemon=True).start()
        return True

    def _watch_stderr(self):
        # Keep the pipe drained; only fatal lines are echoed (log level is error).
        for line in self.process.stderr:
            text = line.decode("utf-8", "replace").strip()
            if text and ("fatal" in text.lower() or "panic" in text.lower()):
                sys.stderr.write("docker-registry: %s\n" % text)

    def wait_ready(self, timeout=15.0):
        if self._ready.is_set():
            return
        if not self.available:
            raise RegistryUnavailable(self.error or "the registry is not running")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.error = "%s exited with status %s" % (BINARY, self.process.returncode)
                raise RegistryUnavailable(self.error)
            try:
                status, _headers, _body = self.request("GET", "/v2/")
                if status == 200:
                    self._ready.set()
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RegistryUnavailable("%s did not answer within %.0f s" % (BINARY, timeout))

    def stop(self):
        self.error = "the registry was stopped"
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def wipe(self):
        """Forget every repository (``/_emulator/reset``): the filesystem driver keeps no cache."""
        self.seeded_blobs.clear()
        if os.path.isdir(self.storage):
            for entry in os.listdir(self.storage):
                shutil.rmtree(os.path.join(self.storage, entry), ignore_errors=True)

    # -- client --------------------------------------------------------------
    def connection(self, timeout=300):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None):
        """A small buffered request (manifests, mounts, deletions): (status, headers, body).

        One kept-alive connection serves them all (seeding pushes hundreds of manifests); a
        connection the registry closed meanwhile is reopened once.
        """
        with self._client_lock:
            for attempt in (1, 2):
                if self._client is None:
                    self._client = self.connection(timeout=30)
                try:
                    self._client.request(method, path, body=body, headers=headers or {})
                    response = self._client.getresponse()
                    data = response.read()
                    if response.will_close:
                        self._client.close()
                        self._client = None
                    return response.status, response.headers, data
                except (OSError, http.client.HTTPException):
                    self._client.close()
                    self._client = None
                    if attempt == 2:
                        raise
        raise OSError("unreachable")

    def get_manifest(self, repository, reference):
        """(media type, bytes) of a manifest, or None."""
        status, headers, body = self.request("GET", "/v2/%s/manifests/%s" % (repository, reference), headers={
            "Accept": ", ".join(MANIFEST_MEDIA_TYPES)})
        if status != 200:
            return None
        return headers.get("Content-Type"), body

    def delete_manifest(self, repository, digest):
        status, _headers, _body = self.request("DELETE", "/v2/%s/manifests/%s" % (repository, digest))
        return status in (202, 404)

    def mount_blob(self, repository, source, digest):
        """Cross-repository mount; True when the blob is now in ``repository``."""
        status, headers, _body = self.request(
            "POST", "/v2/%s/blobs/uploads/?mount=%s&from=%s" % (repository, digest, source))
        if status == 201:
            return True
        if status == 202:
            # Not mountable: cancel the upload the registry opened instead and copy the bytes.
            location = headers.get("Location") or ""
            if location:
                self.request("DELETE", _path_of(location))
        return self.copy_blob(repository, source, digest)

    def copy_blob(self, repository, source, digest):
        conn = self.connection()
        try:
            conn.request("GET", "/v2/%s/blobs/%s" % (source, digest))
            response = conn.getresponse()
            data = response.read()
            if response.status != 200:
                return False
        finally:
            conn.close()
        return self.upload_blob(repository, digest, data)

    def upload_blob(self, repository, digest, data):
        """POST then PUT with the bytes: distribution 2.8 ignores the body of a POST."""
        status, headers, _body = self.request("POST", "/v2/%s/blobs/uploads/" % repository)
        if status != 202:
            return False
        location = _path_of(headers.get("Location") or "")
        separator = "&" if "?" in location else "?"
        status, _headers, _body = self.request("PUT", "%s%sdigest=%s" % (location, separator, digest), body=data,
                                               headers={"Content-Type": "application/octet-stream"})
        return status == 201

    def put_manifest(self, repository, reference, media_type, body):
        status, _headers, _body = self.request("PUT", "/v2/%s/manifests/%s" % (repository, reference), body=body,
                                               headers={"Content-Type": media_type})
        return status == 201


def _path_of(location):
    if "://" in location:
        location = "/" + location.split("://", 1)[1].split("/", 1)[1]
    return location


MANIFEST_MEDIA_TYPES = (
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
)
