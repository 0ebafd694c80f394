# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/runtime.yml must list every module in the harbor action group, or module_defaults silently skips it, and state
the oldest ansible-core that make test tests; the README names exactly the versions tested."""

from __future__ import annotations

import os
import re

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


def pinned_cores():
    """{(major, minor): pinned version} of every ansible-core that make test runs on: one pin file each."""
    directory = os.path.join(COLLECTION_ROOT, 'tests', 'requirements')
    cores = {}
    for name in os.listdir(directory):
        match = re.match(r'ansible-core-(\d+)\.(\d+)\.txt$', name)
        if match:
            with open(os.path.join(directory, name), encoding='utf-8') as handle:
                pins = re.findall(r'^ansible-core==(\S+)$', handle.read(), re.MULTILINE)
            assert len(pins) == 1, '%s must pin ansible-core exactly once' % name
            cores[(int(match.group(1)), int(match.group(2)))] = pins[0]
    return cores


def test_each_pin_file_pins_the_core_it_is_named_after():
    for (major, minor), version in pinned_cores().items():
        assert version.startswith('%d.%d.' % (major, minor)), 'ansible-core-%d.%d.txt pins %s' % (major, minor, version)


def test_requires_ansible_is_the_oldest_core_tested():
    with open(os.path.join(COLLECTION_ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        requires_ansible = yaml.safe_load(handle)['requires_ansible']
    assert requires_ansible == '>=%d.%d.0' % min(pinned_cores())


def test_the_readme_names_every_core_tested():
    """The README's version table says what is tested: every pinned version, and no other ansible-core release."""
    with open(os.path.join(COLLECTION_ROOT, 'README.md'), encoding='utf-8') as handle:
        row = [line for line in handle if line.startswith('| ansible-core |')]
    assert len(row) == 1, 'README.md needs one "| ansible-core |" row in its version table'
    named = set(re.findall(r'\b\d+\.\d+\.\d+\b', row[0]))
    assert named == set(pinned_cores().values())


def test_every_module_has_its_action_plugin():
    """The action plugin runs the module inside the controller process; without it the module is much slower."""
    directory = os.path.join(COLLECTION_ROOT, 'plugins', 'action')
    actions = sorted(name[:-3] for name in os.listdir(directory) if name.endswith('.py'))
    assert actions == module_names()
