# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""System configuration (``/configurations``, system admins only).

Harbor: src/server/v2.0/handler/config.go, src/controller/config/controller.go,
src/pkg/config/manager.go (ValidateCfg), src/lib/config/metadata.
"""

from __future__ import annotations

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
        if problem:
            raise core.bad_request(cause=problem)
    for key in POSITIVE_NUMBERS:
        if key in changes:
            if changes[key] <= 0:
                raise core.bad_request("the %s value must be positive" % key)
            if changes[key] > MAX_NUMBER:
                raise core.bad_request("the %s value is over the limit value: %d" % (key, MAX_NUMBER))


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
