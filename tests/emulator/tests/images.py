# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Images built in Python for the scan tests: a layer holding a package database, pushed over /v2/."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# pylint: disable=wrong-import-position
from emulator.scanner.oci import MANIFEST_ACCEPT, OCI_MANIFEST, RegistryClient, sha256_digest  # noqa: E402


def dpkg_status(*packages):
    """A dpkg status file listing ``(name, version)`` pairs as installed."""
    return "".join("Package: %s\nStatus: install ok installed\nArchitecture: amd64\nVersion: %s\n"
                   "Description: test package\n\n" % (name, version) for name, version in packages)


def apk_installed(*packages):
    return "".join("P:%s\nV:%s\nA:x86_64\n\n" % (name, version) for name, version in packages)


def layer(files, gzipped=True):
    """A tar layer of ``{path: text}`` (a None text is an OCI whiteout of that path)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path, text in files.items():
            if text is None:
                directory, name = os.path.split(path)
                path, text = os.path.join(directory, ".wh." + name), ""
            data = text.encode("utf-8")
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    return gzip.compress(raw, mtime=0) if gzipped else raw


def push_image(registry_url, username, password, repository, tag, layers, cafile=None):
    """Push an OCI image made of ``layers`` (blobs from layer()); returns its digest."""
    client = RegistryClient.with_basic(registry_url, username, password, cafile=cafile)
    descriptors = []
    for blob in layers:
        media_type = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if blob[:2] == b"\x1f\x8b" else "")
        descriptors.append({"mediaType": media_type, "size": len(blob), "digest": client.push_blob(repository, blob)})
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [d["digest"] for d in descriptors]}}).encode()
    config_digest = client.push_blob(repository, config)
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "size": len(config), "digest": config_digest},
                           "layers": descriptors}).encode()
    client.push_manifest(repository, tag, manifest, OCI_MANIFEST)
    return sha256_digest(manifest)


def pull_manifest(registry_url, username, password, repository, reference, cafile=None):
    """``(status, text)`` of a manifest GET as that user; for a refusal the text is ``CODE: message``."""
    client = RegistryClient.with_basic(registry_url, username, password, cafile=cafile)
    status, _headers, body = client.request(
        "GET", "/v2/%s/manifests/%s" % (repository, reference), "repository:%s:pull" % repository,
        headers={"Accept": MANIFEST_ACCEPT}, expect=(200, 401, 403, 404, 412))
    if status == 200:
        return status, body.decode("utf-8")
    error = json.loads(body)["errors"][0]
    return status, "%s: %s" % (error["code"], error["message"])
