# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""In-memory state of the Harbor emulator, with JSON save/load.

Every object lives in a generic table ``tables[kind][id]`` (a dict record)
with a per-kind id counter, so a new resource module needs no change here:
``state.insert("robots", {...})`` just works and is persisted.  Lookups
shared by several resources (users, projects, members, repositories,
artifacts) are provided as methods.

Handlers run with ``state.lock`` held (see HarborEmulator.handle), so the
methods below do not lock themselves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import tempfile
import threading

from .core import now_iso

ZERO_TIME = "0001-01-01T00:00:00.000Z"
DEFAULT_HARBOR_VERSION = "v2.15.2"
# Commit of the v2.15.2 release tag, appended like Harbor's "<version>-<git sha>".
DEFAULT_GIT_COMMIT = "080b0220"

# User-scope configuration items (src/lib/config/metadata/metadatalist.go):
# name -> (type, default).  "password" items are write-only.
CONFIG_ITEMS = {
    "auth_mode": ("string", "db_auth"),
    "primary_auth_mode": ("bool", False),
    "ldap_base_dn": ("string", ""),
    "ldap_filter": ("string", ""),
    "ldap_group_base_dn": ("string", ""),
    "ldap_group_admin_dn": ("string", ""),
    "ldap_group_attribute_name": ("string", ""),
    "ldap_group_search_filter": ("string", ""),
    "ldap_group_search_scope": ("int", 2),
    "ldap_group_attach_parallel": ("bool", False),
    "ldap_scope": ("int", 2),
    "ldap_search_dn": ("string", ""),
    "ldap_search_password": ("password", ""),
    "ldap_timeout": ("int", 5),
    "ldap_uid": ("string", "cn"),
    "ldap_url": ("string", ""),
    "ldap_verify_cert": ("bool", True),
    "ldap_group_membership_attribute": ("string", "memberof"),
    "project_creation_restriction": ("string", "everyone"),
    "read_only": ("bool", False),
    "self_registration": ("bool", False),
    "token_expiration": ("int", 30),
    "uaa_client_id": ("string", ""),
    # A plain string in Harbor's metadata, so GET shows it (REAL-HARBOR.md); only the two below are passwords.
    "uaa_client_secret": ("string", ""),
    "uaa_endpoint": ("string", ""),
    "uaa_verify_cert": ("bool", False),
    "http_authproxy_endpoint": ("string", ""),
    "http_authproxy_tokenreview_endpoint": ("string", ""),
    "http_authproxy_admin_groups": ("string", ""),
    "http_authproxy_admin_usernames": ("string", ""),
    "http_authproxy_verify_cert": ("bool", True),
    "http_authproxy_skip_search": ("bool", False),
    "http_authproxy_server_certificate": ("string", ""),
    "oidc_name": ("string", ""),
    "oidc_endpoint": ("string", ""),
    "oidc_client_id": ("string", ""),
    "oidc_client_secret": ("password", ""),
    "oidc_groups_claim": ("string", ""),
    "oidc_admin_group": ("string", ""),
    "oidc_group_filter": ("string", ""),
    "oidc_scope": ("string", ""),
    "oidc_user_claim": ("string", ""),
    "oidc_verify_cert": ("bool", True),
    "oidc_auto_onboard": ("bool", False),
    "oidc_extra_redirect_parms": ("string", "{}"),
    "oidc_logout": ("bool", False),
    "robot_token_duration": ("int", 30),
    "robot_name_prefix": ("string", "robot$"),
    "notification_enable": ("bool", True),
    "quota_per_project_enable": ("bool", True),
    "storage_per_project": ("int", -1),
    "audit_log_forward_endpoint": ("string", ""),
    "skip_audit_log_database": ("bool", False),
    "session_timeout": ("int", 60),
    "scanner_skip_update_pulltime": ("bool", False),
    "banner_message": ("string", ""),
    "disabled_audit_log_event_types": ("string", ""),
}

# Emulator settings kept with the configuration but not served by
# /configurations: they describe the emulated installation.
EMULATOR_SETTINGS = {
    "harbor_version": DEFAULT_HARBOR_VERSION,
    "external_url": "",
    "registry_storage_provider_name": "filesystem",
}


def default_config():
    config = {name: default for name, (_kind, default) in CONFIG_ITEMS.items()}
    config.update(EMULATOR_SETTINGS)
    return config


def hash_password(password, salt):
    # Harbor stores pbkdf2(sha256, 4096 rounds, 16 bytes) of the password.
    return hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("utf-8"), 4096, 16).hex()


