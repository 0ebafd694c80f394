# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""playbooks/rotate_robots.yml while a prober keeps pulling with whatever the cluster currently stores.

The prober does what a kubelet does before each pull: read the pull secret, log in with it. With blue/green not
one login may fail; with refresh, failures are confined to the window between the new secret and the update of
the pull secret.
"""

from __future__ import annotations

import threading
import time

import pytest

NAMESPACE = 'payments-prod'


class Prober:
    """Reads the pull secret and logs in with it, again and again, recording (time, logged in, username)."""

    def __init__(self, emulators):
        self.emulators = emulators
        self.outcomes = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            credentials = self.emulators.pull_credentials(NAMESPACE)
            logged_in = credentials is not None and self.emulators.login(*credentials)
            self.outcomes.append((time.monotonic(), logged_in, credentials[0] if credentials else None))
            time.sleep(0.02)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(timeout=10)

    @property
    def failures(self):
        return [index for index, (_when, logged_in, _username) in enumerate(self.outcomes) if not logged_in]


@pytest.fixture(scope='module', autouse=True)
def bootstrapped(playbook):
    run = playbook('bootstrap.yml')
    assert run.returncode == 0, run.output[-3000:]


def test_blue_green_never_leaves_the_cluster_without_working_credentials(emulators, playbook):
    before = emulators.pull_credentials(NAMESPACE)
    with Prober(emulators) as prober:
        run = playbook('rotate_robots.yml')
    assert run.returncode == 0, run.output[-3000:]
    assert len(prober.outcomes) > 20, 'the prober barely ran'
    assert prober.failures == []
    after = emulators.pull_credentials(NAMESPACE)
    assert after[0] == before[0] + '-green'
    assert emulators.login(*after) and not emulators.login(*before)
    # The prober saw the switch from the old robot to the new one while logging in all along.
    assert {username for _when, _ok, username in prober.outcomes} == {before[0], after[0]}


def test_bootstrap_after_a_rotation_follows_the_new_robot_and_changes_nothing(emulators, playbook):
    emulators.clear_logs()
    run = playbook('bootstrap.yml')
    assert run.returncode == 0 and run.changed == 0, run.output[-3000:]
    assert emulators.writes() == []


def test_a_pull_secret_deleted_after_a_rotation_is_healed_with_the_successor(emulators, playbook):
    # No stored copy logs in any more, so a secret must be regenerated: the successor's, not the disabled predecessor's.
    emulators.kube('DELETE', '/api/v1/namespaces/%s/secrets/harbor-pull-secret' % NAMESPACE)
    run = playbook('bootstrap.yml')
    assert run.returncode == 0, run.output[-3000:]
    healed = emulators.pull_credentials(NAMESPACE)
    assert healed[0] == 'robot$payments+pull-prod-green' and emulators.login(*healed)


def test_a_second_blue_green_rotation_returns_to_the_first_name(emulators, playbook):
    before = emulators.pull_credentials(NAMESPACE)
    with Prober(emulators) as prober:
        run = playbook('rotate_robots.yml')
    assert run.returncode == 0, run.output[-3000:]
    assert prober.failures == []
    after = emulators.pull_credentials(NAMESPACE)
    assert after[0] == 'robot$payments+pull-prod' and before[0] == 'robot$payments+pull-prod-green'
    assert emulators.login(*after)


def test_refresh_confines_failures_to_the_refresh_window(emulators, playbook):
    before = emulators.pull_credentials(NAMESPACE)
    with Prober(emulators) as prober:
        run = playbook('rotate_robots.yml', '-e', 'rotation_strategy=refresh')
    assert run.returncode == 0, run.output[-3000:]
    after = emulators.pull_credentials(NAMESPACE)
    assert after[0] == before[0] and after[1] != before[1] and emulators.login(*after)

    failures = prober.failures
    # One contiguous window, opened by the new secret and closed by the pull secret update, then success.
    if failures:
        assert failures == list(range(failures[0], failures[-1] + 1)), 'failures outside one window'
        assert prober.outcomes[failures[0] - 1][1] if failures[0] else True
        assert prober.outcomes[-1][1], 'credentials still broken after the rotation'
        window = prober.outcomes[failures[-1]][0] - prober.outcomes[failures[0]][0]
        started, finished = prober.outcomes[0][0], prober.outcomes[-1][0]
        assert window < (finished - started) / 2, 'the refresh window covers most of the rotation'
