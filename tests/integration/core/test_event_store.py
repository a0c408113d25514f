"""The DynamoDB event store on moto: append, optimistic concurrency, replay order and as-of."""

from __future__ import annotations

import pytest

from tests.support.events import Clock, Noted
from trainbook.eventstore.events import (
    ConcurrencyConflict,
    Meta,
    PendingEvent,
    UnknownEventType,
)
from trainbook.eventstore.store import EventRecord, EventStore

pytestmark = pytest.mark.usefixtures("aws")


def test_appended_events_read_back_in_version_order_with_meta() -> None:
    store = EventStore()
    store.append([PendingEvent("s-1", 1, Noted("a", ("x", "y")), Meta("req-1", "cmd-1", "user-1"))])
    store.append([PendingEvent("s-1", 2, Noted("b")), PendingEvent("s-1", 3, Noted("c"))])

    events = store.read("s-1")

    assert [(e.version, e.event) for e in events] == [
        (1, Noted("a", ("x", "y"))),
        (2, Noted("b")),
        (3, Noted("c")),
    ]
    assert events[0].meta == Meta("req-1", "cmd-1", "user-1")
    assert store.read("empty") == []


def test_a_version_conflict_is_detected_and_the_loser_writes_nothing() -> None:
    store = EventStore()
    store.append([PendingEvent("s-1", 1, Noted("first writer"))])

    with pytest.raises(ConcurrencyConflict):
        store.append([PendingEvent("s-1", 1, Noted("second writer"))])
    with pytest.raises(ConcurrencyConflict):
        store.append([PendingEvent("s-1", 2, Noted("fresh")), PendingEvent("s-1", 1, Noted("stale"))])

    assert [e.event for e in store.read("s-1")] == [Noted("first writer")]


def test_replay_order_is_time_then_stream_then_version() -> None:
    clock = Clock()
    store = EventStore(clock)
    store.append([PendingEvent("b", 1, Noted("b1"))])
    clock.advance(1)
    store.append([PendingEvent("a", 1, Noted("a1")), PendingEvent("a", 2, Noted("a2"))])
    clock.advance(1)
    store.append([PendingEvent("b", 2, Noted("b2"))])

    assert [e.event for e in store.all_events()] == [Noted("b1"), Noted("a1"), Noted("a2"), Noted("b2")]


def test_reading_as_of_an_instant_ignores_later_events() -> None:
    clock = Clock()
    store = EventStore(clock)
    store.append([PendingEvent("s", 1, Noted("before"))])
    instant = clock.now
    clock.advance(60)
    store.append([PendingEvent("s", 2, Noted("after"))])

    assert [e.event for e in store.read("s", up_to=instant)] == [Noted("before")]


def test_an_unknown_event_type_fails_loudly_on_read() -> None:
    EventRecord(
        "s", 1, type="NeverRegistered", schema=1, data="{}", at="2026-11-24T12:00:00.000000Z", meta={}
    ).save()

    with pytest.raises(UnknownEventType):
        EventStore().read("s")


def test_an_append_at_a_guessed_end_writes_only_where_the_stream_really_ends() -> None:
    store = EventStore()
    store.append("s-1", 0, [Noted("a"), Noted("b")])

    with pytest.raises(ConcurrencyConflict):
        store.append_at_guessed_end("s-1", 3, [Noted("past the end")])  # would leave a gap at 3
    with pytest.raises(ConcurrencyConflict):
        store.append_at_guessed_end("s-1", 1, [Noted("version 2 is taken")])
    appended = store.append_at_guessed_end("s-1", 2, [Noted("c")])

    assert [e.version for e in appended] == [3]
    assert [(e.version, e.event) for e in store.read("s-1")] == [
        (1, Noted("a")),
        (2, Noted("b")),
        (3, Noted("c")),
    ]
