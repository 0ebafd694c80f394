# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Images built in Python for the scan tests: a layer holding a package database, pushed over /v2/."""

from __future__ import annotations

import gzip
import io
import os
import tarfile

from oci_client import OciClient


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
    answer, digest, _body = OciClient(registry_url, (username, password), verify=cafile or True).push_image(
        repository, tag, layers=layers, layer_media_type=None)
    assert answer.status_code == 201, answer.text
    return digest


def pull_manifest(registry_url, username, password, repository, reference, cafile=None):
    """``(status, text)`` of a manifest GET as that user; for a refusal the text is ``CODE: message``."""
    answer = OciClient(registry_url, (username, password), verify=cafile or True).get_manifest(repository, reference)
    if answer.status_code == 200:
        return answer.status_code, answer.text
    error = answer.json()["errors"][0]
    return answer.status_code, "%s: %s" % (error["code"], error["message"])