class State:  # pylint: disable=too-many-public-methods
    """All emulated objects plus the system configuration (one facade for every resource)."""

    def __init__(self, admin_password):
        self.lock = threading.RLock()
        self.admin_password = admin_password
        self.tables = {}
        self.counters = {}
        self.config = {}
        self.reset()

    # -- lifecycle ---------------------------------------------------------
    def reset(self):
        """Back to a fresh installation: only the admin user exists."""
        self.tables = {}
        self.counters = {}
        self.config = default_config()
        stamp = now_iso()
        self.insert("users", {
            "user_id": 1, "username": "admin", "email": "admin@example.com", "realname": "system admin",
            "comment": "admin user", "sysadmin_flag": True, "group_ids": [],
            "creation_time": stamp, "update_time": stamp,
        }, id_field="user_id")
        # Harbor's user 2 is the (deleted) "anonymous" account: real users start at 3.
        self.counters["users"] = 2
        self.set_password(self.user_by_name("admin"), self.admin_password)

    # -- generic tables ----------------------------------------------------
    def table(self, kind):
        return self.tables.setdefault(kind, {})

    def next_id(self, kind):
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]

    def insert(self, kind, record, id_field="id"):
        """Store ``record`` under a new id (unless it already has one) and return the id."""
        ident = record.get(id_field)
        if ident is None:
            ident = self.next_id(kind)
            record[id_field] = ident
        else:
            self.counters[kind] = max(self.counters.get(kind, 0), ident)
        self.table(kind)[ident] = record
        return ident

    def rows(self, kind):
        """Records of ``kind`` ordered by id."""
        table = self.table(kind)
        return [table[key] for key in sorted(table)]

    def get(self, kind, ident):
        return self.table(kind).get(ident)

    def delete(self, kind, ident):
        return self.table(kind).pop(ident, None)

    def delete_where(self, kind, predicate):
        table = self.table(kind)
        for ident in [key for key, record in table.items() if predicate(record)]:
            del table[ident]

    # -- users -------------------------------------------------------------
    def user_by_name(self, username):
        for user in self.table("users").values():
            if user["username"] == username:
                return user
        return None

    def set_password(self, user, password):
        user["salt"] = secrets.token_hex(16)
        user["password_hash"] = hash_password(password, user["salt"])

    @staticmethod
    def check_password(user, password):
        if "salt" not in user:
            return False
        return hmac.compare_digest(user["password_hash"], hash_password(password, user["salt"]))

    # -- projects and members ---------------------------------------------
    def projects(self):
        """Live (not deleted) projects by id."""
        return {pid: project for pid, project in self.table("projects").items() if not project.get("deleted")}

    def project_by_name(self, name):
        for project in self.table("projects").values():
            if project["name"] == name and not project.get("deleted"):
                return project
        return None

    def member_roles(self, project_id, user_id):
        """Roles of a user in a project, directly or through its groups."""
        user = self.get("users", user_id) or {}
        groups = set(user.get("group_ids") or ())
        roles = []
        for member in self.table("members").values():
            if member["project_id"] != project_id:
                continue
            if (member["entity_type"] == "u" and member["entity_id"] == user_id) or (
                    member["entity_type"] == "g" and member["entity_id"] in groups):
                roles.append(member["role_id"])
        return sorted(set(roles))

    def member_project_ids(self, user_id):
        live = self.projects()
        return {pid for pid in live if self.member_roles(pid, user_id)}

    def add_member(self, project_id, entity_type, entity_id, role_id):
        return self.insert("members", {
            "project_id": project_id, "entity_type": entity_type, "entity_id": entity_id, "role_id": role_id,
        })

    # -- repositories and artifacts ---------------------------------------
    def repositories_of(self, project_id):
        return [repo for repo in self.rows("repositories") if repo["project_id"] == project_id]

    def repository_by_name(self, full_name):
        for repo in self.table("repositories").values():
            if repo["name"] == full_name:
                return repo
        return None

    def artifacts_of(self, repository_id):
        return [art for art in self.rows("artifacts") if art["repository_id"] == repository_id]

    def tags_of(self, artifact_id):
        return [tag for tag in self.rows("tags") if tag["artifact_id"] == artifact_id]

    def storage_used(self, project_id):
        """Seeded artifacts count their declared size; pushed content counts each blob once per
        project, as Harbor's quota does (a layer shared by two images is stored once)."""
        seeded = sum(int(art.get("size") or 0) for art in self.table("artifacts").values()
                     if art["project_id"] == project_id and not art.get("real"))
        blobs = sum(int(blob["size"]) for blob in self.table("blobs").values() if blob["project_id"] == project_id)
        return seeded + blobs

    def quota_of_project(self, project_id):
        for quota in self.table("quotas").values():
            if quota["reference"] == "project" and quota["reference_id"] == str(project_id):
                return quota
        return None

    # -- persistence -------------------------------------------------------
    def to_dict(self):
        return {"format": 1, "counters": self.counters, "config": self.config, "tables": self.tables}

    def load_dict(self, data):
        self.counters = {kind: int(value) for kind, value in data.get("counters", {}).items()}
        self.config = default_config()
        self.config.update(data.get("config", {}))
        # JSON object keys are strings; ids are ints.
        self.tables = {kind: {int(key): record for key, record in rows.items()}
                       for kind, rows in data.get("tables", {}).items()}
        admin = self.user_by_name("admin")
        if admin is not None:
            # The admin password of this run (printed on the JSON line) wins.
            self.set_password(admin, self.admin_password)

    def save(self, path):
        """Write atomically: a crash never leaves a truncated state file."""
        directory = os.path.dirname(os.path.abspath(path))
        handle, temp_path = tempfile.mkstemp(prefix=".state-", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.to_dict(), stream, indent=1, sort_keys=True)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temp_path, 0o600)
            os.replace(temp_path, path)
        except BaseException:
            if os.path.exists(temp_path):
                os.unlink(temp_path)
            raise

    def load(self, path):
        with open(path, encoding="utf-8") as stream:
            self.load_dict(json.load(stream))
