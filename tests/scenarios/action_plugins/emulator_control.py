# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Test-only action: call a control endpoint of the emulators (/_emulator/...) from inside a playbook.

The hardening playbooks inject a fault, run a module, and check the fault was consumed, many times in one
run; this action does the HTTP call in the controller process, so a step costs milliseconds rather than
a module start. It reads where the emulators are from the play variable `hardening_emulators`
({harbor: URL, kube: URL, ca: PEM path of the Kubernetes emulator's CA, harbor_ca: the Harbor CA with --tls}).

    - emulator_control: {emulator: harbor, method: POST, path: /faults, body: {status: 503, path: /robots}}
    - emulator_control: {pop_requests: true}    # {harbor: [...], kube: [...]}, both logs read then cleared
    - emulator_control: {pop_requests: true, note: "{{ ansible_failed_result }}"}   # `note` is returned as given
    - emulator_control: {pop_faults: true}      # {faults: [...], interleaved: [...]} still pending, then cleared
"""

from __future__ import annotations

import json
import ssl
import urllib.request

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    """Returns {json: the decoded answer, status: HTTP status}; never changes anything the collection manages."""

    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        emulators = (task_vars or {}).get('hardening_emulators') or {}
        args = self._task.args
        if args.get('pop_requests'):
            logs = dict((which, call(emulators, which, 'GET', '/requests')[1]) for which in ('harbor', 'kube'))
            for which in ('harbor', 'kube'):
                call(emulators, which, 'DELETE', '/requests')
            return dict(result, changed=False, note=args.get('note'), **logs)
        if args.get('pop_faults'):
            pending = dict(faults=call(emulators, 'harbor', 'GET', '/faults')[1] + call(emulators, 'kube', 'GET', '/faults')[1],
                           interleaved=call(emulators, 'kube', 'GET', '/interleave')[1])
            for which, path in (('harbor', '/faults'), ('kube', '/faults'), ('kube', '/interleave')):
                call(emulators, which, 'DELETE', path)
            return dict(result, changed=False, **pending)
        status, answer = call(emulators, args.get('emulator', 'harbor'), args.get('method', 'GET'),
                              args.get('path', '/requests'), args.get('body'))
        return dict(result, changed=False, status=status, json=answer)


def call(emulators, which, method, path, body=None):
    """(status, decoded JSON answer) of one control request."""
    base = emulators[which]
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base.rstrip('/') + '/_emulator' + path, data=data, method=method.upper(),
                                     headers={'Content-Type': 'application/json'})
    context = None
    if base.startswith('https:'):
        context = ssl.create_default_context(cafile=emulators.get('harbor_ca' if which == 'harbor' else 'ca'))
    with urllib.request.urlopen(request, context=context, timeout=30) as response:  # nosec: loopback test endpoint
        answer = response.read()
        return response.status, json.loads(answer) if answer else None
