# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures starting the emulator (``run.py``) as a subprocess."""

from __future__ import annotations

import pytest

from emulator_client import Emulator


@pytest.fixture(scope="module")
def emulator():
    """One plain-HTTP emulator shared by the tests of a module (use unique names)."""
    instance = Emulator(["--admin-password", "Harbor12345"])
    yield instance
    assert instance.stop() == 0


@pytest.fixture(scope="module")
def tls_emulator():
    instance = Emulator(["--tls"])
    yield instance
    assert instance.stop() == 0


@pytest.fixture
def fresh_emulator():
    """A private emulator for tests that change global settings."""
    instance = Emulator()
    yield instance
    assert instance.stop() == 0
