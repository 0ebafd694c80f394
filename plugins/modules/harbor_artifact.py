#!/usr/bin/python
# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
---
module: harbor_artifact
short_description: Tag, label, copy (promote) or delete one artifact in Harbor
version_added: 0.2.0
description:
  - Manages one artifact (an image, a Helm chart, any OCI artifact) of a Harbor repository, addressed by its
    O(project), O(repository) and O(reference) (a tag or a digest).
  - O(tags) must point at the artifact. A tag that another artifact of the repository holds is moved, the way a
    push moves it; with O(tags_exclusive=true) the artifact's other tags are removed.
  - O(labels) are names of global labels or labels of the project (see M(cloudtemple.harbor.harbor_label)); with
    O(labels_exclusive=true) the artifact's other labels are removed.
  - O(copy_from) promotes an artifact by copying it into O(project)/O(repository) with Harbor's copy, which copies
    it within the registry with its cosign signatures and SBOMs, and brings the source's tags along. Nothing is
    copied when the digest is already in the repository.
  - O(state=absent) deletes the artifact, with its tags, signatures and SBOMs.
  - What Harbor would refuse is refused before any write, with the reason; moving or deleting a tag that an
    immutability rule of the project protects (see M(cloudtemple.harbor.harbor_immutable_rules)), a copy into a
    project or from an artifact that does not exist.
author:
  - Cloud Temple (@cloud-temple)
extends_documentation_fragment:
  - cloudtemple.harbor.harbor
  - cloudtemple.harbor.harbor.ATTRIBUTES
options:
  project:
    description:
      - Name of the project of the artifact. It must exist for O(state=present).
    type: str
    required: true
  repository:
    description:
      - Name of the repository inside the project, without the project, such as V(api) or V(team/api).
      - A copy creates it.
    type: str
    required: true
  reference:
    description:
      - The artifact, by a tag such as V(2.3.4) or by a digest such as V(sha256:...).
      - A tag is one of the tags the artifact must have (with O(copy_from), the tag the copy gets); a digest must
        be the digest of O(copy_from)'s artifact when both are given.
    type: str
    required: true
  tags:
    description:
      - Tags that must point at the artifact, besides a tag O(reference).
      - A tag held by another artifact of the repository is moved here (deleted there, added here).
      - The account needs C(tag:create), and C(tag:delete) to move or remove tags, on the project.
    type: list
    elements: str
  tags_exclusive:
    description:
      - Remove the artifact's tags that are neither in O(tags) nor O(reference), including those a copy brings.
      - Without O(tags), with a digest O(reference), the artifact is left untagged.
    type: bool
    default: false
  labels:
    description:
      - Names of the labels the artifact must carry, global labels or labels of O(project).
      - The account needs C(artifact-label:create) (and C(artifact-label:delete) to remove labels) on the project.
    type: list
    elements: str
  labels_exclusive:
    description:
      - Remove the artifact's labels that are not in O(labels) (all of them without O(labels)).
    type: bool
    default: false
  copy_from:
    description:
      - The artifact to copy here, as V(<project>/<repository>:<tag>) or V(<project>/<repository>@<digest>).
      - Harbor copies the artifact with its accessories (cosign signatures, SBOMs) and all its tags; its labels stay
        behind. Nothing is copied when its digest is already in O(project)/O(repository).
      - The account needs C(artifact:create) on O(project) and C(artifact:read) on the source project.
      - Only with O(state=present).
    type: str
  state:
    description:
      - V(present) tags, labels or copies the artifact; it must exist unless O(copy_from) is given.
      - V(absent) deletes it (C(artifact:delete)); tags that an immutability rule protects keep it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Moving a tag is two requests, delete there and add here, as Harbor's API has no atomic move. A pull by that
    tag in between fails.
seealso:
  - module: cloudtemple.harbor.harbor_label
  - module: cloudtemple.harbor.harbor_immutable_rules
  - name: Harbor's copy of artifacts
    description: Copying an artifact between projects in the Harbor UI.
    link: https://goharbor.io/docs/main/working-with-projects/working-with-images/retagging-images/
"""

EXAMPLES = r"""
---
- name: Promote the release to production by digest, with its signature and SBOM, tagged 2.3.4 only
  cloudtemple.harbor.harbor_artifact:
    project: payments-prod
    repository: api
    reference: 2.3.4
    copy_from: "payments/api@{{ lookup('cloudtemple.harbor.artifact_digest', 'payments/api:2.3.4') }}"
    tags_exclusive: true
    labels: [prod-approved]

- name: Point stable at the release (moved from the artifact that had it)
  cloudtemple.harbor.harbor_artifact:
    project: payments
    repository: api
    reference: 2.3.4
    tags: [stable]

- name: Delete an artifact by digest
  cloudtemple.harbor.harbor_artifact:
    project: payments
    repository: api
    reference: sha256:0b1c7d4e6f8a9b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4
    state: absent
"""

RETURN = r"""
---
artifact:
  description:
    - The artifact after the change; empty after deletion. In check mode, what it would be.
  returned: always
  type: dict
  sample:
    project: payments-prod
    repository: api
    digest: sha256:0b1c7d4e6f8a9b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4
    tags: ["2.3.4"]
    labels: [prod-approved]
copied:
  description: Whether O(copy_from) was copied (in check mode, would be).
  returned: always
  type: bool
