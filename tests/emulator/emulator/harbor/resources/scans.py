# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Scans: scan and SBOM jobs, their reports and logs, scan all, and vulnerability-blocked pulls.

Harbor: src/server/v2.0/handler/scan.go, scan_all.go, artifact.go
(additions), assembler/report.go (``scan_overview``/``sbom_overview``),
src/controller/scan/base_controller.go (Scan, Stop, GetVulnerable, the
scanner robot), src/pkg/scan/vuln (summaries, severities),
src/pkg/scan/sbom/sbom.go (the SBOM accessory), src/pkg/scan/util.go and
src/server/middleware/vulnerable/vulnerable.go (pull blocking).

A scan is a job like Harbor's: the handler answers 202, a thread then
makes a project robot with ``pull`` and ``scanner-pull`` (plus ``push`` for
an SBOM), hands its credentials to the adapter in the scan request, polls
the report (honouring ``Refresh-After``) and stores it.  For an SBOM the
job pushes the document to the registry as an accessory of type
``harbor.sbom`` whose subject is the artifact, with that robot, as Harbor's
job service does.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import urllib.error
import urllib.request
import uuid

from .. import core
from ...scanner.oci import OCI_MANIFEST, RegistryClient, RegistryError
from . import robots as robot_accounts
from .scanners import _auth_headers, default_registration, fetch_metadata, produces, registration_of_project

VULN_REPORT = "application/vnd.security.vulnerability.report; version=1.1"
SCAN_REQUEST_TYPE = "application/vnd.scanner.adapter.scan.request+json; version=1.0"
SCAN_RESPONSE_TYPE = "application/vnd.scanner.adapter.scan.response+json; version=1.0"
HARBOR_SBOM = "application/vnd.goharbor.harbor.sbom.v1"
SPDX_JSON = "application/spdx+json"
VULNERABILITY, SBOM = "vulnerability", "sbom"
VENDOR_TYPES = {VULNERABILITY: "IMAGE_SCAN", SBOM: "SBOM"}
SCAN_ALL = "SCAN_ALL"
FINAL = ("Success", "Error", "Stopped")
SEVERITY_CODE = {"None": 0, "Unknown": 0, "Negligible": 1, "Low": 2, "Medium": 3, "High": 4, "Critical": 5}
SCAN_TYPE_SCHEMA = {"type": "object", "properties": {"scan_type": {"type": "string"}}}
JOB_TIMEOUT = 300
ZERO_TIME = "0001-01-01T00:00:00.000Z"


def _version_tuple(text):
    parts = (text or "").lstrip("v").split("-")[0].split(".")
    try:
        return tuple(int(part) for part in parts[:3])
    except ValueError:
        return (0,)


def sbom_supported(state):
    """``scan_type`` (and SBOMs) arrived with Harbor 2.11: older releases run a vulnerability scan."""
    return _version_tuple(state.config.get("harbor_version")) >= (2, 11)


def is_accessory(state, artifact):
    return any(accessory["artifact_id"] == artifact["id"] for accessory in state.table("accessories").values())


def scannable(state, metadata, artifact):
    """hasCapability: an image (not an accessory) whose manifest type the adapter consumes."""
    if metadata is None or artifact.get("type") != "IMAGE" or is_accessory(state, artifact):
        return False
    return any(artifact.get("manifest_media_type") in (capability.get("consumes_mime_types") or [])
               for capability in metadata.get("capabilities") or [])


def reports_of(state, artifact_id, scan_type=None):
    return [report for report in state.rows("scan_reports") if report["artifact_id"] == artifact_id
            and (scan_type is None or report["scan_type"] == scan_type)]


# --------------------------------------------------------------------------
# Starting a scan
# --------------------------------------------------------------------------

def _latest_tag(state, artifact):
    tags = sorted(state.tags_of(artifact["id"]), key=lambda tag: (tag["push_time"], tag["id"]), reverse=True)
    return tags[0]["name"] if tags else ""


def _scanner_robot(state, project, registration, scan_type):
    """makeRobotAccount: a project robot named ``<project>+scanner-<registration>-<uuid>``, never expiring."""
    access = [{"resource": "repository", "action": "pull", "effect": ""},
              {"resource": "repository", "action": "scanner-pull", "effect": ""}]
    if scan_type == SBOM:
        access.append({"resource": "repository", "action": "push", "effect": ""})
    name = "%s+%s-%s-%s" % (project["name"], state.config.get("robot_scanner_name_prefix", "scanner"),
                            registration["name"], uuid.uuid4())
    robot = robot_accounts.new_robot(state, name, project["project_id"], "for scan", -1, "local", 0)
    robot["permissions"] = [{"scope": "/project/%d" % project["project_id"], "access": access}]
    robot["visible"] = False
    secret = robot_accounts.generate_secret()
    robot_accounts.set_secret(robot, secret)
    state.insert("robots", robot)
    return robot, robot_accounts.prefix_of(state) + name, secret


