"""The timetable as the rest of the system asks it: stations, runs on a date, runs between two stations.

Pure Python over the `domain` model. Sales open for a rolling window of days (default 30) starting
today in Poland; asking for a date outside it is a clear error, never an empty answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from trainbook.catalog.domain import Composition, Station, TrainRun, TrainService
from trainbook.catalog.errors import (
    DateOutsideSalesWindow,
    NotServed,
    UnknownStation,
    UnknownTrainRun,
)

DEFAULT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class SalesWindow:
    first_day: date
    days: int = DEFAULT_WINDOW_DAYS

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.days - 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first_day <= day <= self.last_day

    def check(self, day: date) -> None:
        if day not in self:
            raise DateOutsideSalesWindow(
                f"{day.isoformat()} is outside the sales window "
                f"{self.first_day.isoformat()} .. {self.last_day.isoformat()}"
            )

    def dates(self) -> Iterable[date]:
        return (self.first_day + timedelta(days=i) for i in range(self.days))


class Timetable:
    def __init__(
        self,
        stations: Iterable[Station],
        compositions: Iterable[Composition],
        services: Iterable[TrainService],
    ) -> None:
        self.stations: Mapping[str, Station] = {s.code: s for s in stations}
        self.compositions: Mapping[str, Composition] = {c.code: c for c in compositions}
        self.services: Mapping[str, TrainService] = {s.number: s for s in services}

    def station(self, code: str) -> Station:
        try:
            return self.stations[code]
        except KeyError:
            raise UnknownStation(f"unknown station {code!r}") from None

    def product_stations(self) -> list[Station]:
        return [s for s in self.stations.values() if s.product]

    def run(self, run_id: str, window: SalesWindow | None = None) -> TrainRun:
        """The train run `run-<train>-<date>`; with a window, only if it is on sale."""
        prefix, _, rest = run_id.partition("-")
        number, _, day_text = rest.partition("-")
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            raise UnknownTrainRun(f"{run_id!r} is not a train run id (run-<train>-<yyyy-mm-dd>)") from None
        service = self.services.get(number)
        if prefix != "run" or service is None or not service.calendar.runs_on(day):
            raise UnknownTrainRun(f"no train run {run_id!r}")
        if window is not None:
            window.check(day)
        return TrainRun(service, day, self.compositions[service.composition])

    def runs_on(self, day: date) -> list[TrainRun]:
        return [
            TrainRun(s, day, self.compositions[s.composition])
            for s in self.services.values()
            if s.calendar.runs_on(day)
        ]

    def runs_between(self, origin: str, destination: str, day: date) -> list[TrainRun]:
        """Direct runs from origin to destination departing on `day`, earliest first."""
        self.station(origin)
        self.station(destination)
        if origin == destination:
            raise NotServed("origin and destination are the same station")
        runs = []
        for run in self.runs_on(day):
            try:
                run.service.span(origin, destination)
            except NotServed:
                continue
            runs.append(run)
        return sorted(runs, key=lambda r: r.departure(origin))
