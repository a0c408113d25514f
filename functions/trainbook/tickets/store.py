"""DynamoDB adapter of issued tickets: the Tickets table, one item per ticket number.

Why a table of its own rather than an event on the booking stream: the ticket is a document
derived from the confirmed booking (whose facts are already events), and its number must be
unique across ALL bookings. A conditional put on `attribute_not_exists(ticket_number)` claims a
number atomically; an event on `booking-<id>` could not see other bookings' numbers. Keeping it
out of the Events table also means no projector has to learn a new event type. Tickets are never
deleted (a cancelled booking's ticket stays, for the record), which the numbering relies on.
"""

# PynamoDB's attribute constructors are untyped; the model is still checked.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

import json
from collections.abc import Sequence

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from trainbook import tables
from trainbook.eventstore.conditions import is_conditional_failure
from trainbook.eventstore.events import ConcurrencyConflict, PendingEvent, utc_now
from trainbook.eventstore.store import EventRecord, transactions
from trainbook.tickets.domain import Ticket, TicketNumberTaken


class TicketRecord(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("TICKETS_TABLE")

    ticket_number = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute()
    issued_at = UnicodeAttribute()
    document = UnicodeAttribute()  # the Ticket as JSON, QR payload included


class DynamoTicketStore:
    def get(self, number: str) -> Ticket | None:
        try:
            record = TicketRecord.get(number, consistent_read=True)
        except TicketRecord.DoesNotExist:
            return None
        return Ticket.from_json(json.loads(record.document))

    def add(self, ticket: Ticket, also: Sequence[PendingEvent] = ()) -> None:
        """Store a new ticket; TicketNumberTaken (nothing written) if its number is already held,
        ConcurrencyConflict (nothing written) if the version of an event of `also` is."""
        record = TicketRecord(
            ticket.number,
            booking_id=ticket.booking_id,
            issued_at=ticket.issued_at,
            document=json.dumps(ticket.as_json(), ensure_ascii=False, sort_keys=True),
        )
        if also:
            self._add_with(record, also)
            return
        try:
            record.save(condition=TicketRecord.ticket_number.does_not_exist())
        except PutError as error:
            if is_conditional_failure(error):
                raise TicketNumberTaken(ticket.number) from None
            raise

    def _add_with(self, record: TicketRecord, also: Sequence[PendingEvent]) -> None:
        """The ticket and `also` in one transaction; the ticket's put goes first, so its refusal is item 0."""
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(record, condition=TicketRecord.ticket_number.does_not_exist())
                for pending in also:
                    tx.save(
                        EventRecord.of(pending, utc_now()), condition=EventRecord.version.does_not_exist()
                    )
        except TransactWriteError as error:
            if is_conditional_failure(error, item=0):
                raise TicketNumberTaken(record.ticket_number) from None
            if is_conditional_failure(error):
                raise ConcurrencyConflict(
                    f"an event given with ticket {record.ticket_number} exists"
                ) from None
            raise
