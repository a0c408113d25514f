"""Seat occupancy per leg, and the rules for holding, selling and releasing seats. Pure Python.

A seat is occupied leg by leg, so a seat sold Gdańsk -> Warszawa stays sellable Warszawa -> Kraków.
A hold carries an expiry; once it has passed, the leg is free again for everyone, whether or not a
clean-up has removed the hold yet. `leg_is_free` is the one definition of a free leg: the seat-map
read model counts free seats with it, and the DynamoDB adapter's ConditionExpressions are its
translation (a test runs one table of cases through both).

A run's inventory decides: `RunInventory.hold/sell/release` check the rules on the seats as read and
return a `SeatDecision`, the event that records it and the `SeatChange` to write. The adapter writes
the change only if every changed leg still passes the change's guard, so a decision taken on a read
that went stale is refused, never applied.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from trainbook.catalog.domain import LegSpan
from trainbook.errors import Conflict, DomainError
from trainbook.eventstore.events import Event
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold

MAX_SEATS_PER_BOOKING = 8  # a PKP Intercity group booking larger than this is a group order, not a booking


class SeatTaken(Conflict):
    code = "seat_taken"


class HoldExpired(Conflict):
    code = "hold_expired"


class InvalidSeatSelection(DomainError):
    code = "invalid_seat_selection"


class SeatsChanged(Conflict):
    """A release decided on seats that changed before it was written: read them again and decide again."""

    code = "seats_changed"


class LegState(StrEnum):
    HELD = "held"
    SOLD = "sold"


@dataclass(frozen=True)
class LegOccupancy:
    booking: str
    state: LegState
    expires_at: int  # epoch seconds; 0 once sold

    def live(self, now: int) -> bool:
        """Sold, or held with an expiry still ahead: a hold that expired at `now` or before is over."""
        return self.state is LegState.SOLD or self.expires_at > now


def leg_is_free(occupancy: LegOccupancy | None, now: int, booking: str | None = None) -> bool:
    """Whether a leg can be held at `now` (by `booking`, whose own hold it may renew).

    Free: nobody occupies it, or it is `booking`'s own hold, or it is a hold that has expired.
    A sale is never free, not even for the booking that bought it: a hold must not downgrade a sale.
    """
    if occupancy is None:
        return True
    if occupancy.state is LegState.HELD and occupancy.booking == booking:
        return True
    return not occupancy.live(now)


def leg_is_sellable(occupancy: LegOccupancy | None, booking: str, now: int) -> bool:
    """Whether `booking` may buy the leg at `now`: its own live hold, or already its own sale."""
    return occupancy is not None and occupancy.booking == booking and occupancy.live(now)


class Guard(StrEnum):
    """What every changed leg must still be when a change is written."""

    FREE = "free"  # leg_is_free for the booking
    SELLABLE = "sellable"  # leg_is_sellable by the booking
    OWNED = "owned"  # the booking's, in any state


def guard_holds(guard: Guard, occupancy: LegOccupancy | None, booking: str, now: int) -> bool:
    if guard is Guard.FREE:
        return leg_is_free(occupancy, now, booking)
    if guard is Guard.SELLABLE:
        return leg_is_sellable(occupancy, booking, now)
    return occupancy is not None and occupancy.booking == booking


@dataclass(frozen=True)
class SeatClaim:
    """Which seats of which run a booking wants, on which legs: what every inventory change is about."""

    run_id: str
    booking_id: str
    seats: tuple[str, ...]  # SeatRef keys, "05-045"
    span: LegSpan


@dataclass(frozen=True)
class SeatChange:
    """The legs to write and what to write there, under a guard every changed leg must still pass."""

    run_id: str
    booking_id: str
    guard: Guard
    now: int  # the instant the guard is judged at (hold expiry)
    legs: tuple[tuple[str, tuple[int, ...]], ...]  # (seat, its changed legs), in the claim's seat order
    new: LegOccupancy | None  # what every changed leg becomes; None frees it

    def refusal(self, seat: str) -> Conflict:
        """What it means that `seat` no longer passed the guard when the change was written."""
        if self.guard is Guard.FREE:
            return SeatTaken(f"seat {seat} is taken on part of the journey")
        if self.guard is Guard.SELLABLE:
            return HoldExpired(f"the hold on seat {seat} was lost before the sale")
        return SeatsChanged(f"seat {seat} changed while booking {self.booking_id} released it")


@dataclass(frozen=True)
class SeatDecision:
    """A decision of a run's inventory: the events that record it, and the change to write with them."""

    events: tuple[Event, ...]
    change: SeatChange

    def with_event(self, event: Event) -> SeatDecision:
        """The same change, recorded together with one more event (written in the same transaction)."""
        return replace(self, events=(*self.events, event))


