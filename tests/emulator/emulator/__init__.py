# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP emulators used by the cloudtemple.harbor tests (Harbor API v2.0)."""
