"""`trainbook publish-timetable` writes only what is new: a day entering the window, a run not open yet."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import boto3
import pytest

from timetable_file import location, reading
from trainbook.catalog.runs import TrainRuns
from trainbook.catalog.timetable import Timetable
from trainbook.eventstore.store import EventStore
from trainbook_cli.publish import publish_new_runs

pytestmark = pytest.mark.usefixtures("aws")

FIRST = date(2026, 11, 25)


@pytest.fixture(scope="module")
def timetable() -> Timetable:
    return reading.read(location.shipped_timetable_path())


class CountingClient:
    """A DynamoDB client that remembers which operations it sent."""

    def __init__(self) -> None:
        self.client = boto3.client("dynamodb")
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.client, name)
        if callable(attribute):
            self.calls.append(name)
        return attribute


def test_a_second_publish_of_the_same_window_writes_nothing(timetable: Timetable) -> None:
    store = EventStore()
    opened, kept = publish_new_runs(store, timetable, [FIRST])
    assert opened == len(timetable.runs_on(FIRST)) > 0 and kept == 0
    before = {(e.stream, e.version, e.at) for e in store.all_events()}

    counting = CountingClient()
    assert publish_new_runs(store, timetable, [FIRST], client=counting) == (0, opened)

    assert {(e.stream, e.version, e.at) for e in store.all_events()} == before
    assert "transact_write_items" not in counting.calls and set(counting.calls) == {"batch_get_item"}


def test_a_day_entering_the_window_is_published_and_open_days_are_kept(timetable: Timetable) -> None:
    store = EventStore()
    first_day = len(timetable.runs_on(FIRST))
    publish_new_runs(store, timetable, [FIRST])

    opened, kept = publish_new_runs(store, timetable, [FIRST, FIRST + timedelta(days=1)])

    assert (opened, kept) == (len(timetable.runs_on(FIRST + timedelta(days=1))), first_day)
    runs = TrainRuns(store)
    for run in timetable.runs_on(FIRST + timedelta(days=1)):
        assert runs.get(run.id).day == FIRST + timedelta(days=1)
    assert len({e.stream for e in store.all_events()}) == first_day + opened


def test_a_run_opened_meanwhile_is_kept_and_the_rest_of_its_batch_still_published(
    timetable: Timetable,
) -> None:
    store = EventStore()
    runs = timetable.runs_on(FIRST)
    TrainRuns(store).publish(timetable, [FIRST])  # the old one-put-per-run way: every run is open
    opened_by_other = {e.stream for e in store.all_events()}

    class RacingClient(CountingClient):
        """Sees none of the runs open (as if it read before the other writer), so its batch is refused."""

        def batch_get_item(self, **request: Any) -> dict[str, Any]:
            self.calls.append("batch_get_item")
            return {"Responses": {}, "UnprocessedKeys": {}}

    racing = RacingClient()
    opened, kept = publish_new_runs(store, timetable, [FIRST], client=racing)

    assert (opened, kept) == (0, len(runs))  # every conditional put refused: nothing written twice
    assert "transact_write_items" in racing.calls
    assert {e.stream for e in store.all_events()} == opened_by_other
    assert all(e.version == 1 for e in store.all_events())