def scan_targets(state, metadata, artifact):
    """collectScanningArtifacts: the artifact itself when the scanner takes it, else its scannable children
    (an image index), walked recursively; accessories are never scanned."""
    if scannable(state, metadata, artifact):
        return [artifact]
    if metadata is None or is_accessory(state, artifact):
        return []
    targets = []
    for reference in artifact.get("references") or []:
        child = state.get("artifacts", reference.get("child_id"))
        if child is not None:
            targets.extend(scan_targets(state, metadata, child))
    return targets


def start_scan(emulator, project, repo, artifact, scan_type=VULNERABILITY, trigger="MANUAL", tag=None,
               from_event=False, execution_id=None):
    """basicController.Scan (in the state lock): checks, placeholders, robots, then one job per scanned artifact.

    Returns the report records, or [] when an event-triggered scan finds nothing scannable.
    """
    state = emulator.state
    registration = registration_of_project(state, project["project_id"])
    if registration is None:
        raise core.precondition("no available scanner for project: %d" % project["project_id"])
    if registration["disabled"]:
        raise core.precondition("scanner %s is deactivated" % registration["name"])
    metadata = cached_metadata(registration)
    targets = scan_targets(state, metadata, artifact)
    if not targets:
        if from_event:
            return []
        raise core.bad_request("the configured scanner %s does not support scanning artifact with mime type %s"
                               % (registration["name"], artifact.get("manifest_media_type")))
    conflicts = []
    for target in targets:
        for old in reports_of(state, target["id"], scan_type):
            if old["status"] not in FINAL:
                conflicts.append(core.conflict("a previous sbom generate process is running" if scan_type == SBOM
                                               else "a previous scan process is %s" % old["status"]))
                break
    if len(conflicts) == len(targets):
        raise conflicts[0]
    stamp = core.now_iso()
    if execution_id is None:
        execution_id = state.insert("scan_executions", {
            "vendor_type": VENDOR_TYPES[scan_type], "trigger": trigger, "status": "Running",
            "start_time": stamp, "end_time": ZERO_TIME, "artifact_id": artifact["id"],
            "extra_attrs": {"artifact": {"id": artifact["id"], "project_id": project["project_id"],
                                         "repository_name": repo["name"], "digest": artifact["digest"]},
                            "scanner": {"id": registration["id"], "name": registration["name"]},
                            "enabled_capabilities": {"type": scan_type}}})
    reports = []
    for target in targets:
        if any(old["status"] not in FINAL for old in reports_of(state, target["id"], scan_type)):
            continue  # that child's running scan goes on; the others start
        mime_types = produces(metadata, target["manifest_media_type"], scan_type)
        if not mime_types:
            raise core.internal_error()  # "no mime types to make report placeholders"
        state.delete_where("scan_reports", lambda old, ident=target["id"]: old["artifact_id"] == ident
                           and old["scan_type"] == scan_type)
        if scan_type == SBOM:
            _delete_sbom_accessories(emulator, target)
        reports.append(_launch(emulator, project, repo, target, registration, scan_type, mime_types, execution_id,
                               tag if target is artifact else None))
    return reports


def _launch(emulator, project, repo, artifact, registration, scan_type, mime_types, execution_id, tag):
    """launchScanJob: the report placeholder, a robot for the job, the scan request, the job thread."""
    state = emulator.state
    mime_type = VULN_REPORT if VULN_REPORT in mime_types else mime_types[0]
    robot, robot_name, secret = _scanner_robot(state, project, registration, scan_type)
    report = {"uuid": str(uuid.uuid4()), "artifact_id": artifact["id"], "project_id": project["project_id"],
              "repository": repo["name"], "digest": artifact["digest"], "registration_uuid": registration["uuid"],
              "scan_type": scan_type, "mime_type": mime_type, "status": "Pending", "start_time": core.now_iso(),
              "end_time": ZERO_TIME, "report": None, "summary": None, "execution_id": execution_id,
              "robot_id": robot["id"], "log": [], "stop": False,
              # the execution's operator and request, which the SCANNING_* events carry (scan/callback.go)
              "operator": core.CURRENT.operator, "request_id": core.CURRENT.request_id}
    state.insert("scan_reports", report)
    request = {
        "registry": {"url": state.config.get("external_url") or "", "authorization": "Basic " + _basic(robot_name, secret)},
        "artifact": {"namespace_id": project["project_id"], "repository": repo["name"],
                     "digest": artifact["digest"], "tag": tag or _latest_tag(state, artifact),
                     "mime_type": artifact["manifest_media_type"], "size": artifact.get("size") or 0},
        "enabled_capabilities": [{"type": scan_type, "produces_mime_types": [mime_type],
                                  "parameters": {"sbom_media_types": [SPDX_JSON]} if scan_type == SBOM else None}],
    }
    job = threading.Thread(target=_run_job, args=(emulator, report["uuid"], dict(registration), request,
                                                  (robot_name, secret)),
                           name="scan-job-" + report["uuid"], daemon=True)
    job.start()
    return report


