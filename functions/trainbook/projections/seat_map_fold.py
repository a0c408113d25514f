"""The seat map's fold, pure: each seat event becomes its booking's entry, and entries answer free seats.

Whether an entry occupies a leg at an instant is inventory.domain.leg_is_free, the rule the seat
inventory itself holds seats by; nothing here restates it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from trainbook.catalog.domain import LegSpan
from trainbook.eventstore.events import RecordedEvent
from trainbook.inventory.domain import LegOccupancy, LegState, leg_is_free
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold


@dataclass(frozen=True)
class Occupant:
    booking: str
    version: int
    seats: tuple[str, ...]
    span: LegSpan
    state: str  # held, sold, released
    expires_at: int

    @property
    def occupancy(self) -> LegOccupancy | None:
        """What this entry puts on each leg of its span; None once released."""
        if self.state == "released":
            return None
        return LegOccupancy(self.booking, LegState(self.state), self.expires_at)


def occupied_seats(occupants: Iterable[Occupant], span: LegSpan, now: int) -> set[str]:
    """The seats not free for a new booking on any leg of `span` at `now`."""
    return {
        seat
        for o in occupants
        if o.span.overlaps(span) and not leg_is_free(o.occupancy, now)
        for seat in o.seats
    }


def occupant_change(recorded: RecordedEvent) -> tuple[str, Occupant] | None:
    """The run and the booking's new entry that a seat event makes, or None for other events."""
    event = recorded.event
    if isinstance(event, SeatsHeld):
        span, state, expires = LegSpan(event.first_leg, event.end_leg), "held", event.expires_at
    elif isinstance(event, SeatsSold):
        span, state, expires = LegSpan(event.first_leg, event.end_leg), "sold", 0
    elif isinstance(event, SeatsReleased):
        span, state, expires = LegSpan(0, 1), "released", 0  # a released entry occupies nothing
    else:
        return None
    return event.run_id, Occupant(event.booking_id, recorded.version, event.seats, span, state, expires)


def seat_map_as_of(events: Iterable[RecordedEvent], run_id: str) -> list[Occupant]:
    """Fold seat events in memory: the occupants of one run after exactly these events."""
    occupants: dict[str, Occupant] = {}
    for recorded in events:
        change = occupant_change(recorded)
        if change is None or change[0] != run_id:
            continue
        current = occupants.get(change[1].booking)
        if current is None or current.version < change[1].version:
            occupants[change[1].booking] = change[1]
    return [occupants[b] for b in sorted(occupants)]
