# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The system CVE allowlist (/system/CVEAllowlist), as REAL-HARBOR.md describes it."""

from __future__ import annotations

from emulator_client import error_of

ALLOWLIST = "/system/CVEAllowlist"


def test_a_fresh_harbor_has_an_empty_allowlist_that_every_user_reads(fresh_emulator):
    assert fresh_emulator.get(ALLOWLIST).json() == {
        "items": [], "creation_time": "0001-01-01T00:00:00.000Z", "update_time": "0001-01-01T00:00:00.000Z"}
    _username, creds = fresh_emulator.add_user()
    assert fresh_emulator.get(ALLOWLIST, auth=creds).status_code == 200
    assert fresh_emulator.get(ALLOWLIST, auth=None).status_code == 401


def test_put_replaces_everything_and_ignores_ids(fresh_emulator):
    body = {"id": 99, "items": [{"cve_id": "CVE-2024-0001"}, {"cve_id": "CVE-2024-0002"}], "expires_at": 1767225600}
    assert fresh_emulator.put(ALLOWLIST, json=body).status_code == 200
    first = fresh_emulator.get(ALLOWLIST).json()
    assert first["items"] == body["items"] and first["expires_at"] == 1767225600
    assert first["id"] != 99 and "project_id" not in first
    assert fresh_emulator.put(ALLOWLIST, json={"items": [{"cve_id": "CVE-2024-0003"}]}).status_code == 200
    second = fresh_emulator.get(ALLOWLIST).json()
    assert second["items"] == [{"cve_id": "CVE-2024-0003"}] and "expires_at" not in second
    assert second["id"] == first["id"] and second["creation_time"] >= first["creation_time"]


def test_empty_or_duplicate_ids_fail_inside_harbor(fresh_emulator):
    before = fresh_emulator.get(ALLOWLIST).json()
    for items in ([{"cve_id": " "}], [{"cve_id": "CVE-2024-0001"}, {"cve_id": "CVE-2024-0001"}]):
        assert error_of(fresh_emulator.put(ALLOWLIST, json={"items": items})) == ("UNKNOWN", "internal server error")
    assert fresh_emulator.get(ALLOWLIST).json() == before
    assert fresh_emulator.put(ALLOWLIST, json={"items": [], "expires_at": "soon"}).status_code == 422


def test_only_system_administrators_change_it(fresh_emulator):
    username, creds = fresh_emulator.add_user()
    assert error_of(fresh_emulator.put(ALLOWLIST, json={"items": []}, auth=creds)) == ("FORBIDDEN", username)
    assert fresh_emulator.put(ALLOWLIST, json={"items": []}, auth=None).status_code == 401