# Harbor caches the adapters' metadata (getScannerAdapterMetadataWithCache); listings and pulls use it.
METADATA_CACHE_SECONDS = 2
_METADATA_CACHE = {}


def cached_metadata(registration):
    """The adapter's metadata, or None when it does not answer (an unhealthy scanner scans nothing)."""
    key = (registration["uuid"], registration["url"])
    hit = _METADATA_CACHE.get(key)
    if hit is not None and time.monotonic() - hit[0] < METADATA_CACHE_SECONDS:
        return hit[1]
    try:
        metadata = fetch_metadata(registration)
    except core.HarborError:
        metadata = None
    _METADATA_CACHE[key] = (time.monotonic(), metadata)
    return metadata


def _basic(username, password):
    return base64.b64encode(("%s:%s" % (username, password)).encode("utf-8")).decode("ascii")


def _delete_sbom_accessories(emulator, artifact):
    """deleteSBOMAccessory: a new SBOM replaces the previous accessory."""
    state = emulator.state
    for accessory in list(state.table("accessories").values()):
        if accessory.get("subject_artifact_id") == artifact["id"] and accessory.get("type") == "harbor.sbom":
            old = state.get("artifacts", accessory["artifact_id"])
            state.delete("accessories", accessory["id"])
            if old is not None:
                repo = state.get("repositories", old["repository_id"])
                project = state.projects().get(old["project_id"])
                if repo is not None and project is not None:
                    from .repositories import delete_artifact  # pylint: disable=import-outside-toplevel
                    try:
                        delete_artifact(state, project, repo, old)
                    except core.HarborError:
                        pass  # an immutable tag keeps the old document; the new one is added beside it


# --------------------------------------------------------------------------
# The job (outside the state lock: it talks to the adapter and to our own /v2/)
# --------------------------------------------------------------------------

def _log(report, line):
    report["log"].append("%s [INFO] %s" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), line))


