# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service endpoints: ping, health, systeminfo, API version.

Harbor: src/server/v2.0/handler/{ping,health,systeminfo}.go, src/server/version.go.
"""

from __future__ import annotations

from ...http import Response
from .. import core
from ..state import DEFAULT_GIT_COMMIT

HEALTH_COMPONENTS = ("core", "database", "jobservice", "portal", "redis", "registry", "registryctl", "trivy")


@core.route("GET", r"/ping")
def ping(_req):
    return Response(200, "Pong", content_type="text/plain")


@core.route("GET", r"/health")
def health(_req):
    components = [{"name": name, "status": "healthy"} for name in HEALTH_COMPONENTS]
    return core.as_json({"status": "healthy", "components": components})


@core.route("GET", r"/api/version", base="")
def api_version(_req):
    return core.as_json({"version": "v2.0"})


def harbor_version(config):
    """``harbor_version`` is reported as ``<release>-<git sha>``, e.g. ``v2.15.2-080b0220``."""
    version = config.get("harbor_version") or ""
    return version if "-" in version else "%s-%s" % (version, DEFAULT_GIT_COMMIT)


@core.route("GET", r"/systeminfo")
def systeminfo(req):
    config = req.state.config
    info = {
        "auth_mode": config["auth_mode"],
        "primary_auth_mode": config["primary_auth_mode"],
        "self_registration": config["self_registration"],
        "banner_message": config["banner_message"],
        "oidc_provider_name": config["oidc_name"] if config["auth_mode"] == "oidc_auth" else "",
    }
    if req.security.is_authenticated():
        external_url = config.get("external_url") or ""
        info.update({
            "current_time": core.now_iso(),
            "has_ca_root": False,
            "project_creation_restriction": config["project_creation_restriction"],
            "harbor_version": harbor_version(config),
            "external_url": external_url,
            "registry_url": external_url.split("://", 1)[-1],
            "read_only": config["read_only"],
            "registry_storage_provider_name": config.get("registry_storage_provider_name", "filesystem"),
            "notification_enable": config["notification_enable"],
        })
    return core.as_json(info)


@core.route("GET", r"/systeminfo/volumes")
def volumes(req):
    core.require_system_access(req, "system-volumes", "read")
    return core.as_json({"storage": [{"total": 107374182400, "free": 96636764160}]})
