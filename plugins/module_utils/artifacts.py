# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Harbor's artifacts: how they are addressed, read and described, for the modules and the digest lookup.

An artifact lives at /projects/{project}/repositories/{repository}/artifacts/{reference}: the repository without
the project's prefix (double-encoded when it holds a '/'), the reference a tag or a digest. Harbor adds tags,
labels, the scan overview and the accessories (cosign signatures, SBOMs) only when asked with the with_* flags.
"""

from __future__ import annotations

import json
import os
import re

from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import quote_repository, quote_segment
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import HarborError, ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.immutable import project_rules, protected_tags
from ansible_collections.cloudtemple.harbor.plugins.module_utils.executions import wait_until
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name

DIGEST_PATTERN = re.compile(r'^(sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$')
# The distribution spec's rules, which Harbor applies to pushes (src/lib/reference).
TAG_PATTERN = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$')
REPOSITORY_COMPONENT = r'[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
REPOSITORY_PATTERN = re.compile(r'^%s(?:/%s)*$' % (REPOSITORY_COMPONENT, REPOSITORY_COMPONENT))

# The accessory types of src/pkg/accessory/model.
COSIGN_SIGNATURE = 'signature.cosign'
HARBOR_SBOM = 'harbor.sbom'

VULNERABILITY_REPORT = 'application/vnd.security.vulnerability.report; version=1.1'
# What the *_info modules and the lookup ask Harbor to add to each artifact.
DETAILS = dict(with_tag='true', with_label='true', with_scan_overview='true', with_sbom_overview='true',
               with_accessory='true')
FINAL_SCAN_STATUSES = ('Success', 'Error', 'Stopped')
# Harbor's severities, lowest first (src/pkg/scan/vuln/severity.go); Negligible and Unknown rank with None.
SEVERITIES = ('None', 'Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical')
SEVERITY_RANK = {'None': 0, 'Unknown': 0, 'Negligible': 1, 'Low': 2, 'Medium': 3, 'High': 4, 'Critical': 5}


def permission(action, project, resource='artifact'):
    return '%s:%s on project %s' % (resource, action, project)


def is_digest(reference):
    return bool(DIGEST_PATTERN.match(reference or ''))


def check_repository(option, value):
    """A repository name inside a project (no project prefix), '/' allowed."""
    if not value or not REPOSITORY_PATTERN.match(value) or len(value) > 255:
        raise ValidationError('%s %r is not a repository name: lower-case letters and digits separated by ".", "_", '
                              '"__" or "-", in components joined by "/" (without the project), such as api or '
                              'team/api' % (option, value))
    return value


def check_reference(option, value):
    """A tag or a digest (sha256:<64 hex digits>)."""
    if value is None or is_digest(value) or (TAG_PATTERN.match(value) and not value.startswith('sha256:')):
        return value
    raise ValidationError('%s %r is neither a tag (letters, digits, "_", "." and "-", up to 128 characters) nor a '
                          'digest such as sha256:<64 hex digits>' % (option, value))


def parse_reference(text, option='reference'):
    """'payments/team/api:2.3.4' or 'payments/api@sha256:...' -> dict(project, repository, reference).

    The project is the first segment, the repository the rest up to the ':tag' or '@digest' (which is required).
    """
    text = (text or '').strip()
    if '@' in text:
        name, reference = text.split('@', 1)
    else:
        name, _sep, reference = text.rpartition(':')
        if '/' in reference or not name:
            name, reference = text, ''
    project, _sep, repository = name.partition('/')
    if not repository or not reference:
        raise ValidationError('%s %r must name an artifact as <project>/<repository>:<tag> or '
                              '<project>/<repository>@<digest>, such as payments/api:2.3.4' % (option, text))
    check_harbor_name(option + ' (its project)', project)
    check_repository(option + ' (its repository)', repository)
    check_reference(option + ' (its tag or digest)', reference)
    return dict(project=project, repository=repository, reference=reference)


def format_reference(project, repository, reference):
    """The inverse of parse_reference."""
    return '%s/%s%s%s' % (project, repository, '@' if is_digest(reference) else ':', reference)


def artifacts_path(project, repository, reference=None, suffix=''):
    path = '/projects/%s/repositories/%s/artifacts' % (quote_segment(project), quote_repository(repository))
    if reference is not None:
        path += '/' + quote_segment(reference)
    return path + suffix


def short_name(project, full_name):
    """Harbor lists repositories as '<project>/<name>'; paths and the modules use <name>."""
    prefix = project + '/'
    return full_name[len(prefix):] if full_name.startswith(prefix) else full_name


def list_repositories(client, project):
    """The names (without the project) of the project's repositories."""
    repositories = client.paginate(client.project_path(project, '/repositories'),
                                   permission=permission('list', project, 'repository'))
    return sorted(short_name(project, repository['name']) for repository in repositories)