def _adapter_call(registration, method, path, body=None, accept=None):
    headers = dict(_auth_headers(registration))
    if body is not None:
        headers["Content-Type"] = SCAN_REQUEST_TYPE
    if accept:
        headers["Accept"] = accept
    request = urllib.request.Request(registration["url"].rstrip("/") + path, method=method, headers=headers,
                                     data=json.dumps(body).encode("utf-8") if body is not None else None)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def _run_job(emulator, report_uuid, registration, request, robot_credentials):
    state = emulator.state
    error, raw = None, None
    try:
        with state.lock:
            report = _report_by_uuid(state, report_uuid)
            report["status"] = "Running"
            artifact = request["artifact"]
            _log(report, "scanning %s@%s with %s" % (artifact["repository"], artifact["digest"], registration["name"]))
        status, _headers, body = _adapter_call(registration, "POST", "/api/v1/scan", body=request,
                                               accept=SCAN_RESPONSE_TYPE)
        if status != 202:
            raise RuntimeError("the scanner refused the scan request (%d): %s" % (status, body[:300].decode()))
        scan_id = json.loads(body)["id"]
        mime_type = request["enabled_capabilities"][0]["produces_mime_types"][0]
        path = "/api/v1/scan/%s/report" % scan_id
        if request["enabled_capabilities"][0]["type"] == SBOM:
            path += "?sbom_media_type=" + urllib.request.quote(SPDX_JSON, safe="")
        deadline = time.monotonic() + JOB_TIMEOUT
        while True:
            with state.lock:
                if _report_by_uuid(state, report_uuid).get("stop"):
                    raise StopIteration
            status, headers, body = _adapter_call(registration, "GET", path, accept=mime_type)
            if status == 302:
                if time.monotonic() > deadline:
                    raise RuntimeError("the scanner did not finish within %d seconds" % JOB_TIMEOUT)
                time.sleep(min(float(headers.get("Refresh-After") or 1), 5))
                continue
            if status != 200:
                message = body[:500].decode("utf-8", "replace")
                try:
                    message = json.loads(body)["error"]["message"]
                except (ValueError, KeyError, TypeError):
                    pass
                raise RuntimeError("%s: unexpected status code: %d, expected: 200" % (message, status))
            raw = json.loads(body)
            break
        if request["enabled_capabilities"][0]["type"] == SBOM:
            raw = {"sbom_digest": _push_sbom(state, request, raw, robot_credentials), "raw": raw}
    except StopIteration:
        error = "stopped"
    except (RuntimeError, RegistryError, ValueError, KeyError, OSError, urllib.error.URLError) as exc:
        error = str(exc)
    with state.lock:
        report = _report_by_uuid(state, report_uuid)
        if report is None:
            return
        report["end_time"] = core.now_iso()
        if error == "stopped":
            report["status"] = "Stopped"
            _log(report, "the scan was stopped")
        elif error:
            report["status"] = "Error"
            report["log"].append("%s [ERROR] %s" % (time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), error))
        else:
            report["status"] = "Success"
            if report["scan_type"] == SBOM:
                report["summary"] = {"sbom_digest": raw["sbom_digest"], "sbom_repository": report["repository"],
                                     "scanner": raw["raw"].get("scanner")}
                _log(report, "SBOM accessory %s pushed" % raw["sbom_digest"])
            else:
                report["report"] = raw
                _log(report, "%d vulnerabilities found" % len(raw.get("vulnerabilities") or []))
        # The job deletes its robot once done (callback.go).
        state.delete("robots", report["robot_id"])
        _finish_execution(state, report["execution_id"])
        announce(state, report, request["artifact"]["tag"])
    emulator.save()


SCAN_EVENTS = {"Success": "SCANNING_COMPLETED", "Error": "SCANNING_FAILED", "Stopped": "SCANNING_STOPPED"}


def announce(state, report, tag):
    """scanTaskStatusChange: a SCANNING_COMPLETED, _FAILED or _STOPPED event once a scan job ends, with the
    artifact's summary as its listings show it."""
    overview = {"scan_overview": {report["mime_type"]: vulnerability_summary(report)}}
    if report["scan_type"] == SBOM:
        overview = {"sbom_overview": {report["mime_type"]: sbom_summary(report)}}
    core.publish_event(state, SCAN_EVENTS[report["status"]], report["project_id"],
                       operator=report.get("operator") or "", request_id=report.get("request_id"),
                       repository=report["repository"], digest=report["digest"], tag=tag,
                       scan_type=report["scan_type"], **overview)


def _report_by_uuid(state, report_uuid):
    for report in state.rows("scan_reports"):
        if report["uuid"] == report_uuid:
            return report
    return None


def _finish_execution(state, execution_id):
    execution = state.get("scan_executions", execution_id)
    if execution is None:
        return
    statuses = [report["status"] for report in state.rows("scan_reports") if report["execution_id"] == execution_id]
    if execution.get("pending_tasks"):
        return
    if all(status in FINAL for status in statuses):
        execution["status"] = "Error" if "Error" in statuses else "Stopped" if "Stopped" in statuses else "Success"
        execution["end_time"] = core.now_iso()


def _push_sbom(state, request, raw, robot_credentials):
    """GenAccessoryArt: one layer holding the SPDX document, the SBOM config type, the artifact as subject."""
    document = json.dumps(raw.get("sbom") or {}).encode("utf-8")
    with state.lock:
        cafile = state.config.get("emulator_ca_path") or None
    client = RegistryClient.with_basic(request["registry"]["url"], *robot_credentials, cafile=cafile)
    repository = request["artifact"]["repository"]
    layer_digest = client.push_blob(repository, document)
    config = json.dumps({"architecture": "", "os": "", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
                         "history": [{"author": "harbor", "created_by": "harbor", "created": "0001-01-01T00:00:00Z"}]
                         }).encode("utf-8")
    config_digest = client.push_blob(repository, config)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    manifest = {
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": HARBOR_SBOM, "size": len(config), "digest": config_digest},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": len(document),
                    "digest": layer_digest}],
        "annotations": {"created": stamp, "created-by": "Harbor", "org.opencontainers.artifact.created": stamp,
                        "org.opencontainers.artifact.description": "SPDX JSON SBOM"},
        "subject": {"mediaType": request["artifact"]["mime_type"], "size": request["artifact"]["size"],
                    "digest": request["artifact"]["digest"]},
    }
    body = json.dumps(manifest).encode("utf-8")
    from ...scanner.oci import sha256_digest  # pylint: disable=import-outside-toplevel
    return client.push_manifest(repository, sha256_digest(body), body, OCI_MANIFEST)


