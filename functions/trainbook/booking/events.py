"""Events of a booking's life, on its stream `booking-<id>` (seat events live in inventory.events)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trainbook.eventstore.events import Event, event_type


@event_type("BookingRequested")
@dataclass(frozen=True)
class BookingRequested(Event):
    booking_id: str
    user_id: str
    run_id: str
    origin: str
    destination: str
    first_leg: int  # the journey occupies legs first_leg .. end_leg - 1 of the run
    end_leg: int
    seats: tuple[str, ...]  # SeatRef keys, one per passenger with a seat
    passengers: tuple[dict[str, Any], ...]  # name, discount, age, price_grosze
    total_grosze: int
    departs_at: str  # ISO local time at the origin, for listings and the cancellation policy


@event_type("BookingConfirmed")
@dataclass(frozen=True)
class BookingConfirmed(Event):
    booking_id: str
    total_grosze: int
    seat_count: int


@event_type("BookingFailed")
@dataclass(frozen=True)
class BookingFailed(Event):
    booking_id: str
    reason: str


@event_type("BookingCancelled")
@dataclass(frozen=True)
class BookingCancelled(Event):
    booking_id: str
    refund_grosze: int
    reason: str


@event_type("DelayCompensationPaid")
@dataclass(frozen=True)
class DelayCompensationPaid(Event):
    """Compensation for a late arrival at the passenger's destination (Regulation (EU) 2021/782, Art. 19)."""

    booking_id: str
    compensation_grosze: int
    delay_minutes: int  # the arrival delay at the booking's destination
    percent: int  # 25 or 50
    run_id: str
