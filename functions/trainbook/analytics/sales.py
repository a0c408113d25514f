"""Sales counters read model: bookings, seats and revenue per day, each event counted exactly once.

A counter update and a tracking item for the applied event (`applied#<stream>#<version>`) are
written in one transaction; the tracking item's condition makes a redelivered event change nothing.
A batch's events of one day go in one transaction (their tracking items, the counters added once);
if one of them was counted already, each event is then written in its own transaction.
Tracking items expire (TTL) well after the stream's 24-hour retention, so they never pile up.
"""

from __future__ import annotations

from collections.abc import Sequence
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
from trainbook.eventstore.batch import Plan, Write, apply_events, once
from trainbook.eventstore.conditions import is_conditional_failure
from trainbook.eventstore.events import RecordedEvent
from trainbook.eventstore.store import transactions

TRACKING_KEPT = timedelta(days=3)
EVENTS_PER_WRITE = 50  # with the day's counters, well within a transaction's 100 operations


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
        apply_events(self, [recorded])

    def plan(self, batch: Sequence[RecordedEvent]) -> Plan:
        """Per day, one transaction: a tracking item per counted event and the day's counters added once."""
        days: dict[str, list[tuple[RecordedEvent, tuple[int, ...]]]] = {}
        counted = [p for p, r in enumerate(batch) if isinstance(r.event, BookingConfirmed | BookingCancelled)]
        for recorded, positions in once(batch, counted):
            days.setdefault(recorded.at.astimezone(WARSAW).date().isoformat(), []).append(
                (recorded, positions)
            )
        plan = Plan()
        for day, events in days.items():
            for start in range(0, len(events), EVENTS_PER_WRITE):
                chunk = events[start : start + EVENTS_PER_WRITE]
                plan.add([p for _, ps in chunk for p in ps], _counts_of, day, chunk)
        return plan

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


def _counts(event: BookingConfirmed | BookingCancelled) -> dict[str, int]:
    if isinstance(event, BookingConfirmed):
        return {"bookings_confirmed": 1, "seats_sold": event.seat_count, "revenue_grosze": event.total_grosze}
    return {"bookings_cancelled": 1, "refunds_grosze": event.refund_grosze}


def _tracking(recorded: RecordedEvent) -> SalesItem:
    return SalesItem(f"applied#{recorded.stream}#{recorded.version}", expires=recorded.at + TRACKING_KEPT)


def _count(day: str, events: list[tuple[RecordedEvent, tuple[int, ...]]]) -> Write:
    """The events' tracking items and their sum on the day's counters, in one transaction; alone (a
    refusal: one of them was counted already), one transaction per event, as each would be delivered."""
    totals: dict[str, int] = {}
    for recorded, _ in events:
        assert isinstance(recorded.event, BookingConfirmed | BookingCancelled)
        for name, n in _counts(recorded.event).items():
            totals[name] = totals.get(name, 0) + n

    def together(tx: TransactWrite) -> None:
        for recorded, _ in events:
            tx.save(_tracking(recorded), condition=SalesItem.key.does_not_exist())
        tx.update(SalesItem(f"day#{day}"), actions=_adds(totals))

    def alone() -> None:
        for recorded, _ in events:
            assert isinstance(recorded.event, BookingConfirmed | BookingCancelled)
            try:
                with TransactWrite(connection=transactions()) as tx:
                    tx.save(_tracking(recorded), condition=SalesItem.key.does_not_exist())
                    tx.update(SalesItem(f"day#{day}"), actions=_adds(_counts(recorded.event)))
            except TransactWriteError as error:
                if not is_conditional_failure(error, item=0):
                    raise  # not a duplicate delivery

    return Write(
        positions=tuple(sorted(p for _, ps in events for p in ps)),
        keys=frozenset({("sales", f"day#{day}")} | {("sales", _tracking(r).key) for r, _ in events}),
        together=together,
        alone=alone,
        operations=len(events) + 1,
    )


def _counts_of(day: str, events: list[tuple[RecordedEvent, tuple[int, ...]]]) -> list[Write]:
    return [_count(day, events)]


def _adds(counts: dict[str, int]) -> list[Action]:
    return [getattr(SalesItem, name).add(n) for name, n in counts.items()]


def counted(stream: str, version: int) -> bool:
    """Whether the sales read model has counted this event (its tracking item exists)."""
    try:
        SalesItem.get(f"applied#{stream}#{version}", consistent_read=True, attributes_to_get=["key"])
    except SalesItem.DoesNotExist:
        return False
    return True
