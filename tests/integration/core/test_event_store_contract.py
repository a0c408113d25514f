"""The event store port's contract: the in-memory fake answers exactly like the DynamoDB store on moto.

Each test runs against both: appends at an expected version, conflicts that write nothing, batch
appends, version order, meta, and reading as of an instant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from tests.support.events import Clock, Noted
from tests.unit.fakes import FakeEventStore
from trainbook.eventstore.events import ConcurrencyConflict, EventLog, Meta, PendingEvent
from trainbook.eventstore.store import EventStore


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["fake", "dynamodb"])
def store(request: pytest.FixtureRequest, clock: Clock) -> Iterator[EventLog]:
    if request.param == "fake":
        yield FakeEventStore(clock)
    else:
        request.getfixturevalue("aws")
        yield EventStore(clock)


def texts(store: EventLog, stream: str) -> list[str]:
    return [e.event.text for e in store.read(stream) if isinstance(e.event, Noted)]


def test_events_append_after_the_expected_version_with_their_meta(store: EventLog) -> None:
    meta = Meta("req-1", "cmd-1", "user-1")

    first = store.append("s-1", 0, [Noted("a", ("x", "y"))], meta)
    then = store.append("s-1", 1, [Noted("b"), Noted("c")])

    assert [(e.version, e.event) for e in [*first, *then]] == [
        (1, Noted("a", ("x", "y"))),
        (2, Noted("b")),
        (3, Noted("c")),
    ]
    assert [(e.version, e.event, e.meta) for e in store.read("s-1")] == [
        (e.version, e.event, e.meta) for e in [*first, *then]
    ]
    assert store.read("s-1")[0].meta == meta
    assert store.read("empty") == []


def test_an_append_at_a_stale_version_conflicts_and_writes_nothing(store: EventLog) -> None:
    store.append("s-1", 0, [Noted("first writer")])

    with pytest.raises(ConcurrencyConflict):
        store.append("s-1", 0, [Noted("second writer"), Noted("its follow-up")])

    assert texts(store, "s-1") == ["first writer"]


def test_a_batch_with_one_taken_version_writes_none_of_its_streams(store: EventLog) -> None:
    store.append("s-1", 0, [Noted("s-1 first")])

    with pytest.raises(ConcurrencyConflict):
        store.append([PendingEvent("s-2", 1, Noted("fresh")), PendingEvent("s-1", 1, Noted("stale"))])

    assert texts(store, "s-2") == [] and texts(store, "s-1") == ["s-1 first"]


def test_a_batch_naming_one_version_twice_is_a_bug_and_writes_nothing(store: EventLog) -> None:
    with pytest.raises(ValueError, match="twice"):
        store.append([PendingEvent("s-1", 1, Noted("one")), PendingEvent("s-1", 1, Noted("other"))])

    assert texts(store, "s-1") == []


def test_reading_after_a_version_and_as_of_an_instant(store: EventLog, clock: Clock) -> None:
    store.append("s", 0, [Noted("before")])
    instant = clock.now
    clock.now += timedelta(seconds=60)
    store.append("s", 1, [Noted("after")])

    assert [e.event for e in store.read("s", up_to=instant)] == [Noted("before")]
    assert [e.event for e in store.read("s", after=1)] == [Noted("after")]
    assert [e.at for e in store.read("s")] == [instant, clock.now]
