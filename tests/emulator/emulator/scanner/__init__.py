# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A scanner adapter speaking Harbor's Pluggable Scanner API v1.

Routes (goharbor/pluggable-scanner-spec; Harbor's client is
src/pkg/scan/rest/v1): ``GET /api/v1/metadata``, ``POST /api/v1/scan``
(202 and an id; the scan then runs in a thread) and
``GET /api/v1/scan/{id}/report`` with the wanted report type in ``Accept``
(302 with ``Refresh-After`` while the scan runs, then the report; 404 for
an unknown id; 500 with the reason when the scan failed).

A scan pulls the artifact from the registry named in the request with the
``authorization`` Harbor put there, reads the package database of its
layers and matches it against the advisory file: nothing but the image
decides what is found.

Control endpoint (port of the adapter): ``POST /_emulator/settings``
``{"min_scan_seconds": N}`` keeps every report pending at least N seconds,
so tests can see a running scan.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
import uuid
from urllib.parse import parse_qs

from ..http import Response, Router, NoRoute, MethodNotAllowed, json_response
from . import advisories as advisory_db
from .oci import DOCKER_MANIFEST, OCI_MANIFEST, RegistryClient, RegistryError
from .packages import LayerError, installed_packages

NATIVE_REPORT = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
VULN_REPORT = "application/vnd.security.vulnerability.report; version=1.1"
SBOM_REPORT = "application/vnd.security.sbom.report+json; version=1.0"
METADATA_TYPE = "application/vnd.scanner.adapter.metadata+json; version=1.0"
SCAN_RESPONSE_TYPE = "application/vnd.scanner.adapter.scan.response+json; version=1.0"
ERROR_TYPE = "application/vnd.scanner.adapter.error+json; version=1.0"
SPDX_JSON = "application/spdx+json"
SCANNER = {"name": "Emulator Scanner", "vendor": "cloudtemple", "version": "1.0.0"}
REFRESH_AFTER = 1
# Scan results are kept this long (the spec lets an adapter forget old scans).
KEEP_SECONDS = 3600


def _mime(value):
    """A media type with its parameters normalised (``a;version=1.1`` == ``a; version=1.1``)."""
    parts = [part.strip() for part in (value or "").split(";") if part.strip()]
    return "; ".join(parts)


def _error(status, message):
    return Response(status, json.dumps({"error": {"message": message}}), content_type=ERROR_TYPE)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ScanJob:
    def __init__(self, request):
        self.id = str(uuid.uuid4())
        self.request = request
        self.created = time.monotonic()
        self.done = threading.Event()
        self.error = None
        self.packages = None
        self.generated_at = None


