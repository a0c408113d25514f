"""The booking a read model is delivered: folded forward in memory when it can, from the store otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from tests.unit.booking.test_domain import CONFIRMED, HELD, REQUESTED, SOLD
from tests.unit.fakes import FakeEventStore
from trainbook.booking import delivered
from trainbook.booking.delivered import booking_as_delivered
from trainbook.booking.domain import fold_booking
from trainbook.booking.events import BookingCancelled
from trainbook.eventstore.events import RecordedEvent


class CountingStore(FakeEventStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def read(
        self, stream: str, after: int = 0, up_to: datetime | None = None, consistent: bool = True
    ) -> list[RecordedEvent]:
        self.reads += 1
        return super().read(stream, after, up_to, consistent)


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    delivered.forget()
    yield
    delivered.forget()


@pytest.fixture
def store() -> CountingStore:
    store = CountingStore()
    store.append(
        "booking-b1", 0, [REQUESTED, HELD, SOLD, CONFIRMED, BookingCancelled("b1", 25500, "passenger")]
    )
    return store


def truth(store: CountingStore, version: int) -> object:
    return fold_booking(store.streams["booking-b1"][:version])


def test_a_stream_delivered_in_order_is_folded_without_reading_it(store: CountingStore) -> None:
    for recorded in store.read("booking-b1"):
        assert booking_as_delivered(store, recorded) == truth(store, recorded.version)

    assert store.reads == 1  # the test's own read above


def test_a_gap_reads_the_stream_and_the_next_version_folds_forward_again(store: CountingStore) -> None:
    events = store.read("booking-b1")
    store.reads = 0

    assert booking_as_delivered(store, events[0]) == truth(store, 1)
    assert booking_as_delivered(store, events[2]) == truth(store, 3)  # version 2 not delivered yet
    assert store.reads == 1
    assert booking_as_delivered(store, events[3]) == truth(store, 4)
    assert store.reads == 1


def test_late_and_duplicate_events_fold_to_their_own_version(store: CountingStore) -> None:
    events = store.read("booking-b1")
    for recorded in events:
        booking_as_delivered(store, recorded)

    assert booking_as_delivered(store, events[4]) == truth(store, 5)  # a duplicate of the last
    assert booking_as_delivered(store, events[1]) == truth(store, 2)  # a late redelivery
    assert booking_as_delivered(store, events[0]) == truth(store, 1)


def test_shuffled_delivery_folds_every_event_to_its_own_version(store: CountingStore) -> None:
    events = store.read("booking-b1")
    for recorded in [events[i] for i in (3, 0, 4, 1, 1, 2, 4)]:
        assert booking_as_delivered(store, recorded) == truth(store, recorded.version)


def test_a_stream_that_is_not_a_booking_is_nobodys_booking(store: CountingStore) -> None:
    store.append("run-3500-2026-11-25", 0, [REQUESTED])

    assert booking_as_delivered(store, store.read("run-3500-2026-11-25")[0]) is None