# --------------------------------------------------------------------------
# Summaries (vuln.NativeReportSummary, the SBOM summary)
# --------------------------------------------------------------------------

def _duration(report):
    if report["end_time"] == ZERO_TIME:
        return 0
    return max(int((core.parse_time(report["end_time"]) - core.parse_time(report["start_time"])).total_seconds()), 0)


def vulnerability_summary(report):
    body = {"report_id": report["uuid"], "scan_status": report["status"], "severity": "",
            "duration": _duration(report), "summary": None, "start_time": report["start_time"],
            "end_time": report["end_time"], "complete_percent": 0}
    if report["status"] == "Success" and report["report"] is not None:
        items = report["report"].get("vulnerabilities") or []
        counts, fixable, severity = {}, 0, "None"
        for item in items:
            counts[item["severity"]] = counts.get(item["severity"], 0) + 1
            fixable += 1 if item.get("fix_version") else 0
            if SEVERITY_CODE.get(item["severity"], 99) > SEVERITY_CODE[severity]:
                severity = item["severity"]
        body.update(severity=severity, summary={"total": len(items), "fixable": fixable, "summary": counts},
                    complete_percent=100, scanner=report["report"].get("scanner"))
    return body


def sbom_summary(report):
    body = {"report_id": report["uuid"], "scan_status": report["status"], "start_time": report["start_time"],
            "end_time": report["end_time"], "duration": _duration(report)}
    if report["status"] == "Success" and report["summary"]:
        body.update(sbom_digest=report["summary"]["sbom_digest"], scanner=report["summary"]["scanner"])
    return body


def merge_summaries(summaries):
    """NativeReportSummary.Merge: an index's overview from its children's (ids joined, counts added)."""
    merged = dict(summaries[0])
    order = ("Running", "Stopped", "Success")
    for other in summaries[1:]:
        statuses = (merged["scan_status"], other["scan_status"])
        merged["scan_status"] = next((status for status in order if status in statuses), statuses[0])
        merged["start_time"] = min(merged["start_time"], other["start_time"])
        merged["end_time"] = max(merged["end_time"], other["end_time"])
        merged["report_id"] = base64.b64encode(("%s|%s" % (_report_ids(merged["report_id"]), other["report_id"])
                                                ).encode()).decode()
        if merged.get("summary") is not None or other.get("summary") is not None:
            mine, theirs = merged.get("summary") or {}, other.get("summary") or {}
            counts = dict(mine.get("summary") or {})
            for severity, count in (theirs.get("summary") or {}).items():
                counts[severity] = counts.get(severity, 0) + count
            merged["summary"] = {"total": mine.get("total", 0) + theirs.get("total", 0),
                                 "fixable": mine.get("fixable", 0) + theirs.get("fixable", 0), "summary": counts}
            severities = [value for value in (merged.get("severity"), other.get("severity")) if value]
            merged["severity"] = max(severities, key=lambda value: SEVERITY_CODE.get(value, 99)) if severities else ""
        merged["scanner"] = merged.get("scanner") or other.get("scanner")
    if len(summaries) > 1:
        done = sum(1 for summary in summaries if summary["complete_percent"] == 100)
        merged["complete_percent"] = done * 100 // len(summaries)
        merged["duration"] = max(int((core.parse_time(merged["end_time"]) - core.parse_time(merged["start_time"])
                                      ).total_seconds()), 0) if merged["end_time"] != ZERO_TIME else 0
    return {key: value for key, value in merged.items() if value is not None or key == "summary"}


def _report_ids(value):
    """vuln.ParseReportIDs: a merged id is base64 of ``id|id``; a plain uuid is itself."""
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return value
    return decoded if "|" in decoded else value


def target_reports(state, artifact, scan_type, registration):
    """The reports of everything a scan of ``artifact`` covers; None when one of them was never scanned."""
    targets = scan_targets(state, cached_metadata(registration), artifact)
    if not targets:
        return None
    found = []
    for target in targets:
        reports = [report for report in reports_of(state, target["id"], scan_type)
                   if report["registration_uuid"] == registration["uuid"]]
        if not reports:
            return None
        found.append(reports[0])
    return found


