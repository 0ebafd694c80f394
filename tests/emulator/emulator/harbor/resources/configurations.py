# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""System configuration (``/configurations``, system admins only).

Harbor: src/server/v2.0/handler/config.go, src/controller/config/controller.go,
src/pkg/config/manager.go (ValidateCfg), src/lib/config/metadata.
"""

from __future__ import annotations

import socket

from .. import core
from ..state import CONFIG_ITEMS, EMULATOR_SETTINGS
from .projects import storage_limit_error

JSON_TYPES = {"string": "string", "password": "string", "bool": "boolean", "int": "integer"}
CONFIGURATIONS_SCHEMA = {"type": "object", "properties": {
    name: {"type": JSON_TYPES[kind]} for name, (kind, _default) in CONFIG_ITEMS.items()}}
AUTH_MODES = ("db_auth", "ldap_auth", "uaa_auth", "http_auth", "oidc_auth")
# Numbers limited to 10 digits, like the UI (verifyValueLengthCfg).
POSITIVE_NUMBERS = ("token_expiration", "robot_token_duration", "session_timeout")
MAX_NUMBER = 9999999999
# NonEmptyStringType in the metadata list.
NON_EMPTY = ("ldap_base_dn", "ldap_uid", "ldap_url")
# LdapScopeType: 0 base, 1 one level, 2 subtree.
LDAP_SCOPES = ("ldap_scope", "ldap_group_search_scope")
AUDIT_ENDPOINT_TIMEOUT = 3


def _users_exist(state):
    return any(user["user_id"] != 1 for user in state.table("users").values())


def _validate(state, changes):
    if "auth_mode" in changes and changes["auth_mode"] != state.config["auth_mode"] and _users_exist(state):
        raise core.bad_request("the auth mode cannot be modified as new users have been inserted into database")
    for key in sorted(changes):
        value = changes[key]
        problem = None
        if key == "robot_name_prefix":
            value = value.strip()
            changes[key] = value
            if not value:
                problem = "robot_name_prefix cannot be empty or contain only spaces"
        elif key == "storage_per_project":
            problem = storage_limit_error(value)
        elif key == "project_creation_restriction" and value not in ("adminonly", "everyone"):
            problem = "item name %s: invalid %s, should be adminonly or everyone" % (key, key)
        elif key == "auth_mode" and value not in AUTH_MODES:
            problem = "item name %s: invalid auth_mode, shoud be one of %s" % (key, ", ".join(AUTH_MODES))
        elif key in NON_EMPTY and not value.strip():
            problem = "item name %s: the configure value can not be empty" % key
        elif key in LDAP_SCOPES and value not in (0, 1, 2):
            problem = "item name %s: invalid scope, should be 0, 1 or 2" % key
        if problem:
            raise core.bad_request(cause=problem)
    _validate_ldap_group(state, changes)
    _validate_skip_audit_log(state, changes)
    for key in POSITIVE_NUMBERS:
        if key in changes:
            if changes[key] <= 0:
                raise core.bad_request("the %s value must be positive" % key)
            if changes[key] > MAX_NUMBER:
                raise core.bad_request("the %s value is over the limit value: %d" % (key, MAX_NUMBER))


def _validate_ldap_group(state, changes):
    """LdapGroupValidateRule: a group filter needs the name and membership attributes."""
    keys = ("ldap_group_search_filter", "ldap_group_attribute_name", "ldap_group_membership_attribute")
    if not any(key in changes for key in keys):
        return
    group_filter, name, membership = (changes.get(key, state.config[key]) for key in keys)
    if not group_filter:
        return
    if not name:
        raise core.bad_request(cause="ldap group name attribute can not be empty")
    if not membership:
        raise core.bad_request(cause="ldap group membership attribute can not be empty")


def _validate_skip_audit_log(state, changes):
    """verifySkipAuditLogCfg: skipping the database needs a forward endpoint, set or already saved."""
    keys = ("skip_audit_log_database", "audit_log_forward_endpoint")
    if not any(key in changes for key in keys):
        return
    skip, endpoint = (changes.get(key, state.config[key]) for key in keys)
    if skip and not endpoint:
        raise core.bad_request(
            cause="audit log forward endpoint should be configured before enable skip audit log in database")


def _audit_endpoint_answers(endpoint):
    """audit.CheckEndpointActive: a syslog dial over TCP to host:port."""
    host, _sep, port = endpoint.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=AUDIT_ENDPOINT_TIMEOUT):
            return True
    except (OSError, ValueError):
        return False


@core.route("GET", r"/configurations")
def get_configurations(req):
    core.require_system_access(req, "configuration", "read")
    config = req.state.config
    result = {}
    for name, (kind, _default) in CONFIG_ITEMS.items():
        if kind == "password":
            continue  # write-only
        result[name] = {"value": config.get(name), "editable": True}
    result["auth_mode"]["editable"] = not _users_exist(req.state)
    return core.as_json(result)


@core.route("PUT", r"/configurations", body=CONFIGURATIONS_SCHEMA, body_name="configurations")
def update_configurations(req):
    core.require_system_access(req, "configuration", "update")
    if not isinstance(req.body, dict):
        raise core.bad_request("Missing configure item")
    # The typed model drops unknown keys and nulls.
    changes = {key: value for key, value in req.body.items() if key in CONFIG_ITEMS and value is not None}
    _validate(req.state, changes)
    endpoint = changes.get("audit_log_forward_endpoint")
    if endpoint and not _audit_endpoint_answers(endpoint):
        # Harbor saves first and then checks the endpoint; a refused one is rolled back (REAL-HARBOR.md).
        raise core.bad_request(cause="could not connect to the audit endpoint: %s" % endpoint)
    req.state.config.update(changes)
    return core.ok()


@core.seed_handler("configurations", order=10)
def seed_configurations(emulator, items):
    """Set configuration items and emulator settings (``harbor_version``...) without validation."""
    if not isinstance(items, dict):
        raise core.bad_request("configurations must be an object")
    unknown = sorted(set(items) - set(CONFIG_ITEMS) - set(EMULATOR_SETTINGS))
    if unknown:
        raise core.bad_request("unknown configuration keys: %s" % ", ".join(unknown))
    emulator.state.config.update(items)
    return {key: emulator.state.config[key] for key in items}
