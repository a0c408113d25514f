"""The timetable file: round trip, strict all-or-nothing validation, files on disk, the shipped path."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.unit.catalog.builders import document, stop
from timetable_file import location, reading, writing
from trainbook.catalog.domain import Car, Category, Composition, ServiceCalendar, Station, Stop, TrainService
from trainbook.catalog.errors import InvalidTimetable
from trainbook.catalog.timetable import Timetable

REPO = Path(__file__).resolve().parents[3]


def round_trip(doc: dict[str, Any]) -> dict[str, Any]:
    h = reading.header(doc)
    return writing.dump(
        reading.load(doc), source=h.source, generated_at=h.generated_at, attribution=h.attribution
    )


def invalid(doc: dict[str, Any]) -> str:
    with pytest.raises(InvalidTimetable) as caught:
        reading.load(doc)
    return caught.value.message


def test_a_loaded_document_dumps_back_to_the_same_document() -> None:
    doc = document()

    assert round_trip(doc) == doc


def test_the_round_trip_keeps_attribution_and_added_dates() -> None:
    doc = document()
    doc["attribution"] = "Data by DELFI e.V., CC BY 4.0"
    doc["services"][0]["calendar"]["added"] = ["2026-06-04", "2027-05-27"]

    assert round_trip(doc) == doc


def test_a_stop_after_midnight_is_dated_the_next_day() -> None:
    timetable = reading.load(document())

    eip = timetable.services["3501"]
    warszawa, krakow = eip.stops[3], eip.stops[4]
    assert (warszawa.arrive, warszawa.depart) == (23 * 60 + 58, 1440 + 2)
    assert krakow.arrive == 1440 + 2 * 60 + 29


def test_loaded_services_carry_every_field() -> None:
    timetable = reading.load(document())

    ec = timetable.services["95"]
    assert ec.label == "EC 95"
    assert ec.stops[1] == Stop("GDW", 7 * 60 + 18, 7 * 60 + 20, 16.9, "II", "3")
    assert ec.calendar == ServiceCalendar(frozenset(range(1, 8)), date(2026, 1, 1), date(2027, 12, 31))
    assert timetable.services["3501"].calendar.removed == frozenset({date(2026, 12, 24)})
    assert timetable.run("run-95-2026-11-24").composition.code == "EIC-6"


def test_the_loaded_timetable_knows_every_catalog_station() -> None:
    timetable = reading.load(document())

    assert timetable.station("KRP").name == "Kraków Płaszów"
    assert [s.code for s in timetable.product_stations()] == ["GDG", "GDW", "POZ", "WAW", "KRK"]


def test_dump_writes_sorted_station_codes_and_whole_km_as_integers() -> None:
    doc = document()

    dumped = round_trip(doc)

    assert dumped["stations"] == sorted(dumped["stations"])
    assert json.dumps(dumped["services"][0]["stops"][0]["km"]) == "0"


def test_dump_refuses_a_naive_generation_time() -> None:
    timetable = reading.load(document())

    with pytest.raises(ValueError, match="timezone"):
        writing.dump(timetable, source="x", generated_at=datetime(2026, 1, 1))


def test_dump_refuses_a_timetable_with_times_going_backwards() -> None:
    good = reading.load(document()).services["95"]
    stops = list(good.stops)
    stops[2] = Stop("GDG", 7 * 60 + 10, 7 * 60 + 12, 20.8)
    bad = TrainService(
        good.number, good.category, good.name, good.operator, tuple(stops), good.composition, good.calendar
    )
    timetable = reading.load(document())

    with pytest.raises(InvalidTimetable, match="service 95"):
        writing.dump(
            Timetable(timetable.stations.values(), timetable.compositions.values(), [bad]), source="x"
        )


def test_a_timetable_of_other_stations_and_compositions_dumps_and_loads_with_them() -> None:
    stations = [Station("AAA", "Alpha", 1, 50.0, 19.0, True), Station("BBB", "Beta", 2, 51.0, 19.0, True)]
    compositions = [Composition("TOY", "toy train", (Car(1, 2, "open", (11, 12)),))]
    service = TrainService(
        "1",
        Category.IC,
        None,
        "Toy Rail",
        (Stop("AAA", None, 600, 0.0), Stop("BBB", 660, None, 50.0)),
        "TOY",
        ServiceCalendar(frozenset({1}), date(2026, 1, 1), date(2026, 12, 31)),
    )

    doc = writing.dump(Timetable(stations, compositions, [service]), source="toy")

    loaded = reading.load(doc, stations=stations, compositions=compositions)
    assert loaded.services["1"] == service
    with pytest.raises(InvalidTimetable, match="unknown station code 'AAA'"):
        reading.load(doc)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change to one field of the builder document, given as a dotted path ("services.0.number")."""

    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target: Any = doc
        *parents, last = path.split(".")
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[last]

    return change


