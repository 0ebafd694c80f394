# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""System schedules (GC, audit-log purge, scan all), Harbor's cron check and doublestar patterns."""

from __future__ import annotations

import datetime
import json
import os
import sys

import pytest

from emulator_client import Emulator, error_of

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# pylint: disable=wrong-import-position
from emulator.harbor import cron, doublestar  # noqa: E402

GC = "/system/gc/schedule"
PURGE = "/system/purgeaudit/schedule"
SCAN_ALL = "/system/scanAll/schedule"
PURGE_PARAMETERS = {"audit_retention_hour": 168, "include_event_types": "create_artifact,delete_artifact"}


def schedule(kind, cron_text=None, **parameters):
    body = {"schedule": {"type": kind}}
    if cron_text is not None:
        body["schedule"]["cron"] = cron_text
    if parameters:
        body["parameters"] = parameters
    return body


def test_nothing_scheduled_is_an_empty_200(fresh_emulator):
    for path in (GC, PURGE):
        response = fresh_emulator.get(path)
        assert response.status_code == 200 and response.content == b""
    # Without a scanner (run.py without --scanner) scan all is refused outright, as on a real Harbor.
    assert error_of(fresh_emulator.get(SCAN_ALL)) == ("PRECONDITION", "no scanner is configured, it's not possible to scan")


def test_gc_schedule(fresh_emulator):
    emulator = fresh_emulator
    created = emulator.post(GC, json=schedule("Daily", "0 0 0 * * *", delete_untagged=True, workers=3))
    assert created.status_code == 201 and created.headers["Location"] == "/api/v2.0/system/gc/0"
    body = emulator.get(GC).json()
    assert body["schedule"]["type"] == "Daily" and body["schedule"]["cron"] == "0 0 0 * * *"
    assert json.loads(body["job_parameters"]) == {"delete_tag": False, "delete_untagged": True, "workers": 3}
    assert body["job_parameters"] == '{"delete_tag":false,"delete_untagged":true,"workers":3}'
    assert body["job_kind"] == "0 0 0 * * *" and "deleted" not in body
    first_id = body["id"]
    # Every write replaces the schedule, even with the same values; omitted workers become 0.
    assert emulator.put(GC, json=schedule("Hourly", "0 0 * * * *")).status_code == 200
    body = emulator.get(GC).json()
    assert body["id"] != first_id and json.loads(body["job_parameters"])["workers"] == 0
    assert emulator.put(GC, json=schedule("None")).status_code == 200
    assert emulator.get(GC).content == b""


def test_gc_validation(fresh_emulator):
    emulator = fresh_emulator
    no_cron = emulator.put(GC, json=schedule("Weekly"))
    assert error_of(no_cron) == ("BAD_REQUEST", "invalid cron string for scheduled gc: , error: empty cron string is invalid")
    five = emulator.put(GC, json=schedule("Custom", "0 2 * * *"))
    assert error_of(five)[1].endswith("expected exactly 6 fields, found 5: [0 2 * * *]")
    workers = emulator.put(GC, json=schedule("Daily", "0 0 0 * * *", workers=11))
    assert error_of(workers) == ("BAD_REQUEST", "Error: Invalid number of workers:11. Workers must be greater than 0 "
                                                "and less than or equal to 10.")
    assert emulator.put(GC, json=schedule("Yearly", "0 0 0 1 1 *")).status_code == 422
    assert emulator.put(GC, json={"parameters": {}}).status_code == 500
    assert emulator.put(GC).status_code == 422
    manual = emulator.post(GC, json=schedule("Manual", delete_untagged=True))
    assert manual.status_code == 201
    run = emulator.get(manual.headers["Location"][len("/api/v2.0"):]).json()
    assert run["job_kind"] == "MANUAL" and run["job_status"] == "Success"
    assert emulator.get(GC).content == b""


