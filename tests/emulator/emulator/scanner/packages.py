# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The OS package database inside an image's layers.

Layers are applied in order with the OCI whiteout rules (``.wh.<name>``
deletes, ``.wh..wh..opq`` empties a directory), so a package database
replaced or deleted by a later layer is read as the image really holds it.
Debian's ``var/lib/dpkg/status`` (and distroless ``status.d/*``) and
Alpine's ``lib/apk/db/installed`` are understood.
"""

from __future__ import annotations

import gzip
import io
import posixpath
import tarfile

DPKG_STATUS = "var/lib/dpkg/status"
DPKG_STATUS_DIR = "var/lib/dpkg/status.d"
APK_INSTALLED = "lib/apk/db/installed"
WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


class LayerError(Exception):
    """A layer the scanner cannot read."""


def _wanted(path):
    return path in (DPKG_STATUS, APK_INSTALLED) or posixpath.dirname(path) == DPKG_STATUS_DIR


def _open_layer(blob):
    if blob[:2] == b"\x1f\x8b":
        blob = gzip.decompress(blob)
    elif blob[:4] == b"\x28\xb5\x2f\xfd":
        raise LayerError("zstd-compressed layers are not supported")
    try:
        return tarfile.open(fileobj=io.BytesIO(blob), mode="r:")
    except tarfile.TarError as exc:
        raise LayerError("not a tar layer: %s" % exc) from exc


def merge_layers(blobs):
    """``{path: bytes}`` of the package database files in the final filesystem."""
    files = {}
    for blob in blobs:
        with _open_layer(blob) as archive:
            for member in archive.getmembers():
                path = posixpath.normpath("/" + member.name).lstrip("/")
                base = posixpath.basename(path)
                parent = posixpath.dirname(path)
                if base == OPAQUE:
                    for known in [known for known in files if known.startswith(parent + "/")]:
                        del files[known]
                    continue
                if base.startswith(WHITEOUT):
                    gone = posixpath.join(parent, base[len(WHITEOUT):])
                    for known in [known for known in files if known == gone or known.startswith(gone + "/")]:
                        del files[known]
                    continue
                if member.isfile() and _wanted(path):
                    files[path] = archive.extractfile(member).read()
    return files


def _stanzas(text):
    """RFC 822-like paragraphs: ``[{field: value}]`` (continuation lines dropped)."""
    stanzas, current, field = [], {}, None
    for line in text.splitlines():
        if not line.strip():
            if current:
                stanzas.append(current)
            current, field = {}, None
            continue
        if line[0] in " \t" and field:
            continue
        field, _sep, value = line.partition(":")
        current[field.strip()] = value.strip()
    if current:
        stanzas.append(current)
    return stanzas


def parse_dpkg(text):
    """Installed packages of a dpkg status file."""
    packages = []
    for stanza in _stanzas(text):
        status = stanza.get("Status", "install ok installed").split()
        if not stanza.get("Package") or not stanza.get("Version") or status[-1:] != ["installed"]:
            continue
        source = stanza.get("Source", "").split(" ")[0] or stanza["Package"]
        packages.append({"ecosystem": "debian", "name": stanza["Package"], "version": stanza["Version"],
                         "source": source, "arch": stanza.get("Architecture", "")})
    return packages


def parse_apk(text):
    """Installed packages of an apk ``installed`` database (``P:``, ``V:``, ``A:``, ``o:`` lines)."""
    packages, current = [], {}
    for line in text.splitlines() + [""]:
        if not line.strip():
            if current.get("P") and current.get("V"):
                packages.append({"ecosystem": "alpine", "name": current["P"], "version": current["V"],
                                 "source": current.get("o") or current["P"], "arch": current.get("A", "")})
            current = {}
            continue
        key, sep, value = line.partition(":")
        if sep and len(key) == 1:
            current[key] = value
    return packages


def installed_packages(blobs):
    """Every installed OS package of the image whose layer blobs are given, sorted by name."""
    files = merge_layers(blobs)
    packages = []
    for path, data in sorted(files.items()):
        text = data.decode("utf-8", "replace")
        packages.extend(parse_apk(text) if path == APK_INSTALLED else parse_dpkg(text))
    return sorted(packages, key=lambda package: (package["ecosystem"], package["name"], package["version"]))
