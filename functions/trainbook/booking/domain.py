"""A booking: folded from its stream, it decides each step of its life and returns the events. Pure Python.

Every decision is idempotent the way a retried saga step needs: a step whose effect is already
recorded returns no events (or None), a step the booking is past raises BookingClosed.
"""

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
from trainbook.catalog.domain import LegSpan
from trainbook.errors import Conflict, DomainError, NotFound
from trainbook.eventstore.events import Event, RecordedEvent
from trainbook.inventory.domain import (
    LegOccupancy,
    LegState,
    RunInventory,
    SeatClaim,
    SeatDecision,
    SeatInventory,
)
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold

STREAM_PREFIX = "booking-"


def booking_stream(booking_id: str) -> str:
    """The name of a booking's event stream: the one place it is spelled."""
    return f"{STREAM_PREFIX}{booking_id}"


def is_booking_stream(stream: str) -> bool:
    return stream.startswith(STREAM_PREFIX)


class BookingNotFound(NotFound):
    code = "booking_not_found"


class InvalidBooking(DomainError):
    code = "invalid_booking"


class BookingClosed(Conflict):
    """The booking has already ended (failed or cancelled) or is past the step asked for."""

    code = "booking_closed"


class NotCancellable(Conflict):
    """Asked of a booking that is not confirmed: only a confirmed booking can be cancelled."""


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
        return booking_stream(self.id)

    @property
    def claim(self) -> SeatClaim:
        """The seats this booking asks the run's inventory for, on the legs of its journey."""
        return SeatClaim(self.run_id, self.id, self.seats, LegSpan(self.first_leg, self.end_leg))

    @property
    def closed(self) -> bool:
        return self.status in (BookingStatus.FAILED, BookingStatus.CANCELLED)

    def own_seats(self) -> RunInventory:
        """The claimed seats as this booking's own events left them, without reading the inventory: its
        live hold on every leg of its journey once HELD, nothing of its own before. What others did to
        the seats is not known here; a change decided on this is written under the same guard as one
        decided on the seats as read, so where the two differ the write is refused (never applied)."""
        if self.status is not BookingStatus.HELD:
            return RunInventory(self.run_id)
        held = LegOccupancy(self.id, LegState.HELD, self.hold_expires_at)
        legs = dict.fromkeys(self.claim.span.legs, held)
        return RunInventory(self.run_id, {s: SeatInventory(self.run_id, s, dict(legs)) for s in self.seats})

    def same_request(self, requested: BookingRequested) -> bool:
        """Whether `requested` asks again for what opened this booking (a retried request): the same
        passenger, train, journey, seats and travellers (priced alike)."""
        asked = (requested.user_id, requested.run_id, requested.origin, requested.destination)
        return (self.user_id, self.run_id, self.origin, self.destination) == asked and (
            self.seats,
            self.passengers,
        ) == (requested.seats, requested.passengers)

    def hold(self, inventory: RunInventory, expires_at: int, now: int) -> SeatDecision | None:
        """Hold the requested seats until `expires_at`; None once held (or further along)."""
        if self.closed:
            raise BookingClosed(f"booking {self.id} is {self.status.lower()}")
        if self.status is not BookingStatus.REQUESTED:
            return None
        return inventory.hold(self.claim, expires_at, now)

    def confirm(self, inventory: RunInventory, now: int) -> SeatDecision | None:
        """Sell the held seats and confirm, recorded together; None once confirmed; HoldExpired if lost."""
        if self.status is BookingStatus.CONFIRMED:
            return None
        if self.status is not BookingStatus.HELD:
            raise BookingClosed(f"booking {self.id} is {self.status.lower()}, not held")
        sold = inventory.sell(self.claim, now)
        return sold.with_event(BookingConfirmed(self.id, self.total_grosze, len(self.seats)))

    def release(self, inventory: RunInventory, reason: str) -> SeatDecision | None:
        """Free whatever this booking still holds or owns; None when it holds nothing."""
        return inventory.release(self.claim, reason)

    def fail(self, reason: str) -> list[Event]:
        if self.closed:
            return []
        if self.status is BookingStatus.CONFIRMED and not self.seats_released:
            # A confirmed booking fails only as a saga's compensation, once its seats are free again.
            raise BookingClosed(f"booking {self.id} is confirmed; cancel it instead")
        return [BookingFailed(self.id, reason)]

    @property
    def confirmed(self) -> bool:
        """Paid for and its seats sold: it has a ticket, and only it can be cancelled."""
        return self.status is BookingStatus.CONFIRMED

    def can_cancel(self) -> bool:
        return self.confirmed

    def check_cancellable(self) -> None:
        """NotCancellable unless this booking can be cancelled (asked before a cancellation starts)."""
        if not self.can_cancel():
            raise NotCancellable(self._not_cancellable())

    def cancel(self, refund_grosze: int, reason: str) -> list[Event]:
        if self.status is BookingStatus.CANCELLED:
            return []
        if not self.can_cancel():
            raise BookingClosed(self._not_cancellable())
        if not 0 <= refund_grosze <= self.total_grosze:
            raise InvalidBooking("a refund is between nothing and the price paid")
        return [BookingCancelled(self.id, refund_grosze, reason)]

    def compensate(self, compensation_grosze: int, delay_minutes: int, percent: int) -> list[Event]:
        """Delay compensation, paid once per booking: no events when it already was."""
        if self.compensation_grosze:
            return []
        if not 0 < compensation_grosze <= self.total_grosze:
            raise InvalidBooking("compensation is more than nothing and at most the price paid")
        return [DelayCompensationPaid(self.id, compensation_grosze, delay_minutes, percent, self.run_id)]

    def _not_cancellable(self) -> str:
        return f"booking {self.id} is {self.status.lower()}; only a confirmed one can be cancelled"

    @property
    def failure(self) -> Failure | None:
        if self.status is not BookingStatus.FAILED:
            return None
        return Failure.of(self.failure_reason or "")

    @property
    def fee_grosze(self) -> int | None:
        """What a cancellation kept: the price paid less the refund."""
        return None if self.refund_grosze is None else self.total_grosze - self.refund_grosze


def fold_booking(events: Sequence[RecordedEvent], start: Booking | None = None) -> Booking | None:
    """Apply a booking stream's events in order, from its start or from `start` (the booking as of the
    version before the first of `events`); None when there is nothing to fold."""
    booking: Booking | None = start
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
