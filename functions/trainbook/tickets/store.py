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

from pynamodb.attributes import UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.models import Model

from trainbook import tables
from trainbook.eventstore.conditions import is_conditional_failure
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

    def add(self, ticket: Ticket) -> None:
        """Store a new ticket; TicketNumberTaken (nothing written) if its number is already held."""
        record = TicketRecord(
            ticket.number,
            booking_id=ticket.booking_id,
            issued_at=ticket.issued_at,
            document=json.dumps(ticket.as_json(), ensure_ascii=False, sort_keys=True),
        )
        try:
            record.save(condition=TicketRecord.ticket_number.does_not_exist())
        except PutError as error:
            if is_conditional_failure(error):
                raise TicketNumberTaken(ticket.number) from None
            raise
