"""A booking as of the event a projector was delivered: the one fold the booking read models share."""

from __future__ import annotations

from trainbook.booking.domain import Booking, fold_booking, is_booking_stream
from trainbook.eventstore.events import EventLog, RecordedEvent


def booking_as_delivered(events: EventLog, recorded: RecordedEvent) -> Booking | None:
    """The booking whose stream `recorded` belongs to, folded up to its version; None for other streams.

    Reading the stream (not trusting the delivered event alone) keeps a view right under gaps and redelivery.
    """
    if not is_booking_stream(recorded.stream):
        return None
    return fold_booking([e for e in events.read(recorded.stream) if e.version <= recorded.version])
