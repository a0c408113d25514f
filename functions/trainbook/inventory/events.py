"""Events that record every change of seat inventory, appended to the booking's stream."""

from __future__ import annotations

from dataclasses import dataclass

from trainbook.eventstore.events import Event, event_type


@event_type("SeatsHeld")
@dataclass(frozen=True)
class SeatsHeld(Event):
    booking_id: str
    run_id: str
    seats: tuple[str, ...]  # SeatRef keys, "05-045"
    first_leg: int
    end_leg: int  # exclusive: the journey leaves stop first_leg and arrives at stop end_leg
    expires_at: int  # epoch seconds


@event_type("SeatsSold")
@dataclass(frozen=True)
class SeatsSold(Event):
    booking_id: str
    run_id: str
    seats: tuple[str, ...]
    first_leg: int
    end_leg: int


@event_type("SeatsReleased")
@dataclass(frozen=True)
class SeatsReleased(Event):
    booking_id: str
    run_id: str
    seats: tuple[str, ...]  # the seats this booking actually held or owned; nothing else was touched
    reason: str  # "payment_failed", "cancelled", "expired", ...
