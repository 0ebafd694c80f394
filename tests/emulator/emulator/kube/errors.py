# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API server's error answers: a ``Status`` object whose ``reason`` and ``code`` clients branch on.

Mirrors k8s.io/apimachinery/pkg/api/errors/errors.go (NewNotFound, NewAlreadyExists, NewConflict,
NewInvalid, NewForbidden, NewBadRequest...): the message formats below are the ones kubectl prints
after "Error from server (<reason>):".
"""

from __future__ import annotations

from http import HTTPStatus

REASONS = {
    400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
    406: "NotAcceptable", 409: "Conflict", 410: "Expired", 415: "UnsupportedMediaType", 422: "Invalid",
    429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout",
}


class KubeError(Exception):
    """A failed request; ``status_body()`` is what the API server answers."""

    def __init__(self, code, message, reason=None, details=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason or REASONS.get(code, "")
        self.details = details

    def status_body(self):
        return status_body(self.code, self.message, self.reason, self.details)


def status_body(code, message, reason=None, details=None, success=False):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success" if success else "Failure"}
    if message:
        body["message"] = message
    if reason or not success:
        body["reason"] = reason if reason is not None else REASONS.get(code, "")
    if details is not None:
        body["details"] = details
    if code is not None:
        body["code"] = code
    return body


def fault_status(code):
    """Status body of an injected fault (the Harbor emulator renders its own envelope instead)."""
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = "Error"
    return status_body(code, "injected fault: %s" % phrase, REASONS.get(code, phrase.replace(" ", "")))


def status_details(qualified, name):
    """StatusDetails of a group resource (or kind): "deployments.apps" is kind deployments in group apps."""
    resource, _dot, group = qualified.partition(".")
    details = {"name": name} if name else {}
    if group:
        details["group"] = group
    details["kind"] = resource
    return details


def not_found(resource, name):
    return KubeError(404, '%s "%s" not found' % (resource, name), details=status_details(resource, name))


def unknown_resource():
    return KubeError(404, "the server could not find the requested resource", details={})


def already_exists(resource, name):
    return KubeError(409, '%s "%s" already exists' % (resource, name), "AlreadyExists",
                     status_details(resource, name))


def conflict(resource, name, why="the object has been modified; please apply your changes to the latest version "
                                 "and try again"):
    return KubeError(409, 'Operation cannot be fulfilled on %s "%s": %s' % (resource, name, why), "Conflict",
                     status_details(resource, name))


def invalid(kind, name, causes):
    """422 with one cause per field error; ``causes`` are (field, reason, message) triples.

    kind is qualified by its group as the message names it (Deployment.apps), as NewInvalid's GroupKind does."""
    texts = ["%s: %s" % (field, message) for field, _reason, message in causes]
    summary = texts[0] if len(texts) == 1 else "[%s]" % ", ".join(texts)
    status_causes = [{"reason": reason, "message": message, "field": field} for field, reason, message in causes]
    details = dict(status_details(kind, name), causes=status_causes)
    return KubeError(422, '%s "%s" is invalid: %s' % (kind, name, summary), "Invalid", details)


def bad_request(message):
    return KubeError(400, message, "BadRequest")


def forbidden(resource, name, user, verb, namespace, group=""):
    """RBAC denial, worded as the authorizer words it."""
    scope = 'in the namespace "%s"' % namespace if namespace else "at the cluster scope"
    qualified = "%s.%s" % (resource, group) if group else resource
    subject = '%s "%s"' % (qualified, name) if name else qualified
    message = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s' % (
        subject, user, verb, resource, group, scope)
    return KubeError(403, message, "Forbidden", status_details(qualified, name))


def forbidden_path(user, path):
    return KubeError(403, 'forbidden: User "%s" cannot get path "%s"' % (user, path), "Forbidden", {})


def unauthorized():
    return KubeError(401, "Unauthorized", "Unauthorized")


def method_not_allowed():
    return KubeError(405, "the server does not allow this method on the requested resource", "MethodNotAllowed", {})


def unsupported_patch_type():
    """A PATCH whose Content-Type is no patch format: the patch handler's generic answer, not the negotiator's."""
    return KubeError(415, "415: Unsupported Media Type", "UnsupportedMediaType", {})


def unsupported_media_type(accepted):
    """negotiation.NegotiateInputSerializer's answer, which does not name the type it got."""
    return KubeError(415, 'the body of the request was in an unknown format - accepted media types include: %s'
                     % ", ".join(accepted), "UnsupportedMediaType")


def internal(message):
    return KubeError(500, "Internal error occurred: %s" % message, "InternalError", {"causes": [{"message": message}]})