@core.artifact_renderer
def add_overviews(req, artifact, body):
    """``with_scan_overview`` / ``with_sbom_overview``: only for artifacts the project's scanner can scan."""
    state = req.state
    wants_vuln, wants_sbom = req.args.get("with_scan_overview"), req.args.get("with_sbom_overview")
    if not wants_vuln and not wants_sbom:
        return
    registration = registration_of_project(state, artifact["project_id"])
    if registration is None:
        return
    if wants_vuln:
        reports = target_reports(state, artifact, VULNERABILITY, registration)
        if reports:
            body["scan_overview"] = {reports[0]["mime_type"]: merge_summaries(
                [vulnerability_summary(report) for report in reports])}
    if wants_sbom and sbom_supported(state):
        reports = [report for report in reports_of(state, artifact["id"], SBOM)
                   if report["registration_uuid"] == registration["uuid"]]
        if reports:
            body["sbom_overview"] = sbom_summary(reports[0])


# --------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------

ARTIFACT_PATH = r"/projects/(?P<project>[^/]+)/repositories/(?P<repository>[^/]+)/artifacts/(?P<reference>[^/]+)"


def _scan_type(req):
    body = req.body if isinstance(req.body, dict) else {}
    if sbom_supported(req.state) and body.get("scan_type") in (VULNERABILITY, SBOM):
        return body["scan_type"]
    return VULNERABILITY


def _artifact(req):
    from .artifacts import find_artifact  # pylint: disable=import-outside-toplevel
    from .repositories import repository_param  # pylint: disable=import-outside-toplevel
    name = req.params["project"]
    repo, artifact = find_artifact(req.state, name, repository_param(req), req.params["reference"])
    return core.get_project(req.state, name), repo, artifact


@core.route("POST", ARTIFACT_PATH + r"/scan", body=SCAN_TYPE_SCHEMA, body_name="scanType", body_required=False)
def scan_artifact(req):
    scan_type = _scan_type(req)
    core.require_project_access(req, req.params["project"], "create", "sbom" if scan_type == SBOM else "scan")
    project, repo, artifact = _artifact(req)
    from .artifacts import DIGEST_RE  # pylint: disable=import-outside-toplevel
    tag = None if DIGEST_RE.fullmatch(req.params["reference"]) else req.params["reference"]
    start_scan(req.emulator, project, repo, artifact, scan_type, tag=tag)
    return core.ok(202)


@core.route("POST", ARTIFACT_PATH + r"/scan/stop", body=SCAN_TYPE_SCHEMA, body_name="scanType")
def stop_scan(req):
    scan_type = _scan_type(req)
    core.require_project_access(req, req.params["project"], "stop", "sbom" if scan_type == SBOM else "scan")
    _project, _repo, artifact = _artifact(req)
    executions = [execution for execution in req.state.rows("scan_executions")
                  if execution.get("artifact_id") == artifact["id"] and execution["vendor_type"] == VENDOR_TYPES[scan_type]]
    if not executions:
        raise core.bad_request("no scan job for artifact digest=%s" % artifact["digest"])
    for report in req.state.rows("scan_reports"):
        if report["execution_id"] == executions[-1]["id"] and report["status"] not in FINAL:
            report["stop"] = True
    return core.ok(202)


@core.route("GET", ARTIFACT_PATH + r"/scan/(?P<report>[^/]+)/log")
def get_report_log(req):
    core.require_project_access(req, req.params["project"], "read", "scan")
    _project, _repo, artifact = _artifact(req)
    # An index's overview names its children's reports in one id (base64 of "id|id").
    wanted = _report_ids(req.params["report"]).split("|")
    covered = {target["id"] for target in scan_targets(
        req.state, cached_metadata(registration_of_project(req.state, artifact["project_id"]) or {}), artifact)}
    found = {report["uuid"]: report for report in req.state.rows("scan_reports")
             if report["uuid"] in wanted and (report["artifact_id"] in covered or report["artifact_id"] == artifact["id"])}
    if not found:
        raise core.not_found("report with uuid %s does not exist" % req.params["report"])
    parts = []
    for ident in wanted:
        if ident in found:
            text = "".join(line + "\n" for line in found[ident]["log"])
            parts.append(text if len(found) == 1 else "---------- Logs of report %s ----------\n%s" % (ident, text))
    from ...http import Response  # pylint: disable=import-outside-toplevel
    return Response(200, "\n\n\n\n".join(parts), content_type="text/plain; charset=utf-8")