@dataclass(frozen=True)
class SeatInventory:
    """One seat of one train run: the occupancy of every leg that is taken."""

    run_id: str
    seat: str  # SeatRef.key, "05-045"
    legs: dict[int, LegOccupancy] = field(default_factory=dict)

    def free_for(self, span: LegSpan, booking: str, now: int) -> bool:
        return all(leg_is_free(self.legs.get(leg), now, booking) for leg in span.legs)

    def sellable_by(self, span: LegSpan, booking: str, now: int) -> bool:
        return all(leg_is_sellable(self.legs.get(leg), booking, now) for leg in span.legs)

    def held_by(self, booking: str) -> list[int]:
        return sorted(i for i, o in self.legs.items() if o.booking == booking)

    def changed(self, legs: tuple[int, ...], new: LegOccupancy | None) -> SeatInventory:
        """This seat after a change set `legs` to `new` (None frees them)."""
        occupied = dict(self.legs)
        for leg in legs:
            if new is None:
                occupied.pop(leg, None)
            else:
                occupied[leg] = new
        return replace(self, legs=occupied)


@dataclass(frozen=True)
class RunInventory:
    """The seats of one train run that a decision is about, as read; untouched seats are empty."""

    run_id: str
    seats: dict[str, SeatInventory] = field(default_factory=dict)

    def seat(self, seat: str) -> SeatInventory:
        return self.seats.get(seat) or SeatInventory(self.run_id, seat)

    def hold(self, claim: SeatClaim, expires_at: int, now: int) -> SeatDecision:
        """Hold every seat of the claim for its legs until `expires_at`, or none: SeatTaken otherwise."""
        check_selection(list(claim.seats))
        for seat in claim.seats:
            if not self.seat(seat).free_for(claim.span, claim.booking_id, now):
                raise SeatTaken(f"seat {seat} is taken on part of the journey")
        held = SeatsHeld(
            claim.booking_id, claim.run_id, claim.seats, claim.span.start, claim.span.end, expires_at
        )
        new = LegOccupancy(claim.booking_id, LegState.HELD, expires_at)
        return SeatDecision((held,), self._change(claim, Guard.FREE, now, new))

    def sell(self, claim: SeatClaim, now: int) -> SeatDecision:
        """Turn the booking's live holds into sales (its sales stay sold); HoldExpired if one was lost."""
        for seat in claim.seats:
            if not self.seat(seat).sellable_by(claim.span, claim.booking_id, now):
                raise HoldExpired(f"seat {seat} is no longer held for booking {claim.booking_id}")
        sold = SeatsSold(claim.booking_id, claim.run_id, claim.seats, claim.span.start, claim.span.end)
        new = LegOccupancy(claim.booking_id, LegState.SOLD, 0)
        return SeatDecision((sold,), self._change(claim, Guard.SELLABLE, now, new))

    def release(self, claim: SeatClaim, reason: str) -> SeatDecision | None:
        """Free every leg the booking holds or bought among the claim's seats; None when it has none.

        Legs of other bookings are untouched, whatever the claim's span says.
        """
        mine = {seat: tuple(self.seat(seat).held_by(claim.booking_id)) for seat in claim.seats}
        mine = {seat: legs for seat, legs in sorted(mine.items()) if legs}
        if not mine:
            return None
        released = SeatsReleased(claim.booking_id, claim.run_id, tuple(mine), reason)
        change = SeatChange(claim.run_id, claim.booking_id, Guard.OWNED, 0, tuple(mine.items()), None)
        return SeatDecision((released,), change)

    def _change(self, claim: SeatClaim, guard: Guard, now: int, new: LegOccupancy) -> SeatChange:
        legs = tuple((seat, tuple(claim.span.legs)) for seat in claim.seats)
        return SeatChange(claim.run_id, claim.booking_id, guard, now, legs, new)


def check_selection(seats: list[str]) -> None:
    if not seats:
        raise InvalidSeatSelection("choose at least one seat")
    if len(seats) > MAX_SEATS_PER_BOOKING:
        raise InvalidSeatSelection(f"at most {MAX_SEATS_PER_BOOKING} seats can be booked at once")
    if len(set(seats)) != len(seats):
        raise InvalidSeatSelection("the same seat is chosen twice")
