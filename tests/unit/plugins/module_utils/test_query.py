# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The `query` option: compiled before any request, jmespath needed only when a task sets it."""

from __future__ import annotations

import sys

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils import query
from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError


class Failed(Exception):
    pass


class FakeModule:
    def __init__(self, expression):
        self.params = dict(query=expression)

    def fail_json(self, **result):
        raise Failed(result)


def test_no_query_needs_no_jmespath(monkeypatch):
    monkeypatch.setitem(sys.modules, 'jmespath', None)  # importing it now raises ImportError
    assert query.compile_query(FakeModule(None)) is None


def test_a_query_without_jmespath_fails_naming_the_library(monkeypatch):
    monkeypatch.setitem(sys.modules, 'jmespath', None)
    with pytest.raises(Failed) as failed:
        query.compile_query(FakeModule('[].name'))
    assert 'jmespath' in failed.value.args[0]['msg']


def test_a_query_is_compiled_and_a_bad_one_names_the_option():
    assert query.compile_query(FakeModule('[].name')).search([dict(name='a')]) == ['a']
    with pytest.raises(ValidationError, match='query is not a valid JMESPath expression'):
        query.compile_query(FakeModule('[.name'))
