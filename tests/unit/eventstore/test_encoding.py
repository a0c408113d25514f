"""An event's stored JSON: compact, keys sorted, exactly what `dataclasses.asdict` of it would give."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import date

from timetable_file import location, reading
from trainbook.catalog.runs import scheduled
from trainbook.eventstore.events import Event, decode, encode


def asdict_json(event: Event) -> str:
    values = dataclasses.asdict(event)
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_a_scheduled_run_is_stored_as_asdict_writes_it_and_reads_back_equal() -> None:
    timetable = reading.read(location.shipped_timetable_path())
    runs = timetable.runs_on(date(2026, 12, 14))
    assert runs
    for run in runs:
        event = scheduled(run)
        text = encode(event)
        assert text == asdict_json(event)
        assert decode(event.TYPE, event.SCHEMA, text) == event


@dataclass(frozen=True)
class Leg:
    first: int
    end: int


@dataclass(frozen=True)
class Nested(Event):
    name: str
    legs: tuple[Leg, ...]
    seats: tuple[str, ...]
    extra: dict[str, object]


def test_a_dataclass_inside_a_field_is_written_as_asdict_writes_it() -> None:
    event = Nested("Łódź", (Leg(0, 2), Leg(2, 3)), ("12", "14"), {"b": [1, 2], "a": None, "c": 1.5})
    assert encode(event) == asdict_json(event)
    assert json.loads(encode(event))["legs"] == [{"first": 0, "end": 2}, {"first": 2, "end": 3}]
