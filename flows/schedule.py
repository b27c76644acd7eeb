"""Time maths for the weekly check-in: a weekday and a local time in the member's IANA zone.

Everything takes aware datetimes and returns aware UTC datetimes. Local times are resolved with
zoneinfo, so the check-in stays at 09:00 local across daylight-saving changes. A local time that does
not exist (the hour skipped in spring) resolves to the same wall-clock offset as before the change,
i.e. an hour later; a time that occurs twice (autumn) is taken at its first occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "UTC"
DEFAULT_WEEKDAY = 0  # Monday
DEFAULT_TIME = time(9, 0)
LATE_SEND_WINDOW = timedelta(days=1)


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or DEFAULT_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def occurrence(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock ``at`` on ``day`` in ``tz``."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def previous_checkin(now: datetime, tz_name: str | None, weekday: int, at: time) -> datetime:
    """The latest scheduled check-in at or before ``now``."""
    tz = zone(tz_name)
    local_day = now.astimezone(tz).date()
    day = local_day - timedelta(days=(local_day.weekday() - weekday) % 7)
    instant = occurrence(day, at, tz)
    if instant > now:
        instant = occurrence(day - timedelta(days=7), at, tz)
    return instant


def next_checkin(now: datetime, tz_name: str | None, weekday: int, at: time) -> datetime:
    """The first scheduled check-in strictly after ``now``."""
    tz = zone(tz_name)
    local_day = now.astimezone(tz).date()
    day = local_day + timedelta(days=(weekday - local_day.weekday()) % 7)
    instant = occurrence(day, at, tz)
    if instant <= now:
        instant = occurrence(day + timedelta(days=7), at, tz)
    return instant


def week_key(instant: datetime, tz_name: str | None) -> str:
    """The ISO week of ``instant`` in the member's zone, e.g. ``2026-W48``: one check-in per key."""
    year, week, _ = instant.astimezone(zone(tz_name)).isocalendar()
    return f"{year}-W{week:02d}"


def is_week_key(text: str) -> bool:
    """Whether ``text`` is a week as ``week_key`` writes it (an ISO week that exists)."""
    if not re.fullmatch(r"\d{4}-W\d{2}", text):
        return False
    try:
        date.fromisocalendar(int(text[:4]), int(text[6:]), 1)
    except ValueError:
        return False
    return True


def due_checkin(now: datetime, tz_name: str | None, weekday: int, at: time) -> tuple[str, datetime] | None:
    """The check-in to send now, as (week key, scheduled instant), or None.

    A check-in missed by less than a day (downtime, a slow tick) still goes out late; an older one is
    skipped, because a Monday question arriving on Thursday is more confusing than helpful.
    """
    scheduled = previous_checkin(now, tz_name, weekday, at)
    if now - scheduled >= LATE_SEND_WINDOW:
        return None
    return week_key(scheduled, tz_name), scheduled


def checkin_slot(now: datetime, tz_name: str | None, weekday: int, clock_text: str) -> datetime:
    """When a member's check-in is next owed: the latest slot if it is still fresh (missed by less
    than a day), else the next one."""
    at = parse_clock(clock_text) or DEFAULT_TIME
    latest = previous_checkin(now, tz_name, weekday, at)
    return latest if now - latest < LATE_SEND_WINDOW else next_checkin(now, tz_name, weekday, at)


def following_checkin(now: datetime, tz_name: str | None, weekday: int, clock_text: str) -> datetime:
    """The slot after ``now``, for a member whose check-in of this week is done."""
    return next_checkin(now, tz_name, weekday, parse_clock(clock_text) or DEFAULT_TIME)


def parse_clock(text: str) -> time | None:
    try:
        parsed = time.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(second=0, microsecond=0, tzinfo=None)


FORM_TIMES = tuple(time(hour, minute) for hour in range(6, 22) for minute in (0, 30))  # the settings form's


def offered_times(at: str) -> list[str]:
    """The times the settings form offers: its half hours, and ``at`` among them even when typed off them
    ("Sundays at 20:15"); a submitted time not among them was not picked from the form."""
    return sorted({t.strftime("%H:%M") for t in FORM_TIMES} | ({at} if parse_clock(at) else set()))