"""

from ansible_collections.cloudtemple.harbor.plugins.module_utils import artifacts as art
from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import missing_project
from ansible_collections.cloudtemple.harbor.plugins.module_utils.engine import (
    Option,
    Resource,
    ValidationError,
    as_set,
    converge,
)
from ansible_collections.cloudtemple.harbor.plugins.module_utils.labels import check_label_name, labels_by_name
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import check_harbor_name


class Artifact(Resource):
    return_key = 'artifact'
    identity_options = ('project', 'repository', 'reference')
    options = (Option('tags', normalize=as_set), Option('labels', normalize=as_set))

    def __init__(self, module, client):
        super().__init__(module, client)
        self.project, self.repository = self.params['project'], self.params['repository']
        self.reference = self.params['reference']
        # copy_from as given (project, repository, reference), and what Harbor has there (digest, tags)
        self.source_ref = self.source = self.digest = self.found_project = None
        self.copied = False
        self.plan = art.ArtifactPlan(client, self.project, self.repository)

    def check_identity(self):
        check_harbor_name('project', self.project)
        art.check_repository('repository', self.repository)
        art.check_reference('reference', self.reference)
        if self.params['copy_from'] is not None:
            self.source_ref = art.parse_reference(self.params['copy_from'], 'copy_from')

    def derive(self, desired):
        tags = set(desired.get('tags') or ())
        tags.update(() if art.is_digest(self.reference) else (self.reference,))
        if tags or self.params['tags_exclusive']:
            desired['tags'] = sorted(tags)
        if self.params['labels_exclusive']:
            desired.setdefault('labels', [])
        return desired

    def validate(self, desired):
        if self.params['state'] == 'absent':
            given = [name for name in ('tags', 'labels', 'copy_from') if self.params[name] is not None]
            if given:
                raise ValidationError('%s: state=absent deletes the artifact; %s only apply to state=present'
                                      % (', '.join(given), ' and '.join(given)))
        for tag in self.params['tags'] or ():
            if not art.TAG_PATTERN.match(tag):
                raise ValidationError('tags: %r is not a tag (letters, digits, "_", "." and "-", up to 128 '
                                      'characters, not starting with "." or "-")' % tag)
        for name in self.params['labels'] or ():
            check_label_name('labels', name)

    def find(self):
        if self.found_project is None:
            self.found_project = self.client.get_project(self.project) or {}
        if not self.found_project:
            if self.params['state'] == 'absent':
                return None
            raise missing_project(self.project)
        if self.source_ref is not None and self.source is None:
            found = art.find_tagged(self.client, **self.source_ref)
            if found is None:
                raise ValidationError('copy_from: artifact %s does not exist in Harbor (no such project, repository, '
                                      'tag or digest)' % art.format_reference(**self.source_ref))
            self.source = dict(digest=found['digest'], tags=art.tag_names(found))
        current = art.find_tagged(self.client, self.project, self.repository,
                                  self.source['digest'] if self.source else self.reference)
        self.digest = (current or {}).get('digest') or self.digest
        return current

    def prepare(self, current, desired):
        if current is None and self.source is None:
            raise ValidationError('reference: artifact %s does not exist in Harbor; push it first, or give copy_from '
                                  'to copy it here' % art.format_reference(self.project, self.repository, self.reference))
        if self.source is not None and art.is_digest(self.reference) and self.reference != self.source['digest']:
            raise ValidationError('reference %s is not the digest of copy_from %s (%s)' % (
                self.reference, self.params['copy_from'], self.source['digest']))
        self.copied = current is None
        self.digest = self.source['digest'] if self.copied else current['digest']
        carried = self.source['tags'] if self.copied else []
        have = art.tag_names(current) if current else carried
        # The desired tags and labels become the whole sets the artifact ends with: the diff's after, apply()'s goal.
        if 'tags' in desired:
            desired['tags'] = sorted(set(desired['tags']) | (set() if self.params['tags_exclusive'] else set(have)))
        self.plan.check(self.digest, current, carried, desired.get('tags', have))
        if 'labels' in desired:
            carrying = self.label_names(current)
            if not self.params['labels_exclusive']:
                desired['labels'] = sorted(set(desired['labels']) | set(carrying))
            missing = sorted(set(desired['labels']) - set(carrying))
            self.plan.labels = labels_by_name(self.client, missing, self.project, self.found_project['project_id']) \
                if missing else {}

    @staticmethod
    def label_names(current):
        return sorted(label.get('name') for label in (current or {}).get('labels') or [])

    def identity(self):
        return dict(super().identity(), **({'digest': self.digest} if self.digest else {}))

    def view(self, current, wanted):
        values = dict(tags=art.tag_names(current), labels=self.label_names(current))
        return dict((name, value) for name, value in values.items() if name in wanted)

    def create(self, desired):
        # By the digest checked in prepare(), even when copy_from names a tag that may have moved since.
        art.copy_artifact(self.client, self.project, self.repository, dict(self.source_ref, reference=self.digest))
        self.plan.apply(self.find(), desired)

    def update(self, current, changes, desired):
        self.plan.apply(current, desired)

    def before_delete(self, current):
        self.plan.check_deletable(current)

    def delete(self, current):
        art.delete_artifact(self.client, self.project, self.repository, current['digest'])

    def result(self, current):
        return dict(project=self.project, repository=self.repository, digest=current.get('digest'),
                    tags=art.tag_names(current), labels=self.label_names(current))

    def planned(self, desired):
        return dict(project=self.project, repository=self.repository, digest=self.digest,
                    tags=desired.get('tags', self.source['tags']), labels=desired.get('labels', []))

    def report(self):
        return dict(copied=self.copied)


def main():
    converge(Artifact, dict(
        project=dict(type='str', required=True),
        repository=dict(type='str', required=True),
        reference=dict(type='str', required=True),
        tags=dict(type='list', elements='str'),
        tags_exclusive=dict(type='bool', default=False),
        labels=dict(type='list', elements='str'),
        labels_exclusive=dict(type='bool', default=False),
        copy_from=dict(type='str'),
    ))


if __name__ == '__main__':
    main()
