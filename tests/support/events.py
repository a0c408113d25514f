"""An event type and a settable clock for tests of the event store and its fake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from trainbook.eventstore.events import Event, event_type


@event_type("TestNoted")
@dataclass(frozen=True)
class Noted(Event):
    text: str
    tags: tuple[str, ...] = ()


class Clock:
    """Now, as a test sets it: `advance` moves time for the store that reads it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)
