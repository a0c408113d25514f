"""The Booking aggregate decides each step of a booking and returns the events: pure, no fakes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trainbook.booking.domain import (
    Booking,
    BookingClosed,
    BookingStatus,
    InvalidBooking,
    NotCancellable,
    booking_stream,
    fold_booking,
    is_booking_stream,
)
from trainbook.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingRequested,
    DelayCompensationPaid,
)
from trainbook.eventstore.events import Event, RecordedEvent
from trainbook.inventory.domain import (
    HoldExpired,
    LegOccupancy,
    LegState,
    RunInventory,
    SeatInventory,
)
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold

RUN = "run-3500-2026-11-25"
NOW = 1_800_000_000
HOLD = 600
AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
REQUESTED = BookingRequested(
    booking_id="b1",
    user_id="ala",
    run_id=RUN,
    origin="KRK",
    destination="GDG",
    first_leg=0,
    end_leg=5,
    seats=("05-045", "05-046"),
    passengers=({"name": "Ala", "price_grosze": 10000}, {"name": "Jan", "price_grosze": 20000}),
    total_grosze=30000,
    departs_at="2026-11-25T05:58:00+01:00",
)
HELD = SeatsHeld("b1", RUN, ("05-045", "05-046"), 0, 5, NOW + HOLD)
SOLD = SeatsSold("b1", RUN, ("05-045", "05-046"), 0, 5)
CONFIRMED = BookingConfirmed("b1", 30000, 2)
RELEASED = SeatsReleased("b1", RUN, ("05-045", "05-046"), "cancelled")


def booking(*events: Event) -> Booking:
    folded = fold_booking(
        [RecordedEvent("booking-b1", v, e, AT) for v, e in enumerate([REQUESTED, *events], 1)]
    )
    assert folded is not None
    return folded


def seats_of(owner: str, state: LegState, expires: int = NOW + HOLD) -> RunInventory:
    """The booking's two seats, every leg taken by `owner`."""
    legs = {leg: LegOccupancy(owner, state, expires if state is LegState.HELD else 0) for leg in range(5)}
    return RunInventory(RUN, {s: SeatInventory(RUN, s, legs) for s in ("05-045", "05-046")})


EMPTY = RunInventory(RUN)


def test_a_booking_stream_is_named_once() -> None:
    assert booking().stream == booking_stream("b1") == "booking-b1"
    assert is_booking_stream("booking-b1") and not is_booking_stream("saga-b1")


def test_a_requested_booking_holds_its_seats_for_its_journey() -> None:
    decision = booking().hold(EMPTY, NOW + HOLD, NOW)

    assert decision is not None and decision.events == (HELD,)


def test_holding_a_held_or_confirmed_booking_again_decides_nothing() -> None:
    assert booking(HELD).hold(seats_of("b1", LegState.HELD), NOW + HOLD, NOW) is None
    assert booking(HELD, SOLD, CONFIRMED).hold(EMPTY, NOW + HOLD, NOW) is None


@pytest.mark.parametrize(
    "ended", [BookingFailed("b1", "PaymentDeclined"), BookingCancelled("b1", 0, "passenger")]
)
def test_an_ended_booking_holds_nothing(ended: Event) -> None:
    with pytest.raises(BookingClosed):
        booking(ended).hold(EMPTY, NOW + HOLD, NOW)


def test_confirming_sells_the_seats_and_confirms_in_one_decision() -> None:
    decision = booking(HELD).confirm(seats_of("b1", LegState.HELD), NOW + 1)

    assert decision is not None and decision.events == (SOLD, CONFIRMED)


def test_a_lost_hold_cannot_be_confirmed() -> None:
    with pytest.raises(HoldExpired):
        booking(HELD).confirm(seats_of("b1", LegState.HELD), NOW + HOLD)
    with pytest.raises(HoldExpired):
        booking(HELD).confirm(seats_of("b2", LegState.HELD, NOW + 2 * HOLD), NOW + HOLD)


def test_confirming_twice_confirms_once_and_an_unheld_booking_cannot_be_confirmed() -> None:
    assert booking(HELD, SOLD, CONFIRMED).confirm(seats_of("b1", LegState.SOLD), NOW) is None
    with pytest.raises(BookingClosed, match="not held"):
        booking().confirm(EMPTY, NOW)


def test_releasing_frees_what_the_booking_owns_and_nothing_when_it_owns_nothing() -> None:
    decision = booking(HELD, SOLD, CONFIRMED).release(seats_of("b1", LegState.SOLD), "cancelled")

    assert decision is not None and decision.events == (RELEASED,)
    assert booking(HELD).release(seats_of("b2", LegState.HELD), "cancelled") is None


def test_a_confirmed_booking_fails_only_once_its_seats_are_free() -> None:
    with pytest.raises(BookingClosed, match="cancel it instead"):
        booking(HELD, SOLD, CONFIRMED).fail("PaymentTimeout")

    assert booking(HELD, SOLD, CONFIRMED, RELEASED).fail("PaymentTimeout") == [
        BookingFailed("b1", "PaymentTimeout")
    ]
    assert booking(BookingFailed("b1", "x")).fail("again") == []


def test_only_a_confirmed_booking_can_be_cancelled_within_its_price() -> None:
    confirmed = booking(HELD, SOLD, CONFIRMED)

    assert confirmed.can_cancel() and not booking(HELD).can_cancel()
    assert confirmed.cancel(25500, "passenger") == [BookingCancelled("b1", 25500, "passenger")]
    with pytest.raises(InvalidBooking):
        confirmed.cancel(30001, "passenger")
    with pytest.raises(BookingClosed, match="only a confirmed one can be cancelled"):
        booking(HELD).cancel(0, "passenger")
    assert booking(HELD, SOLD, CONFIRMED, BookingCancelled("b1", 0, "passenger")).cancel(0, "x") == []


def test_asking_to_cancel_an_unconfirmed_booking_is_a_conflict() -> None:
    with pytest.raises(NotCancellable, match="held; only a confirmed one can be cancelled") as refused:
        booking(HELD).check_cancellable()

    assert refused.value.code == "conflict" and refused.value.status == 409
    booking(HELD, SOLD, CONFIRMED).check_cancellable()


def test_delay_compensation_is_paid_once_and_never_above_the_price() -> None:
    paid = DelayCompensationPaid("b1", 7500, 75, 25, RUN)
    confirmed = booking(HELD, SOLD, CONFIRMED)

    assert confirmed.compensate(7500, 75, 25) == [paid]
    assert booking(HELD, SOLD, CONFIRMED, paid).compensate(7500, 75, 25) == []
    with pytest.raises(InvalidBooking):
        confirmed.compensate(30001, 130, 50)
    assert booking(HELD, SOLD, CONFIRMED, paid).compensation_grosze == 7500
    assert booking(HELD, SOLD, CONFIRMED).status is BookingStatus.CONFIRMED