def find_artifact(client, project, repository, reference, details=True):
    """The artifact (Harbor's JSON, with DETAILS when `details`), or None when the repository or reference is unknown."""
    return client.get(artifacts_path(project, repository, reference), params=dict(DETAILS) if details else None,
                      missing_ok=True, permission=permission('read', project))


def require_artifact(client, project, repository, reference, details=True, option='reference'):
    """find_artifact, or an error that names what is missing (the project is expected to be checked first)."""
    artifact = find_artifact(client, project, repository, reference, details)
    if artifact is None:
        raise missing_artifact(project, repository, reference, option)
    return artifact


def missing_artifact(project, repository, reference, option):
    return HarborError('%s: artifact %s does not exist in Harbor (no such %s in the repository, or no such '
                       'repository)' % (option, format_reference(project, repository, reference),
                                        'digest' if is_digest(reference) else 'tag'), status=404,
                       hint='Check the repository name (without the project) and the tag, or push the image first')


def locate_artifact(client, project, repository, reference, details=True, option='reference'):
    """require_artifact for a caller that may read artifacts but not the project itself (a CI robot).

    Harbor answers 403 rather than 404 to such a caller for a project that does not exist: HEAD /projects tells.
    """
    try:
        artifact = find_artifact(client, project, repository, reference, details)
    except HarborError as error:
        if error.status != 403:
            raise
        artifact, refused = None, error
    else:
        refused = None
    if artifact is not None:
        return artifact
    if not client.project_exists(project):
        raise HarborError('%s: project %r does not exist in Harbor (name unknown)' % (option, project), status=404,
                          hint='Fix the name, or create the project first')
    raise refused or missing_artifact(project, repository, reference, option)


def list_artifacts(client, project, repository=None, reference=None):
    """[(repository, Harbor's artifact JSON)] of one repository, or of every repository of the project.

    With `reference`, only the artifact it names (in each repository that has it). Accessories (signatures,
    SBOMs) are not listed as artifacts of their own: Harbor shows them under their subject.
    """
    repositories = [repository] if repository is not None else list_repositories(client, project)
    found = []
    for name in repositories:
        if reference is not None:
            artifact = find_artifact(client, project, name, reference)
            found.extend([(name, artifact)] if artifact is not None else [])
        else:
            found.extend((name, artifact) for artifact in client.paginate(
                artifacts_path(project, name), params=dict(DETAILS), permission=permission('list', project)))
    return found


def accessory_digests(artifact, accessory_type):
    return sorted(accessory.get('digest') for accessory in artifact.get('accessories') or []
                  if accessory.get('type') == accessory_type)


def vulnerability_overview(artifact):
    """The artifact's vulnerability scan overview (one per report MIME type; the 1.1 report preferred), or None."""
    overviews = artifact.get('scan_overview') or {}
    if not overviews:
        return None
    return overviews.get(VULNERABILITY_REPORT) or overviews[sorted(overviews)[0]]


def describe_scan(overview):
    """An overview as the modules return it; None when the artifact was never scanned."""
    if not overview:
        return None
    counts = (overview.get('summary') or {}).get('summary') or {}
    scanner = overview.get('scanner') or {}
    return dict(
        status=overview.get('scan_status'),
        severity=overview.get('severity') or None,
        summary=dict((severity, counts.get(severity, 0)) for severity in SEVERITIES if severity in counts),
        total=(overview.get('summary') or {}).get('total', 0),
        fixable=(overview.get('summary') or {}).get('fixable', 0),
        scanner=('%s %s' % (scanner.get('name'), scanner.get('version') or '')).strip() if scanner.get('name') else None,
        report_id=overview.get('report_id'),
        start_time=overview.get('start_time'),
        end_time=overview.get('end_time'),
    )


