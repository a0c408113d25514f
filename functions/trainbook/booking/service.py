"""Booking use cases: request, hold seats, sell them, release them, fail or cancel a booking.

Each use case loads the booking (and the seats it decides on), calls ONE method of the Booking
aggregate, and appends what it returns with the version it loaded: decisions live in booking.domain
and inventory.domain. Use cases are idempotent because the decisions are: a step whose effect is
already recorded returns the booking unchanged, so a retried Lambda or a redelivered saga step never
books, sells or releases twice. A concurrent writer of the same version loses with ConcurrencyConflict
(nothing written) and may retry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from trainbook.booking.domain import (
    Booking,
    BookingNotFound,
    InvalidBooking,
    booking_stream,
    fold_booking,
)
from trainbook.booking.events import BookingRequested
from trainbook.booking.pricing import JourneyQuote, PassengerRequest, price_journey
from trainbook.catalog.domain import LegSpan, TrainRun
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.stations import station
from trainbook.catalog.timetable import SalesWindow
from trainbook.errors import Conflict, DomainError
from trainbook.eventstore.events import (
    NO_META,
    ConcurrencyConflict,
    Event,
    EventLog,
    Meta,
    PendingEvent,
    RecordedEvent,
    Riders,
    pending_after,
    write_with_riders,
)
from trainbook.inventory.domain import (
    HoldExpired,
    RunInventory,
    SeatChange,
    SeatDecision,
    SeatsChanged,
    SeatTaken,
    check_selection,
)

HOLD_SECONDS = 600  # an abandoned hold frees its seats after ten minutes
RELEASE_ATTEMPTS = 5  # a release races only holds expiring under it: a few fresh reads settle it


class TrainDeparted(DomainError):
    code = "train_departed"


class TrainCancelled(Conflict):
    code = "train_cancelled"


class Inventory(Protocol):
    """The seat inventory port: read a run's seats, write what the domain decided."""

    def load(self, run_id: str, seats: Sequence[str]) -> RunInventory: ...

    def save(self, change: SeatChange, events: Sequence[PendingEvent]) -> None: ...


def load_booking(events: EventLog, booking_id: str) -> Booking:
    """The booking folded from its stream: how other contexts ask for a booking. BookingNotFound if none."""
    booking = fold_booking(events.read(booking_stream(booking_id)))
    if booking is None:
        raise BookingNotFound(f"no booking {booking_id}")
    return booking


