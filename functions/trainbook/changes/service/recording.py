"""Appends schedule changes to their train runs' streams in the event store, once each.

One append per run stream, at the version after its last event (optimistic concurrency: if another
writer got there first the stream is read again and the append retried). A change whose
`change_id` the stream already holds is skipped, so recording the same diff twice is harmless.
"""

from __future__ import annotations

from collections.abc import Iterable

from trainbook.catalog.events import ScheduleChangeEvent
from trainbook.changes.domain import ScheduleChange, by_run
from trainbook.changes.events import change_event
from trainbook.eventstore.events import ConcurrencyConflict, EventLog, Meta, PendingEvent, RecordedEvent

ATTEMPTS = 3


def record_changes(
    log: EventLog, changes: Iterable[ScheduleChange], *, source: str, observed_at: str, actor: str = "scraper"
) -> list[RecordedEvent]:
    recorded: list[RecordedEvent] = []
    for stream, run_changes in sorted(by_run(changes).items()):
        events = [change_event(c, source=source, observed_at=observed_at) for c in run_changes]
        recorded.extend(append_new(log, stream, events, Meta(correlation_id=observed_at, actor=actor)))
    return recorded


def append_new(
    log: EventLog, stream: str, events: list[ScheduleChangeEvent], meta: Meta
) -> list[RecordedEvent]:
    for attempt in range(ATTEMPTS):
        existing = log.read(stream)
        seen = {e.event.change_id for e in existing if isinstance(e.event, ScheduleChangeEvent)}
        fresh = [e for e in events if e.change_id not in seen]
        if not fresh:
            return []
        version = existing[-1].version if existing else 0
        pending = [PendingEvent(stream, version + i + 1, e, meta) for i, e in enumerate(fresh)]
        try:
            return log.append(pending)
        except ConcurrencyConflict:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")
