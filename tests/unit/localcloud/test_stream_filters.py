"""Stream triggers' FilterCriteria: which records reach the function, and the template's filters.

Lambda drops the records no filter matches; the local cloud does the same (`localcloud.streams.filtering`).
The template gives each projector and the change reactor a filter on the event's stream name; those names
come from the contexts' stream-name functions, so a renamed stream cannot silently starve a read model.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from localcloud.streams.filtering import check_pattern, delivered
from localcloud.template.loader import load_template
from localcloud.template.translate import translate
from trainbook.booking.domain import booking_stream
from trainbook.catalog.domain import run_id
from trainbook.changes.domain import notification_stream
from trainbook.saga_progress import progress_stream

REPO = Path(__file__).resolve().parents[3]


def record(stream: str, name: str = "INSERT") -> dict[str, Any]:
    return {"eventName": name, "dynamodb": {"Keys": {"stream": {"S": stream}, "version": {"N": "1"}}}}


BY_STREAM = {"dynamodb": {"Keys": {"stream": {"S": [{"prefix": "run-"}, {"prefix": "booking-"}]}}}}


@pytest.mark.parametrize(
    ("stream", "expected"),
    [("run-3521-2026-12-02", True), ("booking-b1", True), ("saga-b1", False), ("user-u1", False)],
)
def test_a_record_is_delivered_when_its_stream_has_an_accepted_prefix(stream: str, expected: bool) -> None:
    assert delivered(record(stream), [BY_STREAM]) is expected


def test_no_filter_delivers_everything_and_any_matching_filter_is_enough() -> None:
    assert delivered(record("saga-b1"), [])
    inserts = {"eventName": ["INSERT"]}
    assert delivered(record("saga-b1"), [BY_STREAM, inserts])
    assert not delivered(record("saga-b1", "REMOVE"), [BY_STREAM, inserts])


def test_exact_values_anything_but_and_exists() -> None:
    assert delivered(record("a", "MODIFY"), [{"eventName": [{"anything-but": ["INSERT", "REMOVE"]}]}])
    assert not delivered(record("a", "INSERT"), [{"eventName": [{"anything-but": "INSERT"}]}])
    assert delivered(record("a"), [{"dynamodb": {"NewImage": {"type": [{"exists": False}]}}}])
    assert not delivered(record("a"), [{"dynamodb": {"Keys": {"stream": {"S": [{"exists": False}]}}}}])
    assert not delivered(record("a"), [{"dynamodb": {"NewImage": {"type": {"S": ["X"]}}}}])


def test_an_operator_the_emulation_does_not_know_is_refused_not_read_as_no_match() -> None:
    with pytest.raises(ValueError, match="numeric"):
        check_pattern({"dynamodb": {"Keys": {"version": {"N": [{"numeric": [">", 0]}]}}}})
    with pytest.raises(ValueError, match="list of accepted values"):
        check_pattern({"eventName": "INSERT"})


def _events_triggers() -> dict[str, list[str]]:
    """Accepted stream prefixes of every trigger on the Events stream, by function ([] = every stream)."""
    resources = translate(load_template(REPO / "template.yaml"), "eu-central-1")["Resources"]
    found: dict[str, list[str]] = {}
    for resource in resources.values():
        props = resource.get("Properties", {})
        if resource["Type"] != "AWS::Lambda::EventSourceMapping" or "EventsTable" not in json.dumps(
            props.get("EventSourceArn")
        ):
            continue
        patterns = [json.loads(f["Pattern"]) for f in props.get("FilterCriteria", {}).get("Filters", [])]
        for pattern in patterns:
            check_pattern(pattern)
        function = json.dumps(props["FunctionName"])
        streams = [pat["dynamodb"].get("Keys", {}).get("stream", {}).get("S", []) for pat in patterns]
        found[function] = [p["prefix"] for accepted in streams for p in accepted]
    return found


def test_every_filter_names_streams_the_contexts_write() -> None:
    written = {
        booking_stream("x").removesuffix("x"),
        run_id("1", date(2026, 12, 2)).removesuffix("1-2026-12-02"),
        notification_stream("x").removesuffix("x"),
    }
    triggers = _events_triggers()
    assert len(triggers) == 8
    assert all(set(prefixes) <= written for prefixes in triggers.values())


def test_only_the_broadcaster_sees_saga_progress() -> None:
    saga = progress_stream("b1")
    seeing = [
        f
        for f, prefixes in _events_triggers().items()
        if not prefixes or any(saga.startswith(p) for p in prefixes)
    ]
    assert len(seeing) == 1 and "Broadcaster" in seeing[0]