@dataclass
class BookingService:
    events: EventLog
    runs: TrainRuns
    inventory: Inventory
    window: Callable[[], SalesWindow]
    clock: Callable[[], datetime]

    def load(self, booking_id: str) -> Booking:
        return load_booking(self.events, booking_id)

    def _history(self, booking_id: str) -> list[RecordedEvent]:
        history = self.events.read(booking_stream(booking_id))
        if not history:
            raise BookingNotFound(f"no booking {booking_id}")
        return history

    def _fold(self, history: Sequence[RecordedEvent]) -> Booking:
        booking = fold_booking(history)
        assert booking is not None  # a stream that has events starts with BookingRequested
        return booking

    def _append(
        self, history: list[RecordedEvent], booking: Booking, events: Sequence[Event], meta: Meta
    ) -> Booking:
        """Append the events a decision returned (none: nothing to do) and fold the booking after them."""
        if not events:
            return booking
        recorded = self.events.append(booking.stream, booking.version, events, meta)
        return self._fold([*history, *recorded])

    def _seats(self, booking: Booking) -> RunInventory:
        return self.inventory.load(booking.run_id, booking.seats)

    def _save(
        self,
        history: list[RecordedEvent],
        booking: Booking,
        decision: SeatDecision | None,
        meta: Meta,
        riders: Riders | None = None,
    ) -> Booking:
        """Write a seat decision with its events (and `riders`, see `Riders`) in one transaction; the
        booking after them."""
        if decision is None:
            return booking
        pending = pending_after(booking.stream, booking.version, decision.events, meta)
        write_with_riders(riders, lambda also: self.inventory.save(decision.change, [*pending, *also]))
        # Folded here instead of reading the stream again.
        now = self.clock()
        recorded = [RecordedEvent(p.stream, p.version, p.event, now, p.meta) for p in pending]
        return self._fold([*history, *recorded])

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
        run, span, keys, quote = self._priced(run_id, origin, destination, seats, passengers)
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
        try:
            # Appended without reading first: the stream is new but for a repeated request, which the
            # append's condition refuses and the recorded request then answers.
            return self._fold(self.events.append(booking_stream(booking_id), 0, [event], meta))
        except ConcurrencyConflict:
            existing = self._fold(self._history(booking_id))
        if not existing.same_request(event):
            raise Conflict(f"booking id {booking_id} is already used for another request")
        return existing

    def quote(
        self,
        run_id: str,
        origin: str,
        destination: str,
        seats: Sequence[tuple[int, int]],
        passengers: Sequence[PassengerRequest],
    ) -> JourneyQuote:
        """What `request` would charge for these seats and passengers; checks the same, records nothing."""
        return self._priced(run_id, origin, destination, seats, passengers)[3]

    def _priced(
        self,
        run_id: str,
        origin: str,
        destination: str,
        seats: Sequence[tuple[int, int]],
        passengers: Sequence[PassengerRequest],
    ) -> tuple[TrainRun, LegSpan, list[str], JourneyQuote]:
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
        return run, span, keys, price_journey(run, origin, destination, refs, passengers)

    def hold_seats(
        self,
        booking_id: str,
        hold_seconds: int = HOLD_SECONDS,
        meta: Meta = NO_META,
        riders: Riders | None = None,
    ) -> Booking:
        """Hold the booking's seats and record SeatsHeld in one transaction; SeatTaken if one is not free.

        Written first, read on refusal: the hold is decided on the seats as the booking knows them (none
        of them its own yet) and written under the guard `leg_is_free`, so a seat someone else holds or
        bought refuses the write; only then are the seats read and the hold decided again on them.
        """
        history = self._history(booking_id)
        booking = self._fold(history)
        now = int(self.clock().timestamp())
        try:
            return self._save(
                history, booking, booking.hold(booking.own_seats(), now + hold_seconds, now), meta, riders
            )
        except SeatTaken:
            pass  # someone's hold or sale, or a seat freed since the refusal: decide on the seats as read
        decision = booking.hold(self._seats(booking), now + hold_seconds, now)
        return self._save(history, booking, decision, meta, riders)

    def confirm(self, booking_id: str, meta: Meta = NO_META, riders: Riders | None = None) -> Booking:
        """Sell the held seats and confirm the booking in one transaction; HoldExpired if a hold was lost.

        Written first, read on refusal, as `hold_seats`: decided on the booking's own recorded hold and
        written under the guard `leg_is_sellable`; a hold lost or lapsed refuses it, and the seats as read
        then decide.
        """
        history = self._history(booking_id)
        booking = self._fold(history)
        now = int(self.clock().timestamp())
        try:
            return self._save(history, booking, booking.confirm(booking.own_seats(), now), meta, riders)
        except HoldExpired:
            pass
        return self._save(history, booking, booking.confirm(self._seats(booking), now), meta, riders)

    def release_seats(self, booking_id: str, reason: str, meta: Meta = NO_META) -> Booking:
        """Free whatever this booking still holds or owns; a no-op when it holds nothing."""
        history = self._history(booking_id)
        booking = self._fold(history)
        for _ in range(RELEASE_ATTEMPTS):
            try:
                return self._save(history, booking, booking.release(self._seats(booking), reason), meta)
            except SeatsChanged:
                continue  # an expired hold was taken by someone else between our read and write
        raise ConcurrencyConflict(f"seats of booking {booking_id} kept changing; try the release again")

    def fail(self, booking_id: str, reason: str, meta: Meta = NO_META) -> Booking:
        history = self._history(booking_id)
        booking = self._fold(history)
        return self._append(history, booking, booking.fail(reason), meta)

    def cancel(self, booking_id: str, refund_grosze: int, reason: str, meta: Meta = NO_META) -> Booking:
        history = self._history(booking_id)
        booking = self._fold(history)
        return self._append(history, booking, booking.cancel(refund_grosze, reason), meta)

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
        events = booking.compensate(compensation_grosze, delay_minutes, percent)
        return self._append(history, booking, events, meta), bool(events)
