# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One module per Harbor resource; every module here is imported automatically.

A module registers its routes with ``@core.route`` and may subscribe to the
hooks of ``core`` (``on_project_create``, ``on_project_delete``,
``immutable_matcher``, ``security_generator``, ``seed_handler``).
"""
