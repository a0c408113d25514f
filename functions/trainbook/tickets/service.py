"""Issuing a ticket for a confirmed booking, idempotently: the IssueTicket step of the booking saga.

The booking is asked of the booking context (`booking.service.load_booking`) and its train run read
from the catalog; the ticket is stored under the first of its deterministic candidate numbers that
is free or already its own. Issuing again (a retried saga step) finds that ticket and returns it
unchanged, QR code included.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trainbook.booking.domain import Booking
from trainbook.booking.service import load_booking
from trainbook.catalog.runs import TrainRuns
from trainbook.eventstore.events import EventLog, PendingEvent, Riders, format_instant, write_with_riders
from trainbook.tickets.domain import Ticket, TicketNumberTaken, draft_ticket, ticket_number, travel_year
from trainbook.tickets.signing import sign_ticket

NUMBER_CANDIDATES = 16  # 40-bit numbers: a 16-fold collision is not going to happen


class TicketStore(Protocol):
    def get(self, number: str) -> Ticket | None: ...

    def add(self, ticket: Ticket, also: Sequence[PendingEvent] = ()) -> None:
        """Store a new ticket (with `also`, events appended in the same write); TicketNumberTaken if the
        number is held, ConcurrencyConflict (nothing written) if one of those events' versions is."""
        ...


@dataclass
class TicketIssuer:
    events: EventLog
    store: TicketStore
    key: Callable[[], Ed25519PrivateKey]
    clock: Callable[[], datetime]

    def issue(self, booking_id: str, riders: Callable[[Ticket], Riders | None] | None = None) -> Ticket:
        """The booking's ticket, issued now or earlier; BookingNotConfirmed unless it is confirmed.

        `riders(ticket)`: events to write in the same write as a new ticket (see `Riders`)."""
        booking = self._booking(booking_id)
        run = TrainRuns(self.events).get(booking.run_id)
        draft = draft_ticket(booking, run, "", format_instant(self.clock()))
        year = travel_year(booking)
        for attempt in range(NUMBER_CANDIDATES):
            number = ticket_number(booking.id, year, attempt)
            ticket = replace(draft, number=number)
            ticket = replace(ticket, qr_payload=sign_ticket(ticket, self.key()))
            try:
                # Added without looking first: the number is free but for a repeated issue or a
                # collision, which the add's condition refuses and the ticket held there then answers.
                self._add(ticket, riders(ticket) if riders is not None else None)
                return ticket
            except TicketNumberTaken:  # issued before (a retried step), concurrently, or another booking's
                held = self.store.get(number)
            if held is not None and held.booking_id == booking.id:
                return held
        raise RuntimeError(f"no free ticket number for booking {booking.id} after {NUMBER_CANDIDATES} tries")

    def _add(self, ticket: Ticket, riders: Riders | None) -> None:
        write_with_riders(riders, lambda also: self.store.add(ticket, also))

    def find(self, booking_id: str) -> Ticket | None:
        """The booking's ticket if one was issued (whatever the booking's state now)."""
        booking = self._booking(booking_id)
        year = travel_year(booking)
        for attempt in range(NUMBER_CANDIDATES):
            held = self.store.get(ticket_number(booking.id, year, attempt))
            if held is None:
                return None  # numbers are taken in order and never freed
            if held.booking_id == booking.id:
                return held
        return None

    def _booking(self, booking_id: str) -> Booking:
        return load_booking(self.events, booking_id)
