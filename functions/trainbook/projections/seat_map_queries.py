"""Reading the seat map: a run's occupants and live status, and which booking version it reflects."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from trainbook import tables
from trainbook.catalog.domain import LegSpan
from trainbook.projections.reads import Item, attribute_number, batch_get_items
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
    for item in batch_get_items(SeatMapItem.Meta.table_name, SeatMapItem.run.attr_name, run_ids):
        found[item["run"]["S"]] = state_of(item)
    return found


def state_of(item: Item) -> RunState:
    """A seat-map item's state, read from its DynamoDB JSON (SeatMapItem: bookings, cancelled, delays)."""
    delays = _map(item, "delays")
    cancelled = item.get("cancelled", {}).get("BOOL", False)
    return RunState(
        occupants_of(item),
        bool(cancelled),
        {station: int(attribute_number(d["M"]["m"])) for station, d in delays.items()},
    )


def occupants_of(item: Item) -> list[Occupant]:
    bookings = _map(item, "bookings")
    occupants = []
    for booking in sorted(bookings):
        entry = bookings[booking]["M"]
        occupants.append(
            Occupant(
                booking=booking,
                version=int(attribute_number(entry["v"])),
                seats=tuple(seat["S"] for seat in entry["seats"]["L"]),
                span=LegSpan(int(attribute_number(entry["first"])), int(attribute_number(entry["end"]))),
                state=entry["state"]["S"],
                expires_at=int(attribute_number(entry["expires"])),
            )
        )
    return occupants


def _map(item: Item, name: str) -> dict[str, Any]:
    """A map attribute's entries; none when it is absent or null."""
    return item.get(name, {}).get("M") or {}


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
