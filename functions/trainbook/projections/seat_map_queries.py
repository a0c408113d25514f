"""Reading the seat map: a run's occupants and live status, and which booking version it reflects."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from trainbook import tables
from trainbook.catalog.domain import LegSpan
from trainbook.projections.seat_map_fold import Occupant
from trainbook.projections.seat_map_item import SeatMapItem


@dataclass(frozen=True)
class RunState:
    """What the seat-map item says of a run: who occupies which seats, and its live status."""

    occupants: list[Occupant]
    cancelled: bool
    delays: dict[str, int]  # station -> minutes late


def run_states(run_ids: list[str]) -> dict[str, RunState]:
    """Each run's state (an empty one for a run the seat map has not seen), in one BatchGetItem."""
    found = {run: RunState([], False, {}) for run in run_ids}
    for item in SeatMapItem.batch_get(run_ids):
        found[item.run] = state_of(item)
    return found


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
