"""Analytics read model: bookings, seats, money and load per day, train, route and run, each event once.

One table, items keyed by a family and a day-sorted key, so any range of days is ONE Query per family:
- `day` / `<date>`, `train` / `<date>#<train>`, `route` / `<date>#<origin>-<destination>`: bookings
  requested, confirmed, failed, cancelled; seats sold; revenue gross, refunds, compensation (grosze);
  passenger-km (in tenths of a km, so sums stay integers). Dated by the day the event happened (Warsaw).
- `failure` / `<date>#<reason>`: failed bookings by reason.
- `run` / `<run date>#<run id>`: passenger-km and seat-km of the run (load factor = their ratio).
Counters are updated in one transaction with a tracking item (`applied` / `<stream>#<version>`) whose
condition makes a redelivered event change nothing, as the sales model does; a batch's events share
one transaction (their tracking items, each item's counts summed), one per event if one was counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from pynamodb.attributes import NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from trainbook import tables
from trainbook.booking.delivered import booking_as_delivered, booking_groups
from trainbook.booking.domain import Booking
from trainbook.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingFailed,
    BookingRequested,
    DelayCompensationPaid,
)
from trainbook.catalog.compositions import composition
from trainbook.catalog.domain import WARSAW
from trainbook.catalog.events import TrainRunScheduled
from trainbook.eventstore.batch import Plan, Write, apply_events, once
from trainbook.eventstore.conditions import is_conditional_failure
from trainbook.eventstore.events import EventLog, RecordedEvent
from trainbook.eventstore.store import transactions

logger = Logger(service="projections")

TRACKING_KEPT = timedelta(days=3)
COUNTERS = (
    "requested",
    "confirmed",
    "failed",
    "cancelled",
    "seats_sold",
    "gross_grosze",
    "refunds_grosze",
    "compensation_grosze",
    "passenger_km_tenths",
)


class AnalyticsItem(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("ANALYTICS_TABLE")

    family = UnicodeAttribute(hash_key=True)  # day, train, route, failure, run, applied
    key = UnicodeAttribute(range_key=True)
    label = UnicodeAttribute(null=True)  # the train's label ("EIP 3501") on train and run items
    requested = NumberAttribute(null=True)
    confirmed = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    cancelled = NumberAttribute(null=True)
    seats_sold = NumberAttribute(null=True)
    gross_grosze = NumberAttribute(null=True)
    refunds_grosze = NumberAttribute(null=True)
    compensation_grosze = NumberAttribute(null=True)
    passenger_km_tenths = NumberAttribute(null=True)
    seat_km_tenths = NumberAttribute(null=True)
    failures = NumberAttribute(null=True)
    expires = TTLAttribute(null=True)


@dataclass(frozen=True)
class RunShape:
    """What analytics needs of a run: its label and each stop's km (tenths), and its seat count."""

    label: str
    km_tenths: dict[str, int]
    seats: int

    @property
    def seat_km_tenths(self) -> int:
        return self.seats * (max(self.km_tenths.values()) - min(self.km_tenths.values()))

    def passenger_km_tenths(self, origin: str, destination: str, seats: int) -> int:
        return seats * (self.km_tenths[destination] - self.km_tenths[origin])


def shape_of(event: TrainRunScheduled) -> RunShape:
    label = f"{event.category} {event.number}"
    km = {str(stop["station"]): round(float(stop["km"]) * 10) for stop in event.stops}
    return RunShape(label, km, composition(event.composition).seat_count())


