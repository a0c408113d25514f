"""Schedule changes recorded on their train runs' streams, once, after the events already there."""

from __future__ import annotations

from datetime import date

from tests.unit.fakes import FakeEventStore
from trainbook.catalog.events import PlatformChanged, TrainDelayed, TrainRunCancelled, TrainRunScheduled
from trainbook.changes.domain import ChangeKind, ScheduleChange
from trainbook.changes.service.recording import record_changes
from trainbook.eventstore.events import PendingEvent, decode, encode

DAY = date(2026, 12, 1)
DELAY = ScheduleChange(ChangeKind.DELAY, "95", DAY, "EC 95", station="GDW", minutes=12, previous_minutes=0)
PLATFORM = ScheduleChange(
    ChangeKind.PLATFORM_CHANGE,
    "95",
    DAY,
    "EC 95",
    station="GDG",
    platform="IV",
    track="9",
    previous_platform="III",
    previous_track="5",
)
CANCELLED = ScheduleChange(ChangeKind.CANCELLATION, "5300", DAY, "EIP 5300")
OBSERVED = "2026-11-30T06:00:00+00:00"


def scheduled(run_id: str) -> TrainRunScheduled:
    return TrainRunScheduled(run_id, "95", "EC", None, "PKP Intercity", "EIC-6", DAY.isoformat(), ())


def test_changes_land_on_each_run_stream_after_its_existing_events() -> None:
    log = FakeEventStore()
    log.append([PendingEvent("run-95-2026-12-01", 1, scheduled("run-95-2026-12-01"))])

    record_changes(log, [DELAY, PLATFORM, CANCELLED], source="http://site", observed_at=OBSERVED)

    eurocity = log.read("run-95-2026-12-01")
    assert [(e.version, type(e.event)) for e in eurocity] == [
        (1, TrainRunScheduled),
        (2, TrainDelayed),
        (3, PlatformChanged),
    ]
    delayed = eurocity[1].event
    assert isinstance(delayed, TrainDelayed)
    assert (delayed.station, delayed.minutes, delayed.run_id, delayed.source) == (
        "GDW",
        12,
        "run-95-2026-12-01",
        "http://site",
    )
    assert [type(e.event) for e in log.read("run-5300-2026-12-01")] == [TrainRunCancelled]


def test_recording_the_same_diff_twice_appends_nothing_new() -> None:
    log = FakeEventStore()
    record_changes(log, [DELAY, CANCELLED], source="http://site", observed_at=OBSERVED)

    again = record_changes(log, [DELAY, CANCELLED], source="http://site", observed_at=OBSERVED)

    assert again == []
    assert log.written() == 2


def test_change_events_survive_the_event_store_codec() -> None:
    log = FakeEventStore()
    (recorded,) = record_changes(log, [PLATFORM], source="http://site", observed_at=OBSERVED)

    event = recorded.event
    assert decode(event.TYPE, event.SCHEMA, encode(event)) == event
    assert event.TYPE == "PlatformChanged"
