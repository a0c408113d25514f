"""User bookings read model: one row per booking, listed by user, as of the latest applied version.

A row is rebuilt by folding the booking's stream from the event store up to the delivered version
and written only if that version is newer than the row's: duplicates and late arrivals change
nothing, and a gap (a later event delivered first) is filled from the store, not lost.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from trainbook import tables
from trainbook.booking.domain import fold_booking
from trainbook.eventstore.events import EventLog, RecordedEvent


class ByUser(GlobalSecondaryIndex["BookingRow"]):
    class Meta:
        index_name = "by-user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    departs_at = UnicodeAttribute(range_key=True)


class BookingRow(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("USER_BOOKINGS_TABLE", "trainbook-user-bookings")

    booking_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    departs_at = UnicodeAttribute()
    run_id = UnicodeAttribute()
    origin = UnicodeAttribute()
    destination = UnicodeAttribute()
    seats = ListAttribute[str]()
    total_grosze = NumberAttribute()
    status = UnicodeAttribute()
    version = NumberAttribute()
    by_user = ByUser()

    def summary(self) -> dict[str, Any]:
        return {
            "booking_id": self.booking_id,
            "run_id": self.run_id,
            "origin": self.origin,
            "destination": self.destination,
            "departs_at": self.departs_at,
            "seats": list(self.seats),
            "total_grosze": int(self.total_grosze),
            "status": self.status,
            "version": int(self.version),
        }


class UserBookingsProjection:
    name = "user-bookings"
    model = BookingRow

    def __init__(self, events: EventLog) -> None:
        self.events = events

    def apply(self, recorded: RecordedEvent) -> None:
        if not recorded.stream.startswith("booking-"):
            return
        history = [e for e in self.events.read(recorded.stream) if e.version <= recorded.version]
        booking = fold_booking(history)
        if booking is None:
            return
        row = BookingRow(
            booking.id,
            user_id=booking.user_id,
            departs_at=booking.departs_at,
            run_id=booking.run_id,
            origin=booking.origin,
            destination=booking.destination,
            seats=list(booking.seats),
            total_grosze=booking.total_grosze,
            status=booking.status.value,
            version=booking.version,
        )
        try:
            row.save(condition=BookingRow.version.does_not_exist() | (BookingRow.version < booking.version))
        except PutError as error:
            if getattr(error, "cause_response_code", "") != "ConditionalCheckFailedException":
                raise

    def for_user(self, user_id: str) -> list[dict[str, Any]]:
        return [row.summary() for row in BookingRow.by_user.query(user_id)]
