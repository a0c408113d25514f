"""Small timetables for scraper, diff and fixture-site tests: a few real-shaped trains, built in code."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from trainbook.catalog.domain import Car, Category, Composition, ServiceCalendar, Station, Stop, TrainService
from trainbook.catalog.timetable import Timetable

FIRST_DAY = date(2026, 12, 1)  # a Tuesday

STATIONS = (
    Station("GDG", "Gdańsk Główny", 7500, 54.35644, 18.64413, True),
    Station("GDW", "Gdańsk Wrzeszcz", 7534, 54.38195, 18.60508, True),
    Station("POZ", "Poznań Główny", 30601, 52.40163, 16.91158, True),
    Station("WAW", "Warszawa Centralna", 33605, 52.22884, 21.00327, True),
    Station("KRK", "Kraków Główny", 80416, 50.06861, 19.9478, True),
    Station("GDY", "Gdynia Główna", 5900, 54.52128, 18.52806, False),
    Station("BYD", "Bydgoszcz Główna", 18408, 53.13528, 17.99164, False),
)
COMPOSITIONS = (
    Composition(
        "ED250", "Pendolino ED250", (Car(1, 1, "open", (11, 12, 13)), Car(2, 2, "open", (21, 22, 23)))
    ),
    Composition("IC-COACH", "InterCity coaches", (Car(1, 2, "open", (11, 12, 13, 14)),)),
)
EVERY_DAY = ServiceCalendar(frozenset(range(1, 8)), date(2026, 11, 1), date(2027, 3, 31))
WORKDAYS = ServiceCalendar(frozenset(range(1, 6)), date(2026, 11, 1), date(2027, 3, 31))


def hm(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def stop(station: str, arrive: str | None, depart: str | None, km: float, platform: str = "") -> Stop:
    p, _, t = platform.partition("/")
    return Stop(
        station, hm(arrive) if arrive else None, hm(depart) if depart else None, km, p or None, t or None
    )


PENDOLINO = TrainService(
    number="5300",
    category=Category.EIP,
    name=None,
    operator="PKP Intercity",
    stops=(
        stop("GDY", None, "06:05", 0, "II/3"),
        stop("GDW", "06:20", "06:22", 18, "I/2"),
        stop("GDG", "06:27", "06:30", 21, "II/4"),
        stop("WAW", "09:05", "09:12", 344, "II/4"),
        stop("KRK", "11:30", None, 637, "III/7"),
    ),
    composition="ED250",
    calendar=EVERY_DAY,
)
EUROCITY = TrainService(
    number="95",
    category=Category.EC,
    name=None,
    operator="PKP Intercity",
    stops=(
        stop("GDY", None, "07:01", 0, "I/1"),
        stop("GDW", "07:18", "07:20", 18, "I/1"),
        stop("GDG", "07:25", "07:28", 21, "III/5"),
        stop("BYD", "08:47", "08:56", 183, "I/2"),
        stop("POZ", "10:20", None, 313, "IV/8"),
    ),
    composition="IC-COACH",
    calendar=EVERY_DAY,
)
SEDINA = TrainService(
    number="8302",
    category=Category.EIC,
    name="Sedina",
    operator="PKP Intercity",
    stops=(stop("WAW", None, "23:10", 0, "IV/1"), stop("POZ", "25:28", None, 305, "V/10")),
    composition="IC-COACH",
    calendar=WORKDAYS,
)


def timetable(*services: TrainService) -> Timetable:
    return Timetable(STATIONS, COMPOSITIONS, services or (PENDOLINO, EUROCITY, SEDINA))


def retimed(service: TrainService, station: str, minutes: int) -> TrainService:
    """The service with every time from `station` on moved by `minutes`."""
    moved = False
    stops = []
    for s in service.stops:
        moved = moved or s.station == station
        shift = minutes if moved else 0
        stops.append(
            replace(
                s,
                arrive=None if s.arrive is None else s.arrive + shift,
                depart=None if s.depart is None else s.depart + shift,
            )
        )
    return replace(service, stops=tuple(stops))
