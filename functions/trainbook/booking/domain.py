"""A booking folded from its stream: status, seats, passengers and price. Pure Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from trainbook.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingRequested,
    DelayCompensationPaid,
)
from trainbook.eventstore.events import RecordedEvent
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold

# Why a booking failed, as the passenger is told: the saga's error name -> (code, message).
FAILURES: dict[str, tuple[str, str]] = {
    "SeatTaken": ("seat_taken", "someone else booked one of these seats first; choose other seats"),
    "PaymentDeclined": ("card_declined", "the card was declined; nothing was charged, try another card"),
    "InvalidPaymentToken": (
        "card_declined",
        "the card could not be charged (its payment token expired or was used); enter the card again",
    ),
    "InsufficientFunds": ("insufficient_funds", "the card has insufficient funds; nothing was charged"),
    "PaymentTimeout": (
        "payment_timeout",
        "the payment provider did not answer in time; nothing was charged, please try again",
    ),
    "PaymentProcessingError": (
        "payment_timeout",
        "the payment provider did not answer; nothing was charged, please try again",
    ),
    "HoldExpired": ("hold_expired", "the seats were held for 10 minutes and the payment came too late"),
    "TrainCancelled": ("train_cancelled", "the train was cancelled"),
}
INTERNAL_FAILURE = ("internal", "the booking failed because of a fault on our side; nothing was charged")


@dataclass(frozen=True)
class Failure:
    code: str
    message: str

    @classmethod
    def of(cls, reason: str) -> Failure:
        """What to tell the passenger about a booking that failed with `reason` (the saga's error name)."""
        return cls(*FAILURES.get(reason, INTERNAL_FAILURE))

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class BookingStatus(StrEnum):
    REQUESTED = "REQUESTED"
    HELD = "HELD"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Booking:
    id: str
    user_id: str
    run_id: str
    origin: str
    destination: str
    seats: tuple[str, ...]
    passengers: tuple[dict[str, Any], ...]
    total_grosze: int
    departs_at: str
    status: BookingStatus
    version: int
    first_leg: int
    end_leg: int
    hold_expires_at: int = 0
    seats_sold: bool = False
    seats_released: bool = False
    failure_reason: str | None = None  # the saga's error name, once FAILED
    refund_grosze: int | None = None  # once CANCELLED
    compensation_grosze: int = 0  # paid back for a late arrival (DelayCompensationPaid)
    cancellation_reason: str | None = None  # "passenger", "train_cancelled" ...

    @property
    def stream(self) -> str:
        return f"booking-{self.id}"

    @property
    def failure(self) -> Failure | None:
        if self.status is not BookingStatus.FAILED:
            return None
        return Failure.of(self.failure_reason or "")

    @property
    def fee_grosze(self) -> int | None:
        """What a cancellation kept: the price paid less the refund."""
        return None if self.refund_grosze is None else self.total_grosze - self.refund_grosze


def fold_booking(events: Sequence[RecordedEvent]) -> Booking | None:
    """Apply a booking stream's events in order; None when the stream is empty."""
    booking: Booking | None = None
    for recorded in events:
        event = recorded.event
        if isinstance(event, BookingRequested):
            booking = Booking(
                id=event.booking_id,
                user_id=event.user_id,
                run_id=event.run_id,
                origin=event.origin,
                destination=event.destination,
                seats=event.seats,
                passengers=event.passengers,
                total_grosze=event.total_grosze,
                departs_at=event.departs_at,
                status=BookingStatus.REQUESTED,
                version=recorded.version,
                first_leg=event.first_leg,
                end_leg=event.end_leg,
            )
            continue
        if booking is None:
            raise ValueError(f"{recorded.stream} does not start with BookingRequested")
        booking = replace(booking, version=recorded.version)
        if isinstance(event, SeatsHeld):
            booking = replace(
                booking,
                status=BookingStatus.HELD,
                first_leg=event.first_leg,
                end_leg=event.end_leg,
                hold_expires_at=event.expires_at,
            )
        elif isinstance(event, SeatsSold):
            booking = replace(booking, seats_sold=True)
        elif isinstance(event, BookingConfirmed):
            booking = replace(booking, status=BookingStatus.CONFIRMED)
        elif isinstance(event, SeatsReleased):
            booking = replace(booking, seats_released=True)
        elif isinstance(event, BookingFailed):
            booking = replace(booking, status=BookingStatus.FAILED, failure_reason=event.reason)
        elif isinstance(event, BookingCancelled):
            booking = replace(
                booking,
                status=BookingStatus.CANCELLED,
                refund_grosze=event.refund_grosze,
                cancellation_reason=event.reason,
            )
        elif isinstance(event, DelayCompensationPaid):
            booking = replace(
                booking, compensation_grosze=booking.compensation_grosze + event.compensation_grosze
            )
    return booking
