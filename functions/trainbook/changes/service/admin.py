"""Schedule changes an operator records by hand: checked against the run, then appended like a scrape's.

The admin API and `trainbook scrape --diff` append the same events (`TrainDelayed`, `PlatformChanged`,
`TrainRunCancelled`, plus `TrainRunRestored` and `TrainRunArrived`, which only an operator knows), so
everything downstream (search, run details, notifications, refunds) behaves alike for both sources.
Bad input raises a DomainError before anything is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from trainbook.catalog.domain import TrainRun
from trainbook.catalog.errors import NotServed
from trainbook.catalog.events import (
    PlatformChanged,
    ScheduleChangeEvent,
    TrainDelayed,
    TrainRunArrived,
    TrainRunCancelled,
    TrainRunRestored,
)
from trainbook.catalog.runs import TrainRuns
from trainbook.changes.service.recording import append_new
from trainbook.errors import Conflict, DomainError
from trainbook.eventstore.events import EventLog, Meta, RecordedEvent, format_instant

SOURCE = "operator"
Kind = Literal["delay", "platform", "cancel", "restore"]


class RunArrived(Conflict):
    code = "run_arrived"


class InvalidChange(DomainError):
    code = "invalid_change"


class NotCancelled(Conflict):
    code = "run_not_cancelled"


class AlreadyCancelled(Conflict):
    code = "run_already_cancelled"


@dataclass(frozen=True)
class ChangeRequest:
    kind: Kind
    station: str | None = None
    minutes: int | None = None
    platform: str | None = None
    track: str | None = None
    from_station: str | None = None
    reason: str = ""


def record_operator_change(
    log: EventLog, run_id: str, request: ChangeRequest, now: datetime, actor: str
) -> RecordedEvent:
    """Check `request` against the run as its stream says, then append its event. Raises before writing."""
    run = TrainRuns(log).get(run_id)
    if has_arrived(run, now):
        raise RunArrived(f"{run.service.label} has arrived: its schedule can no longer change")
    event = _event(run, request, now)
    meta = Meta(correlation_id=event.change_id, actor=actor)
    recorded = append_new(log, run.id, [event], meta)
    assert recorded, "a change id is unique per observation instant"
    return recorded[0]


def record_arrival(log: EventLog, run_id: str, now: datetime, actor: str) -> RecordedEvent | None:
    """Record that the run reached its terminus; None when it already had (or was wholly cancelled)."""
    run = TrainRuns(log).get(run_id)
    if run.arrived or run.cancelled:
        return None
    event = TrainRunArrived(**_common(run, "arrived", now))
    recorded = append_new(log, run.id, [event], Meta(correlation_id=event.change_id, actor=actor))
    return recorded[0] if recorded else None


def has_arrived(run: TrainRun, now: datetime) -> bool:
    """Recorded as arrived, or past its expected arrival at the terminus (delays included)."""
    return run.arrived or run.expected_arrival(run.terminus()) <= now


def _event(run: TrainRun, request: ChangeRequest, now: datetime) -> ScheduleChangeEvent:
    common = _common(
        run, request.kind, now, request.station, request.minutes, request.platform, request.track
    )
    if request.kind == "delay":
        station = _called_at(run, request.station)
        if request.minutes is None or request.minutes < 0:
            raise InvalidChange("a delay needs minutes: 0 or more (0 clears the delay)")
        return TrainDelayed(
            **common,
            station=station,
            minutes=request.minutes,
            previous_minutes=run.delay_at(station),
            reason=request.reason,
        )
    if request.kind == "platform":
        station = _called_at(run, request.station)
        if not request.platform:
            raise InvalidChange("a platform change needs the new platform")
        stop = run.service.stops[run.service.stop_index(station)]
        return PlatformChanged(
            **common,
            station=station,
            platform=request.platform,
            track=request.track,
            previous_platform=stop.platform,
            previous_track=stop.track,
        )
    if request.kind == "cancel":
        if run.cancelled:
            raise AlreadyCancelled(f"{run.service.label} on {run.day.isoformat()} is cancelled already")
        from_station: str | None = None
        if request.from_station is not None:
            from_station = _called_at(run, request.from_station)
            if from_station == run.terminus():
                raise InvalidChange(f"{from_station} is the terminus: there is nothing after it to cancel")
            if from_station == run.service.stops[0].station:
                from_station = None  # from the origin on is the whole run
        return TrainRunCancelled(**common, from_station=from_station, reason=request.reason)
    if request.kind == "restore":
        if not run.cancelled and run.cancelled_from is None:
            raise NotCancelled(f"{run.service.label} on {run.day.isoformat()} is not cancelled")
        if run.departure(run.service.stops[0].station) <= now:
            raise Conflict("a cancellation can only be undone before the train's departure")
        return TrainRunRestored(**common)
    raise InvalidChange(f"unknown kind of change {request.kind!r}")


def _called_at(run: TrainRun, station: str | None) -> str:
    if not station:
        raise InvalidChange("this change needs the station it applies at")
    try:
        run.service.stop_index(station)
    except NotServed:
        raise NotServed(f"{run.service.label} does not call at {station}") from None
    return station


def _common(run: TrainRun, kind: str, now: datetime, *details: object) -> dict[str, str]:
    observed_at = format_instant(now)
    fingerprint = "|".join(str(v) for v in (kind, run.id, *details, observed_at))
    return {
        "change_id": hashlib.sha256(fingerprint.encode("utf-8")).hexdigest()[:24],
        "run_id": run.id,
        "train": run.service.number,
        "day": run.day.isoformat(),
        "label": run.service.label,
        "source": SOURCE,
        "observed_at": observed_at,
    }
