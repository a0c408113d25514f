"""Object wiring of the catalog: train runs read from the event store, and today's sales window."""

from __future__ import annotations

from trainbook.catalog.runs import TrainRuns, today_in_poland
from trainbook.catalog.timetable import SalesWindow
from trainbook.eventstore.store import EventStore


def sales_window() -> SalesWindow:
    """The days on sale, counted from today in Poland (the catalog publishes runs for them)."""
    return SalesWindow(today_in_poland())


def train_runs() -> TrainRuns:
    return TrainRuns(EventStore())
