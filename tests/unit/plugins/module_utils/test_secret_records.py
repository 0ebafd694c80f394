# Copyright (c) 2026, Cloud Temple
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The records of proven robot secrets: where they live, what they hold, and writers at the same time."""

from __future__ import annotations

import json
import os
import threading

from ansible_collections.cloudtemple.harbor.plugins.module_utils.secret_records import ITERATIONS, SecretRecords, records_path

HARBOR = 'https://harbor.example.com'
SECRET = 'Chosen-Secret9'
ROBOT = dict(id=7, name='robot$payments+ci', update_time='2026-01-05T10:00:00.000Z')


def test_the_file_is_in_the_user_cache_unless_moved_or_turned_off(tmp_path):
    home = os.path.expanduser('~')
    assert records_path({}) == os.path.join(home, '.cache', 'cloudtemple-harbor', 'secret-records', 'robots.json')
    assert records_path({'XDG_CACHE_HOME': '/xdg'}) == '/xdg/cloudtemple-harbor/secret-records/robots.json'
    moved = str(tmp_path / 'records.json')
    assert records_path({'HARBOR_SECRET_RECORDS': moved, 'XDG_CACHE_HOME': '/xdg'}) == moved
    for off in ('off', 'OFF', 'false', 'no', '0'):
        assert records_path({'HARBOR_SECRET_RECORDS': off}) is None


def test_a_record_proves_only_the_same_secret_robot_update_time_and_harbor(secret_records):
    records = SecretRecords(HARBOR, secret_records)
    assert not records.proves(ROBOT, SECRET)
    records.remember(ROBOT, SECRET)
    assert records.proves(ROBOT, SECRET)
    assert records.proves(dict(ROBOT), SECRET)
    assert not records.proves(ROBOT, SECRET + 'x')
    assert not records.proves(dict(ROBOT, update_time='2026-01-05T10:00:00.001Z'), SECRET)
    assert not records.proves(dict(ROBOT, id=8), SECRET)
    assert not records.proves(dict(ROBOT, name='robot$payments+cd'), SECRET)
    assert not SecretRecords('https://other.example.com', secret_records).proves(ROBOT, SECRET)
    # A robot without update_time can never be trusted to be unchanged.
    records.remember(dict(ROBOT, id=9, update_time=None), SECRET)
    assert not records.proves(dict(ROBOT, id=9, update_time=None), SECRET)


def test_the_file_holds_a_salted_slow_hash_never_the_secret(secret_records):
    records = SecretRecords(HARBOR, secret_records)
    records.remember(ROBOT, SECRET)
    records.remember(dict(ROBOT, id=8), SECRET)
    with open(secret_records, encoding='utf-8') as handle:
        text = handle.read()
    assert SECRET not in text and SECRET.encode('utf-8').hex() not in text
    first, second = json.loads(text)['robots'].values()
    assert first['iterations'] == second['iterations'] == ITERATIONS >= 10000
    assert first['salt'] != second['salt'] and first['hash'] != second['hash']
    assert os.stat(secret_records).st_mode & 0o777 == 0o600
    assert os.stat(os.path.dirname(secret_records)).st_mode & 0o777 == 0o700


def test_writers_at_the_same_time_keep_each_others_records(secret_records):
    robots = [dict(ROBOT, id=number) for number in range(12)]
    threads = [threading.Thread(target=SecretRecords(HARBOR, secret_records).remember, args=(robot, SECRET))
               for robot in robots]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    records = SecretRecords(HARBOR, secret_records)
    assert all(records.proves(robot, SECRET) for robot in robots)
    assert [name for name in os.listdir(os.path.dirname(secret_records)) if not name.startswith('robots.json')] == []


def test_a_record_of_another_round_count_is_not_trusted(secret_records):
    records = SecretRecords(HARBOR, secret_records)
    records.remember(ROBOT, SECRET)
    with open(secret_records, encoding='utf-8') as handle:
        content = json.load(handle)
    for record in content['robots'].values():
        record['iterations'] = ITERATIONS * 1000
    with open(secret_records, 'w', encoding='utf-8') as handle:
        json.dump(content, handle)
    assert not records.proves(ROBOT, SECRET)


def test_forget_drops_one_record(secret_records):
    records = SecretRecords(HARBOR, secret_records)
    records.remember(ROBOT, SECRET)
    records.remember(dict(ROBOT, id=8), SECRET)
    records.forget(ROBOT)
    assert not records.proves(ROBOT, SECRET) and records.proves(dict(ROBOT, id=8), SECRET)


def test_an_unwritable_place_only_means_no_record(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('not a directory')
    records = SecretRecords(HARBOR, str(blocker / 'robots.json'))
    records.remember(ROBOT, SECRET)
    assert not records.proves(ROBOT, SECRET)


def test_logs_in_asks_harbor_only_without_a_matching_record(secret_records):
    asked = []

    class Client:
        @staticmethod
        def accepts(name, secret):
            asked.append(name)
            return secret == SECRET

    records = SecretRecords(HARBOR, secret_records)
    assert records.logs_in(Client, ROBOT['name'], SECRET, ROBOT) and asked == [ROBOT['name']]
    assert records.logs_in(Client, ROBOT['name'], SECRET, ROBOT) and len(asked) == 1
    # Without the robot as read before the login there is no update_time to record the secret with.
    assert records.logs_in(Client, ROBOT['name'], SECRET) and len(asked) == 2
    assert not records.logs_in(Client, ROBOT['name'], 'Wrong-Secret1', ROBOT) and len(asked) == 3


def test_a_record_awaiting_a_login_proves_nothing_until_a_login_with_its_secret(secret_records):
    records = SecretRecords(HARBOR, secret_records)
    records.remember(ROBOT, SECRET, proven=False)
    other_harbor = SecretRecords('https://other.example.com', secret_records)
    other_harbor.remember(ROBOT, SECRET, proven=False)
    assert not records.proves(ROBOT, SECRET)
    # Another secret, another robot's name, another Harbor: still awaiting.
    records.confirm(ROBOT['name'], 'Other-Secret9')
    records.confirm('robot$payments+cd', SECRET)
    SecretRecords('https://third.example.com', secret_records).confirm(ROBOT['name'], SECRET)
    assert not records.proves(ROBOT, SECRET) and not other_harbor.proves(ROBOT, SECRET)
    records.confirm(ROBOT['name'], SECRET)
    assert records.proves(ROBOT, SECRET) and not other_harbor.proves(ROBOT, SECRET)
    # Proven for the update_time read after the secret was set, and that one only.
    assert not records.proves(dict(ROBOT, update_time='2026-01-05T10:00:00.001Z'), SECRET)
    assert not records.proves(ROBOT, 'Other-Secret9')


def test_a_login_without_a_record_awaiting_it_writes_nothing(tmp_path):
    path = tmp_path / 'records' / 'robots.json'
    SecretRecords(HARBOR, str(path)).confirm(ROBOT['name'], SECRET)
    assert not (tmp_path / 'records').exists()
    records = SecretRecords(HARBOR, str(path))
    records.remember(ROBOT, SECRET)
    before = path.read_text(encoding='utf-8')
    records.confirm(ROBOT['name'], SECRET)
    assert path.read_text(encoding='utf-8') == before and records.proves(ROBOT, SECRET)
    SecretRecords(HARBOR, None).confirm(ROBOT['name'], SECRET)
