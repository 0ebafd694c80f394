# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Independent requests of one task sent concurrently: run_concurrently, and a session per thread."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.transport import Transport, run_concurrently
from ansible_collections.cloudtemple.harbor.tests.unit.harbor_fakes import FakeResponse


def test_calls_overlap_and_results_keep_the_order_of_the_items():
    # Three calls that each wait for the other two: they only finish if they run at the same time.
    barrier = threading.Barrier(3, timeout=10)

    def work(item):
        barrier.wait()
        return item * 2

    assert run_concurrently(work, [1, 2, 3], limit=3) == [2, 4, 6]


def test_at_most_the_limit_run_at_once():
    running, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def work(item):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(0.05)
        with lock:
            running[0] -= 1
        return item

    assert run_concurrently(work, range(10), limit=2) == list(range(10))
    assert peak[0] == 2


def test_every_call_ends_then_the_first_failure_in_item_order_is_raised():
    done = []

    def work(item):
        if item in (2, 4):
            raise ValueError('item %d failed' % item)
        done.append(item)
        return item

    with pytest.raises(ValueError, match='item 2 failed'):
        run_concurrently(work, [1, 2, 3, 4, 5], limit=3)
    assert sorted(done) == [1, 3, 5]


def test_a_limit_of_one_runs_in_order_in_this_thread():
    seen = []
    assert run_concurrently(lambda item: seen.append((item, threading.get_ident())) or item, [3, 1, 2], limit=1) == [3, 1, 2]
    assert seen == [(3, threading.get_ident()), (1, threading.get_ident()), (2, threading.get_ident())]


def test_another_thread_sends_with_its_own_copy_of_the_session(monkeypatch):
    transport = Transport(verify='/etc/ca.pem', cookies=False, proxies={'https': 'http://proxy:3128'})
    transport.session.auth = ('admin', 'Secr3t')
    used = []
    answer = FakeResponse(200, {})

    def request(session, method, url, **kwargs):
        used.append((session, session.auth, kwargs['verify'], session.proxies, session.headers['User-Agent'],
                     session.cookies.get_policy()))
        return answer

    monkeypatch.setattr('requests.Session.request', request)
    assert transport.send('GET', 'https://harbor.example.com/api/v2.0/ping') is answer
    assert run_concurrently(lambda _item: transport.send('GET', 'https://harbor.example.com/api/v2.0/ping'),
                            [1, 2], limit=2) == [answer, answer]
    primary = used[0]
    assert primary[0] is transport.session
    for other in used[1:]:
        assert other[0] is not transport.session
        assert other[1:5] == (('admin', 'Secr3t'), '/etc/ca.pem', {'https': 'http://proxy:3128'}, 'cloudtemple.harbor')
        assert other[5] is primary[5]
    assert transport.request_count == 3
