"""Search over the shipped timetable: every ordered pair of the five stations, plausible times and seats."""

from __future__ import annotations

from datetime import date
from itertools import permutations

import pytest

from timetable_file import location, reading
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.stations import load_stations
from trainbook.eventstore.store import EventStore
from trainbook.projections.search_index import SearchIndexProjection
from trainbook.projections.seat_map import SeatMapProjection

pytestmark = pytest.mark.usefixtures("aws")

DAY = date(2026, 11, 25)  # a Wednesday
NOW = 1_800_000_000
# Fastest and slowest plausible direct journeys, in minutes, from RAIL_FACTS (both directions).
PLAUSIBLE = {
    frozenset({"WAW", "KRK"}): (130, 210),
    frozenset({"WAW", "POZ"}): (135, 200),
    frozenset({"WAW", "GDG"}): (140, 240),
    frozenset({"WAW", "GDW"}): (145, 245),
    frozenset({"GDG", "POZ"}): (160, 240),
    frozenset({"GDW", "POZ"}): (165, 245),
    frozenset({"KRK", "POZ"}): (260, 420),
    frozenset({"KRK", "GDG"}): (285, 400),
    frozenset({"KRK", "GDW"}): (290, 405),
    frozenset({"GDG", "GDW"}): (3, 12),
}


@pytest.fixture(scope="module")
def search() -> SearchIndexProjection:
    return SearchIndexProjection(SeatMapProjection())


def test_search_answers_every_ordered_pair_of_the_five_stations(search: SearchIndexProjection) -> None:
    store = EventStore()
    TrainRuns(store).publish(reading.read(location.shipped_timetable_path()), [DAY])
    for recorded in store.all_events():
        search.apply(recorded)
    five = [s.code for s in load_stations() if s.product]

    for origin, destination in permutations(five, 2):
        departures = search.search(origin, destination, DAY, NOW)

        assert len(departures) >= 4, f"{origin} -> {destination}"
        low, high = PLAUSIBLE[frozenset({origin, destination})]
        for d in departures:
            assert low <= d.duration_minutes <= high, (
                f"{d.train} {origin} -> {destination}: {d.duration_minutes} min"
            )
            assert d.departs_at.date() == DAY
            assert d.free_second_class > 100 and d.free_first_class >= 0
        assert [d.departs_at for d in departures] == sorted(d.departs_at for d in departures)


def test_search_for_an_unknown_route_finds_nothing(search: SearchIndexProjection) -> None:
    assert search.search("KRK", "XXX", DAY, NOW) == []
