"""What the fixture site knows: the direct connections between two stations and each train's route.

Computed from a catalog `Timetable` plus injected `Disruptions`, the way a real journey planner
answers from its own timetable plus live operations data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from fixture_site.disruptions import Disruptions
from trainbook.catalog.domain import Stop, TrainRun
from trainbook.catalog.errors import NotServed
from trainbook.catalog.timetable import Timetable


@dataclass(frozen=True)
class ShownStop:
    name: str
    arrive: int | None  # minutes after midnight of the run's day
    depart: int | None
    platform: str | None
    track: str | None
    delay: int


@dataclass(frozen=True)
class Connection:
    key: str  # "<train>_<run day>", how the details view finds it again
    run: TrainRun
    departs: datetime  # naive local, scheduled
    arrives: datetime
    delay: int
    cancelled: bool


def connections(
    timetable: Timetable, disruptions: Disruptions, origin: str, destination: str, after: datetime
) -> list[Connection]:
    """Direct trains from `after` on, into the next day as a real planner does, earliest first."""
    found: list[Connection] = []
    for offset in (-1, 0, 1):  # a train that left its origin yesterday can still call here today
        day = after.date() + timedelta(days=offset)
        for run in timetable.runs_on(day):
            try:
                run.service.span(origin, destination)
            except NotServed:
                continue
            departs = _moment(day, _at(run, origin, depart=True))
            if departs < after or departs >= after + timedelta(days=1):
                continue
            route = shown_route(timetable, disruptions, run)
            start = next(
                s for s, stop in zip(route, run.service.stops, strict=True) if stop.station == origin
            )
            found.append(
                Connection(
                    key=f"{run.service.number}_{day.isoformat()}",
                    run=run,
                    departs=departs,
                    arrives=_moment(day, _at(run, destination, depart=False)),
                    delay=start.delay,
                    cancelled=run.id in disruptions.cancellations,
                )
            )
    return sorted(found, key=lambda c: (c.departs, c.run.service.number))


def find_run(timetable: Timetable, key: str) -> TrainRun:
    train, _, day = key.partition("_")
    return timetable.run(f"run-{train}-{day}")


def shown_route(timetable: Timetable, disruptions: Disruptions, run: TrainRun) -> list[ShownStop]:
    delay = disruptions.delays.get(run.id)
    platforms = disruptions.platforms.get(run.id, {})
    delayed = False
    shown = []
    for stop in run.service.stops:
        delayed = delayed or (delay is not None and stop.station == delay.station)
        platform, track = platforms.get(stop.station, (stop.platform, stop.track))
        shown.append(
            ShownStop(
                name=timetable.station(stop.station).name,
                arrive=stop.arrive,
                depart=stop.depart,
                platform=platform,
                track=track,
                delay=delay.minutes if delayed and delay is not None else 0,
            )
        )
    return shown


def _at(run: TrainRun, station: str, *, depart: bool) -> int:
    stop: Stop = run.service.stops[run.service.stop_index(station)]
    first, second = (stop.depart, stop.arrive) if depart else (stop.arrive, stop.depart)
    minutes = first if first is not None else second
    assert minutes is not None
    return minutes


def _moment(day: date, minutes: int) -> datetime:
    return datetime(day.year, day.month, day.day) + timedelta(minutes=minutes)