def test_purge_schedule(fresh_emulator):
    emulator = fresh_emulator
    missing = emulator.post(PURGE, json=schedule("Daily", "0 0 0 * * *"))
    assert error_of(missing) == ("BAD_REQUEST", "bad request: schedule parameter cann't be empty")
    no_types = emulator.post(PURGE, json=schedule("Daily", "0 0 0 * * *", audit_retention_hour=24))
    assert error_of(no_types) == ("BAD_REQUEST", "bad request: include_event_types should provide")
    too_long = emulator.post(PURGE, json=schedule("Daily", "0 0 0 * * *", audit_retention_hour=240001,
                                                  include_event_types="create_artifact"))
    assert error_of(too_long) == ("BAD_REQUEST", "bad request: audit_retention_hour should be less than 240000")
    bad_cron = emulator.post(PURGE, json=schedule("Daily", "1 0 0 * * *", **PURGE_PARAMETERS))
    assert error_of(bad_cron)[1].startswith("invalid cron string for scheduled log rotation purge: 1 0 0 * * *")
    created = emulator.post(PURGE, json=schedule("Weekly", "0 0 0 * * 0", **PURGE_PARAMETERS))
    assert created.status_code == 201 and created.headers["Location"] == "/api/v2.0/system/purgeaudit/0"
    body = emulator.get(PURGE).json()
    assert body["schedule"]["type"] == "Weekly"
    assert json.loads(body["job_parameters"]) == PURGE_PARAMETERS
    # Even "None" needs the parameters.
    assert emulator.put(PURGE, json=schedule("None")).status_code == 400
    assert emulator.put(PURGE, json=schedule("None", **PURGE_PARAMETERS)).status_code == 200
    assert emulator.get(PURGE).content == b""


def test_scan_all_schedule():
    # Scan all needs a default scanner: this emulator registers its own adapter.
    emulator = Emulator(["--scanner"])
    try:
        _scan_all_schedule(emulator)
    finally:
        assert emulator.stop() == 0


def _scan_all_schedule(emulator):
    assert emulator.post(SCAN_ALL, json=schedule("None")).status_code == 201
    assert emulator.get(SCAN_ALL).content == b""
    assert emulator.post(SCAN_ALL, json=schedule("Daily", "0 0 0 * * *")).status_code == 201
    body = emulator.get(SCAN_ALL).json()
    assert body["schedule"] == {"type": "Daily", "cron": "0 0 0 * * *"} and body["id"] > 0
    again = emulator.post(SCAN_ALL, json=schedule("Hourly", "0 0 * * * *"))
    assert again.status_code == 412 and "please delete it firstly" in error_of(again)[1]
    # The same type and cron keep the schedule; another one replaces it.
    assert emulator.put(SCAN_ALL, json=schedule("Daily", "0 0 0 * * *")).status_code == 200
    assert emulator.get(SCAN_ALL).json()["id"] == body["id"]
    assert emulator.put(SCAN_ALL, json=schedule("Hourly", "0 0 * * * *")).status_code == 200
    assert emulator.get(SCAN_ALL).json()["id"] != body["id"]
    manual = emulator.put(SCAN_ALL, json=schedule("Manual"))
    assert error_of(manual) == ("BAD_REQUEST", "fail to update scan all schedule as wrong schedule type: Manual")
    hourly_without_cron = emulator.put(SCAN_ALL, json=schedule("Hourly"))
    assert error_of(hourly_without_cron)[1].startswith("invalid cron string for scheduled scan all")
    assert emulator.put(SCAN_ALL, json=schedule("None")).status_code == 200
    assert emulator.get(SCAN_ALL).content == b""
    emulator.seed(default_scanner=False)
    assert error_of(emulator.get(SCAN_ALL)) == ("PRECONDITION", "no scanner is configured, it's not possible to scan")


def test_gc_and_purge_runs_are_listed_newest_first(fresh_emulator):
    emulator = fresh_emulator
    for path in ("/system/gc", "/system/purgeaudit"):
        assert emulator.get(path).json() == []
    first = emulator.post(GC, json=schedule("Manual", delete_untagged=True, workers=2))
    second = emulator.post(GC, json=schedule("Manual", workers=1))
    assert first.status_code == second.status_code == 201
    emulator.post(PURGE, json=schedule("Manual", **PURGE_PARAMETERS))
    runs = emulator.get("/system/gc", params={"page": 1, "page_size": 1})
    assert runs.headers["X-Total-Count"] == "2" and len(runs.json()) == 1
    latest = runs.json()[0]
    assert latest["id"] == int(second.headers["Location"].rsplit("/", 1)[1])
    assert latest["job_kind"] == "MANUAL" and latest["job_status"] == "Success" and latest["job_name"] == "GARBAGE_COLLECTION"
    assert json.loads(latest["job_parameters"])["workers"] == 1
    purges = emulator.get("/system/purgeaudit").json()
    assert len(purges) == 1 and json.loads(purges[0]["job_parameters"])["audit_retention_hour"] == 168


