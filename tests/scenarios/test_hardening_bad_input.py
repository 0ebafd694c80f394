# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Hardening, bad input: every module and role refuses wrong values with a message that names the option (or the
role variable) and the rule, and nothing is written to Harbor or to the cluster.

All the cases run in one playbook, each in a block whose rescue records the failure, followed by a read of both
emulators' request logs, so each case is judged on its own: its message, and the requests it caused.
"""

from __future__ import annotations

import os

import pytest

from conftest import case_block, run_generated, write_playbook  # pylint: disable=import-error

PROJECT = 'hb-app'
NAMESPACE = 'hb-team'
CONNECTION_HINT = ('harbor_username', 'harbor_password')

# What a case may send: nothing at all (checked locally), or only reads (the rule needs Harbor's state).
NONE, READS_ONLY = 'none', 'reads'


class Case:
    """One bad input: where it goes (a module, or role:<name>), its arguments (role variables), and what the message
    must contain (the option or variable first, then words of the rule)."""

    def __init__(self, ident, target, args, expect, requests=NONE):
        self.ident = ident
        self.target = target
        self.args = args
        self.expect = expect
        self.requests = requests

    def __repr__(self):
        return self.ident


def sixteen(rule):
    return [rule] * 16


KEEP_ALL = {'retain': {'always': True}}
PULL_SECRET = dict(name='harbor-pull-secret', namespaces=[NAMESPACE], username='robot$hb-app+pull', password='Pull-Secret-1')
ENVIRONMENT = dict(name='dev', projects=[PROJECT], namespaces=['hb-dev'])
ROLLOUT = dict(namespace=NAMESPACE, name='api', container='api', image='harbor.example.com/hb-app/api@sha256:' + 'a' * 64)
PROMOTE = dict(promote_source=PROJECT + '/api:1.0.0', promote_target_project='hb-prod')
ROTATION = dict(robot_rotation_project=PROJECT, robot_rotation_robot='pull-dev',
                robot_rotation_clusters=[dict(namespaces=['hb-dev'])])

CASES = [
    # harbor_project: names, severities, sizes, CVE ids, dates, conflicting settings
    Case('project-name-case', 'harbor_project', dict(name='Payments'), ('name', 'lower-case')),
    Case('project-name-length', 'harbor_project', dict(name='a' * 256), ('name', '255')),
    Case('project-severity', 'harbor_project', dict(name=PROJECT, severity='severe'), ('severity', 'one of')),
    Case('project-quota-unit', 'harbor_project', dict(name=PROJECT, storage_quota='10GB'), ('storage_quota', 'GiB')),
    Case('project-quota-range', 'harbor_project', dict(name=PROJECT, storage_quota='2048TiB'),
         ('storage_quota', '1024TiB')),
    Case('project-cve-id', 'harbor_project', dict(name=PROJECT, cve_allowlist=['log4shell']), ('cve_allowlist', 'CVE-')),
    Case('project-cve-expiry', 'harbor_project', dict(name=PROJECT, cve_allowlist_expires_at=-5),
         ('cve_allowlist_expires_at', 'epoch')),
    Case('project-proxy-speed', 'harbor_project', dict(name=PROJECT, proxy_speed_kb=100),
         ('proxy_speed_kb', 'proxy cache'), READS_ONLY),
    Case('project-bool', 'harbor_project', dict(name=PROJECT, public='maybe'), ('public', 'bool')),
    Case('project-state', 'harbor_project', dict(name=PROJECT, state='gone'), ('state', 'one of')),
    Case('project-typo', 'harbor_project', dict(name=PROJECT, severty='high'), ('severty', 'unsupported')),
    # the connection options, shared by every Harbor module
    Case('connection-url', 'harbor_project', dict(name=PROJECT, harbor_url='ftp://harbor.example.com'),
         ('harbor_url', 'http')),
    Case('connection-ca-path', 'harbor_project', dict(name=PROJECT, harbor_ca_path='/nonexistent/harbor-ca.pem'),
         ('harbor_ca_path', 'does not exist')),
    Case('connection-timeout', 'harbor_project', dict(name=PROJECT, harbor_timeout=0), ('harbor_timeout', 'second')),
    # harbor_robot: names, durations, the secret policy, permissions
    Case('robot-full-name', 'harbor_robot', dict(name='hb-app+ci', project=PROJECT, access=['pull']),
         ('name', 'short name')),
    Case('robot-name-case', 'harbor_robot', dict(name='CI', project=PROJECT, access=['pull']), ('name', 'lower-case')),
    Case('robot-project-name', 'harbor_robot', dict(name='ci', project='Hb-App', access=['pull']),
         ('project', 'lower-case')),
    Case('robot-duration-zero', 'harbor_robot', dict(name='ci', project=PROJECT, access=['pull'], duration_days=0),
         ('duration_days', '0 is not allowed')),
    Case('robot-duration-negative', 'harbor_robot', dict(name='ci', project=PROJECT, access=['pull'], duration_days=-7),
         ('duration_days', '-1')),
    Case('robot-secret-policy', 'harbor_robot', dict(name='ci', project=PROJECT, secret='weakone'),
         ('secret', 'policy')),
    Case('robot-secret-digits', 'harbor_robot', dict(name='ci', project=PROJECT, secret='NoDigitsAtAll'),
         ('secret', 'policy')),
    Case('robot-access-preset', 'harbor_robot', dict(name='ci', project=PROJECT, access=['pul']), ('access', 'pul')),
    Case('robot-access-and-permissions', 'harbor_robot',
         dict(name='ci', project=PROJECT, access=['pull'],
              permissions=[dict(access=[dict(resource='repository', action='pull')])]),
         ('permissions', 'mutually exclusive')),
    Case('robot-secret-and-regenerate', 'harbor_robot',
         dict(name='ci', project=PROJECT, secret='Good-Secret-1', regenerate_secret=True), ('secret', 'mutually exclusive')),
    Case('robot-effect', 'harbor_robot',
         dict(name='ci', project=PROJECT, permissions=[dict(access=[dict(resource='repository', action='pull',
                                                                         effect='maybe')])]),
         ('effect', 'one of')),
    Case('robot-foreign-namespace', 'harbor_robot',
         dict(name='ci', project=PROJECT, permissions=[
             dict(namespace='other', access=[dict(resource='repository', action='pull')])]),
         ('permissions', 'one namespace')),
    Case('robot-access-system', 'harbor_robot', dict(name='ci', access=['pull']), ('access', 'project')),
    Case('robot-unknown-permission', 'harbor_robot',
         dict(name='ci', project=PROJECT, permissions=[dict(access=[dict(resource='repository', action='fly')])]),
         ('permissions', 'repository:fly'), READS_ONLY),
    # the info modules
    Case('robot-info-query', 'harbor_robot_info', dict(project=PROJECT, query='[?'), ('query', 'jmespath')),
    Case('robot-info-within', 'harbor_robot_info', dict(project=PROJECT, expiring_within_days=-1),
         ('expiring_within_days', 'positive')),
    Case('project-info-query', 'harbor_project_info', dict(query='projects['), ('query', 'jmespath')),
    # harbor_retention: crons, rule shapes, selectors, limits
    Case('retention-cron-fields', 'harbor_retention', dict(project=PROJECT, rules=[KEEP_ALL], schedule='0 0 * * *'),
         ('schedule', '6')),
    Case('retention-cron-seconds', 'harbor_retention', dict(project=PROJECT, rules=[KEEP_ALL], schedule='30 0 0 * * *'),
         ('schedule', 'first field')),
    Case('retention-two-criteria', 'harbor_retention',
         dict(project=PROJECT, rules=[{'retain': {'most_recently_pushed': 3, 'pulled_within_days': 7}}]),
         ('rules[0].retain', 'one')),
    Case('retention-selector', 'harbor_retention',
         dict(project=PROJECT, rules=[dict(KEEP_ALL, tags={'matching': '{v,1'})]), ('rules[0].tags.matching', 'never closed')),
    Case('retention-sixteen', 'harbor_retention', dict(project=PROJECT, rules=sixteen(KEEP_ALL)), ('rules', '15')),
    Case('retention-count', 'harbor_retention',
         dict(project=PROJECT, rules=[{'retain': {'most_recently_pushed': 40000}}]), ('most_recently_pushed', '')),
    Case('retention-run-absent', 'harbor_retention', dict(project=PROJECT, state='absent', run={'dry_run': True}),
         ('run', 'absent')),
    # harbor_immutable_rules
    Case('immutable-duplicate', 'harbor_immutable_rules',
         dict(project=PROJECT, rules=[{'tags': {'matching': 'v*'}}, {'tags': {'matching': 'v*'}, 'disabled': True}]),
         ('rules[0] and rules[1]', '')),
    Case('immutable-pattern', 'harbor_immutable_rules', dict(project=PROJECT, rules=[{'tags': {'matching': '[0-9'}}]),
         ('rules[0].tags.matching', '')),
    Case('immutable-absent-exclusive', 'harbor_immutable_rules',
         dict(project=PROJECT, rules=[{'tags': {'matching': 'v*'}}], state='absent', exclusive=True), ('exclusive', '')),
    # harbor_member
    Case('member-role', 'harbor_member', dict(project=PROJECT, user='hb-alice', role='owner'), ('role', 'one of')),
    Case('member-user-and-group', 'harbor_member', dict(project=PROJECT, user='hb-alice', group='devs', role='guest'),
         ('user', 'mutually exclusive')),
    Case('member-group-type', 'harbor_member', dict(project=PROJECT, group='devs', role='guest'), ('group_type', '')),
    Case('member-no-role', 'harbor_member', dict(project=PROJECT, user='hb-alice'), ('role', 'missing')),
    # the system schedules
    Case('gc-macro', 'harbor_gc_schedule', dict(schedule='@daily'), ('schedule', '')),
    Case('gc-seconds', 'harbor_gc_schedule', dict(schedule='30 0 2 * * *'), ('schedule', 'first field')),
    Case('gc-workers', 'harbor_gc_schedule', dict(schedule='daily', workers=11), ('workers', '1 to 10')),
    Case('purge-hours', 'harbor_purge_audit_schedule',
         dict(schedule='daily', retention_hours=240001, event_types=['pull_artifact']), ('retention_hours', '')),
    Case('purge-events', 'harbor_purge_audit_schedule',
         dict(schedule='daily', retention_hours=24, event_types=['Pull Artifact']), ('event_types', '')),
    Case('scan-all-words', 'harbor_scan_all_schedule', dict(schedule='every night'), ('schedule', '')),
    # harbor_pull_secret(_info): Kubernetes names, selectors, labels, credentials
    Case('pull-secret-name', 'harbor_pull_secret', dict(PULL_SECRET, name='Harbor_Secret'), ('name', 'RFC 1123')),
    Case('pull-secret-namespace', 'harbor_pull_secret', dict(PULL_SECRET, namespaces=['Team-A']), ('namespaces', 'Team-A')),
    Case('pull-secret-selector', 'harbor_pull_secret', dict(PULL_SECRET, namespaces=[], namespace_selector='team in (a,'),
         ('namespace_selector', '')),
    Case('pull-secret-label', 'harbor_pull_secret', dict(PULL_SECRET, labels={'bad key!': 'x'}), ('labels', '')),
    Case('pull-secret-account', 'harbor_pull_secret', dict(PULL_SECRET, service_accounts=['not valid']),
         ('service_accounts', '')),
    Case('pull-secret-no-password', 'harbor_pull_secret',
         dict((key, value) for key, value in PULL_SECRET.items() if key != 'password'), ('password', 'missing')),
    Case('pull-secret-registry', 'harbor_pull_secret', dict(PULL_SECRET, registry='https://'), ('registry', '')),
    Case('pull-secret-missing-namespace', 'harbor_pull_secret', dict(PULL_SECRET, namespaces=['hb-nowhere'],
                                                                     verify_credentials=False),
         ('namespaces', 'create_namespace'), READS_ONLY),
    Case('pull-secret-info-password', 'harbor_pull_secret_info', dict(namespaces=[NAMESPACE], return_password=True),
         ('return_password', 'no_log')),
    Case('pull-secret-info-targets', 'harbor_pull_secret_info', dict(name='harbor-pull-secret'),
         ('namespaces', 'namespace_selector')),
    # roles: argument specs and preflight asserts name the role variable
    # harbor_label, harbor_system_cve_allowlist, harbor_user, harbor_group and their readers
    Case('label-color', 'harbor_label', dict(name='team-a', color='red'), ('color', '#RRGGBB')),
    Case('label-project-name', 'harbor_label', dict(name='team-a', project='Hb-App'), ('project', 'lower-case')),
    Case('label-info-query', 'harbor_label_info', dict(query='[?'), ('query', 'jmespath')),
    Case('cve-allowlist-id', 'harbor_system_cve_allowlist', dict(cve_ids=['log4shell']), ('cve_ids', 'CVE-')),
    Case('cve-allowlist-expiry', 'harbor_system_cve_allowlist', dict(cve_ids=[], expires_at=-5),
         ('expires_at', 'epoch')),
    Case('user-password-policy', 'harbor_user',
         dict(username='hb-bob', email='hb-bob@example.com', password='short'), ('password', 'policy')),
    Case('user-email', 'harbor_user', dict(username='hb-bob', email='not-an-address', password='Passw0rd!1'),
         ('email', 'e-mail')),
    Case('user-create-without-password', 'harbor_user', dict(username='hb-bob', email='hb-bob@example.com'),
         ('password', 'required'), READS_ONLY),
    Case('user-info-query', 'harbor_user_info', dict(query='[?'), ('query', 'jmespath')),
    Case('group-ldap-dn', 'harbor_group', dict(name='devs', type='ldap'), ('ldap_dn', 'required')),
    Case('group-type', 'harbor_group', dict(name='devs', type='active-directory'), ('type', 'one of')),
    Case('group-info-query', 'harbor_group_info', dict(query='[?'), ('query', 'jmespath')),
    # the project, schedule and audit log readers
    Case('retention-info-executions', 'harbor_retention_info', dict(project=PROJECT, executions=500),
         ('executions', '0 to 100')),
    Case('immutable-info-project', 'harbor_immutable_rules_info', dict(project='Hb-App'), ('project', 'lower-case')),
    Case('member-info-user-and-group', 'harbor_member_info', dict(project=PROJECT, user='hb-alice', group='devs'),
         ('user', 'group')),
    Case('schedule-info-job', 'harbor_schedule_info', dict(jobs=['replication']), ('jobs', 'replication')),
    Case('cve-allowlist-info-query', 'harbor_system_cve_allowlist_info', dict(query='[?'), ('query', 'jmespath')),
    Case('audit-log-info-since', 'harbor_audit_log_info', dict(since='last tuesday'), ('since', 'ISO 8601')),
    Case('audit-log-info-comma', 'harbor_audit_log_info', dict(username='alice,bob'), ('username', 'comma')),
    # harbor_registry, harbor_replication and their readers
    Case('registry-url-scheme', 'harbor_registry', dict(name='hb-mirror', type='harbor', url='ftp://mirror.example.com'),
         ('url', 'http')),
    Case('registry-create-without-type', 'harbor_registry', dict(name='hb-mirror', url='https://mirror.example.com'),
         ('type', 'required'), READS_ONLY),
    Case('registry-info-query', 'harbor_registry_info', dict(query='[?'), ('query', 'jmespath')),
    Case('replication-cron-minutes', 'harbor_replication', dict(name='hb-rep', trigger='0 * 2 * * *'),
         ('trigger', 'minutes')),
    Case('replication-namespace', 'harbor_replication', dict(name='hb-rep', destination_namespace='Bad NS'),
         ('destination_namespace', 'namespace')),
    Case('replication-unknown-registry', 'harbor_replication', dict(name='hb-rep', direction='push', registry='nowhere'),
         ('registry', 'no registry endpoint'), READS_ONLY),
    Case('replication-info-query', 'harbor_replication_info', dict(query='[?'), ('query', 'jmespath')),
    # harbor_artifact: names, references, what a copy cannot do
    Case('artifact-repository', 'harbor_artifact', dict(project=PROJECT, repository='Team/API', reference='1.0'),
         ('repository', 'lower-case')),
    Case('artifact-tag', 'harbor_artifact', dict(project=PROJECT, repository='api', reference='1.0', tags=['-rc']),
         ('tags', 'not a tag')),
    Case('artifact-copy-from', 'harbor_artifact',
         dict(project=PROJECT, repository='api', reference='1.0', copy_from='hb-app/api'),
         ('copy_from', '<project>/<repository>:<tag>')),
    Case('artifact-absent-with-tags', 'harbor_artifact',
         dict(project=PROJECT, repository='api', reference='1.0', tags=['x'], state='absent'),
         ('tags', 'state=present')),
    Case('artifact-missing-source', 'harbor_artifact',
         dict(project=PROJECT, repository='api', reference='1.0', copy_from='hb-app/api:9.9.9'),
         ('copy_from', 'does not exist'), READS_ONLY),
    # harbor_artifact_info, harbor_scan
    Case('artifact-info-repository', 'harbor_artifact_info', dict(project=PROJECT, repository='Team/API'),
         ('repository', 'not a repository name')),
    Case('artifact-info-reference', 'harbor_artifact_info', dict(project=PROJECT, reference='sha256:abc'),
         ('reference', 'digest')),
    Case('scan-gate-sbom', 'harbor_scan',
         dict(project=PROJECT, repository='api', reference='1.0', scan_type='sbom', fail_on_severity='high'),
         ('fail_on_severity', 'scan_type: vulnerability')),
    Case('scan-report-without-wait', 'harbor_scan',
         dict(project=PROJECT, repository='api', reference='1.0', wait=False, report_path='report.json'),
         ('report_path', 'wait: true')),
    Case('scan-wait-timeout', 'harbor_scan', dict(project=PROJECT, repository='api', reference='1.0', wait_timeout=0),
         ('wait_timeout', 'positive')),
    # harbor_config, harbor_scanner, harbor_preheat_instance and their readers
    Case('config-robot-duration', 'harbor_config', dict(robot_token_duration=0), ('robot_token_duration', '1 to')),
    Case('config-storage', 'harbor_config', dict(storage_per_project='lots'), ('storage_per_project', 'size')),
    Case('config-ldap-url', 'harbor_config', dict(ldap=dict(url=' ')), ('ldap.url', 'empty')),
    Case('config-auth-locked', 'harbor_config', dict(auth_mode='oidc_auth'), ('auth_mode', 'users'), READS_ONLY),
    Case('config-info-query', 'harbor_config_info', dict(query='[?'), ('query', 'jmespath')),
    Case('scanner-url', 'harbor_scanner', dict(name='hb-scanner', url='ftp://scanner'), ('url', 'http')),
    Case('scanner-credential', 'harbor_scanner', dict(name='hb-scanner', url='http://scanner:8080', auth='Bearer'),
         ('access_credential', 'required'), READS_ONLY),
    Case('scanner-info-query', 'harbor_scanner_info', dict(query='[?'), ('query', 'jmespath')),
    Case('project-scanner-unknown', 'harbor_project', dict(name=PROJECT, scanner='hb-nowhere'),
         ('scanner', 'not registered'), READS_ONLY),
    Case('preheat-name', 'harbor_preheat_instance', dict(name='bad name'), ('name', 'letters')),
    Case('preheat-endpoint', 'harbor_preheat_instance', dict(name='hb-p2p', vendor='dragonfly', endpoint='p2p:80'),
         ('endpoint', 'http')),
    Case('preheat-credentials', 'harbor_preheat_instance',
         dict(name='hb-p2p', vendor='dragonfly', endpoint='http://p2p:80', auth_mode='BASIC', username='u'),
         ('password', 'required'), READS_ONLY),
    # harbor_webhook and its reader
    Case('webhook-event', 'harbor_webhook', dict(project=PROJECT, name='deployer', events=['CREATE_TAG']),
         ('events', 'CREATE_TAG')),
    Case('webhook-address', 'harbor_webhook', dict(project=PROJECT, name='deployer', events=['PUSH_ARTIFACT'],
                                                   targets=[dict(address='hooks.example.com/x')]),
         ('targets[0].address', 'https://')),
    Case('webhook-slack-header', 'harbor_webhook', dict(project=PROJECT, name='deployer', events=['PUSH_ARTIFACT'],
                                                        targets=[dict(type='slack', address='https://s',
                                                                      auth_header='Bearer x')]),
         ('auth_header', 'slack')),
    Case('webhook-create-without-targets', 'harbor_webhook', dict(project=PROJECT, name='deployer',
                                                                  events=['PUSH_ARTIFACT']),
         ('targets', 'required'), READS_ONLY),
    Case('webhook-info-deliveries', 'harbor_webhook_info', dict(project=PROJECT, deliveries=500),
         ('deliveries', '100')),
    Case('preheat-info-name', 'harbor_preheat_instance_info', dict(name='bad name'), ('name', 'letters')),
    Case('role-project-name', 'role:project', dict(project_name='Bad Name'), ('project_name', 'lower-case')),
    Case('role-project-missing-name', 'role:project', {}, ('project_name', 'required')),
    Case('role-project-severity', 'role:project', dict(project_name=PROJECT, project_severity='severe'),
         ('project_severity', 'one of')),
    Case('role-project-quota', 'role:project', dict(project_name=PROJECT, project_storage_quota='10GB'),
         ('project_storage_quota', 'GiB')),
    Case('role-project-retention-count', 'role:project',
         dict(project_name=PROJECT, project_retention_rules=sixteen(KEEP_ALL)), ('project_retention_rules', '15')),
    Case('role-project-retention-cron', 'role:project',
         dict(project_name=PROJECT, project_retention_rules=[KEEP_ALL], project_retention_schedule='0 0 * * *'),
         ('project_retention_schedule', '6 fields')),
    Case('role-project-member', 'role:project',
         dict(project_name=PROJECT, project_members=[dict(user='hb-alice', group='devs', role='guest')]),
         ('project_members', 'exactly one')),
    Case('role-project-robot-permissions', 'role:project',
         dict(project_name=PROJECT, project_robots=[dict(name='ci', access=['push'], permissions=[])]),
         ('project_robots', 'not both')),
    Case('role-project-robot-name', 'role:project',
         dict(project_name=PROJECT, project_robots=[dict(name='CI', access=['push'])]), ('project_robots', "'CI'")),
    Case('role-project-robot-access', 'role:project',
         dict(project_name=PROJECT, project_robots=[dict(name='ci', access=['pul'])]), ('project_robots', "'pul'")),
    Case('role-project-member-role', 'role:project',
         dict(project_name=PROJECT, project_members=[dict(user='hb-alice', role='owner')]), ('project_members', 'role')),
    Case('role-project-retention-criteria', 'role:project',
         dict(project_name=PROJECT, project_retention_rules=[{'retain': {'most_recently_pushed': 3, 'always': True}}]),
         ('project_retention_rules[0]', 'exactly one')),
    Case('role-project-robot-duration', 'role:project',
         dict(project_name=PROJECT, project_robots=[dict(name='ci', access=['push'], duration_days=0)]),
         ('project_robots', 'duration_days')),
    # options the spec types loosely so that '' can mean null (before ansible-core 2.19 a templated null is ''):
    # the preflight checks their types instead
    Case('role-project-sbom-type', 'role:project', dict(project_name=PROJECT, project_auto_sbom_generation='maybe'),
         ('project_auto_sbom_generation', 'boolean')),
    Case('role-project-immutable-type', 'role:project', dict(project_name=PROJECT, project_immutable_rules=['v*']),
         ('project_immutable_rules', 'dict')),
    Case('role-bootstrap-cve-allowlist-type', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT, reuse_sys_cve_allowlist='sometimes')]),
         ('project_reuse_sys_cve_allowlist', 'boolean')),
    Case('role-cluster-validate-certs', 'role:cluster_access',
         dict(cluster_access_namespaces=[NAMESPACE], cluster_access_username='robot$hb-app+pull',
              cluster_access_password='Pull-Secret-1', cluster_access_validate_certs='maybe'),
         ('cluster_access_validate_certs', 'boolean')),
    Case('role-cluster-targets', 'role:cluster_access',
         dict(cluster_access_username='robot$hb-app+pull', cluster_access_password='Pull-Secret-1'),
         ('cluster_access_namespaces', 'cluster_access_namespace_selector')),
    Case('role-cluster-password', 'role:cluster_access',
         dict(cluster_access_namespaces=[NAMESPACE], cluster_access_username='robot$hb-app+pull'),
         ('cluster_access_password', 'required')),
    Case('role-cluster-namespace', 'role:cluster_access',
         dict(cluster_access_namespaces=['Team-A'], cluster_access_username='robot$hb-app+pull',
              cluster_access_password='Pull-Secret-1'), ('cluster_access_namespaces', 'Team-A')),
    Case('role-cluster-state', 'role:cluster_access', dict(cluster_access_state='gone'), ('cluster_access_state', 'one of')),
    Case('role-bootstrap-project-name', 'role:bootstrap', dict(bootstrap_projects=[dict(name='Payments')]),
         ('bootstrap_projects', 'lower-case')),
    Case('role-bootstrap-unknown-project', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT)], bootstrap_environments=[dict(ENVIRONMENT, projects=['nope'])]),
         ('bootstrap_environments', 'nope')),
    Case('role-bootstrap-duplicate-environment', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT)], bootstrap_environments=[ENVIRONMENT, ENVIRONMENT]),
         ('bootstrap_environments', 'same name')),
    Case('role-bootstrap-no-namespaces', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT)], bootstrap_environments=[dict(name='dev', projects=[PROJECT])]),
         ('bootstrap_environments', 'namespace')),
    Case('role-bootstrap-namespace', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT)], bootstrap_environments=[dict(ENVIRONMENT, namespaces=['Hb-Dev'])]),
         ('bootstrap_environments', 'Hb-Dev')),
    Case('role-bootstrap-severity', 'role:bootstrap', dict(bootstrap_projects=[dict(name=PROJECT, severity='severe')]),
         ('severity', 'one of')),
    Case('role-bootstrap-schedule', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT, retention_rules=[KEEP_ALL], retention_schedule='nightly')]),
         ('retention_schedule', 'nightly')),
    Case('role-bootstrap-robot-duration', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT)], bootstrap_pull_robot_duration_days=0),
         ('bootstrap_pull_robot_duration_days', '-1')),
    Case('role-bootstrap-ci-name', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT)], bootstrap_ci_robot_name='CI Push'),
         ('bootstrap_ci_robot_name', 'lower-case')),
    # bootstrap_system and the projects' webhooks, checked with the projects before any request
    Case('role-bootstrap-system-kind', 'role:bootstrap', dict(bootstrap_system=dict(robots=[])),
         ('bootstrap_system', 'robots')),
    Case('role-bootstrap-system-user-password', 'role:bootstrap',
         dict(bootstrap_system=dict(users=[dict(username='hb-carol', email='hb-carol@example.com')])),
         ('bootstrap_system.users', 'password')),
    Case('role-bootstrap-system-ldap-group', 'role:bootstrap',
         dict(bootstrap_system=dict(groups=[dict(name='hb-devs', type='ldap')])), ('bootstrap_system.groups', 'ldap_dn')),
    Case('role-bootstrap-system-label-color', 'role:bootstrap',
         dict(bootstrap_system=dict(labels=[dict(name='pci', color='red')])), ('bootstrap_system.labels', '#RRGGBB')),
    Case('role-bootstrap-system-registry', 'role:bootstrap',
         dict(bootstrap_system=dict(registries=[dict(name='dr', type='harbor')])), ('bootstrap_system.registries', 'url')),
    Case('role-bootstrap-system-cve', 'role:bootstrap',
         dict(bootstrap_system=dict(cve_allowlist=dict(cve_ids=['log4shell']))), ('bootstrap_system.cve_allowlist', 'CVE-')),
    Case('role-bootstrap-webhook-targets', 'role:bootstrap',
         dict(bootstrap_projects=[dict(name=PROJECT, webhooks=[dict(name='deployer', events=['PUSH_ARTIFACT'])])]),
         ('webhook deployer', 'targets')),
    Case('role-rotation-green', 'role:robot_rotation', dict(ROTATION, robot_rotation_robot='pull-dev-green'),
         ('robot_rotation_robot', '-green')),
    Case('role-rotation-clusters', 'role:robot_rotation', dict(ROTATION, robot_rotation_clusters=[]),
         ('robot_rotation_clusters', '')),
    Case('role-rotation-strategy', 'role:robot_rotation', dict(ROTATION, robot_rotation_strategy='purple'),
         ('robot_rotation_strategy', 'one of')),
    Case('role-rotation-extend', 'role:robot_rotation', dict(ROTATION, robot_rotation_action='extend'),
         ('robot_rotation_expiring_within_days', 'extend')),
    Case('role-rotation-project', 'role:robot_rotation',
         dict((key, value) for key, value in ROTATION.items() if key != 'robot_rotation_project'),
         ('robot_rotation_project', 'required')),
    # harbor_rollout and the promote role: names checked before the cluster or Harbor is asked anything
    Case('rollout-namespace', 'harbor_rollout', dict(ROLLOUT, namespace='Payments-Prod'), ('namespace', 'lower-case')),
    Case('rollout-container', 'harbor_rollout', dict(ROLLOUT, container='api_v2'), ('container', 'Kubernetes name')),
    Case('rollout-image', 'harbor_rollout', dict(ROLLOUT, image='not an image'), ('image', 'reference')),
    Case('role-promote-source', 'role:promote', dict(PROMOTE, promote_source='payments/api'),
         ('promote_source', '<project>/<repository>:<tag>')),
    Case('role-promote-same-place', 'role:promote', dict(PROMOTE, promote_target_project=PROJECT),
         ('promote_target_project', 'already is')),
    Case('role-promote-deployment', 'role:promote',
         dict(PROMOTE, promote_deployments=[dict(namespace='Prod', name='api', container='api')]),
         ('promote_deployments', "'Prod'")),
    Case('role-promote-severity', 'role:promote', dict(PROMOTE, promote_max_severity='severe'),
         ('promote_max_severity', 'one of')),
]


def case_task(case):
    if case.target.startswith('role:'):
        return {'ansible.builtin.include_role': {'name': 'cloudtemple.harbor.' + case.target[5:]}, 'vars': case.args}
    return {'cloudtemple.harbor.' + case.target: case.args}


@pytest.fixture(scope='module')
def outcome(emulators, collections_dir, tmp_path_factory):
    assert emulators.harbor('POST', '/projects', json={'project_name': PROJECT, 'metadata': {'public': 'false'}}).ok
    emulators.control('POST', '/seed', json={'users': [{'username': 'hb-alice', 'password': 'Passw0rd!1',
                                                        'email': 'hb-alice@example.com'}]})
    emulators.control('POST', '/seed', emulator='kube', json={'namespaces': [NAMESPACE]})
    emulators.clear_logs()
    tasks = [case_block('case %s' % case.ident, case_task(case)) for case in CASES]
    path = write_playbook(tmp_path_factory.mktemp('bad-input'), [
        {'name': 'Bad input, case by case', 'hosts': 'localhost', 'gather_facts': False, 'vars': emulators.play_vars(),
         'tasks': tasks}])
    run = run_generated(path, emulators, collections_dir)
    assert run.returncode == 0, run.output[-3000:]
    return run


def test_the_table_covers_every_module_and_role(collections_dir):
    targets = set(case.target for case in CASES)
    collection = os.path.join(collections_dir, 'ansible_collections', 'cloudtemple', 'harbor')
    modules = set(name[:-3] for name in os.listdir(os.path.join(collection, 'plugins', 'modules'))
                  if name.endswith('.py') and not name.startswith('_'))
    roles = set('role:' + name for name in os.listdir(os.path.join(collection, 'roles')))
    assert len(CASES) >= 40
    assert modules | roles <= targets, 'no bad-input case for %s' % sorted((modules | roles) - targets)
    assert len(set(case.ident for case in CASES)) == len(CASES)


@pytest.mark.parametrize('case', CASES, ids=str)
def test_bad_input_is_refused_clearly_and_before_any_write(outcome, case):
    found = outcome.case('case %s' % case.ident)
    assert found.refused, '%s was accepted: %s' % (case.ident, found.result)
    for fragment in case.expect:
        assert fragment.lower() in found.message.lower(), '%s: %r is not in the message (task %r): %s' % (
            case.ident, fragment, found.task, found.message)
    assert not found.crashed, found.message
    assert 'weakone' not in found.message and 'NoDigitsAtAll' not in found.message, 'a secret is echoed'
    assert found.writes == [], '%s wrote: %s' % (case.ident, found.writes)
    if case.requests == NONE:
        assert found.requests == [], '%s is checkable locally, yet sent %s' % (case.ident, found.requests)
