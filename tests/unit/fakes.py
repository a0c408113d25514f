"""In-memory fakes of the event store and the seat inventory, for unit tests that run in milliseconds.

The fake inventory writes a change only if every changed leg still passes its guard (the same domain
rule the DynamoDB adapter's conditions translate), together with its events, or nothing, as the
adapter does in one transaction. tests/contracts/ runs the same suite against both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from trainbook.eventstore.events import (
    NO_META,
    ConcurrencyConflict,
    Event,
    EventLog,
    Meta,
    PendingEvent,
    RecordedEvent,
    pending_after,
)
from trainbook.inventory.domain import RunInventory, SeatChange, SeatInventory, guard_holds


class FakeEventStore:
    def __init__(self, now: datetime | Callable[[], datetime] | None = None) -> None:
        self.streams: dict[str, list[RecordedEvent]] = {}
        fixed = now if isinstance(now, datetime) else datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
        self.clock: Callable[[], datetime] = now if callable(now) else (lambda: fixed)

    def append(
        self,
        stream: str | Sequence[PendingEvent],
        expected_version: int = 0,
        events: Sequence[Event] = (),
        meta: Meta = NO_META,
    ) -> list[RecordedEvent]:
        pending = pending_after(stream, expected_version, events, meta) if isinstance(stream, str) else stream
        self.check(pending)
        at = self.clock()
        recorded = [RecordedEvent(p.stream, p.version, p.event, at, p.meta) for p in pending]
        for r in recorded:
            self.streams.setdefault(r.stream, []).append(r)
            self.streams[r.stream].sort(key=lambda e: e.version)
        return recorded

    def check(self, pending: Sequence[PendingEvent]) -> None:
        """ConcurrencyConflict if any (stream, version) is taken; ValueError if the batch names one twice."""
        if len({(p.stream, p.version) for p in pending}) != len(pending):
            raise ValueError("a batch names one version of a stream twice")
        for p in pending:
            if p.version < 1:
                raise ValueError(f"stream versions start at 1, got {p.version}")
            if p.version in {e.version for e in self.streams.get(p.stream, [])}:
                raise ConcurrencyConflict(f"{p.stream} already has version {p.version}")

    def read(
        self, stream: str, after: int = 0, up_to: datetime | None = None, consistent: bool = True
    ) -> list[RecordedEvent]:
        return [
            e for e in self.streams.get(stream, []) if e.version > after and (up_to is None or e.at <= up_to)
        ]

    def written(self) -> int:
        return sum(len(events) for events in self.streams.values())


class FakeInventory:
    def __init__(self, events: EventLog) -> None:
        self.events = events
        self.items: dict[tuple[str, str], SeatInventory] = {}
        self.loads = 0  # reads of seats for a decision

    def seat(self, run_id: str, seat: str) -> SeatInventory:
        return self.items.get((run_id, seat), SeatInventory(run_id, seat))

    def seats(self, run_id: str, seats: Sequence[str]) -> list[SeatInventory]:
        return [self.seat(run_id, s) for s in dict.fromkeys(seats)]

    def load(self, run_id: str, seats: Sequence[str]) -> RunInventory:
        self.loads += 1
        return RunInventory(run_id, {s.seat: s for s in self.seats(run_id, seats)})

    def save(self, change: SeatChange, events: Sequence[PendingEvent]) -> None:
        for p in events:  # a taken version wins over a refused seat, as in the adapter's transaction
            if any(e.version == p.version for e in self.events.read(p.stream, after=p.version - 1)):
                raise ConcurrencyConflict(f"{p.stream} already has version {p.version}")
        for seat, legs in change.legs:
            current = self.seat(change.run_id, seat).legs
            if not all(
                guard_holds(change.guard, current.get(leg), change.booking_id, change.now) for leg in legs
            ):
                raise change.refusal(seat)
        self.events.append(events)
        for seat, legs in change.legs:
            self.items[(change.run_id, seat)] = self.seat(change.run_id, seat).changed(legs, change.new)
