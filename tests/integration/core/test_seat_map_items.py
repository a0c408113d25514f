"""A run's seat-map item exists once the run has something to show; before that the run reads as empty."""

from __future__ import annotations

import dataclasses

import pytest

from tests.support.builders import RUN, change_fields, scheduled_run
from trainbook.catalog.events import TrainDelayed, TrainRunCancelled
from trainbook.eventstore.events import RecordedEvent
from trainbook.projections.seat_map import SeatMapItem, SeatMapProjection, reflected_versions

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def scheduled() -> RecordedEvent:
    return scheduled_run()


def test_a_scheduled_run_without_bookings_writes_no_item_and_reads_as_empty(scheduled: RecordedEvent) -> None:
    projection = SeatMapProjection()
    projection.apply(scheduled)

    assert [item.run for item in SeatMapItem.scan()] == []
    state = projection.run(RUN)
    assert (state.occupants, state.cancelled, state.delays) == ([], False, {})


def test_a_delay_and_a_cancellation_of_an_unbooked_run_create_its_item_in_any_order(
    scheduled: RecordedEvent,
) -> None:
    delayed = dataclasses.replace(
        scheduled,
        version=2,
        event=TrainDelayed(**change_fields(), station="KRK", minutes=15, previous_minutes=0),
    )
    cancelled = dataclasses.replace(
        scheduled, version=3, event=TrainRunCancelled(**change_fields(change_id="c2"))
    )
    for order in ([scheduled, delayed, cancelled], [cancelled, delayed, scheduled, delayed]):
        for item in SeatMapItem.scan():
            item.delete()
        projection = SeatMapProjection()
        for recorded in order:
            projection.apply(recorded)

        state = projection.run(RUN)
        assert (state.cancelled, state.delays) == (True, {"KRK": 15})


def test_one_read_tells_which_booking_versions_each_runs_seat_map_shows() -> None:
    SeatMapItem("run-a", bookings={"b-1": {"v": 3, "seats": ["05-021"]}, "b-2": {"v": 5}}).save()
    SeatMapItem("run-b", bookings={"b-3": {"v": 2}}).save()
    wanted = [("run-a", "b-1"), ("run-a", "b-9"), ("run-b", "b-3"), ("run-c", "b-4")]

    assert reflected_versions(wanted) == {
        ("run-a", "b-1"): 3,
        ("run-a", "b-9"): 0,  # the run's item does not show it yet
        ("run-b", "b-3"): 2,
        ("run-c", "b-4"): 0,  # the run has no item yet
    }
