"""Seat map read model: per train run, what each booking holds or bought, to answer free seats fast.

One item per run; one entry per booking (its seats, legs, state, hold expiry and the version of the
booking's stream it reflects). An entry is replaced only by a newer version, so duplicate and
out-of-order delivery converge to the same item. Free seats of ANY segment are computed at query
time: a booking writes one entry, never one row per origin-destination pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model

from trainbook import tables
from trainbook.catalog.domain import LegSpan
from trainbook.catalog.events import (
    TrainDelayed,
    TrainRunCancelled,
    TrainRunRemoved,
    TrainRunRestored,
    TrainRunScheduled,
)
from trainbook.eventstore.events import RecordedEvent
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold


class SeatMapItem(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("SEAT_MAP_TABLE", "trainbook-seat-map")

    run = UnicodeAttribute(hash_key=True)
    bookings = MapAttribute[str, Any](default=dict)  # booking id -> its seats, legs, state, version
    cancelled = BooleanAttribute(default=False)
    cancelled_v = NumberAttribute(null=True)  # the run stream version `cancelled` reflects
    delays = MapAttribute[str, Any](default=dict)  # station -> {"m": minutes late, "v": run stream version}


@dataclass(frozen=True)
class Occupant:
    booking: str
    version: int
    seats: tuple[str, ...]
    span: LegSpan
    state: str  # held, sold, released
    expires_at: int

    def occupies(self, span: LegSpan, now: int) -> bool:
        live = self.state == "sold" or (self.state == "held" and self.expires_at > now)
        return live and self.span.overlaps(span)


def occupied_seats(occupants: Iterable[Occupant], span: LegSpan, now: int) -> set[str]:
    return {seat for o in occupants if o.occupies(span, now) for seat in o.seats}


class SeatMapProjection:
    name = "seat-map"
    model = SeatMapItem

    def apply(self, recorded: RecordedEvent) -> None:
        event = recorded.event
        if isinstance(event, TrainRunScheduled):
            self._ensure(event.run_id)
        elif isinstance(event, TrainRunCancelled | TrainRunRemoved | TrainRunRestored):
            if isinstance(event, TrainRunCancelled) and event.from_station is not None:
                return  # part of the run still runs: search and booking check the journey itself
            cancelled = not isinstance(event, TrainRunRestored)
            newer = SeatMapItem.cancelled_v.does_not_exist() | (SeatMapItem.cancelled_v < recorded.version)
            actions: list[Action] = [
                SeatMapItem.cancelled.set(cancelled),
                SeatMapItem.cancelled_v.set(recorded.version),
            ]
            self._update(event.run_id, actions, newer)
        elif isinstance(event, TrainDelayed):
            delay = SeatMapItem.delays[event.station]
            newer = delay.does_not_exist() | (delay["v"] < recorded.version)
            self._update(event.run_id, [delay.set({"m": event.minutes, "v": recorded.version})], newer)
        elif (change := occupant_change(recorded)) is not None:
            run_id, occupant = change
            entry = SeatMapItem.bookings[occupant.booking]
            newer = entry.does_not_exist() | (entry["v"] < occupant.version)
            self._update(run_id, [entry.set(_entry(occupant))], newer)

    def _update(self, run_id: str, actions: list[Action], condition: Condition | None = None) -> None:
        """Apply `actions` to the run's item; a failed `condition` means a newer version is there already."""
        for attempt in range(2):
            try:
                SeatMapItem(run_id).update(actions=actions, condition=condition)
                return
            except UpdateError as error:
                code = getattr(error, "cause_response_code", "")
                if code == "ConditionalCheckFailedException":
                    return
                if code == "ValidationException" and attempt == 0:
                    self._ensure(run_id)  # the item or its maps are missing: stream order is per item only
                    continue
                raise

    def run(self, run_id: str) -> RunState:
        return self.runs([run_id])[run_id]

    def runs(self, run_ids: list[str]) -> dict[str, RunState]:
        found = {run: RunState([], False, {}) for run in run_ids}
        for item in SeatMapItem.batch_get(run_ids):
            found[item.run] = state_of(item)
        return found

    def _ensure(self, run_id: str) -> None:
        """Create the run's item and its maps if missing; never overwrites what is there."""
        SeatMapItem(run_id).update(
            actions=[
                SeatMapItem.bookings.set(SeatMapItem.bookings | {}),
                SeatMapItem.delays.set(SeatMapItem.delays | {}),
            ]
        )


@dataclass(frozen=True)
class RunState:
    """What the seat-map item says of a run: who occupies which seats, and its live status."""

    occupants: list[Occupant]
    cancelled: bool
    delays: dict[str, int]  # station -> minutes late


def state_of(item: SeatMapItem) -> RunState:
    delays = item.delays.as_dict() if item.delays else {}
    return RunState(
        occupants_of(item), bool(item.cancelled), {station: int(d["m"]) for station, d in delays.items()}
    )


def occupants_of(item: SeatMapItem) -> list[Occupant]:
    bookings = item.bookings.as_dict() if item.bookings else {}
    return [
        Occupant(
            booking=booking,
            version=int(entry["v"]),
            seats=tuple(entry["seats"]),
            span=LegSpan(int(entry["first"]), int(entry["end"])),
            state=str(entry["state"]),
            expires_at=int(entry["expires"]),
        )
        for booking, entry in sorted(bookings.items())
    ]


def occupant_change(recorded: RecordedEvent) -> tuple[str, Occupant] | None:
    """The run and the booking's new entry that a seat event makes, or None for other events."""
    event = recorded.event
    if isinstance(event, SeatsHeld):
        span, state, expires = LegSpan(event.first_leg, event.end_leg), "held", event.expires_at
    elif isinstance(event, SeatsSold):
        span, state, expires = LegSpan(event.first_leg, event.end_leg), "sold", 0
    elif isinstance(event, SeatsReleased):
        span, state, expires = LegSpan(0, 1), "released", 0  # a released entry occupies nothing
    else:
        return None
    return event.run_id, Occupant(event.booking_id, recorded.version, event.seats, span, state, expires)


def seat_map_as_of(events: Iterable[RecordedEvent], run_id: str) -> list[Occupant]:
    """Fold seat events in memory: the occupants of one run after exactly these events."""
    occupants: dict[str, Occupant] = {}
    for recorded in events:
        change = occupant_change(recorded)
        if change is None or change[0] != run_id:
            continue
        current = occupants.get(change[1].booking)
        if current is None or current.version < change[1].version:
            occupants[change[1].booking] = change[1]
    return [occupants[b] for b in sorted(occupants)]


def _entry(occupant: Occupant) -> dict[str, Any]:
    return {
        "v": occupant.version,
        "seats": list(occupant.seats),
        "first": occupant.span.start,
        "end": occupant.span.end,
        "state": occupant.state,
        "expires": occupant.expires_at,
    }


def reflected_version(run_id: str, booking_id: str) -> int:
    """The version of the booking's stream the run's seat map shows (0: none yet), read consistently.

    Reads one number, not the run's whole item, so the broadcaster can ask often and cheaply.
    """
    answer = _dynamodb().get_item(
        TableName=SeatMapItem.Meta.table_name,
        Key={"run": {"S": run_id}},
        ConsistentRead=True,
        ProjectionExpression="#b.#id.#v",
        ExpressionAttributeNames={"#b": "bookings", "#id": booking_id, "#v": "v"},
    )
    entry = answer.get("Item", {}).get("bookings", {}).get("M", {}).get(booking_id, {}).get("M", {})
    return int(entry.get("v", {}).get("N", "0"))


@cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb", region_name=tables.region())
