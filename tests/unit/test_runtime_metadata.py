# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""meta/runtime.yml must list every module in the harbor action group, or module_defaults silently skips it."""

from __future__ import annotations

import glob
import os
import re

import yaml
from ansible.release import __version__ as ansible_version

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


def pinned_ansible_cores():
    """The ansible-core versions the test requirement files pin (ansible-core==X.Y.Z)."""
    versions = []
    for path in glob.glob(os.path.join(COLLECTION_ROOT, 'tests', 'requirements*.txt')):
        with open(path, encoding='utf-8') as handle:
            versions += [release(match) for match in re.findall(r'^ansible-core==(\S+)', handle.read(), re.MULTILINE)]
    return versions


def release(text):
    return tuple(int(part) for part in re.match(r'(\d+)\.(\d+)(?:\.(\d+))?', text).groups(default='0'))


def test_requires_ansible_is_a_lower_bound_that_the_tested_versions_meet():
    """ansible-galaxy and ansible-core refuse the collection on a version below requires_ansible: every version the
    tests run on must meet it, or the promise names a version nobody has run."""
    with open(os.path.join(COLLECTION_ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as handle:
        requires = yaml.safe_load(handle)['requires_ansible']
    match = re.fullmatch(r'>=(\d+\.\d+\.0)', requires)
    assert match, 'requires_ansible should be a plain lower bound such as ">=2.16.0", not %r' % requires
    minimum = release(match.group(1))
    assert release(ansible_version) >= minimum, 'these tests run on ansible-core %s, below %s' % (ansible_version, requires)
    pinned = pinned_ansible_cores()
    assert pinned and min(pinned) >= minimum, 'a test requirement file pins an ansible-core below %s' % requires


def test_every_module_has_its_action_plugin():
    """The action plugin runs the module inside the controller process; without it the module is much slower."""
    directory = os.path.join(COLLECTION_ROOT, 'plugins', 'action')
    actions = sorted(name[:-3] for name in os.listdir(directory) if name.endswith('.py'))
    assert actions == module_names()
