"""Seat map read model: per train run, what each booking holds or bought, to answer free seats fast.

One item per run that has something to show (seat_map_item): the run's first booking, cancellation or
delay creates it, and a run without one reads as empty (`run_states`), so scheduling a run writes
nothing here (at a fresh start that was 1 643 writes of empty items). One entry per booking (its seats,
legs, state, hold expiry and the version of the booking's stream it reflects). An entry is replaced
only by a newer version, so duplicate and out-of-order delivery converge to the same item. Free seats
of ANY segment are computed at query time (seat_map_fold, seat_map_queries): a booking writes one
entry, never one row per origin-destination pair. This module is the writer; it also names the read
side for its users.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from trainbook.catalog.events import (
    TrainDelayed,
    TrainRunCancelled,
    TrainRunRemoved,
    TrainRunRestored,
)
from trainbook.eventstore.conditions import is_conditional_failure, newer_than
from trainbook.eventstore.events import RecordedEvent
from trainbook.projections.seat_map_fold import Occupant, occupant_change, occupied_seats, seat_map_as_of
from trainbook.projections.seat_map_item import SeatMapItem
from trainbook.projections.seat_map_queries import RunState, reflected_version, run_states

__all__ = [
    "Occupant",
    "RunState",
    "SeatMapItem",
    "SeatMapProjection",
    "occupant_change",
    "occupied_seats",
    "reflected_version",
    "seat_map_as_of",
]


class SeatMapProjection:
    name = "seat-map"
    model = SeatMapItem

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        if isinstance(event, TrainRunCancelled | TrainRunRemoved | TrainRunRestored):
            if isinstance(event, TrainRunCancelled) and event.from_station is not None:
                return  # part of the run still runs: search and booking check the journey itself
            cancelled = not isinstance(event, TrainRunRestored)
            newer = newer_than(SeatMapItem.cancelled_v, recorded.version)
            actions: list[Action] = [
                SeatMapItem.cancelled.set(cancelled),
                SeatMapItem.cancelled_v.set(recorded.version),
            ]
            self._update(event.run_id, actions, newer)
        elif isinstance(event, TrainDelayed):
            delay = SeatMapItem.delays[event.station]
            newer = newer_than(delay["v"], recorded.version)
            self._update(event.run_id, [delay.set({"m": event.minutes, "v": recorded.version})], newer)
        elif (change := occupant_change(recorded)) is not None:
            run_id, occupant = change
            entry = SeatMapItem.bookings[occupant.booking]
            newer = newer_than(entry["v"], occupant.version)
            self._update(run_id, [entry.set(_entry(occupant))], newer)

    def _update(self, run_id: str, actions: list[Action], condition: Condition | None = None) -> None:
        """Apply `actions` to the run's item; a failed `condition` means a newer version is there already."""
        for attempt in range(2):
            try:
                SeatMapItem(run_id).update(actions=actions, condition=condition)
                return
            except UpdateError as error:
                if is_conditional_failure(error):
                    return
                if getattr(error, "cause_response_code", "") == "ValidationException" and attempt == 0:
                    self._ensure(run_id)  # the item or its maps are missing: stream order is per item only
                    continue
                raise

    def run(self, run_id: str) -> RunState:
        return self.runs([run_id])[run_id]

    def runs(self, run_ids: list[str]) -> dict[str, RunState]:
        return run_states(run_ids)

    def _ensure(self, run_id: str) -> None:
        """Create the run's item and its maps if missing; never overwrites what is there."""
        SeatMapItem(run_id).update(
            actions=[
                SeatMapItem.bookings.set(SeatMapItem.bookings | {}),
                SeatMapItem.delays.set(SeatMapItem.delays | {}),
            ]
        )


def _entry(occupant: Occupant) -> dict[str, Any]:
    return {
        "v": occupant.version,
        "seats": list(occupant.seats),
        "first": occupant.span.start,
        "end": occupant.span.end,
        "state": occupant.state,
        "expires": occupant.expires_at,
    }
