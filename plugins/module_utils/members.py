# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Project members: Harbor's role ids and a member in the terms harbor_member takes.

Harbor lists a member as {id, entity_type: u|g, entity_name, entity_id, role_id, role_name}; it does not say
the type of a group member, which only the user group itself knows (GET /usergroups/<entity_id>).
"""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.module_utils.groups import GROUP_TYPE_NAMES

# Harbor's role ids (src/common/const.go).
ROLE_IDS = dict(project_admin=1, developer=2, guest=3, maintainer=4, limited_guest=5)
ROLE_NAMES = dict((role_id, name) for name, role_id in ROLE_IDS.items())
ROLE_CHOICES = ['project_admin', 'maintainer', 'developer', 'guest', 'limited_guest']


def member_permission(action, project):
    return 'member:%s on project %s' % (action, project)


def list_members(client, project, entity_name=None):
    """Every member of the project (Harbor's entityname= filter matches loosely, callers compare exactly)."""
    params = dict(entityname=entity_name) if entity_name is not None else None
    return client.paginate(client.project_path(project, '/members'), params=params, resource_name=True,
                           permission=member_permission('list', project))


def describe(member, group=None):
    """A member as harbor_member takes it: user, or group with group_type (from the user group `group`)."""
    role_id = member.get('role_id')
    described = dict(id=member.get('id'), role=ROLE_NAMES.get(role_id, str(role_id)))
    if member.get('entity_type') == 'g':
        number = (group or {}).get('group_type')
        described.update(group=member.get('entity_name'), group_type=GROUP_TYPE_NAMES.get(number),
                         ldap_group_dn=(group or {}).get('ldap_group_dn') or None)
    else:
        described['user'] = member.get('entity_name')
    return described
