# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""apps/v1 Deployments: what a rollout by image needs (the promote role sets a container's image).

pkg/registry/apps/deployment/strategy.go (generation bumped when the spec changes, status kept from the stored
object, the selector immutable), pkg/apis/apps/v1/defaults.go and pkg/apis/core/v1/defaults.go (the defaults the
server fills in, so that a client's GET-compare-PATCH sees what a real cluster shows), and
pkg/apis/apps/validation (selector required, not empty and matching the template's labels by matchLabels and
matchExpressions, containers with a name and an image; bad values printed as JSON, as since 1.34). There is no
controller: no ReplicaSet or Pod is made, and the status is what the object was created with ({} if none).
Strategic merge patches merge the pod template's containers by name, as the Go types' patchMergeKey says.
"""

from __future__ import annotations

from . import kinds, selectors, validation

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
# resources is a struct, which Go's encoder writes even when empty: a real server answers "resources": {}
CONTAINER_DEFAULTS = {"terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
                      "resources": {}}
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

    def serialize(self, obj):
        # spec and status are structs: written even when empty (a Deployment no controller has seen has "status": {})
        obj = super().serialize(obj)
        obj.setdefault("status", {})
        return obj

    def validate(self, obj, old=None):
        causes = super().validate(obj, old)
        spec = obj.get("spec") or {}
        selector = spec.get("selector") if isinstance(spec.get("selector"), dict) else None
        if selector is None:
            causes += validation.required("spec.selector", "")
        elif not (selector.get("matchLabels") or selector.get("matchExpressions")):
            causes.append(("spec.selector", "FieldValueInvalid", "Invalid value: %s: empty selector is invalid for "
                           "deployment" % validation.bad_value(_selector_value(selector), struct=True)))
        template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
        labels = (template.get("metadata") or {}).get("labels")
        # no selector matches no labels, so a missing one is also a mismatch; an empty one matches all
        if not selectors.selector_matcher(selector)(labels):
            causes.append(("spec.template.metadata.labels", "FieldValueInvalid",
                           "Invalid value: %s: `selector` does not match template `labels`"
                           % validation.bad_value(labels)))
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
                           % validation.bad_value(_selector_value(selector), struct=True)))
        return causes


def _selector_value(selector):
    """A metav1.LabelSelector as json.Marshal writes it: its fields in Go order, empty ones left out."""
    if selector is None:
        return None
    value = {}
    if selector.get("matchLabels"):
        value["matchLabels"] = dict(sorted(selector["matchLabels"].items()))
    if selector.get("matchExpressions"):
        value["matchExpressions"] = [
            dict((key, expression[key]) for key in ("key", "operator", "values") if expression.get(key))
            for expression in selector["matchExpressions"] if isinstance(expression, dict)]
    return value


KINDS = dict((kind.resource, kind) for kind in (Deployments(),))
