#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_config
short_description: Set Harbor's system configuration
version_added: 0.1.0
description:
  - Sets Harbor's system settings (C(Configuration) in the Harbor UI), namely the authentication mode with its
    OIDC or LDAP settings, who may create projects, robot accounts, read-only mode, the banner, audit log
    forwarding, the default project quota and the session timeout.
  - Only the settings given in the task are compared and sent; every other setting keeps its value.
  - The OIDC client secret and the LDAP bind password are write-only, as Harbor never shows them; see
    O(update_secret).
  - Only system administrators may change the configuration.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  auth_mode:
    description:
      - How users log in. V(db_auth) is Harbor's own database; the others use an identity provider.
      - Harbor refuses to change it once any user other than C(admin) exists (the module fails before any write;
        C(auth_mode_editable) in RV(config) tells). Set the mode right after installation.
    type: str
    choices: [db_auth, ldap_auth, oidc_auth, http_auth, uaa_auth]
  primary_auth_mode:
    description:
      - With an identity provider, whether its login is the only one the UI offers.
    type: bool
  oidc:
    description:
      - The OIDC provider, for O(auth_mode=oidc_auth). Only the sub-options given are compared and sent.
    type: dict
    suboptions:
      name: {description: The provider's name on the login page., type: str}
      endpoint: {description: "The issuer URL, such as V(https://login.example.com/realms/harbor).", type: str}
      client_id: {description: The client ID Harbor has at the provider., type: str}
      client_secret:
        description:
          - The client secret. Write-only, never shown in the output nor in a diff; see O(update_secret).
        type: str
      groups_claim: {description: The claim of the ID token that lists the user's groups., type: str}
      admin_group: {description: Members of this group are Harbor system administrators., type: str}
      group_filter: {description: A regular expression; only matching groups are onboarded., type: str}
      scope: {description: "The scopes Harbor asks for, comma-separated (V(openid,profile,email,offline_access)).",
              type: str}
      user_claim: {description: The claim that gives the username (default the C(name) claim)., type: str}
      verify_cert: {description: Whether Harbor verifies the provider's TLS certificate., type: bool}
      auto_onboard: {description: Create users at their first login without asking them for a username., type: bool}
      logout: {description: Also log the user out of the provider when they log out of Harbor., type: bool}
  ldap:
    description:
      - The LDAP server, for O(auth_mode=ldap_auth). Only the sub-options given are compared and sent.
    type: dict
    suboptions:
      url: {description: "The server, such as V(ldaps://ldap.example.com). Harbor refuses it empty.", type: str}
      search_dn: {description: The DN Harbor binds as to search users., type: str}
      search_password:
        description:
          - The password of O(ldap.search_dn). Write-only, never shown in the output nor in a diff; see
            O(update_secret).
        type: str
      base_dn: {description: Where users are searched. Harbor refuses it empty., type: str}
      filter: {description: "An extra search filter, such as V((objectClass=person)).", type: str}
      uid: {description: "The attribute that is the username, such as V(uid) or V(sAMAccountName).", type: str}
      scope: {description: How deep users are searched., type: str, choices: [base, onelevel, subtree]}
      timeout: {description: Connection timeout in seconds., type: int}
      verify_cert: {description: Whether Harbor verifies the server's TLS certificate., type: bool}
      group_base_dn: {description: Where groups are searched., type: str}
      group_filter: {description: The filter of group entries., type: str}
      group_attribute_name: {description: "The attribute that names a group, such as V(cn).", type: str}
      group_admin_dn: {description: Members of this group are Harbor system administrators., type: str}
      group_membership_attribute: {description: "The user attribute that lists groups (V(memberof)).", type: str}
      group_scope: {description: How deep groups are searched., type: str, choices: [base, onelevel, subtree]}
  update_secret:
    description:
      - When the write-only secrets O(oidc.client_secret) and O(ldap.search_password) are sent.
      - Harbor never tells whether it holds a secret, nor which. With V(on_create) a secret is sent when its
        provider is being set up or changed in the same run, that is when the auth mode changes to it or another
        of its sub-options differs from Harbor; otherwise it is left as it is.
      - V(always) sends them on every run, which then always reports a change.
    type: str
    choices: [always, on_create]
    default: on_create
  project_creation_restriction:
    description: Who may create projects.
    type: str
    choices: [everyone, adminonly]
  self_registration:
    description: Whether visitors may sign up (database authentication only).
    type: bool
  robot_token_duration:
    description: Default lifetime of robot account secrets, in days (1 to 9999999999).
    type: int
  robot_name_prefix:
    description: The prefix of robot account names, V(robot$) at installation. Not empty.
    type: str
  read_only:
    description:
      - Read-only mode, for maintenance. Pushes, deletions and every change but this configuration are refused.
    type: bool
  banner_message:
    description:
      - The banner shown to every user of the UI. An empty O(banner_message.text) removes it.
    type: dict
    suboptions:
      text: {description: The message., type: str, required: true}
      type: {description: Its colour., type: str, choices: [success, info, warning, danger], default: info}
      closable: {description: Whether users may close it., type: bool, default: false}
      from_date: {description: "When it starts showing, as the UI writes dates (V(2026-01-05T00:00:00.000Z)).",
                  type: str}
      to_date: {description: "When it stops showing, in the same form.", type: str}
  audit_log_forward_endpoint:
    description:
      - A syslog endpoint (C(host:port), TCP) Harbor forwards its audit log to; V("") stops forwarding.
      - Harbor connects to it when it is set and refuses one it cannot reach.
    type: str
  skip_audit_log_database:
    description: Keep the audit log only at O(audit_log_forward_endpoint), not in Harbor's database; needs one.
    type: bool
  storage_per_project:
    description:
      - The storage quota of new projects, V(-1) for unlimited or a size with a binary unit (V(10GiB)).
    type: str
  session_timeout:
    description: How long a UI session lasts without activity, in minutes (1 to 9999999999).
    type: int
seealso:
  - module: cloudtemple.harbor.harbor_config_info
  - name: Harbor's configuration
    description: Harbor's documentation of authentication and system settings.
    link: https://goharbor.io/docs/main/administration/configure-authentication/
"""

EXAMPLES = r"""
---
- name: Log in with the company's OIDC provider, members of harbor-admins being administrators
  cloudtemple.harbor.harbor_config:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    auth_mode: oidc_auth
    primary_auth_mode: true
    oidc:
      name: Example SSO
      endpoint: https://login.example.com/realms/harbor
      client_id: harbor
      client_secret: "{{ vault_oidc_client_secret }}"
      scope: openid,profile,email,offline_access
      groups_claim: groups
      admin_group: harbor-admins
      auto_onboard: true
      user_claim: preferred_username

- name: Only administrators create projects, robots live 90 days, 50 GiB per new project
  cloudtemple.harbor.harbor_config:
    project_creation_restriction: adminonly
    robot_token_duration: 90
    storage_per_project: 50GiB

- name: Announce a maintenance window
  cloudtemple.harbor.harbor_config:
    banner_message:
      text: Harbor is read-only on Saturday from 08:00 to 10:00 UTC
      type: warning
      closable: true
"""

RETURN = r"""
---
config:
  description:
    - The configuration after the run, by the module's option names, never with a secret; in check mode, as
      Harbor has it.
    - C(auth_mode_editable) is false once users other than admin exist.
  returned: always
  type: dict
  sample:
    auth_mode: oidc_auth
    auth_mode_editable: true
    project_creation_restriction: adminonly
    robot_token_duration: 90
    robot_name_prefix: robot$
    read_only: false
    banner_message: {}
    storage_per_project: 50GiB
    session_timeout: 60
    oidc: {name: Example SSO, endpoint: "https://login.example.com/realms/harbor", client_id: harbor}
    ldap: {url: "", scope: subtree}
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils import config
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    converge,
)


class Configuration(Resource):
    return_key = 'config'
    options = tuple(Option(option, secret=option in config.SECRETS) for option, _key in config.SETTINGS)

    def derive(self, desired):
        return dict((option, config.normalize(option, value)) for option, value in config.flatten(self.params).items())

    def find(self):
        return self.client.get(config.CONFIGURATIONS, permission=config.READ_PERMISSION)

    def view(self, current, wanted):
        return dict((option, config.value_of(current, option)) for option in wanted if option not in config.SECRETS)

    def prepare(self, current, desired):
        mode = desired.get('auth_mode')
        if mode is not None and mode != config.value_of(current, 'auth_mode') and \
                not (current.get('auth_mode') or {}).get('editable', True):
            raise ValidationError('auth_mode cannot change from %s to %s: Harbor refuses it once users other than '
                                  'admin exist (delete them first, or set the mode right after installation)'
                                  % (config.value_of(current, 'auth_mode'), mode))
        endpoint = desired.get('audit_log_forward_endpoint', config.value_of(current, 'audit_log_forward_endpoint'))
        if desired.get('skip_audit_log_database') and not endpoint:
            raise ValidationError('skip_audit_log_database needs audit_log_forward_endpoint: without it Harbor would '
                                  'keep no audit log at all')

    def probe(self, current, desired):
        """Harbor never shows a secret: with on_create, one counts as held unless its provider is (re)configured."""
        held = {}
        for secret in config.SECRETS:
            if secret not in desired:
                continue
            group = secret.split('.', maxsplit=1)[0]
            others = set(option for option in desired if option.startswith(group + '.') and option != secret)
            reconfigured = any(self.view(current, others)[option] != desired[option] for option in others) or (
                desired.get('auth_mode') == config.GROUP_AUTH_MODES[group]
                and config.value_of(current, 'auth_mode') != desired['auth_mode'])
            keep = self.params['update_secret'] == 'on_create' and not reconfigured
            held[secret] = desired[secret] if keep else None
        return held

    def update(self, current, changes, desired):
        body = dict((config.HARBOR_KEYS[option], config.to_harbor(option, value)) for option, value in changes.items())
        self.client.put(config.CONFIGURATIONS, json=body, permission=config.UPDATE_PERMISSION)
        return None

    def result(self, current):
        return config.describe(current)

    def create(self, desired):
        raise ValidationError('Harbor always has a configuration; there is none to create')

    def delete(self, current):
        raise ValidationError('Harbor\'s configuration cannot be deleted')


def sub_options(*names, **typed):
    spec = dict((name, dict(type='str')) for name in names)
    spec.update(typed)
    return spec


def main():
    scopes = dict(type='str', choices=sorted(config.LDAP_SCOPES))
    converge(Configuration, dict(
        auth_mode=dict(type='str', choices=['db_auth', 'ldap_auth', 'oidc_auth', 'http_auth', 'uaa_auth']),
        primary_auth_mode=dict(type='bool'),
        oidc=dict(type='dict', options=sub_options(
            'name', 'endpoint', 'client_id', 'groups_claim', 'admin_group', 'group_filter', 'scope', 'user_claim',
            client_secret=dict(type='str', no_log=True), verify_cert=dict(type='bool'),
            auto_onboard=dict(type='bool'), logout=dict(type='bool'))),
        ldap=dict(type='dict', options=sub_options(
            'url', 'search_dn', 'base_dn', 'filter', 'uid', 'group_base_dn', 'group_filter',
            'group_attribute_name', 'group_admin_dn', 'group_membership_attribute',
            search_password=dict(type='str', no_log=True), scope=scopes, group_scope=scopes,
            timeout=dict(type='int'), verify_cert=dict(type='bool'))),
        project_creation_restriction=dict(type='str', choices=['everyone', 'adminonly']),
        self_registration=dict(type='bool'),
        robot_token_duration=dict(type='int', no_log=False),
        robot_name_prefix=dict(type='str'),
        read_only=dict(type='bool'),
        banner_message=dict(type='dict', options=dict(
            text=dict(type='str', required=True),
            type=dict(type='str', choices=list(config.BANNER_TYPES), default='info'),
            closable=dict(type='bool', default=False), from_date=dict(type='str'), to_date=dict(type='str'))),
        audit_log_forward_endpoint=dict(type='str'),
        skip_audit_log_database=dict(type='bool'),
        storage_per_project=dict(type='str'),
        session_timeout=dict(type='int'),
    ), state=False, update_secret=True)


if __name__ == '__main__':
    main()