@core.route("GET", ARTIFACT_PATH + r"/additions/vulnerabilities")
def get_vulnerabilities_addition(req):
    core.require_project_access(req, req.params["project"], "read", "artifact-addition")
    _project, _repo, artifact = _artifact(req)
    for report in reports_of(req.state, artifact["id"], VULNERABILITY):
        if report["status"] == "Success" and report["report"] is not None:
            return core.as_json({report["mime_type"]: report["report"]})
    return core.as_json({})


# -- pull blocking ------------------------------------------------------------------------------------------

def effective_allowlist(state, project):
    """WithEffectCVEAllowlist: the system list when ``reuse_sys_cve_allowlist``, else the project's."""
    from .projects import allowlist_of  # pylint: disable=import-outside-toplevel
    from .system_cve_allowlist import SYSTEM  # pylint: disable=import-outside-toplevel
    reuse_system = (project.get("metadata") or {}).get("reuse_sys_cve_allowlist") == "true"
    allowlist = allowlist_of(state, SYSTEM if reuse_system else project["project_id"]) or {"items": [], "expires_at": None}
    expired = allowlist.get("expires_at") is not None and allowlist["expires_at"] <= int(time.time())
    return {item["cve_id"] for item in allowlist.get("items") or []}, expired


def _project_severity(project):
    """vuln.ParseSeverityVersion3 of the ``severity`` metadata."""
    value = ((project.get("metadata") or {}).get("severity") or "").strip().title()
    if value == "Negligible":
        return "None"
    return value if value in ("None", "Low", "Medium", "High", "Critical") else "Unknown"


def check_vulnerable(state, project, repo, artifact):
    """vulnerable.Middleware: refuse the manifest pull of an artifact the policy forbids.

    The gateway already let through what util.SkipPolicyChecking skips: a token with ``scanner-pull``
    (the scan job's robot, and a sysadmin, whose token carries every action) and signatures.
    """
    del repo
    if (project.get("metadata") or {}).get("prevent_vul") != "true":
        return
    registration = registration_of_project(state, project["project_id"])
    if registration is None:
        return  # nothing is scannable without a scanner (REAL-HARBOR.md: never-scanned pulls pass)
    if not scan_targets(state, cached_metadata(registration), artifact):
        return
    severity = _project_severity(project)
    reports = target_reports(state, artifact, VULNERABILITY, registration)
    if not reports:
        raise core.HarborError("PROJECTPOLICYVIOLATION", (
            "current image without vulnerability scanning cannot be pulled due to configured policy in 'Prevent "
            "images with vulnerability severity of \"%s\" or higher from running.' To continue with pull, please "
            "contact your project administrator for help.") % severity)
    if artifact.get("references") and artifact.get("type") == "IMAGE":
        return  # an image index is not checked once scanned; its children are, when pulled
    status = merge_summaries([vulnerability_summary(report) for report in reports])["scan_status"]
    if status != "Success":
        raise core.HarborError("PROJECTPOLICYVIOLATION", (
            "current image with \"%s\" status of vulnerability scanning cannot be pulled due to configured policy "
            "in 'Prevent images with vulnerability severity of \"%s\" or higher from running.' To continue with "
            "pull, please contact your project administrator for help.") % (status, severity))
    allowlist, expired = effective_allowlist(state, project)
    count, highest = 0, None
    items = [item for report in reports for item in (report["report"] or {}).get("vulnerabilities") or []]
    for item in items:
        if not expired and item["id"] in allowlist:
            continue
        count += 1
        if highest is None or SEVERITY_CODE.get(item["severity"], 99) > SEVERITY_CODE.get(highest, 99):
            highest = item["severity"]
    if highest is not None and SEVERITY_CODE.get(highest, 99) >= SEVERITY_CODE[severity]:
        raise core.HarborError("PROJECTPOLICYVIOLATION", (
            "current image with %d %s cannot be pulled due to configured policy in 'Prevent images with "
            "vulnerability severity of \"%s\" or higher from running.' To continue with pull, please contact your "
            "project administrator to exempt matched vulnerabilities through configuring the CVE allowlist.")
            % (count, "vulnerabilities" if count > 1 else "vulnerability", severity))


core.pull_policy(check_vulnerable)


# -- scan on push -------------------------------------------------------------------------------------------

