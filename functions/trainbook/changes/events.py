"""Events recorded on a train run's stream (`run-<train>-<date>`) when its schedule changes.

Each carries a `change_id` derived from what changed and when it was observed, so recording the
same diff twice appends nothing the second time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from trainbook.changes.domain import ChangeKind, ScheduleChange
from trainbook.eventstore.events import Event, event_type


@dataclass(frozen=True)
class ScheduleChangeEvent(Event):
    change_id: str
    run_id: str
    train: str
    day: str  # ISO date of the run
    label: str  # "EIP 5300"
    source: str  # where it was seen: the timetable site's address or the import's source
    observed_at: str  # ISO instant of the observation that showed the change


@event_type("TrainDelayed")
@dataclass(frozen=True)
class TrainDelayed(ScheduleChangeEvent):
    station: str
    minutes: int  # late now at `station` and, unless a later station says otherwise, from it on; 0: on time
    previous_minutes: int
    reason: str = ""  # what the operator said (admin changes); a scrape does not know


@event_type("TrainRunCancelled")
@dataclass(frozen=True)
class TrainRunCancelled(ScheduleChangeEvent):
    from_station: str | None = None  # None: the whole run; a station: no service from it on
    reason: str = ""


@event_type("TrainRunRestored")
@dataclass(frozen=True)
class TrainRunRestored(ScheduleChangeEvent):
    """A cancellation undone before departure: the run is on sale again (refunds already made stand)."""


@event_type("TrainRunArrived")
@dataclass(frozen=True)
class TrainRunArrived(ScheduleChangeEvent):
    """The run reached its terminus (recorded by the dispatcher, or for every run when a day is closed).

    Delay compensation is computed from the delays recorded up to this event.
    """


@event_type("PlatformChanged")
@dataclass(frozen=True)
class PlatformChanged(ScheduleChangeEvent):
    station: str
    platform: str
    track: str | None
    previous_platform: str | None
    previous_track: str | None


@event_type("TrainRunAdded")
@dataclass(frozen=True)
class TrainRunAdded(ScheduleChangeEvent):
    pass


@event_type("TrainRunRemoved")
@dataclass(frozen=True)
class TrainRunRemoved(ScheduleChangeEvent):
    pass


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
