# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Harbor's cron check: ``utils.ValidateCronString`` on robfig/cron v3.

Harbor parses with Second|Minute|Hour|Dom|Month|Dow (six fields, no
``@daily`` descriptors, an optional ``TZ=``/``CRON_TZ=`` prefix), then
requires the first of the space-separated parts to be ``0`` when there
are exactly six of them (src/common/utils/utils.go).  The messages are
robfig's (parser.go), because Harbor appends them to its own.
"""

from __future__ import annotations

import datetime
import re

# (minimum, maximum, names) per field, in order (robfig spec.go bounds).
_MONTHS = {name: index + 1 for index, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))}
_DAYS = {name: index for index, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
FIELD_BOUNDS = ((0, 59, None), (0, 59, None), (0, 23, None), (1, 31, None), (1, 12, _MONTHS), (0, 6, _DAYS))
_GO_INT = re.compile(r"[+-]?\d+")


class CronError(ValueError):
    """The cron text does not parse; the message is robfig's."""


def _number(text, names):
    if names and text.lower() in names:
        return names[text.lower()]
    if not _GO_INT.fullmatch(text):
        raise CronError('failed to parse int from %s: strconv.Atoi: parsing "%s": invalid syntax' % (text, text))
    value = int(text)
    if value < 0:
        raise CronError("negative number (%d) not allowed: %s" % (value, text))
    return value


def _range(expr, bounds):
    """The values ``expr`` selects, and whether it is a plain ``*``/``?`` (robfig's star bit)."""
    low, high, names = bounds
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    star = low_and_high[0] in ("*", "?")
    if star:
        start, end = low, high
    else:
        start = _number(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _number(low_and_high[1], names)
        else:
            raise CronError("too many hyphens: %s" % expr)
    if len(range_and_step) == 2:
        step = _number(range_and_step[1], None)
        if len(low_and_high) == 1:
            end = high  # "N/step" means "N-max/step"
    elif len(range_and_step) > 2:
        raise CronError("too many slashes: %s" % expr)
    else:
        step = 1
    if start < low:
        raise CronError("beginning of range (%d) below minimum (%d): %s" % (start, low, expr))
    if end > high:
        raise CronError("end of range (%d) above maximum (%d): %s" % (end, high, expr))
    if start > end:
        raise CronError("beginning of range (%d) beyond end of range (%d): %s" % (start, end, expr))
    if step == 0:
        raise CronError("step of range should be a positive number: %s" % expr)
    return set(range(start, end + 1, step)), star and step == 1


def parse(spec):
    """The six fields of ``spec`` as (values, star) pairs; CronError when it does not parse."""
    if not spec:
        raise CronError("empty spec string")
    if spec.startswith(("TZ=", "CRON_TZ=")):
        # A time zone prefix is accepted; the emulator does not check the zone name.
        spec = spec[spec.find(" "):].strip() if " " in spec else ""
    if spec.startswith("@"):
        raise CronError("parser does not accept descriptors: %s" % spec)
    fields = spec.split()
    if len(fields) != 6:
        raise CronError("expected exactly 6 fields, found %d: [%s]" % (len(fields), " ".join(fields)))
    parsed = []
    for field, bounds in zip(fields, FIELD_BOUNDS):
        values, star = set(), False
        for expr in [part for part in field.split(",") if part]:
            selected, plain_star = _range(expr, bounds)
            values |= selected
            star = star or plain_star
        parsed.append((values, star))
    return parsed


def next_run(spec, after):
    """The first time after ``after`` (an aware datetime) that ``spec`` fires, or None within five years.

    Like robfig's SpecSchedule.Next: when day-of-month or day-of-week is a
    star both must match, otherwise either may.
    """
    try:
        fields = parse(spec)
    except CronError:
        return None
    seconds, minutes, hours, days, months, weekdays = (values for values, _star in fields)
    dom_star, dow_star = fields[3][1], fields[5][1]
    start = after.replace(microsecond=0) + datetime.timedelta(seconds=1)
    day = start.replace(hour=0, minute=0, second=0)
    for _index in range(5 * 366):
        day_matches = day.day in days, (day.weekday() + 1) % 7 in weekdays
        wanted = all(day_matches) if dom_star or dow_star else any(day_matches)
        if wanted and day.month in months:
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    for second in sorted(seconds):
                        moment = day.replace(hour=hour, minute=minute, second=second)
                        if moment >= start:
                            return moment
        day += datetime.timedelta(days=1)
    return None


def validation_error(cron):
    """ValidateCronString: the error text, or None when Harbor accepts ``cron``."""
    if not cron:
        return "empty cron string is invalid"
    try:
        parse(cron)
    except CronError as exc:
        return str(exc)
    parts = cron.split(" ")
    if len(parts) == 6 and parts[0] != "0":
        return "the 1st field (indicating Seconds of time) of the cron setting must be 0"
    return None
