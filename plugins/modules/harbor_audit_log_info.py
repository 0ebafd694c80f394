#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_audit_log_info
short_description: Read and export Harbor's audit log
version_added: 0.1.0
description:
  - Returns the entries of Harbor's audit log (C(Logs) in the Harbor UI) that match a time range, an operation, a
    kind of resource, a resource and a user, newest first, all pages up to O(limit); and writes them to a JSON
    file with O(dest), to keep the activity of a registry beyond Harbor's own purge
    (M(cloudtemple.harbor.harbor_purge_audit_schedule)).
  - System administrators read every entry; a project administrator only the entries of their projects; anyone
    else reads none (Harbor answers an empty list, not an error).
  - Harbor records project, repository, artifact, tag, robot, user, member and configuration changes, pushes and
    pulls, and, for users, members and configuration, failed attempts too (C(operation_result) V(false) in
    RV(entries)).
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.INFO_ATTRIBUTES
attributes:
  check_mode:
    description: In check mode the module reports what it would change and writes nothing.
    support: full
    details:
      - The module only reads Harbor; with O(dest), check mode reports whether the file would change and does not
        write it.
  diff_mode:
    description: With C(--diff) the module returns the settings before and after the change.
    support: none
    details:
      - The export file holds the entries, which the result returns already.
options:
  since:
    description:
      - Only the entries from this moment on - an ISO 8601 date or time (V(2026-12-01), V(2026-12-06T18:42:10Z),
        UTC unless it has an offset), or a duration before now - a number and V(s), V(m), V(h), V(d) or V(w),
        such as V(24h) or V(7d).
    type: str
  until:
    description:
      - Only the entries up to this moment, in the same forms as O(since).
    type: str
  operation:
    description:
      - Only the entries of this operation, such as V(create), V(update), V(delete), V(pull).
    type: str
  resource_type:
    description:
      - Only the entries about this kind of resource, such as V(project), V(repository), V(artifact), V(tag),
        V(robot), V(user), V(member), V(configuration).
    type: str
  resource:
    description:
      - Only the entries whose resource contains this text, such as a project name or C(payments/api).
    type: str
  username:
    description:
      - Only the entries of this user (or robot, by its full name).
    type: str
  project:
    description:
      - Only the entries of this project, which must exist; project administrators may read these.
    type: str
  limit:
    description:
      - The most entries to read, 1 to 100000. RV(truncated) tells when more matched.
    type: int
    default: 1000
  dest:
    description:
      - Write the entries, as a JSON list, to this file on the host that runs the module, readable by its owner
        only (mode C(0600)). The directory must exist.
      - The task reports a change when the file did not hold these entries already.
    type: path
  query:
    description:
      - A JMESPath expression applied to RV(entries); the outcome is returned in RV(query_result).
      - Needs the C(jmespath) Python library on the host that runs the module.
    type: str
requirements:
  - jmespath (for O(query))
seealso:
  - module: cloudtemple.harbor.harbor_purge_audit_schedule
    description: How long Harbor itself keeps its audit log.
  - name: Harbor audit logs
    description: Harbor's documentation on the audit log.
    link: https://goharbor.io/docs/main/administration/log-rotation/
"""

EXAMPLES = r"""
---
- name: Archive the activity of the last 24 hours
  cloudtemple.harbor.harbor_audit_log_info:
    harbor_url: https://harbor.example.com
    harbor_username: admin
    harbor_password: "{{ vault_harbor_admin_password }}"
    since: 24h
    limit: 100000
    dest: "/var/archive/harbor/audit-{{ now(utc=true).strftime('%Y-%m-%dT%H%M') }}.json"

- name: Who deleted something in payments this week
  cloudtemple.harbor.harbor_audit_log_info:
    since: 7d
    operation: delete
    resource: payments
    query: "[].[op_time, username, operation_description]"
  register: payments_deletions
"""

RETURN = r"""
---
entries:
  description: The entries, newest first, as Harbor returns them.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 812
      op_time: "2026-12-06T18:42:10.000Z"
      username: admin
      operation: delete
      resource_type: artifact
      resource: payments/api@sha256:4b2f0c7a4e3c9f1b2d8e6a5c0b9d7e3f1a2c4b6d8e0f1a3c5e7d9b1f3a5c7e9b
      operation_description: "delete artifact: payments/api@sha256:4b2f..."
      operation_result: true
total:
  description: How many entries Harbor has that match the filters.
  returned: always
  type: int
  sample: 1
truncated:
  description: Whether more entries matched than O(limit) allowed to read.
  returned: always
  type: bool
  sample: false
dest:
  description: The file written.
  returned: when O(dest) is set
  type: str
  sample: /var/archive/harbor/audit-2026-12-06T0400.json
query_result:
  description: The result of O(query) over RV(entries).
  returned: when O(query) is set
  type: raw
  sample: [["2026-12-06T18:42:10.000Z", admin, "delete artifact: payments/api@sha256:4b2f..."]]
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils import audit_logs
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import run_info
from ansible_collections.cloudtemple.harbor.plugins.module_utils.query import Found
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_given, check_harbor_name, check_range

MAX_LIMIT = 100000


def read(module, client):
    params = module.params
    check_range('limit', params['limit'], 1, MAX_LIMIT)
    check_given(params, project=check_harbor_name)
    q = audit_logs.build_q(params, audit_logs.utc_now())
    if params['dest'] is not None:
        audit_logs.check_dest(params['dest'])
    path = '/auditlog-exts'
    if params['project'] is not None:
        client.require_project(params['project'])
        path = client.project_path(params['project'], path)
    entries, total = audit_logs.read_entries(client, path, q, params['limit'])
    found = Found(entries, total=total, truncated=total > len(entries))
    if params['dest'] is not None:
        found.more.update(dest=params['dest'], changed=audit_logs.export(params['dest'], entries, module.check_mode))
    return found


def main():
    text = dict(type='str')
    run_info('entries', dict(since=text, until=text, operation=text, resource_type=text, resource=text, username=text,
                             project=text, limit=dict(type='int', default=1000), dest=dict(type='path')), read)


if __name__ == '__main__':
    main()
