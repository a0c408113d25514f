"""Bookings by run read model: who travels on a run and on which legs, to find whom a change touches.

One row per booking under its run, folded from the booking's stream up to the delivered version and
written only if newer (as the user-bookings model does): duplicates and late arrivals change nothing.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from trainbook import tables
from trainbook.booking.delivered import BookingRowProjection
from trainbook.booking.domain import Booking, BookingStatus
from trainbook.changes.notices import Journey


class ByDay(GlobalSecondaryIndex["RunBookingRow"]):
    class Meta:
        index_name = "by-day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute(range_key=True)


class RunBookingRow(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("RUN_BOOKINGS_TABLE")

    run_id = UnicodeAttribute(hash_key=True)
    booking_id = UnicodeAttribute(range_key=True)
    day = UnicodeAttribute()  # the run's date
    user_id = UnicodeAttribute()
    origin = UnicodeAttribute()
    destination = UnicodeAttribute()
    first_leg = NumberAttribute()
    end_leg = NumberAttribute()
    total_grosze = NumberAttribute()
    status = UnicodeAttribute()
    version = NumberAttribute()
    by_day = ByDay()

    def journey(self) -> Journey:
        return Journey(
            booking_id=self.booking_id,
            user_id=self.user_id,
            origin=self.origin,
            destination=self.destination,
            first_leg=int(self.first_leg),
            end_leg=int(self.end_leg),
            total_grosze=int(self.total_grosze),
        )


class RunBookingsProjection(BookingRowProjection):
    name = "run-bookings"
    model = RunBookingRow

    def row(self, booking: Booking) -> RunBookingRow:
        return RunBookingRow(
            booking.run_id,
            booking.id,
            day=booking.run_id[-10:],
            user_id=booking.user_id,
            origin=booking.origin,
            destination=booking.destination,
            first_leg=booking.first_leg,
            end_leg=booking.end_leg,
            total_grosze=booking.total_grosze,
            status=booking.status.value,
            version=booking.version,
        )

    def row_key(self, booking: Booking) -> tuple[str, str, str]:
        return (self.name, booking.run_id, booking.id)

    def confirmed(self, run_id: str) -> list[Journey]:
        """The journeys of the run's confirmed bookings (one Query)."""
        return [
            row.journey()
            for row in RunBookingRow.query(run_id)
            if row.status == BookingStatus.CONFIRMED.value
        ]

    def runs_on(self, day: str) -> list[str]:
        """Runs of `day` that have bookings (one Query of the by-day index)."""
        return sorted({row.run_id for row in RunBookingRow.by_day.query(day)})
