"""The seat inventory port's contract: the in-memory fake answers exactly like the DynamoDB adapter on moto.

Each test runs against both. Decisions come from the domain (inventory.domain.RunInventory) on the
seats as read; the port writes a change and its events together or not at all, refusing a change
whose legs no longer pass its guard: conflicts, expiry and idempotency answer the same in both.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import pytest

from tests.unit.fakes import FakeEventStore, FakeInventory
from trainbook.booking.domain import booking_stream
from trainbook.catalog.domain import LegSpan
from trainbook.eventstore.events import ConcurrencyConflict, EventLog, PendingEvent, pending_after
from trainbook.eventstore.store import EventStore
from trainbook.inventory.domain import (
    HoldExpired,
    InvalidSeatSelection,
    RunInventory,
    SeatChange,
    SeatClaim,
    SeatDecision,
    SeatInventory,
    SeatsChanged,
    SeatTaken,
)
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold
from trainbook.inventory.store import DynamoInventory

RUN = "run-3500-2026-11-25"
# Stops: 0 Kraków Gł., 1 Warszawa Zach., 2 Warszawa Centralna, 3 Warszawa Wsch., 4 Iława, 5 Gdańsk Gł.
KRAKOW_TO_WARSAW = LegSpan(0, 2)
WARSAW_TO_GDANSK = LegSpan(2, 5)
KRAKOW_TO_GDANSK = LegSpan(0, 5)
NOW = 1_800_000_000
TEN_MINUTES = 600


class InventoryPort(Protocol):
    def load(self, run_id: str, seats: list[str]) -> RunInventory: ...

    def seats(self, run_id: str, seats: list[str]) -> list[SeatInventory]: ...

    def save(self, change: SeatChange, events: list[PendingEvent]) -> None: ...


@pytest.fixture(params=["fake", "dynamodb"])
def ports(request: pytest.FixtureRequest) -> Iterator[tuple[InventoryPort, EventLog]]:
    if request.param == "fake":
        fake_events = FakeEventStore()
        yield FakeInventory(fake_events), fake_events
    else:
        request.getfixturevalue("aws")
        store = EventStore()
        yield DynamoInventory(store), store


@pytest.fixture
def inventory(ports: tuple[InventoryPort, EventLog]) -> InventoryPort:
    return ports[0]


@pytest.fixture
def store(ports: tuple[InventoryPort, EventLog]) -> EventLog:
    return ports[1]


def claim(booking: str, seats: list[str], span: LegSpan = KRAKOW_TO_GDANSK) -> SeatClaim:
    return SeatClaim(RUN, booking, tuple(seats), span)


def save(inventory: InventoryPort, decision: SeatDecision, version: int) -> None:
    """Write a decision with its events as versions `version`.. of the booking's stream."""
    stream = booking_stream(decision.change.booking_id)
    inventory.save(decision.change, pending_after(stream, version - 1, decision.events))


def hold(
    inventory: InventoryPort,
    booking: str,
    seats: list[str],
    span: LegSpan,
    now: int = NOW,
    version: int = 2,
) -> SeatsHeld:
    decision = inventory.load(RUN, seats).hold(claim(booking, seats, span), now + TEN_MINUTES, now)
    save(inventory, decision, version)
    [event] = decision.events
    assert isinstance(event, SeatsHeld)
    return event


def sell(
    inventory: InventoryPort, booking: str, seats: list[str], span: LegSpan, now: int, version: int
) -> SeatsSold:
    decision = inventory.load(RUN, seats).sell(claim(booking, seats, span), now)
    save(inventory, decision, version)
    [event] = decision.events
    assert isinstance(event, SeatsSold)
    return event


def release(
    inventory: InventoryPort, booking: str, seats: list[str], reason: str, version: int
) -> SeatsReleased | None:
    decision = inventory.load(RUN, seats).release(claim(booking, seats), reason)
    if decision is None:
        return None
    save(inventory, decision, version)
    [event] = decision.events
    assert isinstance(event, SeatsReleased)
    return event


def test_a_seat_sold_to_warsaw_stays_free_beyond_warsaw(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_WARSAW)
    sell(inventory, "A", ["05-045"], KRAKOW_TO_WARSAW, NOW + 60, version=3)

    hold(inventory, "B", ["05-045"], WARSAW_TO_GDANSK)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert {leg: o.booking for leg, o in seat.legs.items()} == {0: "A", 1: "A", 2: "B", 3: "B", 4: "B"}


def test_an_overlapping_leg_is_refused_and_nothing_is_written(
    inventory: InventoryPort, store: EventLog
) -> None:
    hold(inventory, "A", ["05-045"], WARSAW_TO_GDANSK)

    with pytest.raises(SeatTaken, match="05-045"):
        hold(inventory, "B", ["05-046", "05-045"], KRAKOW_TO_GDANSK)

    assert inventory.seats(RUN, ["05-046"])[0].legs == {}
    assert store.read(booking_stream("B")) == []


def test_an_expired_hold_counts_as_free(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)

    hold(inventory, "B", ["05-045"], KRAKOW_TO_WARSAW, now=NOW + TEN_MINUTES)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert seat.legs[0].booking == "B" and seat.legs[4].booking == "A"


def test_a_live_hold_blocks_until_its_expiry(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)

    with pytest.raises(SeatTaken):
        hold(inventory, "B", ["05-045"], KRAKOW_TO_WARSAW, now=NOW + TEN_MINUTES - 1)


def test_only_the_holder_can_confirm(inventory: InventoryPort, store: EventLog) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)

    with pytest.raises(HoldExpired):
        sell(inventory, "B", ["05-045"], KRAKOW_TO_GDANSK, NOW + 1, version=3)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert all(o.booking == "A" and o.state == "held" for o in seat.legs.values())
    assert store.read(booking_stream("B")) == []


