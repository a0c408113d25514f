"""A stream record's image decodes to the event the store would read back, and instants keep one form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trainbook.booking.events import BookingConfirmed
from trainbook.eventstore.events import NO_META, Meta, PendingEvent, format_instant, parse_instant
from trainbook.eventstore.store import EventRecord, item_of, recorded_from_image


def test_an_image_decodes_to_the_event_the_store_reads_back() -> None:
    pending = PendingEvent(
        "booking-b1", 4, BookingConfirmed("b1", 33800, 2), Meta("b1", "ConfirmBooking", "saga")
    )
    record = EventRecord.of(pending, datetime(2026, 12, 2, 0, 16, 28, 5, tzinfo=UTC))

    decoded = recorded_from_image(record.serialize())

    assert decoded == record.recorded()
    assert (decoded.stream, decoded.version, decoded.meta.causation_id) == ("booking-b1", 4, "ConfirmBooking")


@pytest.mark.parametrize("meta", [Meta("b1", "ConfirmBooking", "saga"), NO_META])
def test_the_store_writes_the_item_its_model_describes(meta: Meta) -> None:
    pending = PendingEvent("booking-b1", 4, BookingConfirmed("b1", 33800, 2), meta)
    at = datetime(2026, 12, 2, 0, 16, 28, 5, tzinfo=UTC)

    assert item_of(pending, at) == EventRecord.of(pending, at).serialize()
    with pytest.raises(ValueError):
        item_of(PendingEvent("booking-b1", 0, BookingConfirmed("b1", 1, 1)), at)


def test_an_instant_reads_back_as_written_and_other_forms_are_refused() -> None:
    at = datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC)

    assert parse_instant(format_instant(at)) == at
    assert parse_instant(format_instant(at)).utcoffset() is not None
    for text in ("2026-03-29T01:59:59Z", "2026-03-29 01:59:59.999999Z", "2026-03-29T01:59:59.999999+00:00"):
        with pytest.raises(ValueError):
            parse_instant(text)