class AnalyticsProjection:
    name = "analytics"
    model = AnalyticsItem

    def __init__(self, events: EventLog) -> None:
        self.events = events

    def apply(self, recorded: RecordedEvent) -> None:
        apply_events(self, [recorded])

    def plan(self, batch: Sequence[RecordedEvent]) -> Plan:
        """Scheduled runs: one update per run item. Booking events: their tracking items and the sum of
        their counts on each item, in transactions of up to EVENTS_PER_WRITE events."""
        plan = Plan()
        runs: dict[str, tuple[RunShape, list[int]]] = {}
        for position, recorded in enumerate(batch):
            if isinstance(recorded.event, TrainRunScheduled):
                key = f"{recorded.event.day}#{recorded.event.run_id}"
                runs[key] = (shape_of(recorded.event), [*(runs[key][1] if key in runs else []), position])
        for key, (shape, positions) in runs.items():
            plan.writes.append(_scheduled(key, shape, positions))
        counted: list[_Counted] = []
        for positions in booking_groups(batch).values():
            try:
                counted.extend(self._counted(batch, positions))
            except Exception:
                logger.exception("records not planned", extra={"positions": positions})
                plan.failed.extend(positions)
        for start in range(0, len(counted), EVENTS_PER_WRITE):
            plan.writes.append(_count(counted[start : start + EVENTS_PER_WRITE]))
        return plan

    def _counted(self, batch: Sequence[RecordedEvent], positions: list[int]) -> list[_Counted]:
        """What each counted event of one booking adds, folding every one of its events (counted or not) so
        that the next folds forward without a read."""
        found: list[_Counted] = []
        for recorded, at in once(batch, positions):
            booking = booking_as_delivered(self.events, recorded)
            if booking is not None and isinstance(recorded.event, COUNTED):
                found.append(_Counted(recorded, at, self._changes(recorded, booking)))
        return found

    def _changes(self, recorded: RecordedEvent, booking: Booking) -> dict[tuple[str, str], _Change]:
        """The items a counted booking event changes, and how: one label set, counters added."""
        event = recorded.event
        shape = self._run(booking.run_id)
        seats = len(booking.seats)
        pkm = shape.passenger_km_tenths(booking.origin, booking.destination, seats) if shape else 0
        counts: dict[str, int]
        extra: dict[tuple[str, str], _Change] = {}
        run_item = ("run", f"{booking.run_id[-10:]}#{booking.run_id}")
        day = recorded.at.astimezone(WARSAW).date().isoformat()
        if isinstance(event, BookingRequested):
            counts = {"requested": 1}
        elif isinstance(event, BookingConfirmed):
            counts = {
                "confirmed": 1,
                "seats_sold": event.seat_count,
                "gross_grosze": event.total_grosze,
                "passenger_km_tenths": pkm,
            }
            extra[run_item] = _Change(None, {"passenger_km_tenths": pkm})
        elif isinstance(event, BookingFailed):
            counts = {"failed": 1}
            extra[("failure", f"{day}#{event.reason}")] = _Change(None, {"failures": 1})
        elif isinstance(event, BookingCancelled):
            # A cancelled journey is not travelled: its passenger-km leave the load figures.
            counts = {"cancelled": 1, "refunds_grosze": event.refund_grosze, "passenger_km_tenths": -pkm}
            extra[run_item] = _Change(None, {"passenger_km_tenths": -pkm})
        else:
            assert isinstance(event, DelayCompensationPaid)
            counts = {"compensation_grosze": event.compensation_grosze}
        label = shape.label if shape else booking.run_id
        train = booking.run_id[4:-11]
        return {
            ("day", day): _Change(None, counts),
            ("train", f"{day}#{train}"): _Change(label, counts),
            ("route", f"{day}#{booking.origin}-{booking.destination}"): _Change(None, counts),
            **extra,
        }

    def _run(self, run_id: str) -> RunShape | None:
        return _run_shape(self.events, run_id)


COUNTED = (BookingRequested, BookingConfirmed, BookingFailed, BookingCancelled, DelayCompensationPaid)
EVENTS_PER_WRITE = 15  # a tracking item and at most five items each: within a transaction's 100 operations


@dataclass(frozen=True)
class _Change:
    label: str | None  # set (the last one set wins, as one update after another would leave it)
    adds: dict[str, int]

    def then(self, later: _Change) -> _Change:
        adds = dict(self.adds)
        for name, n in later.adds.items():
            adds[name] = adds.get(name, 0) + n
        return _Change(later.label if later.label is not None else self.label, adds)

    def actions(self) -> list[Action]:
        label = [AnalyticsItem.label.set(self.label)] if self.label is not None else []
        return [*label, *(getattr(AnalyticsItem, name).add(n) for name, n in self.adds.items())]


@dataclass(frozen=True)
class _Counted:
    recorded: RecordedEvent
    positions: tuple[int, ...]
    changes: dict[tuple[str, str], _Change]


def _tracking(recorded: RecordedEvent) -> AnalyticsItem:
    return AnalyticsItem(
        "applied", f"{recorded.stream}#{recorded.version}", expires=recorded.at + TRACKING_KEPT
    )


def _count(events: list[_Counted]) -> Write:
    """The events' tracking items and their changes summed per item, in one transaction; alone (a refusal:
    one was counted already), one transaction per event, as each would be delivered."""
    merged: dict[tuple[str, str], _Change] = {}
    for counted in events:
        for key, change in counted.changes.items():
            merged[key] = merged[key].then(change) if key in merged else change

    def together(tx: TransactWrite) -> None:
        for counted in events:
            tx.save(_tracking(counted.recorded), condition=AnalyticsItem.key.does_not_exist())
        for (family, key), change in merged.items():
            tx.update(AnalyticsItem(family, key), actions=change.actions())

    def alone() -> None:
        for counted in events:
            try:
                with TransactWrite(connection=transactions()) as tx:
                    tx.save(_tracking(counted.recorded), condition=AnalyticsItem.key.does_not_exist())
                    for (family, key), change in counted.changes.items():
                        tx.update(AnalyticsItem(family, key), actions=change.actions())
            except TransactWriteError as error:
                if not is_conditional_failure(error, item=0):
                    raise  # not a duplicate delivery

    tracking = {("analytics", "applied", f"{c.recorded.stream}#{c.recorded.version}") for c in events}
    return Write(
        positions=tuple(sorted(p for counted in events for p in counted.positions)),
        keys=frozenset({("analytics", *key) for key in merged} | tracking),
        together=together,
        alone=alone,
        operations=len(events) + len(merged),
    )