def test_a_hold_that_expired_cannot_be_confirmed(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)

    with pytest.raises(HoldExpired):
        sell(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, NOW + TEN_MINUTES, version=3)


def test_a_hold_and_its_event_are_written_together(inventory: InventoryPort, store: EventLog) -> None:
    event = hold(inventory, "A", ["05-045", "05-046"], KRAKOW_TO_GDANSK)

    [recorded] = store.read(booking_stream("A"))
    assert recorded.version == 2 and recorded.event == event
    assert event == SeatsHeld("A", RUN, ("05-045", "05-046"), 0, 5, NOW + TEN_MINUTES)


def test_a_version_conflict_rolls_the_seats_back(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_WARSAW)

    with pytest.raises(ConcurrencyConflict):
        hold(inventory, "A", ["05-046"], KRAKOW_TO_WARSAW, version=2)

    assert inventory.seats(RUN, ["05-046"])[0].legs == {}


def test_release_frees_only_what_this_booking_holds(inventory: InventoryPort, store: EventLog) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_WARSAW)
    hold(inventory, "B", ["05-045", "05-046"], WARSAW_TO_GDANSK)

    released = release(inventory, "B", ["05-045", "05-046"], "payment_failed", version=3)

    assert released == SeatsReleased("B", RUN, ("05-045", "05-046"), "payment_failed")
    seats = {s.seat: s for s in inventory.seats(RUN, ["05-045", "05-046"])}
    assert seats["05-045"].held_by("A") == [0, 1] and seats["05-045"].held_by("B") == []
    assert seats["05-046"].legs == {}
    assert [e.event for e in store.read(booking_stream("B"))][-1] == released


def test_releasing_nothing_is_a_no_op(inventory: InventoryPort, store: EventLog) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)

    assert release(inventory, "B", ["05-045"], "cancelled", version=1) is None
    assert release(inventory, "B", ["05-045"], "cancelled", version=1) is None

    assert store.read(booking_stream("B")) == []
    assert inventory.seats(RUN, ["05-045"])[0].held_by("A") == [0, 1, 2, 3, 4]


def test_a_sold_seat_is_released_on_cancellation(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)
    sold = sell(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, NOW + 1, version=3)
    assert sold == SeatsSold("A", RUN, ("05-045",), 0, 5)

    release(inventory, "A", ["05-045"], "cancelled", version=4)

    hold(inventory, "B", ["05-045"], KRAKOW_TO_GDANSK)


def test_confirm_is_idempotent_for_the_holder(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)
    sell(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, NOW + 1, version=3)

    with pytest.raises(ConcurrencyConflict):  # the retry finds its own event already recorded
        sell(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, NOW + 2, version=3)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert all(o.state == "sold" for o in seat.legs.values())


@pytest.mark.parametrize("seats", [[], ["05-045", "05-045"], [f"05-{n:03d}" for n in range(11, 20)]])
def test_a_bad_seat_selection_is_refused(inventory: InventoryPort, seats: list[str]) -> None:
    with pytest.raises(InvalidSeatSelection):
        hold(inventory, "A", seats, KRAKOW_TO_GDANSK)


def test_a_hold_decided_on_a_stale_read_is_refused_and_writes_nothing(
    inventory: InventoryPort, store: EventLog
) -> None:
    stale = inventory.load(RUN, ["05-045"]).hold(claim("B", ["05-045"]), NOW + TEN_MINUTES, NOW)
    hold(inventory, "A", ["05-045"], KRAKOW_TO_WARSAW)

    with pytest.raises(SeatTaken, match="05-045"):
        save(inventory, stale, version=2)

    assert inventory.seats(RUN, ["05-045"])[0].held_by("B") == []
    assert store.read(booking_stream("B")) == []


def test_a_sale_decided_before_the_hold_was_taken_over_is_refused(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)
    stale = inventory.load(RUN, ["05-045"]).sell(claim("A", ["05-045"]), NOW + TEN_MINUTES - 1)
    hold(inventory, "B", ["05-045"], KRAKOW_TO_GDANSK, now=NOW + TEN_MINUTES)  # A's hold has expired

    with pytest.raises(HoldExpired):
        save(inventory, stale, version=3)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert seat.held_by("B") == [0, 1, 2, 3, 4] and all(o.state == "held" for o in seat.legs.values())


def test_a_release_decided_on_a_stale_read_frees_nothing_of_others(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)
    stale = inventory.load(RUN, ["05-045"]).release(claim("A", ["05-045"]), "payment_failed")
    assert stale is not None
    hold(inventory, "B", ["05-045"], KRAKOW_TO_WARSAW, now=NOW + TEN_MINUTES)

    with pytest.raises(SeatsChanged):
        save(inventory, stale, version=3)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert seat.held_by("B") == [0, 1] and seat.held_by("A") == [2, 3, 4]


def test_a_holder_may_renew_its_own_hold(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)

    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW + 60, version=3)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert {o.expires_at for o in seat.legs.values()} == {NOW + 60 + TEN_MINUTES}


def test_a_version_conflict_wins_over_a_refused_seat(inventory: InventoryPort) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)
    stale = RunInventory(RUN).hold(claim("A", ["05-046"]), NOW + TEN_MINUTES, NOW)
    hold(inventory, "B", ["05-046"], KRAKOW_TO_GDANSK)

    with pytest.raises(ConcurrencyConflict):
        save(inventory, stale, version=2)  # version 2 of A's stream is taken, and so is the seat

    assert inventory.seats(RUN, ["05-046"])[0].held_by("A") == []
