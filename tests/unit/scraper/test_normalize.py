"""A scrape snapshot becomes the catalog timetable: scheduled times, usual platforms, calendars."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from tests.unit.scraper.builders import (
    COMPOSITIONS,
    EUROCITY,
    FIRST_DAY,
    PENDOLINO,
    SEDINA,
    STATIONS,
    timetable,
)
from tests.unit.scraper.snapshots import seen_run, snapshot_of, with_run
from timetable_file import reading, writing
from timetable_scraper.errors import IncompleteSnapshot
from timetable_scraper.normalize import normalize
from trainbook.catalog.domain import TrainService


def stops(service: TrainService) -> list[tuple[object, ...]]:
    return [(s.station, s.arrive, s.depart, s.platform, s.track) for s in service.stops]


def test_a_week_scraped_gives_back_the_services_their_stops_and_weekdays() -> None:
    source = timetable()
    seen = snapshot_of(source, FIRST_DAY, 7)

    result = normalize(seen, STATIONS, COMPOSITIONS, reference=source).timetable

    assert sorted(result.services) == ["5300", "8302", "95"]
    for service in (PENDOLINO, EUROCITY, SEDINA):
        got = result.services[service.number]
        assert stops(got) == stops(service)
        assert [s.km for s in got.stops] == [s.km for s in service.stops]  # from the reference timetable
        assert (got.category, got.name, got.operator, got.composition) == (
            service.category,
            service.name,
            service.operator,
            service.composition,
        )
    assert result.services["8302"].calendar.weekdays == frozenset({1, 2, 3, 4, 5})
    assert result.services["95"].calendar.weekdays == frozenset(range(1, 8))


def test_delays_and_a_one_day_platform_change_stay_out_of_the_timetable() -> None:
    source = timetable()
    seen = with_run(
        snapshot_of(source, FIRST_DAY, 3), seen_run(EUROCITY, FIRST_DAY, delay_from="GDW", minutes=25)
    )
    moved = seen_run(EUROCITY, FIRST_DAY + timedelta(days=1))
    moved = replace(moved, stops=(moved.stops[0], replace(moved.stops[1], platform="IV"), *moved.stops[2:]))
    seen = with_run(seen, moved)

    result = normalize(seen, STATIONS, COMPOSITIONS, reference=source).timetable

    assert stops(result.services["95"]) == stops(EUROCITY)


def test_the_normalized_timetable_is_a_valid_catalog_file() -> None:
    seen = snapshot_of(timetable(), FIRST_DAY, 7)
    valid = (FIRST_DAY, date(2027, 3, 31))
    result = normalize(seen, STATIONS, COMPOSITIONS, reference=timetable(), valid=valid).timetable

    document = writing.dump(result, source="test scrape")
    loaded = reading.load(document, stations=STATIONS, compositions=COMPOSITIONS)

    assert loaded.services == result.services
    assert loaded.services["8302"].calendar.runs_on(date(2027, 3, 31))  # a Wednesday


def test_a_partial_snapshot_never_becomes_the_timetable() -> None:
    partial = replace(snapshot_of(timetable(), FIRST_DAY, 1), complete=False)

    with pytest.raises(IncompleteSnapshot):
        normalize(partial, STATIONS, COMPOSITIONS)
