"""When a schedule is due: its day and hour in its own time zone, then the last complete period."""

from datetime import datetime
from zoneinfo import ZoneInfo

from reports.schedule import due_period

UTC = ZoneInfo("UTC")


def _due(frequency, day, hour, tz, at):
    period = due_period(frequency=frequency, day=day, hour=hour, time_zone=tz, now=at.replace(tzinfo=UTC))
    return period.key if period else None


def test_a_monthly_schedule_waits_for_its_day_and_hour_in_its_own_time_zone():
    # 3rd at 08:00 in Montréal is 13:00 UTC.
    assert _due("monthly", 3, 8, "America/Montreal", datetime(2026, 11, 3, 12, 59)) is None
    assert _due("monthly", 3, 8, "America/Montreal", datetime(2026, 11, 3, 13, 0)) == "2026-10"
    assert _due("monthly", 3, 8, "Europe/Paris", datetime(2026, 11, 3, 7, 0)) == "2026-10"  # 08:00 in Paris


def test_a_monthly_report_in_january_covers_december_of_the_year_before():
    assert _due("monthly", 1, 0, "Europe/Paris", datetime(2027, 1, 15, 12, 0)) == "2026-12"


def test_a_weekly_schedule_covers_the_iso_week_before_from_its_weekday_on():
    # Wednesday 07:00 Paris; 11 November 2026 is a Wednesday of ISO week 46.
    assert _due("weekly", 3, 7, "Europe/Paris", datetime(2026, 11, 10, 12, 0)) is None  # Tuesday
    assert _due("weekly", 3, 7, "Europe/Paris", datetime(2026, 11, 11, 6, 0)) == "2026-W45"
    assert _due("weekly", 3, 7, "Europe/Paris", datetime(2026, 11, 15, 22, 0)) == "2026-W45"  # Sunday, still


def test_the_first_iso_week_of_the_year_follows_the_last_one_of_the_year_before():
    assert _due("weekly", 1, 0, "UTC", datetime(2027, 1, 4, 1, 0)) == "2026-W53"


def test_an_unknown_time_zone_falls_back_to_paris():
    assert _due("monthly", 3, 8, "Mars/Olympus", datetime(2026, 11, 3, 7, 0)) == "2026-10"
