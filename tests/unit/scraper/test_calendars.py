"""Calendars rebuilt from the days a train was seen running."""

from __future__ import annotations

from datetime import date, timedelta

from timetable_scraper.calendars import calendar_from_dates

WEEK = (date(2026, 11, 30), date(2026, 12, 6))  # Monday .. Sunday


def days(*numbers: int) -> set[date]:
    return {date(2026, 11, 30) + timedelta(days=n) for n in numbers}


def test_a_workday_train_gets_workdays_and_no_exceptions() -> None:
    calendar = calendar_from_dates(days(0, 1, 2, 3, 4), WEEK)

    assert calendar.weekdays == frozenset({1, 2, 3, 4, 5})
    assert not calendar.added and not calendar.removed


def test_the_weekly_pattern_extends_over_the_validity_given() -> None:
    calendar = calendar_from_dates(days(4, 6), WEEK, valid=(date(2026, 11, 30), date(2027, 3, 31)))

    assert calendar.runs_on(date(2027, 3, 26))  # a Friday
    assert not calendar.runs_on(date(2027, 3, 27))  # a Saturday
    assert calendar.valid_to == date(2027, 3, 31)


def test_exceptions_keep_the_calendar_exact_on_the_days_seen() -> None:
    two_weeks = (date(2026, 11, 30), date(2026, 12, 13))
    running = {d for d in (two_weeks[0] + timedelta(days=i) for i in range(14)) if d.isoweekday() <= 5}
    running -= {date(2026, 12, 8)}
    running |= {date(2026, 12, 12)}

    calendar = calendar_from_dates(running, two_weeks)

    seen = [two_weeks[0] + timedelta(days=i) for i in range(14)]
    assert [d for d in seen if calendar.runs_on(d)] == sorted(running)


def test_a_daily_train_off_on_christmas_eve_stays_daily_with_that_day_removed() -> None:
    fortnight = (date(2026, 12, 14), date(2026, 12, 27))
    running = {fortnight[0] + timedelta(days=i) for i in range(14)} - {date(2026, 12, 24)}

    calendar = calendar_from_dates(running, fortnight, valid=(date(2026, 1, 1), date(2027, 12, 31)))

    assert calendar.weekdays == frozenset(range(1, 8))
    assert calendar.removed == frozenset({date(2026, 12, 24)})
    assert calendar.runs_on(date(2027, 12, 23))