def _scheduled(key: str, shape: RunShape, positions: list[int]) -> Write:
    """A run's label and seat-km: values fixed by the timetable, harmless to repeat (no tracking).

    In a transaction, the run's item is put if it does not exist yet, which is what the update would
    make of it and costs the engine a fifth of an update (a fresh start opens some 1 650 runs). If it
    exists (a redelivered run, or its bookings counted first), the put is refused, the transaction with
    it, and each of its writes goes again alone: this one as the update, which keeps the counters."""
    item = AnalyticsItem("run", key, label=shape.label, seat_km_tenths=shape.seat_km_tenths)
    actions: list[Action] = [
        AnalyticsItem.label.set(shape.label),
        AnalyticsItem.seat_km_tenths.set(shape.seat_km_tenths),
    ]
    return Write(
        positions=tuple(positions),
        keys=frozenset({("analytics", "run", key)}),
        together=lambda tx: tx.save(item, condition=AnalyticsItem.key.does_not_exist()),
        alone=lambda: item.update(actions=actions),
    )


@cache
def _cached_shapes() -> dict[str, RunShape]:
    return {}


def _run_shape(events: EventLog, run_id: str) -> RunShape | None:
    """The run's shape from its first event (immutable, so kept for the life of the container)."""
    shapes = _cached_shapes()
    if run_id not in shapes:
        first = events.read(run_id)[:1]
        if not first or not isinstance(first[0].event, TrainRunScheduled):
            return None
        shapes[run_id] = shape_of(first[0].event)
    return shapes[run_id]


def query_family(family: str, first_day: str, last_day: str) -> list[AnalyticsItem]:
    """Every item of a family dated first_day .. last_day: one Query (paged), not one per day."""
    return list(AnalyticsItem.query(family, AnalyticsItem.key.between(first_day, f"{last_day}#\uffff")))


def counters(items: Iterable[AnalyticsItem]) -> dict[str, int]:
    totals = dict.fromkeys(COUNTERS, 0)
    for item in items:
        for name in COUNTERS:
            totals[name] += int(getattr(item, name) or 0)
    return totals


def figures(totals: dict[str, int]) -> dict[str, Any]:
    """Counters as the API shows them: money with net, passenger-km in km."""
    return {
        "requested": totals["requested"],
        "confirmed": totals["confirmed"],
        "failed": totals["failed"],
        "cancelled": totals["cancelled"],
        "seats_sold": totals["seats_sold"],
        "revenue": {
            "gross_grosze": totals["gross_grosze"],
            "refunds_grosze": totals["refunds_grosze"],
            "compensation_grosze": totals["compensation_grosze"],
            "net_grosze": totals["gross_grosze"] - totals["refunds_grosze"] - totals["compensation_grosze"],
        },
        "passenger_km": totals["passenger_km_tenths"] / 10,
    }


def load_factor(passenger_km_tenths: int, seat_km_tenths: int) -> float:
    return round(passenger_km_tenths / seat_km_tenths, 6) if seat_km_tenths else 0.0


def group(items: Iterable[AnalyticsItem]) -> dict[str, list[AnalyticsItem]]:
    """Items by what follows the date in their key (a train, a route, a reason)."""
    grouped: dict[str, list[AnalyticsItem]] = defaultdict(list)
    for item in items:
        grouped[item.key.split("#", 1)[1]].append(item)
    return grouped


def counted(stream: str, version: int) -> bool:
    """Whether the analytics model has applied this event (its tracking item exists)."""
    try:
        AnalyticsItem.get("applied", f"{stream}#{version}", consistent_read=True, attributes_to_get=["key"])
    except AnalyticsItem.DoesNotExist:
        return False
    return True


def day_figures(day: str, run_id: str | None = None) -> dict[str, Any]:
    """One day's dashboard figures, read strongly consistent, for the live `analytics` topic.

    The day's entry of `GET /admin/analytics?from=day&to=day` (`days`), its failure reasons, and the
    load of one run (an entry of `load_factors.runs`): three reads, whatever the traffic.
    """
    try:
        found = [AnalyticsItem.get("day", day, consistent_read=True)]
    except AnalyticsItem.DoesNotExist:
        found = []
    reasons: dict[str, int] = {}
    for item in AnalyticsItem.query("failure", AnalyticsItem.key.startswith(f"{day}#"), consistent_read=True):
        reason = item.key.split("#", 1)[1]
        reasons[reason] = reasons.get(reason, 0) + int(item.failures or 0)
    result: dict[str, Any] = {
        "date": day,
        **figures(counters(found)),
        "failure_reasons": [
            {"reason": reason, "count": count}
            for reason, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
    }
    if run_id:
        try:
            run = AnalyticsItem.get("run", f"{run_id[-10:]}#{run_id}", consistent_read=True)
        except AnalyticsItem.DoesNotExist:
            run = AnalyticsItem("run", f"{run_id[-10:]}#{run_id}")
        pkm, skm = int(run.passenger_km_tenths or 0), int(run.seat_km_tenths or 0)
        result["run"] = {
            "run_id": run_id,
            "train": run.label,
            "date": run_id[-10:],
            "passenger_km": pkm / 10,
            "seat_km": skm / 10,
            "load_factor": load_factor(pkm, skm),
        }
    return result
