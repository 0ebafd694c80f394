# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible_collections.cloudtemple.harbor.plugins.module_utils.errors import ValidationError
from ansible_collections.cloudtemple.harbor.plugins.module_utils.validation import (
    check_given,
    check_not_blank,
    check_range,
)


def test_check_given_checks_the_options_set_in_order_and_skips_those_left_out():
    seen = []

    def rule(option, value):
        seen.append((option, value))
        if value == 'bad':
            raise ValidationError('%s is bad' % option)

    check_given(dict(project='p', name=None, user='u'), user=rule, name=rule, project=rule)
    assert seen == [('user', 'u'), ('project', 'p')]
    with pytest.raises(ValidationError, match='^user is bad$'):
        check_given(dict(user='bad', project='bad'), user=rule, project=rule)


@pytest.mark.parametrize('value', ['', '   '])
def test_a_blank_value_is_refused_naming_the_option(value):
    with pytest.raises(ValidationError, match='^group must not be empty$'):
        check_not_blank('group', value)


def test_a_value_out_of_range_is_refused_with_the_range():
    assert check_range('executions', 0, 0, 100) == 0
    with pytest.raises(ValidationError, match='^executions must be 0 to 100, got 101$'):
        check_range('executions', 101, 0, 100)
