# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils import transport
from ansible_collections.cloudtemple.harbor.plugins.module_utils.client import forget_lookups


@pytest.fixture(autouse=True)
def fresh_lookups():
    """Every test starts like a new module process: no lookup answers remembered from another test."""
    forget_lookups()
    yield
    forget_lookups()


@pytest.fixture(autouse=True)
def one_request_at_a_time(monkeypatch):
    """The scripted conversations expect their requests in order: independent requests go out one after the other
    (test_transport.py tests them concurrent)."""
    monkeypatch.setattr(transport, 'MAX_CONCURRENT', 1)


@pytest.fixture(autouse=True)
def secret_records(monkeypatch, tmp_path):
    """harbor_robot's records of proven secrets go to a file of the test, never to the user's ~/.cache; each test
    starts without records. Returns the file's path."""
    path = str(tmp_path / 'secret-records' / 'robots.json')
    monkeypatch.setenv('HARBOR_SECRET_RECORDS', path)
    return path


@pytest.fixture(autouse=True)
def no_login_session(monkeypatch):
    """The scripted conversations speak the API only: reads stay on basic auth unless a test turns login sessions
    on (test_login_session.py)."""
    monkeypatch.setenv('HARBOR_LOGIN_SESSION', 'off')
