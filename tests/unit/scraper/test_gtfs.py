"""GTFS import on the real EC 95 extract (PKP Intercity, GTFS.de / DELFI e.V., CC BY 4.0)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from timetable_file import reading, writing
from timetable_scraper.gtfs import InvalidFeed, fold, import_feed
from trainbook.catalog.compositions import COMPOSITIONS
from trainbook.catalog.domain import TrainService
from trainbook.catalog.stations import load_stations

REPO_ROOT = Path(__file__).resolve().parents[3]
FEED = REPO_ROOT.parent / "shared" / "data" / "gtfs-ec95"
needs_feed = pytest.mark.skipif(not FEED.is_dir(), reason=f"the real GTFS extract is not at {FEED}")


def hm(minutes: int | None) -> str | None:
    return None if minutes is None else f"{minutes // 60:02d}:{minutes % 60:02d}"


def calls(service: TrainService) -> dict[str, tuple[str | None, str | None]]:
    return {s.station: (hm(s.arrive), hm(s.depart)) for s in service.stops}


@needs_feed
def test_ec95_leaves_gdynia_at_0701_and_reaches_poznan_at_1020() -> None:
    result = import_feed(FEED, load_stations(), COMPOSITIONS.values())

    morning = [
        s
        for s in result.timetable.services.values()
        if s.label.startswith("EC 95") and s.stops[0].station == "GDY" and s.stops[0].depart == 7 * 60 + 1
    ]
    assert morning, "no EC 95 leaving Gdynia Główna at 07:01"
    for service in morning:
        assert calls(service)["GDY"] == (None, "07:01")
        assert calls(service)["GDW"] == ("07:18", "07:20")
        assert calls(service)["GDG"] == ("07:25", "07:28")
        assert calls(service)["POZ"] == ("10:20", None)
        assert service.operator == "PKP Intercity"
    assert any(s.calendar.runs_on(date(2025, 6, 16)) for s in morning)


@needs_feed
def test_only_trips_calling_at_two_chosen_stations_are_kept_and_foreign_stops_are_left_out() -> None:
    result = import_feed(FEED, load_stations(), COMPOSITIONS.values())

    product = {"GDG", "GDW", "POZ", "WAW", "KRK"}
    for service in result.timetable.services.values():
        assert len(product & {s.station for s in service.stops}) >= 2
    assert "Berlin Hbf" in result.unmatched_stops and "Rzepin" in result.unmatched_stops
    assert result.matched_stops["Gdansk Glowny"] == "GDG"
    assert result.trips_kept < result.trips_total


@needs_feed
def test_the_station_list_is_configurable() -> None:
    result = import_feed(FEED, load_stations(), COMPOSITIONS.values(), keep=["GDG", "GDW"])

    assert result.timetable.services
    assert all({"GDG", "GDW"} <= {s.station for s in svc.stops} for svc in result.timetable.services.values())


@needs_feed
def test_the_import_writes_a_catalog_file_that_keeps_the_cc_by_attribution(tmp_path: Path) -> None:
    result = import_feed(FEED, load_stations(), COMPOSITIONS.values())

    writing.write(result.timetable, tmp_path / "t.json", source=result.source, attribution=result.attribution)

    assert reading.read(tmp_path / "t.json").services == result.timetable.services
    assert result.attribution is not None
    assert (
        "DELFI e.V" in result.attribution
        and "GTFS.de" in result.attribution
        and "CC BY 4.0" in result.attribution
    )


@needs_feed
def test_a_zipped_feed_imports_like_the_folder(tmp_path: Path) -> None:
    archive = shutil.make_archive(str(tmp_path / "feed"), "zip", FEED)

    zipped = import_feed(Path(archive), load_stations(), COMPOSITIONS.values())

    assert (
        zipped.timetable.services
        == import_feed(FEED, load_stations(), COMPOSITIONS.values()).timetable.services
    )


def test_a_folder_without_stop_times_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "stops.txt").write_text("stop_id,stop_name,stop_lat,stop_lon\n", encoding="utf-8")

    with pytest.raises(InvalidFeed, match=r"agency\.txt|stop_times\.txt"):
        import_feed(tmp_path, load_stations(), COMPOSITIONS.values())


def test_station_names_fold_polish_letters() -> None:
    assert fold("Gdańsk Główny") == fold("Gdansk Glowny") == "gdansk glowny"
    assert fold("Łódź Fabryczna") == "lodz fabryczna"


@needs_feed
def test_distances_come_from_the_reference_timetable_where_it_runs_the_same_leg() -> None:
    from tests.unit.scraper.builders import EUROCITY

    result = import_feed(FEED, load_stations(), COMPOSITIONS.values(), reference=[EUROCITY])

    legs = [
        km["GDG"] - km["GDW"]
        for km in ({s.station: s.km for s in svc.stops} for svc in result.timetable.services.values())
        if "GDW" in km and "GDG" in km and km["GDW"] < km["GDG"]
    ]
    assert legs and all(leg == pytest.approx(3.0) for leg in legs)
