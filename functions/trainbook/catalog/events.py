"""Events on a train run's stream (`run-<train>-<date>`): the run opened for sale, then its schedule changes.

The changes context records the schedule changes (from scrapes and operators); every reader of a run
(the catalog's fold, seat maps, live updates) reads them here, so none depends on that context.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trainbook.eventstore.events import Event, event_type


@event_type("TrainRunScheduled")
@dataclass(frozen=True)
class TrainRunScheduled(Event):
    run_id: str
    number: str
    category: str
    name: str | None
    operator: str
    composition: str
    day: str  # ISO date the run starts
    stops: tuple[dict[str, Any], ...]  # station, arrive, depart (minutes after midnight), km, platform, track


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
