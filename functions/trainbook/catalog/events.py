"""Events on a train run's stream (`run-<train>-<date>`): the run opened for sale with its timetable."""

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
