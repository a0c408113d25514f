"""A booking's request (its stream's first event), for other contexts: who owns it, which journey it is."""

from __future__ import annotations

from trainbook.booking.domain import booking_stream
from trainbook.booking.events import BookingRequested
from trainbook.eventstore.store import EventRecord


def booking_request(booking_id: str) -> BookingRequested | None:
    """The BookingRequested that opened the booking's stream, or None if there is no such booking.

    One strongly consistent GetItem: the request is version 1 and never changes.
    """
    if not booking_id or len(booking_id) > 64:
        return None
    try:
        record = EventRecord.get(booking_stream(booking_id), 1, consistent_read=True)
    except EventRecord.DoesNotExist:
        return None
    event = record.recorded().event
    return event if isinstance(event, BookingRequested) else None
