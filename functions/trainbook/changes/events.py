"""Events of the changes context (a passenger notified, a notice read); the change event for a diff.

The schedule change events themselves are facts of a train run's stream, defined in `catalog/events.py`;
`change_event` builds one from a `ScheduleChange`, with a `change_id` derived from what changed and when
it was observed, so recording the same diff twice appends nothing the second time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from trainbook.catalog.events import (
    PlatformChanged,
    ScheduleChangeEvent,
    TrainDelayed,
    TrainRunAdded,
    TrainRunCancelled,
    TrainRunRemoved,
)
from trainbook.changes.domain import ChangeKind, ScheduleChange
from trainbook.eventstore.events import Event, event_type


def change_event(change: ScheduleChange, *, source: str, observed_at: str) -> ScheduleChangeEvent:
    fingerprint = "|".join(
        str(v)
        for v in (
            change.kind,
            change.run_id,
            change.station,
            change.minutes,
            change.platform,
            change.track,
            observed_at,
        )
    )
    common = {
        "change_id": hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:24],
        "run_id": change.run_id,
        "train": change.train,
        "day": change.day.isoformat(),
        "label": change.label,
        "source": source,
        "observed_at": observed_at,
    }
    if change.kind is ChangeKind.DELAY:
        assert change.station is not None and change.minutes is not None
        return TrainDelayed(
            **common,
            station=change.station,
            minutes=change.minutes,
            previous_minutes=change.previous_minutes or 0,
        )
    if change.kind is ChangeKind.PLATFORM_CHANGE:
        assert change.station is not None and change.platform is not None
        return PlatformChanged(
            **common,
            station=change.station,
            platform=change.platform,
            track=change.track,
            previous_platform=change.previous_platform,
            previous_track=change.previous_track,
        )
    kinds: dict[ChangeKind, type[ScheduleChangeEvent]] = {
        ChangeKind.CANCELLATION: TrainRunCancelled,
        ChangeKind.NEW_SERVICE: TrainRunAdded,
        ChangeKind.REMOVED_SERVICE: TrainRunRemoved,
    }
    return kinds[change.kind](**common)


@event_type("PassengerNotified")
@dataclass(frozen=True)
class PassengerNotified(Event):
    """One notice to one booking's owner about one change, on the stream `notification-<id>` (version 1).

    The id is derived from the change event and the booking, so a redelivered or replayed change cannot
    notify twice: the second append of version 1 fails.
    """

    notification_id: str
    user_id: str
    booking_id: str
    run_id: str
    kind: str  # delay, platform, cancel, compensation
    text_pl: str
    text_en: str
    cause: str  # "<stream>#<version>" of the event that caused it


@event_type("NotificationRead")
@dataclass(frozen=True)
class NotificationRead(Event):
    notification_id: str
    user_id: str
