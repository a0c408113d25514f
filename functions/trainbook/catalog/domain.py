"""Timetable model: stations, train services with their stops and composition, and train runs.

Pure Python. A `TrainService` is what the timetable publishes (EIP 3500 Kraków Gł. - Gdynia Gł.,
daily); a `TrainRun` is that service on one date, the unit that seats are sold on. The stretch
between two consecutive stops is a leg: leg i runs from stop i to stop i + 1, and a journey
from stop a to stop b occupies the legs a .. b - 1 (a `LegSpan`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from trainbook.catalog.errors import NotServed, UnknownSeat

WARSAW = ZoneInfo("Europe/Warsaw")


class Category(StrEnum):
    EIP = "EIP"  # Express InterCity Premium (Pendolino)
    EIC = "EIC"  # Express InterCity
    EC = "EC"  # EuroCity
    IC = "IC"  # InterCity
    TLK = "TLK"  # Twoje Linie Kolejowe


@dataclass(frozen=True)
class Station:
    code: str  # short code used in URLs, events and keys, for example "GDG"
    name: str  # "Gdańsk Główny"
    plk_id: int  # PKP PLK station id
    lat: float
    lon: float
    product: bool  # one of the five stations Trainbook sells between


@dataclass(frozen=True)
class Stop:
    station: str  # station code
    # Times are minutes after midnight of the run's date (past 1440 after midnight).
    arrive: int | None  # None at the origin
    depart: int | None  # None at the terminus
    km: float  # distance from the service's origin along the line
    platform: str | None = None  # Roman numeral: "II"
    track: str | None = None  # Arabic: "6"


@dataclass(frozen=True)
class Car:
    number: int
    travel_class: Literal[1, 2]
    layout: Literal["open", "compartment"]
    seats: tuple[int, ...]  # UIC 580 numbers: 11, 12, 13 ...; no number ends in 9 or 0


@dataclass(frozen=True)
class Composition:
    code: str  # rolling stock or formation code, for example "ED250"
    name: str
    cars: tuple[Car, ...]

    def car(self, number: int) -> Car:
        for car in self.cars:
            if car.number == number:
                return car
        raise UnknownSeat(f"car {number} is not part of {self.name}")

    def seat(self, car_number: int, seat: int) -> SeatRef:
        car = self.car(car_number)
        if seat not in car.seats:
            raise UnknownSeat(f"seat {seat} does not exist in car {car_number}")
        return SeatRef(car_number, seat, car.travel_class)

    def seats(self) -> Iterable[SeatRef]:
        for car in self.cars:
            for seat in car.seats:
                yield SeatRef(car.number, seat, car.travel_class)

    def seat_count(self, travel_class: int | None = None) -> int:
        """Seats of one class, or of the whole train (without making a `SeatRef` of each)."""
        return sum(len(car.seats) for car in self.cars if travel_class in (None, car.travel_class))


@dataclass(frozen=True, order=True)
class SeatRef:
    car: int
    seat: int
    travel_class: int = field(compare=False)

    @property
    def key(self) -> str:
        """Sort key of the seat's inventory item: car and seat, zero-padded so they sort naturally."""
        return f"{self.car:02d}-{self.seat:03d}"


@dataclass(frozen=True)
class ServiceCalendar:
    """On which dates a service runs: weekdays in a validity period, plus added and removed dates."""

    weekdays: frozenset[int]  # ISO weekdays, 1 = Monday
    valid_from: date
    valid_to: date
    added: frozenset[date] = frozenset()
    removed: frozenset[date] = frozenset()

    def runs_on(self, day: date) -> bool:
        if day in self.removed:
            return False
        if day in self.added:
            return True
        return self.valid_from <= day <= self.valid_to and day.isoweekday() in self.weekdays


@dataclass(frozen=True)
class TrainService:
    number: str  # "3500"; unique among the services running on one date
    category: Category
    name: str | None  # "Sedina", or None
    operator: str  # "PKP Intercity"
    stops: tuple[Stop, ...]
    composition: str  # Composition.code
    calendar: ServiceCalendar

    @property
    def label(self) -> str:
        return f"{self.category} {self.number}" + (f" {self.name}" if self.name else "")

    def stop_index(self, station: str) -> int:
        for i, stop in enumerate(self.stops):
            if stop.station == station:
                return i
        raise NotServed(f"{self.label} does not call at {station}")

    def span(self, origin: str, destination: str) -> LegSpan:
        start, end = self.stop_index(origin), self.stop_index(destination)
        if start >= end:
            raise NotServed(f"{self.label} does not run from {origin} to {destination}")
        return LegSpan(start, end)


@dataclass(frozen=True)
class LegSpan:
    """Legs start .. end - 1 of a train run: from stop `start` to stop `end`."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"empty or reversed leg span {self.start}..{self.end}")

    @property
    def legs(self) -> range:
        return range(self.start, self.end)

    @property
    def mask(self) -> int:
        """Bit i set for every leg i of the span."""
        return ((1 << (self.end - self.start)) - 1) << self.start

    def overlaps(self, other: LegSpan) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class TrainRun:
    """A train service on one date: what seats are sold on."""

    service: TrainService
    day: date
    composition: Composition
    cancelled: bool = False
    delays: tuple[tuple[str, int], ...] = ()  # (station, minutes late) as last reported
    cancelled_from: str | None = None  # a partial cancellation: no service from this station on
    arrived: bool = False  # the dispatcher recorded its arrival at the terminus

    @property
    def id(self) -> str:
        return run_id(self.service.number, self.day)

    def departure(self, station: str) -> datetime:
        stop = self.service.stops[self.service.stop_index(station)]
        minutes = stop.depart if stop.depart is not None else stop.arrive
        assert minutes is not None
        return local_time(self.day, minutes)

    def arrival(self, station: str) -> datetime:
        stop = self.service.stops[self.service.stop_index(station)]
        minutes = stop.arrive if stop.arrive is not None else stop.depart
        assert minutes is not None
        return local_time(self.day, minutes)

    def delay_at(self, station: str) -> int:
        """Minutes late at `station`: a delay recorded at a station holds from it on, until the next one."""
        recorded = dict(self.delays)
        late = 0
        for stop in self.service.stops:
            late = recorded.get(stop.station, late)
            if stop.station == station:
                return late
        return recorded.get(station, 0)

    def cancels(self, span: LegSpan) -> bool:
        """True when a cancellation takes away any leg of the journey `span`."""
        if self.cancelled:
            return True
        return self.cancelled_from is not None and span.end > self.service.stop_index(self.cancelled_from)

    def expected_arrival(self, station: str) -> datetime:
        return self.arrival(station) + timedelta(minutes=self.delay_at(station))

    def terminus(self) -> str:
        return self.service.stops[-1].station

    def distance_km(self, origin: str, destination: str) -> float:
        span = self.service.span(origin, destination)
        return self.service.stops[span.end].km - self.service.stops[span.start].km


def run_id(train_number: str, day: date) -> str:
    """`run-<train>-<date>`: the id of a train run, its event stream and its inventory partition."""
    return f"run-{train_number}-{day.isoformat()}"


def local_time(day: date, minutes: int) -> datetime:
    """Wall-clock time in Poland `minutes` after midnight of `day` (minutes may pass 1440)."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=WARSAW)
    return (midnight + timedelta(minutes=minutes)).astimezone(WARSAW)
