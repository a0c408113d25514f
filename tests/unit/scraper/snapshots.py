"""Builders of scrape snapshots in code: what the site would have shown for the builder timetables."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from tests.unit.scraper.builders import STATIONS
from timetable_scraper.snapshot import Search, SeenConnection, SeenRun, SeenStop, Snapshot
from trainbook.catalog.domain import TrainService
from trainbook.catalog.timetable import Timetable

NAMES = {s.code: s.name for s in STATIONS}


def seen_run(service: TrainService, day: date, *, delay_from: str | None = None, minutes: int = 0) -> SeenRun:
    late = False
    stops = []
    for stop in service.stops:
        late = late or stop.station == delay_from
        stops.append(
            SeenStop(
                NAMES[stop.station],
                stop.arrive,
                stop.depart,
                stop.platform,
                stop.track,
                minutes if late else 0,
            )
        )
    return SeenRun(
        service.number, str(service.category), service.name, service.operator, day, False, tuple(stops)
    )


def snapshot_of(timetable: Timetable, first: date, days: int, **changes: object) -> Snapshot:
    dates = [first + timedelta(days=i) for i in range(days)]
    runs = [seen_run(r.service, r.day) for d in dates for r in timetable.runs_on(d)]
    return Snapshot(
        site="http://127.0.0.1:1",
        scraped_at=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
        searches=tuple(Search("Gdańsk Główny", "Poznań Główny", d) for d in dates),
        connections=(),
        runs=tuple(runs),
    )


def with_run(snapshot: Snapshot, run: SeenRun) -> Snapshot:
    others = tuple(r for r in snapshot.runs if r.key != run.key)
    return replace(snapshot, runs=(*others, run))


def connection(service: TrainService, origin: str, destination: str, day: date) -> SeenConnection:
    """The result row a search from `origin` to `destination` on `day` shows for the service."""
    at = {s.station: s for s in service.stops}
    midnight = datetime(day.year, day.month, day.day)
    departs, arrives = at[origin].depart, at[destination].arrive
    assert departs is not None and arrives is not None
    return SeenConnection(
        NAMES[origin],
        NAMES[destination],
        service.number,
        day,
        midnight + timedelta(minutes=departs),
        midnight + timedelta(minutes=arrives),
        0,
        False,
    )
