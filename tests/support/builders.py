"""Builders for a small, realistic timetable: EIP 3500 Kraków Gł. -> Gdynia Gł. and back, daily."""

from __future__ import annotations

from datetime import date

from trainbook.catalog.compositions import COMPOSITIONS
from trainbook.catalog.domain import Category, ServiceCalendar, Stop, TrainService
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.stations import load_stations
from trainbook.catalog.timetable import Timetable
from trainbook.eventstore.events import RecordedEvent
from trainbook.eventstore.store import EventStore

DAY = date(2026, 11, 25)
RUN = f"run-3500-{DAY.isoformat()}"


def _stops(rows: list[tuple[str, str | None, str | None, float, str]]) -> tuple[Stop, ...]:
    def minutes(text: str | None) -> int | None:
        if text is None:
            return None
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    return tuple(
        Stop(code, minutes(arr), minutes(dep), km, platform, "1") for code, arr, dep, km, platform in rows
    )


def e65_pendolino(number: str = "3500") -> TrainService:
    """Kraków Gł. 05:58 -> Warszawa Centralna 08:23 -> Gdańsk Gł. 11:05 -> Gdynia Gł. 11:33 (ED250)."""
    return TrainService(
        number=number,
        category=Category.EIP,
        name=None,
        operator="PKP Intercity",
        stops=_stops(
            [
                ("KRK", None, "05:58", 0.0, "II"),
                ("WAW", "08:23", "08:30", 293.0, "III"),
                ("GDG", "11:05", "11:08", 616.0, "II"),
                ("GDW", "11:13", "11:15", 620.0, "I"),
                ("GDY", "11:33", None, 637.0, "II"),
            ]
        ),
        composition="ED250",
        calendar=ServiceCalendar(frozenset(range(1, 8)), date(2026, 1, 1), date(2027, 12, 31)),
    )


def small_timetable() -> Timetable:
    return Timetable(load_stations(), COMPOSITIONS.values(), [e65_pendolino()])


def change_fields(run_id: str = RUN, change_id: str = "c1") -> dict[str, str]:
    """The fields every schedule-change event carries, for a change seen by the scraper."""
    return {
        "change_id": change_id,
        "run_id": run_id,
        "train": run_id.split("-")[1],
        "day": DAY.isoformat(),
        "label": "EIP 3500",
        "source": "test",
        "observed_at": "2026-11-24T12:00:00+00:00",
    }


def scheduled_run() -> RecordedEvent:
    """RUN's `TrainRunScheduled` as publishing the small timetable on DAY appends it (under `aws`)."""
    store = EventStore()
    TrainRuns(store).publish(small_timetable(), [DAY])
    [first] = [r for r in store.all_events() if r.stream == RUN]
    return first