def describe_sbom(overview):
    if not overview:
        return None
    return dict(status=overview.get('scan_status'), digest=overview.get('sbom_digest'),
                end_time=overview.get('end_time'))


def describe_artifact(artifact, repository):
    """An artifact as the modules return it (see harbor_artifact_info's RETURN)."""
    signatures = accessory_digests(artifact, COSIGN_SIGNATURE)
    sboms = accessory_digests(artifact, HARBOR_SBOM)
    return dict(
        repository=repository,
        digest=artifact.get('digest'),
        tags=sorted(tag.get('name') for tag in artifact.get('tags') or []),
        type=artifact.get('type'),
        media_type=artifact.get('media_type'),
        manifest_media_type=artifact.get('manifest_media_type'),
        size=artifact.get('size'),
        push_time=artifact.get('push_time'),
        pull_time=artifact.get('pull_time'),
        signed=bool(signatures),
        signatures=signatures,
        sbom=bool(sboms),
        sboms=sboms,
        labels=sorted(label.get('name') for label in artifact.get('labels') or []),
        scan=describe_scan(vulnerability_overview(artifact)),
        sbom_scan=describe_sbom(artifact.get('sbom_overview')),
    )


def image_reference(host, project, repository, digest):
    """What a Deployment pulls: <host>/<project>/<repository>@<digest>."""
    return '%s/%s/%s@%s' % (host, project, repository, digest)


# -- scans --------------------------------------------------------------------------------------------------

SCAN_TYPES = ('vulnerability', 'sbom')
RUNNING_SCAN_STATUSES = ('Pending', 'Running', 'Scheduled')


def scan_overview(artifact, scan_type):
    """The overview of the artifact's last scan of this type (vulnerability or sbom), or None."""
    if scan_type == 'sbom':
        return artifact.get('sbom_overview') or None
    return vulnerability_overview(artifact)


def describe_overview(overview, scan_type):
    return describe_sbom(overview) if scan_type == 'sbom' else describe_scan(overview)


def scan_state(overview):
    """What a diff shows of a scan: its status and report id ({} for none)."""
    return dict(status=overview.get('scan_status'), report_id=overview.get('report_id')) if overview else {}


def wait_for_scan(client, project, repository, reference, scan_type, timeout, replaced_report=None):
    """Look at the artifact until its scan of `scan_type` has ended; return that scan's overview.

    `replaced_report` is the report id of the scan a new one replaces: until Harbor shows another one, the new
    scan has not begun.
    """
    def status_of(overview):
        if not overview or (replaced_report and overview.get('report_id') == replaced_report):
            return 'Pending'
        return overview.get('scan_status')

    return wait_until(lambda: scan_overview(require_artifact(client, project, repository, reference), scan_type),
                      status_of, timeout, 'the %s scan of %s' % (scan_type, format_reference(project, repository, reference)),
                      'wait_timeout')


def start_scan(client, project, repository, reference, scan_type='vulnerability'):
    """POST .../scan; Harbor answers 202 and scans in the background. No scanner: a clear error."""
    try:
        client.post(artifacts_path(project, repository, reference, '/scan'), json=dict(scan_type=scan_type),
                    permission=permission('create', project, 'sbom' if scan_type == 'sbom' else 'scan'))
    except HarborError as error:
        if error.status == 412 and 'scanner' in (error.harbor_message or ''):
            raise HarborError('project %r has no scanner to scan %s with: Harbor answered "%s". Register a scanner '
                              '(Interrogation Services) and make it the default or the project\'s'
                              % (project, format_reference(project, repository, reference), error.harbor_message),
                              status=412)
        raise


def project_scanner(client, project):
    """The project's scanner registration (its own or the default), or None when Harbor has none."""
    scanner = client.get(client.project_path(project, '/scanner'), missing_ok=True,
                         permission=permission('read', project, 'scanner'))
    return scanner or None


