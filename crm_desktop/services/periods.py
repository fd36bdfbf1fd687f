"""Created periods a list filters by, as UTC bounds in the business's zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from crm_desktop.db.types import utcnow

PERIODS = {
    "today": "Today",
    "week": "This week",
    "month": "This month",
    "last30": "Last 30 days",
    "year": "This year",
    "custom": "Custom range",
}


def business_zone(name: str) -> dt.tzinfo:
    """Return the zone a name gives, UTC for a name no zone has."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def created_bounds(
    period: str,
    zone_name: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[dt.datetime, dt.datetime] | None:
    """Return the UTC half-open range [from, to) a period covers, or None.

    Days begin at midnight in the business's zone, so "today" in Sydney is
    not today in London. A week starts on Monday.

    Args:
        period: A key of PERIODS, or "" for no period.
        zone_name: The business's time zone.
        start: The first day of a custom range.
        end: The last day of a custom range (included).
        now: The time "today" is taken from; the present when None.

    Raises:
        ValueError: an unknown period, or a custom range missing a day or
            ending before it starts.
    """
    if not period:
        return None
    zone = business_zone(zone_name)
    today = (now or utcnow()).astimezone(zone).date()
    first, last = _days(period, today, start, end)
    return _midnight(first, zone), _midnight(last + dt.timedelta(days=1), zone)


def _days(
    period: str, today: dt.date, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    if period == "today":
        return today, today
    if period == "week":
        return today - dt.timedelta(days=today.weekday()), today
    if period == "month":
        return today.replace(day=1), today
    if period == "last30":
        return today - dt.timedelta(days=29), today
    if period == "year":
        return today.replace(month=1, day=1), today
    if period == "custom":
        if start is None or end is None:
            raise ValueError("a custom period needs its first and last day")
        if end < start:
            raise ValueError(f"the period ends ({end}) before it starts ({start})")
        return start, end
    raise ValueError(f"no period named {period!r}")


def _midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    return local.astimezone(dt.UTC)
