"""Rebuild a read model from the Events table (not the stream, which keeps only 24 hours)."""

from __future__ import annotations

from collections.abc import Callable

from trainbook.eventstore.batch import apply_events
from trainbook.eventstore.store import EventStore
from trainbook.projections.domain import Projection

BATCH = 100  # events applied at once, as a stream trigger's BatchSize delivers them


def rebuild(projection: Projection, events: EventStore, progress: Callable[[int], None] | None = None) -> int:
    """Empty the read model's table, then apply every event in replay order. Returns events applied."""
    model = projection.model
    with model.batch_write() as batch:
        for item in model.scan():
            batch.delete(item)
    applied = 0
    pending = []
    for recorded in events.all_events():
        pending.append(recorded)
        if len(pending) == BATCH:
            apply_events(projection, pending)
            applied += len(pending)
            pending = []
            if progress is not None:
                progress(applied)
    if pending:
        apply_events(projection, pending)
        applied += len(pending)
        if progress is not None:
            progress(applied)
    return applied
