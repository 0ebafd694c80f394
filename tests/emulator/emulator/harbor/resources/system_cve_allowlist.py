# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The system CVE allowlist (``/system/CVEAllowlist``).

Harbor: src/server/v2.0/handler/system_cve_allowlist.go, src/pkg/allowlist/{manager,validator}.go,
handler/model/cve_allowlist.go.  It is the allowlist row of project id 0, in the same table as the
projects' allowlists.  Facts from REAL-HARBOR.md ("Configurations and system CVE allowlist"): GET for any
logged-in user (401 anonymous), ``project_id`` (0) and a null ``expires_at`` omitted; PUT (configuration
update, so system administrators) replaces everything: an omitted ``expires_at`` is removed, the
creation time is reset, the body's ids are ignored; an empty or duplicate CVE id is a 500.
"""

from __future__ import annotations

from .. import core
from ..state import ZERO_TIME
from .projects import CVE_ALLOWLIST_SCHEMA, allowlist_of

SYSTEM = 0


def system_allowlist_to_json(allowlist):
    if allowlist is None:
        return {"items": [], "creation_time": ZERO_TIME, "update_time": ZERO_TIME}
    body = {"id": allowlist["id"], "items": [{"cve_id": item["cve_id"]} for item in allowlist["items"]],
            "creation_time": allowlist["creation_time"], "update_time": allowlist["update_time"]}
    if allowlist["expires_at"] is not None:
        body["expires_at"] = allowlist["expires_at"]
    return body


@core.route("GET", r"/system/CVEAllowlist")
def get_system_allowlist(req):
    core.require_authenticated(req)
    return core.as_json(system_allowlist_to_json(allowlist_of(req.state, SYSTEM)))


@core.route("PUT", r"/system/CVEAllowlist", body=CVE_ALLOWLIST_SCHEMA, body_name="allowlist")
def put_system_allowlist(req):
    core.require_system_access(req, "configuration", "update")
    body = req.body if isinstance(req.body, dict) else {}
    items = [item.get("cve_id") or "" for item in body.get("items") or [] if isinstance(item, dict)]
    seen = set()
    for cve_id in items:
        if not cve_id.strip() or cve_id in seen:
            raise core.internal_error()
        seen.add(cve_id)
    now = core.now_iso()
    row = {"project_id": SYSTEM, "items": [{"cve_id": cve_id} for cve_id in items],
           "expires_at": body.get("expires_at"), "creation_time": now, "update_time": now}
    current = allowlist_of(req.state, SYSTEM)
    if current is None:
        req.state.insert("cve_allowlists", row)
    else:
        current.update(row)
    return core.ok()
