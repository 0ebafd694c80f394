# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The exceptions of the collection, in a module that imports nothing of it, so that any layer can raise them.

Every message says what the user can do, and none carries a request body, so none can leak a password or a secret.
`CollectionError` is what the engine's runner turns into a clean module failure.
"""

from __future__ import annotations


class CollectionError(Exception):
    """Something the module reports as its failure: a message, and details a playbook can branch on."""

    # A write whose answer was lost may have been applied: the engine looks before it writes again.
    ambiguous = False

    def __init__(self, message, status=None, method=None, path=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.method = method
        self.path = path

    def __str__(self):
        return self.message

    def details(self):
        """Extra keys for fail_json, so playbooks can branch on the status."""
        details = dict(status=self.status, method=self.method, path=self.path)
        return dict((key, value) for key, value in details.items() if value is not None)


class HarborError(CollectionError):
    """Anything that went wrong talking to Harbor, with what the user can do about it."""

    def __init__(self, message, status=None, code=None, method=None, path=None, hint=None, request_id=None,
                 harbor_message=None):
        super().__init__(message, status=status, method=method, path=path)
        self.code = code
        self.hint = hint
        self.request_id = request_id
        self.harbor_message = harbor_message

    def __str__(self):
        text = self.message
        if self.hint:
            text = '%s. %s' % (text.rstrip('.'), self.hint)
        return text

    def details(self):
        details = dict(status=self.status, code=self.code, method=self.method, path=self.path)
        if self.request_id:
            details['request_id'] = self.request_id
        return dict((key, value) for key, value in details.items() if value is not None)


class HarborCredentialsError(HarborError):
    """Harbor did not accept the user name and password."""


class HarborTransportError(HarborError):
    """No usable answer: connection refused or reset, timeout, TLS failure, or a gateway error after retries."""

    def __init__(self, message, ambiguous=False, **kwargs):
        super().__init__(message, **kwargs)
        # True when the request may have reached Harbor and been applied (a write whose answer got lost).
        self.ambiguous = ambiguous


class ValidationError(HarborError):
    """Bad input, found before any request was sent."""


class KubeError(CollectionError):
    """A failed Kubernetes API call, or a connection that could not be set up."""

    def __init__(self, message, status=None, reason=None, method=None, path=None):
        super().__init__(message, status=status, method=method, path=path)
        self.reason = reason

    def details(self):
        details = dict(status=self.status, reason=self.reason, method=self.method, path=self.path)
        return dict((key, value) for key, value in details.items() if value is not None)
