# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The advisory database and the reports built from it.

An advisory file is JSON: ``{"advisories": [{"id", "ecosystem" ("debian"
or "alpine"), "package" (binary or source name), "introduced" (optional,
first affected version), "fixed" (optional, first fixed version; absent
means no fix yet), "severity", "description", "links"}]}``.  A package is
affected when ``introduced <= version < fixed`` in its distribution's
ordering.  Reports follow Harbor's vulnerability report format (version
1.1) and SPDX 2.3 JSON for SBOMs.
"""

from __future__ import annotations

import json
import os
import uuid

from .versions import COMPARATORS

DEFAULT_ADVISORIES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "advisories.json")
SEVERITIES = ("Unknown", "Negligible", "Low", "Medium", "High", "Critical")
SEVERITY_RANK = {"None": 0, "Unknown": 0, "Negligible": 1, "Low": 2, "Medium": 3, "High": 4, "Critical": 5}
REQUIRED_FIELDS = ("id", "ecosystem", "package", "severity")


class AdvisoryError(ValueError):
    """An advisory file the scanner refuses (said at start-up rather than at scan time)."""


def load(path=None):
    path = path or DEFAULT_ADVISORIES
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError) as exc:
        raise AdvisoryError("cannot read the advisory file %s: %s" % (path, exc)) from exc
    advisories = data.get("advisories") if isinstance(data, dict) else None
    if not isinstance(advisories, list):
        raise AdvisoryError('%s: expected {"advisories": [...]}' % path)
    for index, advisory in enumerate(advisories):
        missing = [field for field in REQUIRED_FIELDS if not advisory.get(field)]
        if missing:
            raise AdvisoryError("%s: advisory %d lacks %s" % (path, index, ", ".join(missing)))
        if advisory["ecosystem"] not in COMPARATORS:
            raise AdvisoryError("%s: advisory %s: ecosystem must be one of %s" % (
                path, advisory["id"], ", ".join(sorted(COMPARATORS))))
        if advisory["severity"] not in SEVERITIES:
            raise AdvisoryError("%s: advisory %s: severity must be one of %s" % (
                path, advisory["id"], ", ".join(SEVERITIES)))
    return advisories


def affects(advisory, package):
    if advisory["ecosystem"] != package["ecosystem"]:
        return False
    if advisory["package"] not in (package["name"], package["source"]):
        return False
    compare = COMPARATORS[package["ecosystem"]]
    if advisory.get("introduced") and compare(package["version"], advisory["introduced"]) < 0:
        return False
    return not advisory.get("fixed") or compare(package["version"], advisory["fixed"]) < 0


def findings(advisories, packages, digest):
    """Vulnerability items, one per (advisory, installed package)."""
    items = []
    for package in packages:
        for advisory in advisories:
            if affects(advisory, package):
                items.append({
                    "id": advisory["id"], "package": package["name"], "version": package["version"],
                    "fix_version": advisory.get("fixed") or "", "severity": advisory["severity"],
                    "description": advisory.get("description") or "", "links": list(advisory.get("links") or []),
                    "artifact_digests": [digest], "preferred_cvss": {}, "cwe_ids": [], "vendor_attributes": {},
                })
    return sorted(items, key=lambda item: (-SEVERITY_RANK[item["severity"]], item["id"], item["package"]))


def highest_severity(items):
    severity = "None"
    for item in items:
        if SEVERITY_RANK[item["severity"]] > SEVERITY_RANK[severity]:
            severity = item["severity"]
    return severity


def vulnerability_report(scanner, artifact, items, generated_at):
    return {"generated_at": generated_at, "artifact": artifact, "scanner": scanner,
            "severity": highest_severity(items), "vulnerabilities": items}


def _purl(package):
    if package["ecosystem"] == "alpine":
        base = "pkg:apk/alpine/%s@%s" % (package["name"], package["version"])
    else:
        base = "pkg:deb/debian/%s@%s" % (package["name"], package["version"])
    return base + ("?arch=%s" % package["arch"] if package["arch"] else "")


def spdx_document(scanner, artifact, packages, generated_at):
    """SPDX 2.3 JSON: the image as the described package, each OS package contained in it."""
    image_id = "SPDXRef-Image"
    described = {"name": "%s@%s" % (artifact["repository"], artifact["digest"]), "SPDXID": image_id,
                 "downloadLocation": "NONE", "filesAnalyzed": False, "primaryPackagePurpose": "CONTAINER"}
    entries, relationships = [described], [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": image_id}]
    for index, package in enumerate(packages, start=1):
        ident = "SPDXRef-Package-%d" % index
        entries.append({
            "name": package["name"], "SPDXID": ident, "versionInfo": package["version"],
            "downloadLocation": "NONE", "filesAnalyzed": False, "sourceInfo": "source package " + package["source"],
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": _purl(package)}],
        })
        relationships.append({"spdxElementId": image_id, "relationshipType": "CONTAINS", "relatedSpdxElement": ident})
    return {
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": described["name"],
        "documentNamespace": "https://harbor-emulator.invalid/spdx/%s" % uuid.uuid4(),
        "creationInfo": {"created": generated_at,
                         "creators": ["Tool: %s-%s" % (scanner["name"].replace(" ", "-"), scanner["version"])]},
        "packages": entries, "relationships": relationships,
    }


def sbom_report(scanner, artifact, packages, generated_at):
    return {"generated_at": generated_at, "artifact": artifact, "scanner": scanner, "vendor_attributes": {},
            "media_type": "application/spdx+json",
            "sbom": spdx_document(scanner, artifact, packages, generated_at)}
