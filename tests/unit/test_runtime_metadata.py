# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/runtime.yml must list every module in the harbor action group, or module_defaults silently skips it."""

from __future__ import annotations

import os

import yaml

COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def module_names():
    directory = os.path.join(COLLECTION_ROOT, 'plugins', 'modules')
    return sorted(name[:-3] for name in os.listdir(directory) if name.endswith('.py') and not name.startswith('_'))


def action_group():
    with open(os.path.join(COLLECTION_ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        runtime = yaml.safe_load(handle)
    return runtime['action_groups']['harbor']


def test_every_module_is_in_the_harbor_action_group():
    missing = sorted(set(module_names()) - set(action_group()))
    assert not missing, 'add these modules to action_groups.harbor in meta/runtime.yml: %s' % ', '.join(missing)


def test_the_action_group_names_only_existing_modules():
    unknown = sorted(set(action_group()) - set(module_names()))
    assert not unknown, 'meta/runtime.yml lists modules that do not exist: %s' % ', '.join(unknown)


def test_requires_ansible():
    with open(os.path.join(COLLECTION_ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        assert yaml.safe_load(handle)['requires_ansible'] == '>=2.16.0'


def test_every_module_has_its_action_plugin():
    """The action plugin runs the module inside the controller process; without it the module is much slower."""
    directory = os.path.join(COLLECTION_ROOT, 'plugins', 'action')
    actions = sorted(name[:-3] for name in os.listdir(directory) if name.endswith('.py'))
    assert actions == module_names()
