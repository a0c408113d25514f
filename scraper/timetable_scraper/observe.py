"""A scrape snapshot as the schedule-change diff sees it: runs by catalog station code, with delays."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from timetable_scraper.snapshot import Search, Snapshot
from trainbook.catalog.domain import Station
from trainbook.changes.domain import Call, RunView


def snapshot_view(
    snapshot: Snapshot, stations: Iterable[Station], searches: Collection[Search] | None = None
) -> list[RunView]:
    """Every run the snapshot saw; with `searches`, only runs those searches showed.

    Two scrapes of different station pairs are only comparable on the searches both made: a run
    the other scrape never looked for is not a removed service.
    """
    codes = {s.name: s.code for s in stations}
    wanted = None
    if searches is not None:
        wanted = {
            (c.train, c.run_day)
            for c in snapshot.connections
            if Search(c.origin, c.destination, c.departs.date()) in searches
        }
    return [
        RunView(
            train=run.train,
            day=run.day,
            label=f"{run.category} {run.train}" + (f" {run.name}" if run.name else ""),
            calls=tuple(
                Call(codes[s.station], s.arrive, s.depart, s.platform, s.track, s.delay)
                for s in run.stops
                if s.station in codes  # a stop the catalog does not know cannot concern a booking
            ),
            cancelled=run.cancelled,
        )
        for run in snapshot.runs
        if wanted is None or run.key in wanted
    ]
