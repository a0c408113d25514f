"""Reading the seat map: a run's occupants and live status, and which booking version it reflects."""

from __future__ import annotations

from collections.abc import Iterable
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


# Bookings asked for in one read: a projection names each, and DynamoDB caps an expression at 4 KB.
VERSIONS_PER_READ = 50


def reflected_versions(wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """For each (run, booking), the version of the booking's stream the run's seat map shows (0: none yet).

    Read consistently, one BatchGetItem per 50 bookings, each item projected down to the asked numbers,
    so the broadcaster can check a whole batch's seat messages with one request.
    """
    pairs = sorted(set(wanted))
    found = dict.fromkeys(pairs, 0)
    for start in range(0, len(pairs), VERSIONS_PER_READ):
        chunk = pairs[start : start + VERSIONS_PER_READ]
        bookings = sorted({booking for _, booking in chunk})
        names = {"#r": "run", "#b": "bookings", "#v": "v"} | {
            f"#i{n}": booking for n, booking in enumerate(bookings)
        }
        request: dict[str, Any] = {
            SeatMapItem.Meta.table_name: {
                "Keys": [{"run": {"S": run}} for run in sorted({run for run, _ in chunk})],
                "ConsistentRead": True,
                "ProjectionExpression": ", ".join(["#r", *(f"#b.#i{n}.#v" for n in range(len(bookings)))]),
                "ExpressionAttributeNames": names,
            }
        }
        while request:
            answer = _dynamodb().batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(SeatMapItem.Meta.table_name, []):
                entries = item.get("bookings", {}).get("M", {})
                for booking, entry in entries.items():
                    key = (item["run"]["S"], booking)
                    if key in found:
                        found[key] = int(entry.get("M", {}).get("v", {}).get("N", "0"))
            request = answer.get("UnprocessedKeys") or {}
    return found


def connect() -> None:
    """Make the read side's client now (a container's start), not at its first read."""
    _dynamodb()


@cache
def _dynamodb() -> Any:
    return boto3.client("dynamodb", region_name=tables.region())
