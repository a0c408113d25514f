"""Booking commands: request, hold seats, sell them, release them, fail or cancel a booking.

Each command loads the booking's stream, decides on the folded state, and appends the next version.
Commands are idempotent: a command whose effect is already recorded returns the booking unchanged,
so a retried Lambda or a redelivered saga step never books, sells or releases twice. A concurrent
writer of the same version loses with ConcurrencyConflict (nothing written) and may retry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from trainbook.booking.domain import Booking, BookingStatus, fold_booking
from trainbook.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingRequested,
    DelayCompensationPaid,
)
from trainbook.booking.pricing import PassengerRequest, price_journey
from trainbook.catalog.domain import LegSpan
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.stations import station
from trainbook.catalog.timetable import SalesWindow
from trainbook.errors import Conflict, DomainError, NotFound
from trainbook.eventstore.events import NO_META, Event, EventLog, Meta, PendingEvent, RecordedEvent
from trainbook.inventory.domain import check_selection
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold

HOLD_SECONDS = 600  # an abandoned hold frees its seats after ten minutes


class BookingNotFound(NotFound):
    code = "booking_not_found"


class InvalidBooking(DomainError):
    code = "invalid_booking"


class TrainDeparted(DomainError):
    code = "train_departed"


class TrainCancelled(Conflict):
    code = "train_cancelled"


class BookingClosed(Conflict):
    """The booking has already ended (failed or cancelled) or is past the step asked for."""

    code = "booking_closed"


class Inventory(Protocol):
    def hold(
        self,
        run_id: str,
        seats: Sequence[str],
        span: LegSpan,
        booking_id: str,
        expires_at: int,
        now: int,
        version: int,
        meta: Meta = ...,
    ) -> SeatsHeld: ...

    def sell(
        self,
        run_id: str,
        seats: Sequence[str],
        span: LegSpan,
        booking_id: str,
        now: int,
        version: int,
        meta: Meta = ...,
        also: Sequence[PendingEvent] = ...,
    ) -> SeatsSold: ...

    def release(
        self,
        run_id: str,
        seats: Sequence[str],
        booking_id: str,
        reason: str,
        version: int,
        meta: Meta = ...,
    ) -> SeatsReleased | None: ...


@dataclass
class BookingCommands:
    events: EventLog
    runs: TrainRuns
    inventory: Inventory
    window: Callable[[], SalesWindow]
    clock: Callable[[], datetime]

    def load(self, booking_id: str) -> Booking:
        return self._fold(self._history(booking_id))

    def _history(self, booking_id: str) -> list[RecordedEvent]:
        history = self.events.read(f"booking-{booking_id}")
        if not history:
            raise BookingNotFound(f"no booking {booking_id}")
        return history

    def _fold(self, history: list[RecordedEvent]) -> Booking:
        booking = fold_booking(history)
        assert booking is not None  # a stream that has events starts with BookingRequested
        return booking

    def _then(self, history: list[RecordedEvent], booking: Booking, *events: Event) -> Booking:
        """The booking after `events` were appended: folded here instead of reading the stream again."""
        now = self.clock()
        appended = [
            RecordedEvent(booking.stream, booking.version + i, e, now) for i, e in enumerate(events, 1)
        ]
        return self._fold([*history, *appended])

    def request(
        self,
        booking_id: str,
        user_id: str,
        run_id: str,
        origin: str,
        destination: str,
        seats: Sequence[tuple[int, int]],
        passengers: Sequence[PassengerRequest],
        meta: Meta = NO_META,
    ) -> Booking:
        """Record what the passenger asked for, priced; nothing is held yet. Bad input writes nothing."""
        if not booking_id or len(booking_id) > 64:
            raise InvalidBooking("a booking id of 1 to 64 characters is required")
        existing = fold_booking(self.events.read(f"booking-{booking_id}"))
        for code in (origin, destination):
            station(code)  # an unknown station is unknown_station here as in search, not "not served"
        run = self.runs.get(run_id, self.window())
        span = run.service.span(origin, destination)
        if run.cancels(span):
            raise TrainCancelled(f"{run.service.label} on {run.day.isoformat()} is cancelled")
        if run.departure(origin) <= self.clock():
            raise TrainDeparted(f"{run.service.label} has already left {origin}")
        refs = [run.composition.seat(car, seat) for car, seat in seats]
        keys = [ref.key for ref in refs]
        check_selection(keys)
        quote = price_journey(run, origin, destination, refs, passengers)
        event = BookingRequested(
            booking_id=booking_id,
            user_id=user_id,
            run_id=run.id,
            origin=origin,
            destination=destination,
            first_leg=span.start,
            end_leg=span.end,
            seats=tuple(keys),
            passengers=quote.passengers,
            total_grosze=quote.total_grosze,
            departs_at=run.departure(origin).isoformat(),
        )
        if existing is not None:
            if (existing.user_id, existing.run_id, existing.seats) != (user_id, run.id, event.seats):
                raise Conflict(f"booking id {booking_id} is already used for another request")
            return existing
        recorded = self.events.append([PendingEvent(f"booking-{booking_id}", 1, event, meta)])
        return self._fold(recorded)

    def hold_seats(self, booking_id: str, hold_seconds: int = HOLD_SECONDS, meta: Meta = NO_META) -> Booking:
        history = self._history(booking_id)
        booking = self._fold(history)
        if booking.status is not BookingStatus.REQUESTED:
            if booking.status in (BookingStatus.FAILED, BookingStatus.CANCELLED):
                raise BookingClosed(f"booking {booking_id} is {booking.status.lower()}")
            return booking
        now = int(self.clock().timestamp())
        held = self.inventory.hold(
            booking.run_id,
            booking.seats,
            LegSpan(booking.first_leg, booking.end_leg),
            booking_id,
            now + hold_seconds,
            now,
            booking.version + 1,
            meta,
        )
        return self._then(history, booking, held)

    def confirm(self, booking_id: str, meta: Meta = NO_META) -> Booking:
        """Sell the held seats and confirm the booking in one transaction; HoldExpired if a hold was lost."""
        history = self._history(booking_id)
        booking = self._fold(history)
        if booking.status is BookingStatus.CONFIRMED:
            return booking
        if booking.status is not BookingStatus.HELD:
            raise BookingClosed(f"booking {booking_id} is {booking.status.lower()}, not held")
        now = int(self.clock().timestamp())
        confirmed = PendingEvent(
            booking.stream,
            booking.version + 2,
            BookingConfirmed(booking_id, booking.total_grosze, len(booking.seats)),
            meta,
        )
        sold = self.inventory.sell(
            booking.run_id,
            booking.seats,
            LegSpan(booking.first_leg, booking.end_leg),
            booking_id,
            now,
            booking.version + 1,
            meta,
            also=[confirmed],
        )
        return self._then(history, booking, sold, confirmed.event)

    def release_seats(self, booking_id: str, reason: str, meta: Meta = NO_META) -> Booking:
        """Free whatever this booking still holds or owns; a no-op when it holds nothing."""
        history = self._history(booking_id)
        booking = self._fold(history)
        released = self.inventory.release(
            booking.run_id, booking.seats, booking_id, reason, booking.version + 1, meta
        )
        return booking if released is None else self._then(history, booking, released)

    def fail(self, booking_id: str, reason: str, meta: Meta = NO_META) -> Booking:
        history = self._history(booking_id)
        booking = self._fold(history)
        if booking.status in (BookingStatus.FAILED, BookingStatus.CANCELLED):
            return booking
        if booking.status is BookingStatus.CONFIRMED and not booking.seats_released:
            # A confirmed booking fails only as a saga's compensation, once its seats are free again.
            raise BookingClosed(f"booking {booking_id} is confirmed; cancel it instead")
        failed = BookingFailed(booking_id, reason)
        self.events.append([PendingEvent(booking.stream, booking.version + 1, failed, meta)])
        return self._then(history, booking, failed)

    def cancel(self, booking_id: str, refund_grosze: int, reason: str, meta: Meta = NO_META) -> Booking:
        history = self._history(booking_id)
        booking = self._fold(history)
        if booking.status is BookingStatus.CANCELLED:
            return booking
        if booking.status is not BookingStatus.CONFIRMED:
            raise BookingClosed(
                f"booking {booking_id} is {booking.status.lower()}; only a confirmed one can be cancelled"
            )
        if not 0 <= refund_grosze <= booking.total_grosze:
            raise InvalidBooking("a refund is between nothing and the price paid")
        event = BookingCancelled(booking_id, refund_grosze, reason)
        self.events.append([PendingEvent(booking.stream, booking.version + 1, event, meta)])
        return self._then(history, booking, event)

    def record_compensation(
        self,
        booking_id: str,
        compensation_grosze: int,
        delay_minutes: int,
        percent: int,
        meta: Meta = NO_META,
    ) -> tuple[Booking, bool]:
        """Record delay compensation paid for this booking once; (booking, False) when it already was."""
        history = self._history(booking_id)
        booking = self._fold(history)
        if any(isinstance(e.event, DelayCompensationPaid) for e in history):
            return booking, False
        if not 0 < compensation_grosze <= booking.total_grosze:
            raise InvalidBooking("compensation is more than nothing and at most the price paid")
        event = DelayCompensationPaid(booking_id, compensation_grosze, delay_minutes, percent, booking.run_id)
        self.events.append([PendingEvent(booking.stream, booking.version + 1, event, meta)])
        return self._then(history, booking, event), True