def test_system_admins_only(fresh_emulator):
    _user, creds = fresh_emulator.add_user()
    for path in (GC, PURGE, SCAN_ALL, "/system/gc", "/system/purgeaudit"):
        assert fresh_emulator.get(path, auth=None).status_code == 401
        refused = fresh_emulator.get(path, auth=creds)
        assert refused.status_code == 403 and error_of(refused)[1] == creds[0]


@pytest.mark.parametrize("text, problem", [
    ("0 0 0 * * *", None),
    ("0 30 2 * * MON-FRI", None),
    ("0 */15 * * * ?", None),
    ("0 0 0 1,15 jan,jul *", None),
    ("0 0 * * *", "expected exactly 6 fields, found 5: [0 0 * * *]"),
    ("15 0 0 * * *", "the 1st field (indicating Seconds of time) of the cron setting must be 0"),
    ("0 0 24 * * *", "end of range (24) above maximum (23): 24"),
    ("0 0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
    ("0 0 0 * * 1-2-3", "too many hyphens: 1-2-3"),
    ("0 0/0 * * * *", "step of range should be a positive number: 0/0"),
    ("0 x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ("@daily", "parser does not accept descriptors: @daily"),
    ("", "empty cron string is invalid"),
])
def test_cron_check(text, problem):
    assert cron.validation_error(text) == problem


def test_next_run():
    after = datetime.datetime(2026, 3, 4, 10, 30, tzinfo=datetime.timezone.utc)  # a Wednesday
    assert cron.next_run("0 0 * * * *", after) == after.replace(hour=11, minute=0)
    assert cron.next_run("0 0 0 * * 0", after) == datetime.datetime(2026, 3, 8, tzinfo=datetime.timezone.utc)
    assert cron.next_run("0 0 0 30 2 *", after) is None


@pytest.mark.parametrize("pattern, name, expected", [
    ("**", "team/api", True),
    ("release-*", "release-1.0", True),
    ("release-*", "release", False),
    ("*", "team/api", False),
    ("team/*", "team/api", True),
    ("team/**", "team", False),
    ("**/api", "api", True),
    ("**/api", "a/b/api", True),
    ("a/**/b", "a/b", True),
    ("{v,}[0-9]*.[0-9]*.[0-9]*", "v1.2.3", True),
    ("{v,}[0-9]*.[0-9]*.[0-9]*", "1.2.3", True),
    ("{v,}[0-9]*.[0-9]*.[0-9]*", "latest", False),
    ("{api,web}", "web", True),
    ("v?.?", "v1.2", True),
    ("[^a-c]x", "dx", True),
    ("[^a-c]x", "ax", False),
    ("\\*", "*", True),
    ("", "anything/at/all", True),
])
def test_doublestar(pattern, name, expected):
    assert doublestar.match(pattern, name) is expected


@pytest.mark.parametrize("pattern", ["{a,b", "[abc", "[]", "[-a]", "trailing\\"])
def test_doublestar_bad_patterns(pattern):
    with pytest.raises(doublestar.PatternError):
        doublestar.match(pattern, "x")


def test_selector_untagged_semantics():
    assert doublestar.untagged_of("matches", "") is True
    assert doublestar.untagged_of("excludes", "") is False
    assert doublestar.untagged_of("matches", "{}") is False
    assert doublestar.untagged_of("excludes", "not json") is False
    assert doublestar.untagged_of("matches", '{"untagged":"yes"}') is True
    assert doublestar.tag_selected("matches", "v*", True, []) is True
    assert doublestar.tag_selected("excludes", "v*", True, []) is False
    assert doublestar.tag_selected("excludes", "v*", False, ["v1", "dev"]) is True
    assert doublestar.tag_selected("excludes", "v*", False, ["v1"]) is False
