"""A train run's seat inventory decides holds, sales and releases on the seats as read: pure, no fakes."""

from __future__ import annotations

import pytest

from trainbook.catalog.domain import LegSpan
from trainbook.inventory.domain import (
    Guard,
    HoldExpired,
    InvalidSeatSelection,
    LegOccupancy,
    LegState,
    RunInventory,
    SeatClaim,
    SeatInventory,
    SeatTaken,
)
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold

RUN = "run-3500-2026-11-25"
KRAKOW_TO_WARSAW = LegSpan(0, 2)
WARSAW_TO_GDANSK = LegSpan(2, 5)
KRAKOW_TO_GDANSK = LegSpan(0, 5)
NOW = 1_800_000_000
HOLD = 600


def run(**seats: dict[int, LegOccupancy]) -> RunInventory:
    """A run whose seats (05_045 -> "05-045") have these legs taken."""
    return RunInventory(
        RUN,
        {
            name.replace("_", "-"): SeatInventory(RUN, name.replace("_", "-"), legs)
            for name, legs in seats.items()
        },
    )


def legs(
    span: LegSpan, booking: str, state: LegState = LegState.HELD, expires: int = NOW + HOLD
) -> dict[int, LegOccupancy]:
    return {leg: LegOccupancy(booking, state, 0 if state is LegState.SOLD else expires) for leg in span.legs}


def claim(booking: str, seats: tuple[str, ...] = ("05-045",), span: LegSpan = KRAKOW_TO_GDANSK) -> SeatClaim:
    return SeatClaim(RUN, booking, seats, span)


def test_a_hold_returns_seats_held_and_the_legs_to_write() -> None:
    decision = run().hold(claim("A", ("05-045", "05-046")), NOW + HOLD, NOW)

    assert decision.events == (SeatsHeld("A", RUN, ("05-045", "05-046"), 0, 5, NOW + HOLD),)
    assert decision.change.guard is Guard.FREE and decision.change.now == NOW
    assert decision.change.legs == (("05-045", (0, 1, 2, 3, 4)), ("05-046", (0, 1, 2, 3, 4)))
    assert decision.change.new == LegOccupancy("A", LegState.HELD, NOW + HOLD)


def test_a_seat_sold_to_warsaw_stays_free_beyond_warsaw() -> None:
    seats = run(**{"05_045": legs(KRAKOW_TO_WARSAW, "A", LegState.SOLD)})

    decision = seats.hold(claim("B", span=WARSAW_TO_GDANSK), NOW + HOLD, NOW)

    assert decision.change.legs == (("05-045", (2, 3, 4)),)


def test_an_overlapping_live_hold_refuses_the_whole_hold_naming_the_seat() -> None:
    seats = run(**{"05_046": legs(WARSAW_TO_GDANSK, "A", expires=NOW + 1)})

    with pytest.raises(SeatTaken, match="05-046"):
        seats.hold(claim("B", ("05-045", "05-046")), NOW + HOLD, NOW)


def test_a_hold_that_expires_now_leaves_the_seat_free() -> None:
    seats = run(**{"05_045": legs(KRAKOW_TO_GDANSK, "A", expires=NOW)})

    assert seats.hold(claim("B"), NOW + HOLD, NOW).events[0] == SeatsHeld(
        "B", RUN, ("05-045",), 0, 5, NOW + HOLD
    )


def test_a_sale_is_never_held_again_not_even_by_its_buyer() -> None:
    seats = run(**{"05_045": legs(KRAKOW_TO_GDANSK, "A", LegState.SOLD)})

    with pytest.raises(SeatTaken):
        seats.hold(claim("A"), NOW + HOLD, NOW)


@pytest.mark.parametrize("seats", [(), ("05-045", "05-045"), tuple(f"05-{n:03d}" for n in range(11, 20))])
def test_a_bad_seat_selection_is_refused(seats: tuple[str, ...]) -> None:
    with pytest.raises(InvalidSeatSelection):
        run().hold(claim("A", seats), NOW + HOLD, NOW)


def test_only_the_holder_can_buy_and_only_before_the_hold_expires() -> None:
    seats = run(**{"05_045": legs(KRAKOW_TO_GDANSK, "A")})

    with pytest.raises(HoldExpired):
        seats.sell(claim("B"), NOW + 1)
    with pytest.raises(HoldExpired):
        seats.sell(claim("A"), NOW + HOLD)
    decision = seats.sell(claim("A"), NOW + HOLD - 1)

    assert decision.events == (SeatsSold("A", RUN, ("05-045",), 0, 5),)
    assert decision.change.guard is Guard.SELLABLE and decision.change.new == LegOccupancy(
        "A", LegState.SOLD, 0
    )


def test_selling_what_the_booking_already_bought_decides_the_same_sale() -> None:
    seats = run(**{"05_045": legs(KRAKOW_TO_GDANSK, "A", LegState.SOLD)})

    assert seats.sell(claim("A"), NOW + 10 * HOLD).events == (SeatsSold("A", RUN, ("05-045",), 0, 5),)


def test_a_release_frees_only_the_legs_of_its_booking() -> None:
    seats = run(
        **{
            "05_045": legs(KRAKOW_TO_WARSAW, "A") | legs(WARSAW_TO_GDANSK, "B"),
            "05_046": legs(WARSAW_TO_GDANSK, "B", LegState.SOLD),
        }
    )

    decision = seats.release(claim("B", ("05-046", "05-045", "05-047")), "payment_failed")

    assert decision is not None
    assert decision.events == (SeatsReleased("B", RUN, ("05-045", "05-046"), "payment_failed"),)
    assert decision.change.guard is Guard.OWNED and decision.change.new is None
    assert decision.change.legs == (("05-045", (2, 3, 4)), ("05-046", (2, 3, 4)))


def test_releasing_what_a_booking_does_not_hold_decides_nothing() -> None:
    seats = run(**{"05_045": legs(KRAKOW_TO_GDANSK, "A")})

    assert seats.release(claim("B"), "cancelled") is None


def test_a_change_applied_to_a_seat_sets_or_frees_exactly_its_legs() -> None:
    seat = SeatInventory(RUN, "05-045", legs(KRAKOW_TO_WARSAW, "A"))
    sold = LegOccupancy("B", LegState.SOLD, 0)

    assert seat.changed((2, 3), sold).legs == legs(KRAKOW_TO_WARSAW, "A") | {2: sold, 3: sold}
    assert seat.changed((0, 1), None).legs == {}
