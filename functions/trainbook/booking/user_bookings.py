"""User bookings read model: one row per booking, listed by user, as of the latest applied version.

A row is rebuilt by folding the booking's stream from the event store up to the delivered version
and written only if that version is newer than the row's: duplicates and late arrivals change
nothing, and a gap (a later event delivered first) is filled from the store, not lost.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from trainbook import tables
from trainbook.booking.delivered import BookingRowProjection
from trainbook.booking.domain import Booking, Failure


class ByUser(GlobalSecondaryIndex["BookingRow"]):
    class Meta:
        index_name = "by-user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    departs_at = UnicodeAttribute(range_key=True)


class BookingRow(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("USER_BOOKINGS_TABLE")

    booking_id = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    departs_at = UnicodeAttribute()
    run_id = UnicodeAttribute()
    origin = UnicodeAttribute()
    destination = UnicodeAttribute()
    seats = ListAttribute[str]()
    total_grosze = NumberAttribute()
    status = UnicodeAttribute()
    failure_reason = UnicodeAttribute(null=True)
    refund_grosze = NumberAttribute(null=True)
    version = NumberAttribute()
    by_user = ByUser()

    def summary(self) -> dict[str, Any]:
        refund = None if self.refund_grosze is None else int(self.refund_grosze)
        return {
            "booking_id": self.booking_id,
            "run_id": self.run_id,
            "origin": self.origin,
            "destination": self.destination,
            "departs_at": self.departs_at,
            "seats": list(self.seats),
            "total_grosze": int(self.total_grosze),
            "status": self.status,
            "failure": Failure.of(self.failure_reason or "").as_json() if self.status == "FAILED" else None,
            "refund_grosze": refund,
            "fee_grosze": None if refund is None else int(self.total_grosze) - refund,
            "version": int(self.version),
        }


class UserBookingsProjection(BookingRowProjection):
    name = "user-bookings"
    model = BookingRow

    def row(self, booking: Booking) -> BookingRow:
        return BookingRow(
            booking.id,
            user_id=booking.user_id,
            departs_at=booking.departs_at,
            run_id=booking.run_id,
            origin=booking.origin,
            destination=booking.destination,
            seats=list(booking.seats),
            total_grosze=booking.total_grosze,
            status=booking.status.value,
            failure_reason=booking.failure_reason,
            refund_grosze=booking.refund_grosze,
            version=booking.version,
        )

    def for_user(self, user_id: str) -> list[dict[str, Any]]:
        return [row.summary() for row in BookingRow.by_user.query(user_id)]