def vulnerability_report(client, project, repository, reference):
    """Harbor's JSON vulnerability report, as GET .../additions/vulnerabilities answers it ({MIME type: report})."""
    return client.get(artifacts_path(project, repository, reference, '/additions/vulnerabilities'),
                      permission=permission('read', project, 'artifact-addition')) or {}


def report_vulnerabilities(report):
    """The vulnerabilities of the report (the 1.1 MIME type preferred)."""
    if not report:
        return []
    body = report.get(VULNERABILITY_REPORT) or report[sorted(report)[0]] or {}
    return body.get('vulnerabilities') or []


def severity_rank(severity):
    return SEVERITY_RANK.get((severity or '').strip().title(), 0)


def effective_allowlist(client, project, now):
    """The CVE ids that do not count for the project: its own allowlist, or the system one when it reuses that.

    An allowlist whose expires_at has passed allows nothing.
    """
    metadata = project.get('metadata') or {}
    if str(metadata.get('reuse_sys_cve_allowlist', '')).lower() == 'true':
        allowlist = client.get('/system/CVEAllowlist', permission='the system CVE allowlist') or {}
    else:
        allowlist = project.get('cve_allowlist') or {}
    expires_at = allowlist.get('expires_at')
    if expires_at and expires_at <= now:
        return set()
    return set(item.get('cve_id') for item in allowlist.get('items') or [])


def blocking_findings(vulnerabilities, threshold, allowlist):
    """The findings at or above `threshold` (a severity name) that the allowlist does not cover, highest first."""
    floor = severity_rank(threshold)
    findings = [dict(id=item.get('id'), package=item.get('package'), version=item.get('version'),
                     fix_version=item.get('fix_version') or None, severity=item.get('severity'))
                for item in vulnerabilities
                if severity_rank(item.get('severity')) >= floor and item.get('id') not in allowlist]
    return sorted(findings, key=lambda finding: (-severity_rank(finding['severity']), finding['id'] or '',
                                                 finding['package'] or ''))


# -- tags, labels, copies and deletion of one artifact (harbor_artifact) ------------------------------------

# What harbor_artifact reads: the tags with Harbor's own verdict on their immutability, and the labels.
TAGGING = dict(with_tag='true', with_label='true', with_immutable_status='true', with_accessory='false')


def find_tagged(client, project, repository, reference):
    """The artifact with its tags (each with `immutable`) and labels, or None when it is not there."""
    return client.get(artifacts_path(project, repository, reference), params=dict(TAGGING), missing_ok=True,
                      permission=permission('read', project))


def tag_names(artifact):
    return sorted(tag.get('name') for tag in (artifact or {}).get('tags') or [])


def immutable_tag_names(artifact):
    return sorted(tag.get('name') for tag in (artifact or {}).get('tags') or [] if tag.get('immutable'))


def add_tag(client, project, repository, digest, tag):
    client.post(artifacts_path(project, repository, digest, '/tags'), json=dict(name=tag),
                permission=permission('create', project, 'tag'))


def delete_tag(client, project, repository, digest, tag):
    client.delete(artifacts_path(project, repository, digest, '/tags/%s' % quote_segment(tag)), missing_ok=True,
                  permission=permission('delete', project, 'tag'))


def add_label(client, project, repository, digest, label_id):
    client.post(artifacts_path(project, repository, digest, '/labels'), json=dict(id=label_id),
                permission=permission('create', project, 'artifact-label'))


def remove_label(client, project, repository, digest, label_id):
    client.delete(artifacts_path(project, repository, digest, '/labels/%s' % label_id), missing_ok=True,
                  permission=permission('delete', project, 'artifact-label'))


def delete_artifact(client, project, repository, digest):
    """Delete the artifact with its tags, and its signatures and SBOMs (Harbor deletes accessories with it)."""
    client.delete(artifacts_path(project, repository, digest), missing_ok=True, permission=permission('delete', project))


def copy_artifact(client, project, repository, source):
    """Copy `source` (dict(project, repository, reference)) into project/repository: Harbor copies the artifact,
    its tags and its accessories (cosign signatures, SBOMs) within the registry, and creates the repository."""
    client.request('POST', artifacts_path(project, repository), params={'from': format_reference(**source)},
                   permission='%s, and artifact:read on project %s' % (permission('create', project), source['project']))


