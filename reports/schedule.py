"""When a schedule is due, and for which period: pure functions of the schedule and the time.

A schedule's moment in its cycle is its day and hour in its own time zone (the 3rd of each month at 08:00
Paris time; each Monday at 07:00). From that moment until the next cycle, the period it reports on is the
last complete one (the month before; the ISO week before), so a beat that was down at the moment
still sends it later in the cycle, and every later beat finds it already claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kpis.periods import add_months, month_end


@dataclass(frozen=True)
class ReportPeriod:
    key: str  # "2026-11" or "2026-W48": part of the "exactly once" key
    start: date
    end: date
    frequency: str


def month_period(day_in_month: date) -> ReportPeriod:
    start = day_in_month.replace(day=1)
    return ReportPeriod(key=start.strftime("%Y-%m"), start=start, end=month_end(start), frequency="monthly")


def week_period(day_in_week: date) -> ReportPeriod:
    start = day_in_week - timedelta(days=day_in_week.isoweekday() - 1)
    year, week, _ = start.isocalendar()
    return ReportPeriod(key=f"{year}-W{week:02d}", start=start, end=start + timedelta(days=6), frequency="weekly")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Paris")


def last_complete_period(frequency: str, *, today: date) -> ReportPeriod:
    """The month or ISO week before the one `today` falls in."""
    if frequency == "weekly":
        return week_period(today - timedelta(days=today.isoweekday() - 1 + 7))
    return month_period(add_months(today, -1))


def due_period(*, frequency: str, day: int, hour: int, time_zone: str, now: datetime) -> ReportPeriod | None:
    """The period to report on at `now`, or None while this cycle's moment has not come yet."""
    local = now.astimezone(zone(time_zone))
    today = local.date()
    if frequency == "weekly":
        monday = today - timedelta(days=today.isoweekday() - 1)
        moment_day = monday + timedelta(days=min(max(day, 1), 7) - 1)
    else:
        moment_day = today.replace(day=min(max(day, 1), 28))
    moment = datetime.combine(moment_day, time(hour=min(max(hour, 0), 23)), tzinfo=local.tzinfo)
    if local < moment:
        return None
    return last_complete_period(frequency, today=today)
