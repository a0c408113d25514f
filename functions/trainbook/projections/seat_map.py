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

import operator
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import reduce
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
from trainbook.eventstore.batch import Plan, Write, apply_events
from trainbook.eventstore.conditions import is_conditional_failure, newer_than
from trainbook.eventstore.events import RecordedEvent
from trainbook.projections.seat_map_fold import Occupant, occupant_change, occupied_seats, seat_map_as_of
from trainbook.projections.seat_map_item import SeatMapItem
from trainbook.projections.seat_map_queries import RunState, reflected_versions, run_states

__all__ = [
    "Occupant",
    "RunState",
    "SeatMapItem",
    "SeatMapProjection",
    "occupant_change",
    "occupied_seats",
    "reflected_versions",
    "seat_map_as_of",
]


PATHS_PER_UPDATE = 25  # an update expression stays well under DynamoDB's 4 KB


class SeatMapProjection:
    name = "seat-map"
    model = SeatMapItem

    def apply(self, recorded: RecordedEvent) -> None:
        apply_events(self, [recorded])

    def plan(self, batch: Sequence[RecordedEvent]) -> Plan:
        """One update per run (of up to PATHS_PER_UPDATE paths): each path set once, to its newest value."""
        paths: dict[str, dict[tuple[str, ...], _Path]] = {}
        for position, recorded in enumerate(batch):
            found = _path_of(recorded)
            if found is None:
                continue
            run_id, path = found
            run = paths.setdefault(run_id, {})
            kept = run.get(path.at)
            newest = path if kept is None or kept.version < path.version else kept
            run[path.at] = replace(newest, positions=(*(kept.positions if kept else ()), position))
        plan = Plan()
        for run_id, run in paths.items():
            changes = list(run.values())
            for start in range(0, len(changes), PATHS_PER_UPDATE):
                chunk = changes[start : start + PATHS_PER_UPDATE]
                positions = [p for path in chunk for p in path.positions]
                plan.add(positions, self._writes, run_id, chunk)
        return plan

    def _writes(self, run_id: str, chunk: list[_Path]) -> list[Write]:
        actions = [action for path in chunk for action in path.actions]
        condition = reduce(operator.and_, (path.condition for path in chunk))

        def alone() -> None:
            if not self._update(run_id, actions, condition) and len(chunk) > 1:
                for path in chunk:  # refused: some path holds a newer version; each path on its own
                    self._update(run_id, path.actions, path.condition)

        write = Write(
            positions=tuple(sorted(p for path in chunk for p in path.positions)),
            keys=frozenset({(self.name, run_id)}),
            together=lambda tx: tx.update(SeatMapItem(run_id), actions=actions, condition=condition),
            alone=alone,
        )
        return [write]

    def _update(self, run_id: str, actions: list[Action], condition: Condition | None = None) -> bool:
        """Apply `actions` to the run's item; False if `condition` failed (a newer version is there)."""
        for attempt in range(2):
            try:
                _update_item(run_id, actions, condition)
                return True
            except UpdateError as error:
                if is_conditional_failure(error):
                    return False
                if getattr(error, "cause_response_code", "") == "ValidationException" and attempt == 0:
                    self._ensure(run_id)  # the item or its maps are missing: stream order is per item only
                    continue
                raise
        return True  # not reached: the second attempt returns or raises

    def run(self, run_id: str) -> RunState:
        return self.runs([run_id])[run_id]

    def runs(self, run_ids: list[str]) -> dict[str, RunState]:
        return run_states(run_ids)

    def _ensure(self, run_id: str) -> None:
        """Create the run's item and its maps if missing; never overwrites what is there."""
        _update_item(
            run_id,
            [
                SeatMapItem.bookings.set(SeatMapItem.bookings | {}),
                SeatMapItem.delays.set(SeatMapItem.delays | {}),
            ],
        )


def _update_item(run_id: str, actions: list[Action], condition: Condition | None = None) -> None:
    """UpdateItem on the run's item answering nothing back. `Model.update` asks for the whole item after
    the update (ALL_NEW) and reads it into the model: every booking entry of the run, serialized by the
    engine and parsed by the projector on each write, for an answer nobody reads."""
    SeatMapItem._get_connection().update_item(run_id, actions=actions, condition=condition)


@dataclass(frozen=True)
class _Path:
    """One path of a run's item a seat or run event sets, at a version, with the guard of that version."""

    at: tuple[str, ...]  # ("cancelled",), ("delay", station) or ("booking", booking id)
    version: int
    actions: list[Action]
    condition: Condition
    positions: tuple[int, ...] = ()


def _path_of(recorded: RecordedEvent) -> tuple[str, _Path] | None:
    """The run and the path of its item that `recorded` sets, or None if it changes no seat map."""
    event = recorded.event
    if isinstance(event, TrainRunCancelled | TrainRunRemoved | TrainRunRestored):
        if isinstance(event, TrainRunCancelled) and event.from_station is not None:
            return None  # part of the run still runs: search and booking check the journey itself
        cancelled = not isinstance(event, TrainRunRestored)
        actions: list[Action] = [
            SeatMapItem.cancelled.set(cancelled),
            SeatMapItem.cancelled_v.set(recorded.version),
        ]
        newer = newer_than(SeatMapItem.cancelled_v, recorded.version)
        return event.run_id, _Path(("cancelled",), recorded.version, actions, newer)
    if isinstance(event, TrainDelayed):
        delay = SeatMapItem.delays[event.station]
        actions = [delay.set({"m": event.minutes, "v": recorded.version})]
        newer = newer_than(delay["v"], recorded.version)
        return event.run_id, _Path(("delay", event.station), recorded.version, actions, newer)
    change = occupant_change(recorded)
    if change is None:
        return None
    run_id, occupant = change
    entry = SeatMapItem.bookings[occupant.booking]
    newer = newer_than(entry["v"], occupant.version)
    return run_id, _Path(
        ("booking", occupant.booking), occupant.version, [entry.set(_entry(occupant))], newer
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
