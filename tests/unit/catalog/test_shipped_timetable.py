"""The shipped hand-made timetable: loads, is busy enough, and serves every product pair directly."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from itertools import permutations

import pytest

from timetable_file import location, reading, writing
from trainbook.catalog.timetable import Timetable

PRODUCT = ("GDG", "GDW", "POZ", "WAW", "KRK")
WEEK = [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]  # Monday to Sunday
TUESDAY = date(2026, 11, 24)


@cache
def shipped() -> Timetable:
    return reading.read(location.SHIPPED_TIMETABLE)


def journey_minutes(origin: str, destination: str, day: date) -> list[float]:
    return [
        (run.arrival(destination) - run.departure(origin)).total_seconds() / 60
        for run in shipped().runs_between(origin, destination, day)
    ]


@pytest.mark.parametrize("day", WEEK, ids=lambda d: d.strftime("%a"))
def test_at_least_40_trains_run_every_day_of_the_week(day: date) -> None:
    assert len(shipped().runs_on(day)) >= 40


@pytest.mark.parametrize("day", WEEK, ids=lambda d: d.strftime("%a"))
def test_every_ordered_pair_of_product_stations_has_4_direct_trains(day: date) -> None:
    counts = {(a, b): len(shipped().runs_between(a, b, day)) for a, b in permutations(PRODUCT, 2)}

    assert len(counts) == 20
    assert min(counts.values()) >= 4, counts


@pytest.mark.parametrize(
    ("origin", "destination", "fastest", "slowest"),
    [
        ("WAW", "KRK", "2:10", "3:30"),
        ("KRK", "WAW", "2:10", "3:30"),
        ("GDG", "KRK", "4:40", "6:00"),
        ("KRK", "GDG", "4:40", "6:00"),
        ("WAW", "GDG", "2:20", "3:30"),
        ("WAW", "POZ", "2:15", "2:45"),
        ("POZ", "WAW", "2:15", "2:45"),
        ("GDG", "POZ", "2:40", "3:00"),
        ("POZ", "GDG", "2:40", "3:00"),
        ("KRK", "POZ", "4:30", "6:30"),
        ("GDG", "GDW", "0:02", "0:08"),
    ],
)
def test_journey_times_are_plausible(origin: str, destination: str, fastest: str, slowest: str) -> None:
    def minutes(text: str) -> int:
        hours, mins = text.split(":")
        return int(hours) * 60 + int(mins)

    times = journey_minutes(origin, destination, TUESDAY)

    assert times
    assert all(minutes(fastest) <= t <= minutes(slowest) for t in times), times


def test_ec_95_keeps_its_real_times_through_gdansk() -> None:
    run = shipped().run(f"run-95-{TUESDAY.isoformat()}")

    assert run.departure("GDY").strftime("%H:%M") == "07:01"
    assert (run.arrival("GDW").strftime("%H:%M"), run.departure("GDW").strftime("%H:%M")) == (
        "07:18",
        "07:20",
    )
    assert (run.arrival("GDG").strftime("%H:%M"), run.departure("GDG").strftime("%H:%M")) == (
        "07:25",
        "07:28",
    )
    assert run.arrival("POZ").strftime("%H:%M") == "10:20"
    assert [s.station for s in run.service.stops] == [
        "GDY", "SOP", "GDO", "GDW", "GDG", "TCZ", "BYD", "INO", "GNI", "POZ",
    ]  # fmt: skip


def test_the_e65_pendolino_makes_the_real_calls() -> None:
    service = shipped().services["3500"]

    assert [s.station for s in service.stops] == [
        "KRK", "WZA", "WAW", "WWS", "ILA", "MAL", "TCZ", "GDG", "GDW", "GDO", "SOP", "GDY",
    ]  # fmt: skip
    assert service.composition == "ED250"


def test_distances_match_the_lines() -> None:
    pendolino = shipped().run(f"run-3500-{TUESDAY.isoformat()}")
    sedina = shipped().run(f"run-1710-{TUESDAY.isoformat()}")

    assert 280 <= pendolino.distance_km("KRK", "WAW") <= 300
    assert 320 <= pendolino.distance_km("WWS", "GDG") <= 326
    assert 300 <= sedina.distance_km("WAW", "POZ") <= 310


def test_both_directions_use_neighbouring_numbers() -> None:
    numbers = set(shipped().services)

    unpaired = {n for n in numbers if str(int(n) ^ 1) not in numbers}
    assert not unpaired


def test_platforms_are_roman_and_tracks_arabic_at_every_stop() -> None:
    stops = [stop for service in shipped().services.values() for stop in service.stops]

    assert all(stop.platform and set(stop.platform) <= set("IVX") for stop in stops)
    assert all(stop.track and stop.track.isdigit() for stop in stops)


def test_some_trains_do_not_run_every_day() -> None:
    calendars = [service.calendar for service in shipped().services.values()]

    assert any(len(c.weekdays) < 7 for c in calendars)
    assert any(c.removed for c in calendars)


def test_the_file_says_it_is_hand_made_and_credits_the_gtfs_feed() -> None:
    h = reading.header(json.loads(location.SHIPPED_TIMETABLE.read_text(encoding="utf-8")))

    assert "hand-made" in h.source.lower()
    assert h.attribution is not None and "DELFI" in h.attribution and "CC BY 4.0" in h.attribution


def test_the_shipped_file_is_in_the_exact_form_dump_writes() -> None:
    doc = json.loads(location.SHIPPED_TIMETABLE.read_text(encoding="utf-8"))
    h = reading.header(doc)

    dumped = writing.dump(
        reading.load(doc), source=h.source, generated_at=h.generated_at, attribution=h.attribution
    )
    assert dumped == doc
