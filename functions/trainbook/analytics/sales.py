"""Sales counters read model: bookings, seats and revenue per day, each event counted exactly once.

A counter update and a tracking item for the applied event (`applied#<stream>#<version>`) are
written in one transaction; the tracking item's condition makes a redelivered event change nothing.
Tracking items expire (TTL) well after the stream's 24-hour retention, so they never pile up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from trainbook import tables
from trainbook.booking.events import BookingCancelled, BookingConfirmed
from trainbook.catalog.domain import WARSAW
from trainbook.eventstore.conditions import is_conditional_failure
from trainbook.eventstore.events import RecordedEvent
from trainbook.eventstore.store import transactions

TRACKING_KEPT = timedelta(days=3)


class SalesItem(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("SALES_TABLE")

    key = UnicodeAttribute(hash_key=True)  # "day#2026-11-25" counters, or "applied#<stream>#<version>"
    bookings_confirmed = NumberAttribute(default=0)
    seats_sold = NumberAttribute(default=0)
    revenue_grosze = NumberAttribute(default=0)
    bookings_cancelled = NumberAttribute(default=0)
    refunds_grosze = NumberAttribute(default=0)
    expires = TTLAttribute(null=True)


@dataclass(frozen=True)
class DaySales:
    day: str
    bookings_confirmed: int
    seats_sold: int
    revenue_grosze: int
    bookings_cancelled: int
    refunds_grosze: int


class SalesProjection:
    name = "sales"
    model = SalesItem

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        day = recorded.at.astimezone(WARSAW).date().isoformat()
        counters = SalesItem(f"day#{day}")
        actions: list[Action]
        if isinstance(event, BookingConfirmed):
            actions = [
                SalesItem.bookings_confirmed.add(1),
                SalesItem.seats_sold.add(event.seat_count),
                SalesItem.revenue_grosze.add(event.total_grosze),
            ]
        elif isinstance(event, BookingCancelled):
            actions = [SalesItem.bookings_cancelled.add(1), SalesItem.refunds_grosze.add(event.refund_grosze)]
        else:
            return
        tracking = SalesItem(
            f"applied#{recorded.stream}#{recorded.version}", expires=recorded.at + TRACKING_KEPT
        )
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.save(tracking, condition=SalesItem.key.does_not_exist())
                tx.update(counters, actions=actions)
        except TransactWriteError as error:
            if is_conditional_failure(error, item=0):
                return  # counted already: a duplicate delivery
            raise

    def day(self, day: str) -> DaySales:
        try:
            item = SalesItem.get(f"day#{day}")
        except SalesItem.DoesNotExist:
            return DaySales(day, 0, 0, 0, 0, 0)
        return DaySales(
            day,
            int(item.bookings_confirmed),
            int(item.seats_sold),
            int(item.revenue_grosze),
            int(item.bookings_cancelled),
            int(item.refunds_grosze),
        )


def counted(stream: str, version: int) -> bool:
    """Whether the sales read model has counted this event (its tracking item exists)."""
    try:
        SalesItem.get(f"applied#{stream}#{version}", consistent_read=True, attributes_to_get=["key"])
    except SalesItem.DoesNotExist:
        return False
    return True
