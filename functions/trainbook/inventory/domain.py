"""Seat occupancy per leg, and the rules for holding, selling and releasing seats. Pure Python.

A seat is occupied leg by leg, so a seat sold Gdańsk -> Warszawa stays sellable Warszawa -> Kraków.
A hold carries an expiry; once it has passed, the leg is free again for everyone, whether or not a
clean-up has removed the hold yet. The DynamoDB adapter enforces these same rules inside its
ConditionExpressions; this module is what they are tested against and what the fakes run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum

from trainbook.catalog.domain import LegSpan
from trainbook.errors import Conflict, DomainError

MAX_SEATS_PER_BOOKING = 8  # a PKP Intercity group booking larger than this is a group order, not a booking


class SeatTaken(Conflict):
    code = "seat_taken"


class HoldExpired(Conflict):
    code = "hold_expired"


class InvalidSeatSelection(DomainError):
    code = "invalid_seat_selection"


class LegState(StrEnum):
    HELD = "held"
    SOLD = "sold"


@dataclass(frozen=True)
class LegOccupancy:
    booking: str
    state: LegState
    expires_at: int  # epoch seconds; 0 once sold

    def blocks(self, booking: str, now: int) -> bool:
        """Whether this leg keeps `booking` from taking it at `now`."""
        if self.booking == booking:
            return False
        return self.state is LegState.SOLD or self.expires_at > now


@dataclass(frozen=True)
class SeatInventory:
    """One seat of one train run: the occupancy of every leg that is taken."""

    run_id: str
    seat: str  # SeatRef.key, "05-045"
    legs: dict[int, LegOccupancy] = field(default_factory=dict)

    def free_for(self, span: LegSpan, booking: str, now: int) -> bool:
        return not any(self.legs[leg].blocks(booking, now) for leg in span.legs if leg in self.legs)

    def hold(self, span: LegSpan, booking: str, expires_at: int, now: int) -> SeatInventory:
        if not self.free_for(span, booking, now):
            raise SeatTaken(f"seat {self.seat} is taken on part of the journey")
        legs = dict(self.legs)
        for leg in span.legs:
            current = legs.get(leg)
            if current is not None and current.state is LegState.SOLD:
                # Only this booking's own sale gets here; a hold must never downgrade a sale.
                raise SeatTaken(f"seat {self.seat} is already sold to booking {booking}")
            legs[leg] = LegOccupancy(booking, LegState.HELD, expires_at)
        return replace(self, legs=legs)

    def sell(self, span: LegSpan, booking: str, now: int) -> SeatInventory:
        legs = dict(self.legs)
        for leg in span.legs:
            current = legs.get(leg)
            if current is None or current.booking != booking:
                raise HoldExpired(f"seat {self.seat} is no longer held for booking {booking}")
            if current.state is LegState.HELD and current.expires_at <= now:
                raise HoldExpired(f"the hold on seat {self.seat} expired before payment completed")
            legs[leg] = LegOccupancy(booking, LegState.SOLD, 0)
        return replace(self, legs=legs)

    def release(self, booking: str) -> SeatInventory:
        """Free every leg this booking holds or bought; legs of other bookings are untouched."""
        return replace(self, legs={i: o for i, o in self.legs.items() if o.booking != booking})

    def held_by(self, booking: str) -> list[int]:
        return sorted(i for i, o in self.legs.items() if o.booking == booking)


def check_selection(seats: list[str]) -> None:
    if not seats:
        raise InvalidSeatSelection("choose at least one seat")
    if len(seats) > MAX_SEATS_PER_BOOKING:
        raise InvalidSeatSelection(f"at most {MAX_SEATS_PER_BOOKING} seats can be booked at once")
    if len(set(seats)) != len(seats):
        raise InvalidSeatSelection("the same seat is chosen twice")