def immutable_refusal(option, tags, project, repository):
    """The error for a task that would move or delete protected tags, found before any write."""
    return ValidationError('%s: an immutability rule of project %s protects %s in %s, and Harbor refuses to move or '
                           'delete a protected tag (412 "the tag ... configured as immutable"). Change or disable the '
                           'rule with cloudtemple.harbor.harbor_immutable_rules first, or leave the tag where it is'
                           % (option, project, ', '.join('tag %s' % tag for tag in tags), repository))


class ArtifactPlan:
    """The tag and label changes of one artifact (harbor_artifact): checked against Harbor's state before any
    write, so that what Harbor would refuse halfway fails first, then applied."""

    def __init__(self, client, project, repository):
        self.client = client
        self.project = project
        self.repository = repository
        self.moves = {}   # tag -> digest of the artifact of the repository that holds it now
        self.labels = {}  # name -> the label to add

    def check(self, digest, current, carried, target):
        """current: the artifact (None before a copy); carried: the tags a copy brings; target: the tags to end with.

        Harbor refuses to delete a protected tag, and to move one (the copy too, as a whole: nothing is copied).
        """
        have = set(tag_names(current))
        protected = set(immutable_tag_names(current)) & (have - set(target))
        for tag in sorted((set(target) | set(carried)) - have):
            holder = find_tagged(self.client, self.project, self.repository, tag)
            if holder is not None and holder.get('digest') != digest:
                protected.update(set(immutable_tag_names(holder)) & {tag})
                self.moves[tag] = holder['digest']
        # A tag that only the copy brings, and that the task then removes, exists nowhere yet: Harbor can only tell
        # its immutability from the rules once it is there, so the rules are read now.
        dropped = set(carried) - set(target) - set(self.moves)
        if dropped:
            protected.update(protected_tags(project_rules(self.client, self.project), self.repository, dropped))
        if protected:
            raise immutable_refusal('tags', sorted(protected), self.project, self.repository)

    def check_deletable(self, current):
        protected = immutable_tag_names(current)
        if protected:
            raise immutable_refusal('state=absent', protected, self.project, self.repository)

    def apply(self, current, desired):
        digest = current['digest']
        have = set(tag_names(current))
        if 'tags' in desired:
            for tag in sorted(set(desired['tags']) - have):
                if tag in self.moves:
                    delete_tag(self.client, self.project, self.repository, self.moves[tag], tag)
                add_tag(self.client, self.project, self.repository, digest, tag)
            for tag in sorted(have - set(desired['tags'])):
                delete_tag(self.client, self.project, self.repository, digest, tag)
        if 'labels' in desired:
            carrying = dict((label.get('name'), label) for label in current.get('labels') or [])
            for name in sorted(set(desired['labels']) - set(carrying)):
                add_label(self.client, self.project, self.repository, digest, self.labels[name]['id'])
            for name in sorted(set(carrying) - set(desired['labels'])):
                remove_label(self.client, self.project, self.repository, digest, carrying[name]['id'])


def describe_findings(findings):
    """'CVE-2099-0001 (High) in libfixture-high 1.0.0-1, fixed in 1.2.0-1; ...' for a failure message."""
    def one(finding):
        fix = ', fixed in %s' % finding['fix_version'] if finding['fix_version'] else ', no fix yet'
        return '%s (%s) in %s %s%s' % (finding['id'], finding['severity'], finding['package'], finding['version'], fix)
    return '; '.join(one(finding) for finding in findings)


def write_report(path, report):
    """Write the JSON report to `path`, readable by its owner only (it lists what an attacker would look for).

    Returns whether the file changed; an unchanged report is not written again.
    """
    text = json.dumps(report, indent=2, sort_keys=True) + '\n'
    try:
        with open(path, encoding='utf-8') as handle:
            same = handle.read() == text
        if same and (os.stat(path).st_mode & 0o777) == 0o600:
            return False
    except (IOError, OSError, ValueError):
        pass
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, 'w', encoding='utf-8') as handle:
            handle.write(text)
    except (IOError, OSError) as error:
        raise ValidationError('report_path %r cannot be written: %s' % (path, error))
    return True
