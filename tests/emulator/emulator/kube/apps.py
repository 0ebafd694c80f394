# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""apps/v1 Deployments: what a rollout by image needs (the promote role sets a container's image).

pkg/registry/apps/deployment/strategy.go (generation bumped when the spec changes, status kept from the stored
object, the selector immutable), pkg/apis/apps/v1/defaults.go and pkg/apis/core/v1/defaults.go (the defaults the
server fills in, so that a client's GET-compare-PATCH sees what a real cluster shows), and
pkg/apis/apps/validation (selector required and matching the template's labels, containers with a name and an
image). There is no controller: no ReplicaSet or Pod is made, and the status is what the object was created with.
Strategic merge patches merge the pod template's containers by name, as the Go types' patchMergeKey says.
"""

from __future__ import annotations

from . import kinds, validation

POD_SPEC = ("spec", "template", "spec")
# types.go patchStrategy:"merge" lists of the pod template, with their patchMergeKey
STRATEGIES = {
    POD_SPEC + ("containers",): "name",
    POD_SPEC + ("initContainers",): "name",
    POD_SPEC + ("volumes",): "name",
    POD_SPEC + ("imagePullSecrets",): "name",
    POD_SPEC + ("containers", "env"): "name",
    POD_SPEC + ("containers", "ports"): "containerPort",
    POD_SPEC + ("containers", "volumeMounts"): "mountPath",
    POD_SPEC + ("initContainers", "env"): "name",
}
CONTAINER_DEFAULTS = {"terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}
POD_DEFAULTS = {"restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                "securityContext": {}, "schedulerName": "default-scheduler"}


def image_pull_policy(image):
    """core/v1 SetDefaults_Container: Always for :latest or no tag (a digest counts as a tag), else IfNotPresent."""
    reference = image.split("@", 1)
    if len(reference) == 2:
        return "IfNotPresent"
    last = reference[0].rsplit("/", 1)[-1]
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


class Deployments(kinds.Kind):
    resource, kind, singular, short_names = "deployments", "Deployment", "deployment", ("deploy",)
    group, api_version = "apps", "apps/v1"
    fields = {"spec": kinds.OBJECT, "status": kinds.OBJECT}
    strategies = {**kinds.Kind.strategies, **STRATEGIES}

    def prepare_create(self, obj):
        obj["metadata"]["generation"] = 1
        obj["status"] = obj.get("status") or {}
        self._defaults(obj)

    def prepare_update(self, obj, old):
        # strategy.go PrepareForUpdate: the status changes through /status only; a new spec is a new generation.
        obj["status"] = old.get("status") or {}
        self._defaults(obj)
        generation = old["metadata"].get("generation") or 1
        obj["metadata"]["generation"] = generation + 1 if obj.get("spec") != old.get("spec") else generation

    @staticmethod
    def _defaults(obj):
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        spec.setdefault("strategy", {"type": "RollingUpdate",
                                     "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        template = spec.get("template")
        if not isinstance(template, dict) or not isinstance(template.get("spec"), dict):
            return
        pod = template["spec"]
        for key, value in POD_DEFAULTS.items():
            pod.setdefault(key, value)
        for field in ("containers", "initContainers"):
            for container in pod.get(field) or []:
                if not isinstance(container, dict):
                    continue
                for key, value in CONTAINER_DEFAULTS.items():
                    container.setdefault(key, value)
                if isinstance(container.get("image"), str):
                    container.setdefault("imagePullPolicy", image_pull_policy(container["image"]))

    def validate(self, obj, old=None):
        causes = super().validate(obj, old)
        spec = obj.get("spec") or {}
        selector = spec.get("selector")
        match_labels = (selector or {}).get("matchLabels") if isinstance(selector, dict) else None
        if not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
            causes += validation.required("spec.selector", "")
        template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        labels = (template.get("metadata") or {}).get("labels") or {}
        if match_labels and any(labels.get(key) != value for key, value in match_labels.items()):
            causes.append(("spec.template.metadata.labels", "FieldValueInvalid",
                           'Invalid value: %s: `selector` does not match template `labels`' % _go_map(labels)))
        pod = template.get("spec") if isinstance(template.get("spec"), dict) else {}
        containers = pod.get("containers") or []
        if not containers:
            causes += validation.required("spec.template.spec.containers", "")
        names = set()
        for index, container in enumerate(containers):
            field = "spec.template.spec.containers[%d]" % index
            name = container.get("name") if isinstance(container, dict) else None
            if not name:
                causes += validation.required(field + ".name", "")
            else:
                causes += validation.dns1123_label(field + ".name", name)
                if name in names:
                    causes.append((field + ".name", "FieldValueDuplicate", 'Duplicate value: "%s"' % name))
                names.add(name)
            image = container.get("image") if isinstance(container, dict) else None
            if not isinstance(image, str) or not image.strip():
                causes += validation.required(field + ".image", "")
        if old is not None and selector != (old.get("spec") or {}).get("selector"):
            causes.append(("spec.selector", "FieldValueInvalid", "Invalid value: %s: field is immutable"
                           % _go_map(selector or {})))
        return causes


def _go_map(mapping):
    """How Go's %v prints a label map in these messages: map[app:web tier:front]."""
    if not isinstance(mapping, dict):
        return str(mapping)
    return "map[%s]" % " ".join("%s:%s" % (key, mapping[key]) for key in sorted(mapping))


KINDS = dict((kind.resource, kind) for kind in (Deployments(),))