def _one_stop(doc: dict[str, Any]) -> None:
    doc["services"][0]["stops"] = doc["services"][0]["stops"][:1]


def _duplicate_number(doc: dict[str, Any]) -> None:
    twin = copy.deepcopy(doc["services"][0])
    doc["services"].append(twin)


def _station_twice(doc: dict[str, Any]) -> None:
    doc["services"][0]["stops"][3] = stop("GDW", "07:43", "07:44", 53.8)


INVALID_DOCUMENTS = [
    ("bad format tag", _set("format", "trainbook-timetable/2"), "format: expected 'trainbook-timetable/1'"),
    ("missing format", _delete("format"), "document: missing 'format'"),
    ("unknown top-level key", _set("comment", "hi"), "document: unknown 'comment'"),
    ("empty source", _set("source", " "), "source: expected a non-empty text"),
    ("local generation time", _set("generated_at", "2026-11-24T10:00:00"), "generated_at: expected UTC time"),
    (
        "unknown station",
        _set("services.0.stops.3.station", "XYZ"),
        "service 95, stops[3].station: unknown station",
    ),
    (
        "unknown composition",
        _set("services.1.composition", "ED999"),
        "service 3501, composition: unknown composition",
    ),
    ("unknown category", _set("services.0.category", "ICE"), "service 95, category: unknown category 'ICE'"),
    ("number not digits", _set("services.0.number", "EC95"), "service EC95, number: expected 1 to 6 digits"),
    ("number not text", _set("services.0.number", 95), "services[0], number: expected 1 to 6 digits"),
    ("duplicate train number", _duplicate_number, "service 95: duplicate train number 95"),
    ("fewer than 2 stops", _one_stop, "service 95, stops: a service needs at least 2 stops, got 1"),
    (
        "arrival before previous departure",
        _set("services.0.stops.2.arrive", "07:19"),
        "service 95, stops[2].arrive: time goes backwards at GDG",
    ),
    (
        "stop after midnight without its day",
        _set("services.1.stops.4.day", 0),
        "service 3501, stops[4].arrive: time goes backwards at KRK",
    ),
    (
        "departure long before arrival",
        _set("services.0.stops.1.depart", "07:10"),
        "service 95, stops[1].depart: stands 1432 minutes at GDW",
    ),
    ("km not increasing", _set("services.0.stops.2.km", 16.9), "service 95, stops[2].km: km must increase"),
    (
        "km not from origin",
        _set("services.0.stops.0.km", 5),
        "service 95, stops[0].km: km counts from the origin",
    ),
    ("negative km", _set("services.0.stops.1.km", -1), "service 95, stops[1].km: expected a distance"),
    ("km as text", _set("services.0.stops.1.km", "16.9"), "service 95, stops[1].km: expected a distance"),
    (
        "bad time",
        _set("services.0.stops.1.arrive", "7:18"),
        "service 95, stops[1].arrive: expected a time 'HH:MM'",
    ),
    ("hour 24", _set("services.0.stops.1.arrive", "24:18"), "service 95, stops[1].arrive: expected a time"),
    (
        "origin with arrival",
        _set("services.0.stops.0.arrive", "07:00"),
        "service 95, stops[0].arrive: the origin",
    ),
    (
        "terminus with departure",
        _set("services.0.stops.4.depart", "10:30"),
        "service 95, stops[4].depart: the terminus",
    ),
    (
        "intermediate stop without departure",
        _set("services.0.stops.2.depart", None),
        "an intermediate stop needs both",
    ),
    (
        "origin after midnight",
        _set("services.0.stops.0.day", 1),
        "service 95, stops[0].day: the origin departs",
    ),
    ("negative day", _set("services.0.stops.1.day", -1), "service 95, stops[1].day: expected days after"),
    ("station twice", _station_twice, "service 95, stops[3].station: GDW is already stop 1"),
    (
        "arabic platform",
        _set("services.0.stops.1.platform", "2"),
        "service 95, stops[1].platform: expected a Roman",
    ),
    ("roman track", _set("services.0.stops.1.track", "IV"), "service 95, stops[1].track: expected an Arabic"),
    (
        "misspelt stop key",
        _set("services.0.stops.1.platfrom", "II"),
        "service 95, stops[1]: unknown 'platfrom'",
    ),
    ("missing stop key", _delete("services.0.stops.1.track"), "service 95, stops[1]: missing 'track'"),
    (
        "weekday 8",
        _set("services.0.calendar.weekdays", [1, 8]),
        "service 95, calendar.weekdays: expected ISO",
    ),
    (
        "weekdays unsorted",
        _set("services.0.calendar.weekdays", [2, 1]),
        "calendar.weekdays: expected ISO weekdays",
    ),
    (
        "bad date",
        _set("services.0.calendar.valid_to", "2027-02-30"),
        "service 95, calendar.valid_to: expected a date",
    ),
    (
        "period reversed",
        _set("services.0.calendar.valid_to", "2025-12-31"),
        "calendar.valid_to: 2025-12-31 is before",
    ),
    (
        "date added and removed",
        _set("services.1.calendar.added", ["2026-12-24"]),
        "service 3501, calendar.removed: dates both added and removed",
    ),
    ("station list incomplete", _set("stations", ["GDG", "POZ"]), "stations: expected the station codes"),
    ("services not a list", _set("services", {}), "services: expected a list of services"),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [pytest.param(change, expected, id=name) for name, change, expected in INVALID_DOCUMENTS],
)
def test_an_invalid_document_is_refused_naming_the_service_and_field(
    change: Callable[[dict[str, Any]], None], expected: str
) -> None:
    doc = document()
    change(doc)

    assert expected in invalid(doc)


