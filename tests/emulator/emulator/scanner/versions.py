# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Package version ordering, so an advisory's "fixed in" bound means what the distribution means.

Debian: deb-version(7) (epoch, upstream, revision; ``~`` sorts before
everything, even the end of the string).  Alpine: apk's ordering of
dotted numbers, a letter, ``_alpha``/``_beta``/``_pre``/``_rc`` (before the
release) and ``_p`` (after), then ``-rN``.
"""

from __future__ import annotations

import re


def _dpkg_order(char):
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


def _dpkg_part(left, right):
    """verrevcmp: alternate non-digit runs (with the ``~`` rule) and numeric runs."""
    i = j = 0
    while i < len(left) or j < len(right):
        first_diff = 0
        while (i < len(left) and not left[i].isdigit()) or (j < len(right) and not right[j].isdigit()):
            lc = _dpkg_order(left[i]) if i < len(left) and not left[i].isdigit() else 0
            rc = _dpkg_order(right[j]) if j < len(right) and not right[j].isdigit() else 0
            if lc != rc:
                return lc - rc
            i += 1
            j += 1
        while i < len(left) and left[i] == "0":
            i += 1
        while j < len(right) and right[j] == "0":
            j += 1
        while i < len(left) and left[i].isdigit() and j < len(right) and right[j].isdigit():
            if not first_diff:
                first_diff = ord(left[i]) - ord(right[j])
            i += 1
            j += 1
        if i < len(left) and left[i].isdigit():
            return 1
        if j < len(right) and right[j].isdigit():
            return -1
        if first_diff:
            return first_diff
    return 0


def _dpkg_split(version):
    epoch, sep, rest = version.partition(":")
    if not sep:
        epoch, rest = "0", version
    upstream, sep, revision = rest.rpartition("-")
    if not sep:
        upstream, revision = rest, ""
    return int(epoch or 0), upstream, revision


def compare_dpkg(left, right):
    """<0, 0 or >0 as ``left`` sorts before, with or after ``right``."""
    left_epoch, left_upstream, left_revision = _dpkg_split(left)
    right_epoch, right_upstream, right_revision = _dpkg_split(right)
    if left_epoch != right_epoch:
        return left_epoch - right_epoch
    return _dpkg_part(left_upstream, right_upstream) or _dpkg_part(left_revision, right_revision)


_APK_SUFFIX = {"alpha": -4, "beta": -3, "pre": -2, "rc": -1, "": 0, "cvs": 1, "svn": 2, "git": 3, "hg": 4, "p": 5}
_APK_RE = re.compile(r"^(?P<numbers>\d+(?:\.\d+)*)(?P<letter>[a-z]?)(?P<suffixes>(?:_[a-z]+\d*)*)(?:-r(?P<rev>\d+))?$")


def _apk_key(version):
    found = _APK_RE.match(version)
    if not found:
        return ((), "", ((0, 0),), 0, version)
    numbers = tuple(int(part) for part in found.group("numbers").split("."))
    suffixes = []
    for suffix in re.findall(r"_([a-z]+)(\d*)", found.group("suffixes") or ""):
        suffixes.append((_APK_SUFFIX.get(suffix[0], 0), int(suffix[1] or 0)))
    suffixes.append((0, 0))  # a release sorts after its pre-releases and before its _p
    return (numbers, found.group("letter"), tuple(suffixes), int(found.group("rev") or 0), "")


def compare_apk(left, right):
    left_key, right_key = _apk_key(left), _apk_key(right)
    return (left_key > right_key) - (left_key < right_key)


COMPARATORS = {"debian": compare_dpkg, "alpine": compare_apk}