class ScannerAdapter:
    """The adapter application, served by ``http.EmulatorServer``."""

    def __init__(self, advisories_path=None, cafile=None):
        self.advisories = advisory_db.load(advisories_path)
        self.cafile = cafile
        self.jobs = {}
        self.lock = threading.Lock()
        self.min_scan_seconds = 0.0
        self.router = Router()
        self.router.add("GET", r"/api/v1/metadata", self.metadata)
        self.router.add("POST", r"/api/v1/scan", self.submit)
        self.router.add("GET", r"/api/v1/scan/(?P<id>[^/]+)/report", self.report)

    # -- EmulatorServer interface ----------------------------------------------
    def handle(self, request):
        try:
            route, params = self.router.match(request.method, request.path)
        except NoRoute:
            return _error(404, "path %s not found" % request.path)
        except MethodNotAllowed:
            return _error(405, "method %s not allowed" % request.method)
        request.params = params
        return route.handler(request)

    def register_control(self, router):
        router.add("POST", "/_emulator/settings", self._settings)

    def _settings(self, request):
        try:
            payload = json.loads(request.body or b"{}")
            self.min_scan_seconds = float(payload.get("min_scan_seconds", self.min_scan_seconds))
        except (ValueError, TypeError, AttributeError):
            return json_response({"error": 'body must be {"min_scan_seconds": N}'}, 400)
        return json_response({"min_scan_seconds": self.min_scan_seconds})

    # -- the three API routes ----------------------------------------------------
    def metadata(self, _request):
        consumes = [OCI_MANIFEST, DOCKER_MANIFEST]
        body = {
            "scanner": SCANNER,
            "capabilities": [
                {"type": "vulnerability", "consumes_mime_types": consumes,
                 "produces_mime_types": [VULN_REPORT, NATIVE_REPORT]},
                {"type": "sbom", "consumes_mime_types": consumes, "produces_mime_types": [SBOM_REPORT]},
            ],
            "properties": {
                "harbor.scanner-adapter/scanner-type": "os-package-vulnerability",
                "harbor.scanner-adapter/registry-authorization-type": "Basic",
                "harbor.scanner-adapter/vulnerability-database-updated-at": _now(),
                "env.ADVISORY_COUNT": str(len(self.advisories)),
            },
        }
        return Response(200, json.dumps(body), content_type=METADATA_TYPE)

    def submit(self, request):
        try:
            body = json.loads(request.body or b"")
        except ValueError:
            return _error(400, "the scan request is not JSON")
        registry = body.get("registry") if isinstance(body, dict) else None
        artifact = body.get("artifact") if isinstance(body, dict) else None
        if not isinstance(registry, dict) or not registry.get("url"):
            return _error(422, "invalid registry in the scan request")
        if not isinstance(artifact, dict) or not all(artifact.get(key) for key in ("repository", "digest", "mime_type")):
            return _error(422, "invalid artifact in the scan request")
        if artifact["mime_type"] not in (OCI_MANIFEST, DOCKER_MANIFEST):
            return _error(422, "unsupported artifact mime type %s" % artifact["mime_type"])
        job = ScanJob(body)
        with self.lock:
            self._forget_old()
            self.jobs[job.id] = job
        threading.Thread(target=self._run, args=(job,), name="scan-" + job.id, daemon=True).start()
        return Response(202, json.dumps({"id": job.id}), content_type=SCAN_RESPONSE_TYPE)

    def report(self, request):
        with self.lock:
            job = self.jobs.get(request.params["id"])
        if job is None:
            return _error(404, "scan request %s not found" % request.params["id"])
        wanted = _mime(request.header("Accept"))
        if wanted not in (_mime(VULN_REPORT), _mime(NATIVE_REPORT), _mime(SBOM_REPORT)):
            return _error(422, "unsupported report mime type %s" % (request.header("Accept") or ""))
        if wanted == _mime(SBOM_REPORT):
            media_type = (parse_qs(request.raw_query).get("sbom_media_type") or [SPDX_JSON])[0]
            if media_type != SPDX_JSON:
                return _error(422, "unsupported SBOM media type %s, only %s" % (media_type, SPDX_JSON))
        if not job.done.is_set() or time.monotonic() - job.created < self.min_scan_seconds:
            return Response(302, headers=[("Refresh-After", str(REFRESH_AFTER))])
        if job.error:
            return _error(500, job.error)
        artifact = job.request["artifact"]
        reported = {"repository": artifact["repository"], "digest": artifact["digest"],
                    "mime_type": artifact["mime_type"]}
        if wanted == _mime(SBOM_REPORT):
            body = advisory_db.sbom_report(SCANNER, reported, job.packages, job.generated_at)
            return Response(200, json.dumps(body), content_type=SBOM_REPORT)
        items = advisory_db.findings(self.advisories, job.packages, artifact["digest"])
        body = advisory_db.vulnerability_report(SCANNER, reported, items, job.generated_at)
        return Response(200, json.dumps(body), content_type=request.header("Accept"))

    # -- the scan itself ---------------------------------------------------------
    def _run(self, job):
        registry, artifact = job.request["registry"], job.request["artifact"]
        try:
            client = RegistryClient(registry["url"], registry.get("authorization") or None, cafile=self.cafile,
                                    insecure=bool(registry.get("insecure")))
            _media_type, manifest = client.image_manifest(artifact["repository"], artifact["digest"])
            blobs = [client.get_blob(artifact["repository"], layer["digest"]) for layer in manifest.get("layers") or []]
            job.packages = installed_packages(blobs)
        except (RegistryError, LayerError, ValueError, KeyError) as exc:
            job.error = "scan of %s@%s failed: %s" % (artifact.get("repository"), artifact.get("digest"), exc)
        job.generated_at = _now()
        job.done.set()

    def _forget_old(self):
        limit = time.monotonic() - KEEP_SECONDS
        for ident in [ident for ident, job in self.jobs.items() if job.created < limit]:
            del self.jobs[ident]
