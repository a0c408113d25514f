"""Schedule changes recorded through the DynamoDB event store (moto): on the run's stream, once."""

from __future__ import annotations

from datetime import date

from trainbook.catalog.events import TrainDelayed, TrainRunRemoved
from trainbook.changes.domain import ChangeKind, ScheduleChange
from trainbook.changes.service.recording import record_changes
from trainbook.eventstore.store import EventStore

DAY = date(2026, 12, 1)
CHANGES = [
    ScheduleChange(ChangeKind.DELAY, "95", DAY, "EC 95", station="GDW", minutes=12, previous_minutes=0),
    ScheduleChange(ChangeKind.REMOVED_SERVICE, "8302", DAY, "EIC 8302 Sedina"),
]


def test_changes_are_appended_to_the_run_streams_and_not_twice(aws: None) -> None:
    store = EventStore()

    record_changes(store, CHANGES, source="http://127.0.0.1:1", observed_at="2026-11-30T06:00:00+00:00")
    record_changes(store, CHANGES, source="http://127.0.0.1:1", observed_at="2026-11-30T06:00:00+00:00")

    (delayed,) = store.read("run-95-2026-12-01")
    (removed,) = store.read("run-8302-2026-12-01")
    assert isinstance(delayed.event, TrainDelayed) and delayed.event.minutes == 12
    assert isinstance(removed.event, TrainRunRemoved)
    assert (delayed.version, removed.version) == (1, 1)
