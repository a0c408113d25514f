"""The seat inventory adapter on moto: each rule is a DynamoDB condition, each change comes with its event."""

from __future__ import annotations

import pytest

from trainbook.catalog.domain import LegSpan
from trainbook.eventstore.events import ConcurrencyConflict
from trainbook.eventstore.store import EventStore
from trainbook.inventory.domain import HoldExpired, InvalidSeatSelection, SeatTaken
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold
from trainbook.inventory.store import DynamoInventory

pytestmark = pytest.mark.usefixtures("aws")

RUN = "run-3500-2026-11-25"
# Stops: 0 Kraków Gł., 1 Warszawa Zach., 2 Warszawa Centralna, 3 Warszawa Wsch., 4 Iława, 5 Gdańsk Gł.
KRAKOW_TO_WARSAW = LegSpan(0, 2)
WARSAW_TO_GDANSK = LegSpan(2, 5)
KRAKOW_TO_GDANSK = LegSpan(0, 5)
NOW = 1_800_000_000
TEN_MINUTES = 600


@pytest.fixture
def store() -> EventStore:
    return EventStore()


@pytest.fixture
def inventory(store: EventStore) -> DynamoInventory:
    return DynamoInventory(store)


def hold(
    inventory: DynamoInventory, booking: str, seats: list[str], span: LegSpan, now: int = NOW
) -> SeatsHeld:
    return inventory.hold(RUN, seats, span, booking, now + TEN_MINUTES, now, version=2)


def test_a_seat_sold_to_warsaw_stays_free_beyond_warsaw(inventory: DynamoInventory) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_WARSAW)
    inventory.sell(RUN, ["05-045"], KRAKOW_TO_WARSAW, "A", NOW + 60, version=3)

    hold(inventory, "B", ["05-045"], WARSAW_TO_GDANSK)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert {leg: o.booking for leg, o in seat.legs.items()} == {0: "A", 1: "A", 2: "B", 3: "B", 4: "B"}


def test_an_overlapping_leg_is_refused_and_nothing_is_written(
    inventory: DynamoInventory, store: EventStore
) -> None:
    hold(inventory, "A", ["05-045"], WARSAW_TO_GDANSK)

    with pytest.raises(SeatTaken, match="05-045"):
        hold(inventory, "B", ["05-046", "05-045"], KRAKOW_TO_GDANSK)

    assert inventory.seats(RUN, ["05-046"])[0].legs == {}
    assert store.read("booking-B") == []


def test_an_expired_hold_counts_as_free(inventory: DynamoInventory) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)

    hold(inventory, "B", ["05-045"], KRAKOW_TO_WARSAW, now=NOW + TEN_MINUTES)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert seat.legs[0].booking == "B" and seat.legs[4].booking == "A"


def test_a_live_hold_blocks_until_its_expiry(inventory: DynamoInventory) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)

    with pytest.raises(SeatTaken):
        hold(inventory, "B", ["05-045"], KRAKOW_TO_WARSAW, now=NOW + TEN_MINUTES - 1)


def test_only_the_holder_can_confirm(inventory: DynamoInventory, store: EventStore) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)

    with pytest.raises(HoldExpired):
        inventory.sell(RUN, ["05-045"], KRAKOW_TO_GDANSK, "B", NOW + 1, version=3)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert all(o.booking == "A" and o.state == "held" for o in seat.legs.values())
    assert store.read("booking-B") == []


def test_a_hold_that_expired_cannot_be_confirmed(inventory: DynamoInventory) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK, now=NOW)

    with pytest.raises(HoldExpired):
        inventory.sell(RUN, ["05-045"], KRAKOW_TO_GDANSK, "A", NOW + TEN_MINUTES, version=3)


def test_a_hold_and_its_event_are_written_together(inventory: DynamoInventory, store: EventStore) -> None:
    event = hold(inventory, "A", ["05-045", "05-046"], KRAKOW_TO_GDANSK)

    [recorded] = store.read("booking-A")
    assert recorded.version == 2 and recorded.event == event
    assert event == SeatsHeld("A", RUN, ("05-045", "05-046"), 0, 5, NOW + TEN_MINUTES)


def test_a_version_conflict_rolls_the_seats_back(inventory: DynamoInventory) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_WARSAW)

    with pytest.raises(ConcurrencyConflict):
        inventory.hold(RUN, ["05-046"], KRAKOW_TO_WARSAW, "A", NOW + TEN_MINUTES, NOW, version=2)

    assert inventory.seats(RUN, ["05-046"])[0].legs == {}


def test_release_frees_only_what_this_booking_holds(inventory: DynamoInventory, store: EventStore) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_WARSAW)
    hold(inventory, "B", ["05-045", "05-046"], WARSAW_TO_GDANSK)

    released = inventory.release(RUN, ["05-045", "05-046"], "B", "payment_failed", version=3)

    assert released == SeatsReleased("B", RUN, ("05-045", "05-046"), "payment_failed")
    seats = {s.seat: s for s in inventory.seats(RUN, ["05-045", "05-046"])}
    assert seats["05-045"].held_by("A") == [0, 1] and seats["05-045"].held_by("B") == []
    assert seats["05-046"].legs == {}
    assert [e.event for e in store.read("booking-B")][-1] == released


def test_releasing_nothing_is_a_no_op(inventory: DynamoInventory, store: EventStore) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)

    assert inventory.release(RUN, ["05-045"], "B", "cancelled", version=1) is None
    assert inventory.release(RUN, ["05-045"], "B", "cancelled", version=1) is None

    assert store.read("booking-B") == []
    assert inventory.seats(RUN, ["05-045"])[0].held_by("A") == [0, 1, 2, 3, 4]


def test_a_sold_seat_is_released_on_cancellation(inventory: DynamoInventory) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)
    sold = inventory.sell(RUN, ["05-045"], KRAKOW_TO_GDANSK, "A", NOW + 1, version=3)
    assert sold == SeatsSold("A", RUN, ("05-045",), 0, 5)

    inventory.release(RUN, ["05-045"], "A", "cancelled", version=4)

    hold(inventory, "B", ["05-045"], KRAKOW_TO_GDANSK)


def test_confirm_is_idempotent_for_the_holder(inventory: DynamoInventory) -> None:
    hold(inventory, "A", ["05-045"], KRAKOW_TO_GDANSK)
    inventory.sell(RUN, ["05-045"], KRAKOW_TO_GDANSK, "A", NOW + 1, version=3)

    with pytest.raises(ConcurrencyConflict):  # the retry finds its own event already recorded
        inventory.sell(RUN, ["05-045"], KRAKOW_TO_GDANSK, "A", NOW + 2, version=3)

    [seat] = inventory.seats(RUN, ["05-045"])
    assert all(o.state == "sold" for o in seat.legs.values())


@pytest.mark.parametrize("seats", [[], ["05-045", "05-045"], [f"05-{n:03d}" for n in range(11, 20)]])
def test_a_bad_seat_selection_is_refused(inventory: DynamoInventory, seats: list[str]) -> None:
    with pytest.raises(InvalidSeatSelection):
        hold(inventory, "A", seats, KRAKOW_TO_GDANSK)
