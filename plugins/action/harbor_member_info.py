# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runs the harbor_member_info module, inside the controller process when the task runs on the controller."""

from __future__ import annotations

from ansible_collections.cloudtemple.harbor.plugins.plugin_utils.module_action import HarborModuleAction


class ActionModule(HarborModuleAction):
    pass
