"""Turns the dates a train was seen running into a `ServiceCalendar` (weekdays plus exceptions)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from trainbook.catalog.domain import ServiceCalendar


def calendar_from_dates(
    running: Collection[date],
    observed: tuple[date, date],
    valid: tuple[date, date] | None = None,
) -> ServiceCalendar:
    """The calendar that runs exactly on `running` within `observed`.

    A weekday belongs to the pattern when the train ran on at least half of the observed days of
    that weekday (a weekly train with a holiday off is likelier than a one-off extra); the other
    days become added or removed dates. With `valid`, the weekly pattern is taken to hold
    over that longer period (the scrape covered a sample of it); exceptions stay where they were seen.
    """
    first, last = observed
    outside = sorted(d for d in running if not first <= d <= last)
    if outside:
        raise ValueError(f"running date {outside[0]} is outside the observed days {first} .. {last}")
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    ran = set(running)
    weekdays = frozenset(
        wd
        for wd in range(1, 8)
        if (seen := [d for d in days if d.isoweekday() == wd])
        and 2 * sum(d in ran for d in seen) >= len(seen)
    )
    valid_from, valid_to = valid if valid is not None else observed
    return ServiceCalendar(
        weekdays=weekdays,
        valid_from=min(valid_from, first),
        valid_to=max(valid_to, last),
        added=frozenset(d for d in ran if d.isoweekday() not in weekdays),
        removed=frozenset(d for d in days if d.isoweekday() in weekdays and d not in ran),
    )