def test_every_problem_is_reported_at_once() -> None:
    doc = document()
    doc["services"][0]["composition"] = "ED999"
    doc["services"][1]["stops"][1]["station"] = "XYZ"

    with pytest.raises(InvalidTimetable) as caught:
        reading.load(doc)

    assert len(caught.value.problems) == 2
    assert "service 95, composition" in caught.value.problems[0]
    assert "service 3501, stops[1].station" in caught.value.problems[1]


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidTimetable, match="document: expected an object, got list"):
        reading.load([])  # type: ignore[arg-type]


def test_write_then_read_gives_the_same_timetable(tmp_path: Path) -> None:
    timetable = reading.load(document())
    path = tmp_path / "nested" / "timetable.json"

    writing.write(timetable, path, source="test", attribution="CC BY 4.0")

    assert dict(reading.read(path).services) == dict(timetable.services)
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["source"] == "test"
    assert written["attribution"] == "CC BY 4.0"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", written["generated_at"])
    assert list(tmp_path.glob("nested/*")) == [path]


def test_written_files_put_one_stop_per_line(tmp_path: Path) -> None:
    path = tmp_path / "timetable.json"

    writing.write(
        reading.load(document()),
        path,
        source="test",
        generated_at=datetime(2026, 11, 24, 10, tzinfo=UTC),
    )

    lines = path.read_text(encoding="utf-8").splitlines()
    first_stop = '{"station": "GDY", "arrive": null, "depart": "07:01", "day": 0, "km": 0, "platform": "II",'
    assert any(line.strip().startswith(first_stop) for line in lines)
    assert sum('"station":' in line for line in lines) == 10


def test_writing_an_invalid_timetable_leaves_no_file(tmp_path: Path) -> None:
    good = reading.load(document())
    bad = Timetable(good.stations.values(), [], good.services.values())  # compositions unknown
    path = tmp_path / "timetable.json"

    with pytest.raises(InvalidTimetable):
        writing.write(bad, path, source="test")

    assert not path.exists()


def test_reading_a_file_that_is_not_json_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "timetable.json"
    path.write_text("{not json", encoding="utf-8")

    with pytest.raises(InvalidTimetable, match=r"timetable\.json: not a JSON timetable"):
        reading.read(path)


def test_reading_an_invalid_file_names_the_file_and_the_problem(tmp_path: Path) -> None:
    doc = document()
    doc["format"] = "gtfs"
    path = tmp_path / "timetable.json"
    path.write_text(json.dumps(doc), encoding="utf-8")

    with pytest.raises(InvalidTimetable, match=r"timetable\.json: invalid timetable: format: expected"):
        reading.read(path)


def test_the_shipped_timetable_is_found_in_the_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRAINBOOK_TIMETABLE", raising=False)

    assert location.shipped_timetable_path() == REPO / "scraper" / "data" / "timetable.json"
    assert location.SHIPPED_TIMETABLE == REPO / "scraper" / "data" / "timetable.json"


def test_the_environment_variable_chooses_another_timetable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "other.json"
    writing.write(reading.load(document()), path, source="test")
    monkeypatch.setenv("TRAINBOOK_TIMETABLE", str(path))

    assert location.shipped_timetable_path() == path
    assert set(location.read_shipped().services) == {"95", "3501"}


def test_the_example_in_the_format_docs_is_a_valid_timetable() -> None:
    text = (REPO / "docs" / "timetable-format.md").read_text(encoding="utf-8")
    example = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert example is not None
    doc = json.loads(example[1])

    assert round_trip(doc) == doc
