"""One table of leg cases, answered by the domain rule, by the DynamoDB condition on moto and by the seat map.

inventory.domain.leg_is_free (and leg_is_sellable) is the one definition; the adapter's
ConditionExpressions are its translation and the seat-map fold counts free seats with it. Each case
puts one occupancy (or none) on leg 0 of a seat, then asks all of them, for booking "me" at NOW.
"""

from __future__ import annotations

import pytest

from trainbook.catalog.domain import LegSpan
from trainbook.eventstore.store import EventStore
from trainbook.inventory.domain import (
    Guard,
    LegOccupancy,
    LegState,
    SeatChange,
    SeatInventory,
    guard_holds,
    leg_is_free,
    leg_is_sellable,
)
from trainbook.inventory.store import DynamoInventory, item_of
from trainbook.projections.seat_map_fold import Occupant, occupied_seats

pytestmark = pytest.mark.usefixtures("aws")

RUN = "run-3500-2026-11-25"
SEAT = "05-045"
NOW = 1_800_000_000
HELD, SOLD = LegState.HELD, LegState.SOLD

CASES: dict[str, LegOccupancy | None] = {
    "absent": None,
    "held by me, live": LegOccupancy("me", HELD, NOW + 1),
    "held by me, expired at exactly now": LegOccupancy("me", HELD, NOW),
    "held by me, expired before": LegOccupancy("me", HELD, NOW - 1),
    "held by other, live": LegOccupancy("other", HELD, NOW + 1),
    "held by other, expired at exactly now": LegOccupancy("other", HELD, NOW),
    "held by other, expired before": LegOccupancy("other", HELD, NOW - 60),
    "sold to other": LegOccupancy("other", SOLD, 0),
    "sold to me": LegOccupancy("me", SOLD, 0),
}
# What the rules answer, written out once so a change to either side shows here.
FREE = {
    "absent",
    "held by me, live",
    "held by me, expired at exactly now",
    "held by me, expired before",
    "held by other, expired at exactly now",
    "held by other, expired before",
}
SELLABLE = {"held by me, live", "sold to me"}


def written_under(guard: Guard, occupancy: LegOccupancy | None) -> bool:
    """Whether the adapter's condition for `guard` lets booking "me" change leg 0 at NOW."""
    inventory = DynamoInventory(EventStore())
    seat = SeatInventory(RUN, SEAT, {} if occupancy is None else {0: occupancy})
    inventory.client.put_item(TableName=inventory.table, Item=item_of(seat))
    new = None if guard is Guard.OWNED else LegOccupancy("me", SOLD, 0)
    change = SeatChange(RUN, "me", guard, NOW, ((SEAT, (0,)),), new)
    try:
        inventory.save(change, [])
    except Exception as refused:
        assert type(refused) is type(change.refusal(SEAT))
        return False
    return True


@pytest.mark.parametrize("case", CASES)
def test_a_leg_is_free_by_the_domain_exactly_when_the_condition_lets_a_hold_write_it(case: str) -> None:
    occupancy = CASES[case]

    assert leg_is_free(occupancy, NOW, "me") is (case in FREE)
    assert written_under(Guard.FREE, occupancy) is (case in FREE)


@pytest.mark.parametrize("case", CASES)
def test_a_leg_is_sellable_by_the_domain_exactly_when_the_condition_lets_a_sale_write_it(case: str) -> None:
    occupancy = CASES[case]

    assert leg_is_sellable(occupancy, "me", NOW) is (case in SELLABLE)
    assert written_under(Guard.SELLABLE, occupancy) is (case in SELLABLE)


@pytest.mark.parametrize("case", CASES)
def test_a_leg_is_released_by_the_domain_exactly_when_the_condition_lets_a_release_write_it(
    case: str,
) -> None:
    occupancy = CASES[case]
    mine = occupancy is not None and occupancy.booking == "me"

    assert guard_holds(Guard.OWNED, occupancy, "me", NOW) is mine
    assert written_under(Guard.OWNED, occupancy) is mine


@pytest.mark.parametrize("case", CASES)
def test_the_seat_map_counts_a_seat_taken_exactly_when_it_is_not_free_for_a_new_booking(case: str) -> None:
    occupancy = CASES[case]
    occupants = (
        []
        if occupancy is None
        else [
            Occupant(
                occupancy.booking, 2, (SEAT,), LegSpan(0, 1), occupancy.state.value, occupancy.expires_at
            )
        ]
    )

    taken = occupied_seats(occupants, LegSpan(0, 1), NOW) == {SEAT}

    assert taken is not leg_is_free(occupancy, NOW)
    assert taken is not (case in FREE - {"held by me, live"})
