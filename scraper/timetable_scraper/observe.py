"""A scrape snapshot as the schedule-change diff sees it: runs by catalog station code, with delays."""

from __future__ import annotations

from collections.abc import Iterable

from timetable_scraper.snapshot import Snapshot
from trainbook.catalog.domain import Station
from trainbook.changes.domain import Call, RunView


def snapshot_view(snapshot: Snapshot, stations: Iterable[Station]) -> list[RunView]:
    codes = {s.name: s.code for s in stations}
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
    ]