@core.on_artifact_push
def scan_on_push(state, project, repo, artifact):
    """The PUSH_ARTIFACT event: ``auto_scan`` and ``auto_sbom_generation`` (>= 2.11) start event scans."""
    emulator = EMULATORS.get(id(state))
    if emulator is None:
        return
    metadata = project.get("metadata") or {}
    wanted = []
    if metadata.get("auto_scan") == "true":
        wanted.append(VULNERABILITY)
    if metadata.get("auto_sbom_generation") == "true" and sbom_supported(state):
        wanted.append(SBOM)
    for scan_type in wanted:
        try:
            start_scan(emulator, project, repo, artifact, scan_type, trigger="EVENT", from_event=True)
        except core.HarborError:
            pass  # Harbor logs a failed event scan; the push itself succeeded


# The push hook gets the state only; run.py/HarborEmulator register themselves here so jobs can run.
EMULATORS = {}


def attach(emulator):
    EMULATORS[id(emulator.state)] = emulator
    # A state file may hold scans whose job died with the previous process: they failed.
    for report in emulator.state.rows("scan_reports"):
        if report["status"] not in FINAL:
            report["status"], report["end_time"] = "Error", core.now_iso()
            report["log"].append("the emulator stopped while this scan ran")
            _finish_execution(emulator.state, report["execution_id"])


# -- scan all -------------------------------------------------------------------------------------------

def start_scan_all(req, trigger):
    """ScanAll: every scannable artifact of every project, one task each; 409 while a manual run goes on."""
    state = req.state
    if default_registration(state) is None:
        raise core.precondition("no scanner is configured, it's not possible to scan")
    for execution in state.rows("scan_executions"):
        if execution["vendor_type"] == SCAN_ALL and execution["trigger"] == trigger and execution["status"] not in FINAL:
            raise core.conflict("a previous scan all job aleady exits, its status is %s" % execution["status"])
    stamp = core.now_iso()
    execution_id = state.insert("scan_executions", {"vendor_type": SCAN_ALL, "trigger": trigger, "status": "Running",
                                                    "start_time": stamp, "end_time": ZERO_TIME, "extra_attrs": {},
                                                    "pending_tasks": True})
    execution = state.get("scan_executions", execution_id)
    for artifact in state.rows("artifacts"):
        project = state.projects().get(artifact["project_id"])
        repo = state.get("repositories", artifact["repository_id"])
        if project is None or repo is None:
            continue
        try:
            start_scan(req.emulator, project, repo, artifact, VULNERABILITY, trigger=trigger, from_event=True,
                       execution_id=execution_id)
        except core.HarborError:
            continue  # a conflicting or failing artifact does not stop the others
    execution["pending_tasks"] = False
    _finish_execution(state, execution_id)
    return execution_id


def _metrics(state, trigger=None):
    executions = [execution for execution in state.rows("scan_executions") if execution["vendor_type"] == SCAN_ALL
                  and (trigger is None or execution["trigger"] == trigger)]
    if not executions:
        return {}
    execution = sorted(executions, key=lambda item: (item["start_time"], item["id"]))[-1]
    counts = {"Pending": 0, "Running": 0, "Success": 0, "Error": 0, "Stopped": 0}
    for report in state.rows("scan_reports"):
        if report["execution_id"] == execution["id"]:
            counts[report["status"]] = counts.get(report["status"], 0) + 1
    total = sum(counts.values())
    completed = counts["Success"] + counts["Error"] + counts["Stopped"]
    return {"total": total, "completed": completed, "metrics": counts, "trigger": trigger_title(execution["trigger"]),
            "ongoing": execution["status"] not in FINAL or total != completed}


def trigger_title(trigger):
    return trigger.lower().title()


def _require_scan_all(req, action):
    core.require_system_access(req, "scan-all", action)
    if default_registration(req.state) is None:
        raise core.precondition("no scanner is configured, it's not possible to scan")


@core.route("GET", r"/scans/all/metrics")
def scan_all_metrics(req):
    _require_scan_all(req, "read")
    return core.as_json(_metrics(req.state))


@core.route("GET", r"/scans/schedule/metrics")
def scheduled_scan_all_metrics(req):
    _require_scan_all(req, "read")
    return core.as_json(_metrics(req.state, "SCHEDULE"))


@core.route("POST", r"/system/scanAll/stop")
def stop_scan_all(req):
    _require_scan_all(req, "stop")
    executions = [execution for execution in req.state.rows("scan_executions") if execution["vendor_type"] == SCAN_ALL]
    if not executions:
        raise core.bad_request("no scan all job is found currently")
    latest = executions[-1]
    for report in req.state.rows("scan_reports"):
        if report["execution_id"] == latest["id"] and report["status"] not in FINAL:
            report["stop"] = True
    return core.ok(202)
