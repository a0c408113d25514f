"""Train runs as the command side sees them: folded from each run's event stream.

Publishing a timetable appends one `TrainRunScheduled` per run in the sales window; commands then
read a run from its stream, so a later schedule change recorded on that stream is what they see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime

from trainbook.catalog.compositions import composition
from trainbook.catalog.domain import WARSAW, Category, ServiceCalendar, Stop, TrainRun, TrainService
from trainbook.catalog.errors import UnknownTrainRun
from trainbook.catalog.events import (
    PlatformChanged,
    TrainDelayed,
    TrainRunArrived,
    TrainRunCancelled,
    TrainRunRemoved,
    TrainRunRestored,
    TrainRunScheduled,
)
from trainbook.catalog.timetable import SalesWindow, Timetable
from trainbook.eventstore.events import (
    NO_META,
    ConcurrencyConflict,
    EventLog,
    Meta,
    PendingEvent,
    RecordedEvent,
    field_values,
)

RUN_ID = re.compile(r"run-[0-9A-Za-z]{1,8}-\d{4}-\d{2}-\d{2}")


def today_in_poland() -> date:
    return datetime.now(WARSAW).date()


def scheduled(run: TrainRun) -> TrainRunScheduled:
    service = run.service
    return TrainRunScheduled(
        run_id=run.id,
        number=service.number,
        category=service.category.value,
        name=service.name,
        operator=service.operator,
        composition=service.composition,
        day=run.day.isoformat(),
        stops=tuple(field_values(stop) for stop in service.stops),
    )


def fold_run(events: Sequence[RecordedEvent]) -> TrainRun | None:
    """The run as its events describe it, schedule changes applied; None before it was scheduled."""
    run: TrainRun | None = None
    for recorded in events:
        event = recorded.event
        if isinstance(event, TrainRunScheduled):
            day = date.fromisoformat(event.day)
            service = TrainService(
                number=event.number,
                category=Category(event.category),
                name=event.name,
                operator=event.operator,
                stops=tuple(Stop(**stop) for stop in event.stops),
                composition=event.composition,
                calendar=ServiceCalendar(frozenset(), day, day, added=frozenset({day})),
            )
            run = TrainRun(service, day, composition(event.composition))
        elif run is None:
            continue
        elif isinstance(event, TrainRunCancelled) and event.from_station is not None:
            run = replace(run, cancelled_from=event.from_station)
        elif isinstance(event, TrainRunCancelled | TrainRunRemoved):
            run = replace(run, cancelled=True)
        elif isinstance(event, TrainRunRestored):
            run = replace(run, cancelled=False, cancelled_from=None)
        elif isinstance(event, TrainRunArrived):
            run = replace(run, arrived=True)
        elif isinstance(event, TrainDelayed):
            delays = dict(run.delays) | {event.station: event.minutes}
            run = replace(run, delays=tuple(sorted(delays.items())))
        elif isinstance(event, PlatformChanged):
            stops = tuple(
                replace(stop, platform=event.platform, track=event.track)
                if stop.station == event.station
                else stop
                for stop in run.service.stops
            )
            run = replace(run, service=replace(run.service, stops=stops))
    return run


class TrainRuns:
    def __init__(self, events: EventLog) -> None:
        self.events = events

    def get(self, run_id: str, window: SalesWindow | None = None, consistent: bool = True) -> TrainRun:
        """The run as its stream tells it now; `consistent=False` for a page that shows it (it may miss a
        change recorded a moment ago, as any read model may), never for a command that decides on it."""
        if not RUN_ID.fullmatch(run_id):
            raise UnknownTrainRun(f"{run_id[:60]!r} is not a train run id (run-<train>-<yyyy-mm-dd>)")
        run = fold_run(self.events.read(run_id, consistent=consistent))
        if run is None:
            raise UnknownTrainRun(f"no train run {run_id!r} is on sale")
        if window is not None:
            window.check(run.day)
        return run

    def publish(self, timetable: Timetable, days: Iterable[date], meta: Meta = NO_META) -> int:
        """Open every run of the timetable on `days` for sale; runs already open are left alone."""
        opened = 0
        for day in days:
            for run in timetable.runs_on(day):
                try:
                    self.events.append([PendingEvent(run.id, 1, scheduled(run), meta)])
                    opened += 1
                except ConcurrencyConflict:
                    continue
        return opened
