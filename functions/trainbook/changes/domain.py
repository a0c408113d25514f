"""Schedule changes found by comparing two views of the same train runs (pure, no I/O).

A view is what one source said about each run on some days: two scrapes of the timetable site,
two timetable imports, or one of each. `diff` compares the days both views cover and returns what
a passenger would want to hear about: a delay (minutes), a cancellation, a platform change, and
runs that appeared or disappeared.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from trainbook.catalog.domain import run_id
from trainbook.catalog.timetable import Timetable


def notification_stream(notification_id: str) -> str:
    """The stream of one notice (`PassengerNotified`, then `NotificationRead`), spelled only here."""
    return f"notification-{notification_id}"


class ChangeKind(StrEnum):
    DELAY = "delay"
    CANCELLATION = "cancellation"
    PLATFORM_CHANGE = "platform_change"
    NEW_SERVICE = "new_service"
    REMOVED_SERVICE = "removed_service"


@dataclass(frozen=True)
class Call:
    """A run's call at one station as a source showed it."""

    station: str  # station code
    arrive: int | None  # scheduled, minutes after midnight of the run's day
    depart: int | None
    platform: str | None = None
    track: str | None = None
    delay: int = 0  # minutes late, as announced

    @property
    def scheduled(self) -> int:
        moment = self.depart if self.depart is not None else self.arrive
        assert moment is not None
        return moment


@dataclass(frozen=True)
class RunView:
    train: str
    day: date
    label: str  # "EIP 5300", for people reading the change
    calls: tuple[Call, ...]
    cancelled: bool = False

    @property
    def run_id(self) -> str:
        return run_id(self.train, self.day)


@dataclass(frozen=True)
class ScheduleChange:
    kind: ChangeKind
    train: str
    day: date
    label: str
    station: str | None = None  # where a delay or platform change applies
    minutes: int | None = None  # delay: minutes late now at `station` against the earlier schedule
    previous_minutes: int | None = None
    platform: str | None = None  # platform change: the new platform and track
    track: str | None = None
    previous_platform: str | None = None
    previous_track: str | None = None

    @property
    def run_id(self) -> str:
        return run_id(self.train, self.day)

    def describe(self) -> str:
        at = f" at {self.station}" if self.station else ""
        if self.kind is ChangeKind.DELAY:
            if not self.minutes:
                return f"back on time{at} (was {self.previous_minutes} min late)"
            return f"{self.minutes} min late{at} (was {self.previous_minutes or 0})"
        if self.kind is ChangeKind.PLATFORM_CHANGE:
            was = _platform(self.previous_platform, self.previous_track)
            return f"platform {_platform(self.platform, self.track)}{at} (was {was})"
        return {
            ChangeKind.CANCELLATION: "cancelled",
            ChangeKind.NEW_SERVICE: "new run",
            ChangeKind.REMOVED_SERVICE: "run removed from the timetable",
        }[self.kind]


_ORDER = {kind: i for i, kind in enumerate(ChangeKind)}


def diff(
    before: Iterable[RunView], after: Iterable[RunView], days: Collection[date] | None = None
) -> list[ScheduleChange]:
    """Changes from `before` to `after` on `days` (default: the days both views show runs on)."""
    old = {v.run_id: v for v in before}
    new = {v.run_id: v for v in after}
    if days is None:
        days = {v.day for v in old.values()} & {v.day for v in new.values()}
    changes: list[ScheduleChange] = []
    for key in sorted(old.keys() | new.keys()):
        was, now = old.get(key), new.get(key)
        view = now or was
        assert view is not None
        if view.day not in days:
            continue
        if now is None:
            changes.append(ScheduleChange(ChangeKind.REMOVED_SERVICE, view.train, view.day, view.label))
        elif was is None or (was.cancelled and not now.cancelled):
            changes.append(ScheduleChange(ChangeKind.NEW_SERVICE, view.train, view.day, view.label))
        elif now.cancelled:
            if not was.cancelled:
                changes.append(ScheduleChange(ChangeKind.CANCELLATION, view.train, view.day, view.label))
        else:
            changes.extend(_run_changes(was, now))
    return sorted(changes, key=lambda c: (c.day, c.train, _ORDER[c.kind]))


def _run_changes(was: RunView, now: RunView) -> list[ScheduleChange]:
    changes: list[ScheduleChange] = []
    earlier = {c.station: c for c in was.calls}
    delay_reported = False
    for call in now.calls:
        previous = earlier.get(call.station)
        if previous is None:
            continue
        late = call.scheduled + call.delay - previous.scheduled
        # One delay per run, where it first shows: later stations inherit it, as passengers expect.
        if not delay_reported and late != previous.delay:
            delay_reported = True
            changes.append(
                ScheduleChange(
                    ChangeKind.DELAY,
                    now.train,
                    now.day,
                    now.label,
                    station=call.station,
                    minutes=late,
                    previous_minutes=previous.delay,
                )
            )
        if call.platform is not None and (call.platform, call.track) != (previous.platform, previous.track):
            changes.append(
                ScheduleChange(
                    ChangeKind.PLATFORM_CHANGE,
                    now.train,
                    now.day,
                    now.label,
                    station=call.station,
                    platform=call.platform,
                    track=call.track,
                    previous_platform=previous.platform,
                    previous_track=previous.track,
                )
            )
    return changes


def timetable_view(timetable: Timetable, days: Iterable[date]) -> list[RunView]:
    """Every scheduled run of the timetable on `days`, as a view with no delays."""
    return [
        RunView(
            train=run.service.number,
            day=run.day,
            label=run.service.label,
            calls=tuple(Call(s.station, s.arrive, s.depart, s.platform, s.track) for s in run.service.stops),
        )
        for day in days
        for run in timetable.runs_on(day)
    ]


def by_run(changes: Iterable[ScheduleChange]) -> Mapping[str, list[ScheduleChange]]:
    grouped: dict[str, list[ScheduleChange]] = {}
    for change in changes:
        grouped.setdefault(change.run_id, []).append(change)
    return grouped


def _platform(platform: str | None, track: str | None) -> str:
    if platform is None:
        return "not announced"
    return f"{platform}" + (f", track {track}" if track else "")
