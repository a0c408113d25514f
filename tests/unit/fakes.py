"""In-memory fakes of the event store and the seat inventory, for unit tests that run in milliseconds.

The fake inventory applies the pure domain rules (inventory.domain) and appends its event in the
same step, as the DynamoDB adapter does in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from trainbook.catalog.domain import LegSpan
from trainbook.eventstore.events import NO_META, ConcurrencyConflict, Meta, PendingEvent, RecordedEvent
from trainbook.inventory.domain import SeatInventory, check_selection
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold


class FakeEventStore:
    def __init__(self, now: datetime | None = None) -> None:
        self.streams: dict[str, list[RecordedEvent]] = {}
        self.now = now or datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def append(self, pending: Sequence[PendingEvent]) -> list[RecordedEvent]:
        for p in pending:
            taken = {e.version for e in self.streams.get(p.stream, [])}
            if p.version in taken or p.version in {
                q.version for q in pending if q is not p and q.stream == p.stream
            }:
                raise ConcurrencyConflict(f"{p.stream} already has version {p.version}")
        recorded = [RecordedEvent(p.stream, p.version, p.event, self.now, p.meta) for p in pending]
        for r in recorded:
            self.streams.setdefault(r.stream, []).append(r)
            self.streams[r.stream].sort(key=lambda e: e.version)
        return recorded

    def read(self, stream: str, after: int = 0, up_to: datetime | None = None) -> list[RecordedEvent]:
        return [
            e for e in self.streams.get(stream, []) if e.version > after and (up_to is None or e.at <= up_to)
        ]

    def written(self) -> int:
        return sum(len(events) for events in self.streams.values())


class FakeInventory:
    def __init__(self, events: FakeEventStore) -> None:
        self.events = events
        self.items: dict[tuple[str, str], SeatInventory] = {}

    def seat(self, run_id: str, seat: str) -> SeatInventory:
        return self.items.get((run_id, seat), SeatInventory(run_id, seat))

    def hold(
        self,
        run_id: str,
        seats: Sequence[str],
        span: LegSpan,
        booking_id: str,
        expires_at: int,
        now: int,
        version: int,
        meta: Meta = NO_META,
    ) -> SeatsHeld:
        check_selection(list(seats))
        changed = {s: self.seat(run_id, s).hold(span, booking_id, expires_at, now) for s in seats}
        event = SeatsHeld(booking_id, run_id, tuple(seats), span.start, span.end, expires_at)
        self._commit(run_id, changed, [PendingEvent(f"booking-{booking_id}", version, event, meta)])
        return event

    def sell(
        self,
        run_id: str,
        seats: Sequence[str],
        span: LegSpan,
        booking_id: str,
        now: int,
        version: int,
        meta: Meta = NO_META,
        also: Sequence[PendingEvent] = (),
    ) -> SeatsSold:
        changed = {s: self.seat(run_id, s).sell(span, booking_id, now) for s in seats}
        event = SeatsSold(booking_id, run_id, tuple(seats), span.start, span.end)
        self._commit(run_id, changed, [PendingEvent(f"booking-{booking_id}", version, event, meta), *also])
        return event

    def release(
        self,
        run_id: str,
        seats: Sequence[str],
        booking_id: str,
        reason: str,
        version: int,
        meta: Meta = NO_META,
    ) -> SeatsReleased | None:
        mine = [s for s in seats if self.seat(run_id, s).held_by(booking_id)]
        if not mine:
            return None
        event = SeatsReleased(booking_id, run_id, tuple(sorted(mine)), reason)
        changed = {s: self.seat(run_id, s).release(booking_id) for s in mine}
        self._commit(run_id, changed, [PendingEvent(f"booking-{booking_id}", version, event, meta)])
        return event

    def _commit(self, run_id: str, changed: dict[str, SeatInventory], pending: list[PendingEvent]) -> None:
        self.events.append(pending)  # raises before any seat changes, like a cancelled transaction
        for seat, inventory in changed.items():
            self.items[(run_id, seat)] = inventory
