"""DynamoDB adapter of the seat inventory: one item per seat of a train run, one attribute per leg.

It reads seats and writes the changes the domain decided (inventory.domain), nothing else. Each change
is ONE TransactWriteItems: an Update per seat, guarded by a ConditionExpression that translates the
change's guard, plus the Put of every event it is given. An expired hold is free inside the condition
itself (`#leg.expires <= :now`); TTL is never trusted. Items are created by the first hold, so a seat
nobody has touched costs nothing. This adapter uses the boto3 client rather than PynamoDB because leg
attributes (`leg_0`, `leg_1`, ...) depend on the train's stops.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import boto3
from botocore.exceptions import ClientError

from trainbook import tables
from trainbook.eventstore.conditions import refused_items
from trainbook.eventstore.events import ConcurrencyConflict, PendingEvent
from trainbook.eventstore.store import EventStore
from trainbook.inventory.domain import (
    Guard,
    LegOccupancy,
    LegState,
    RunInventory,
    SeatChange,
    SeatInventory,
)

# The guards as DynamoDB conditions on one leg attribute `{leg}`; each is the translation of the rule
# named in inventory.domain.guard_holds, and tests/integration/core/test_free_leg.py holds them equal.
LEG_CONDITIONS = {
    # leg_is_free: never taken, already this booking's hold, or somebody's hold that has expired.
    Guard.FREE: "attribute_not_exists({leg}) OR ({leg}.booking = :b AND {leg}.#s = :held)"
    " OR ({leg}.#s = :held AND {leg}.expires <= :now)",
    # leg_is_sellable: this booking's, and sold already or held with an expiry still ahead.
    Guard.SELLABLE: "{leg}.booking = :b AND ({leg}.#s = :sold OR {leg}.expires > :now)",
    Guard.OWNED: "{leg}.booking = :b",
}


def _leg(i: int) -> str:
    return f"leg_{i}"


class DynamoInventory:
    def __init__(self, events: EventStore, table: str | None = None, client: Any = None) -> None:
        self.events = events
        self.table = table or tables.required_table_name("INVENTORY_TABLE")
        self.client: Any = client or boto3.client("dynamodb")

    def load(self, run_id: str, seats: Sequence[str]) -> RunInventory:
        """The run's inventory of these seats, read strongly consistently, for the domain to decide on."""
        return RunInventory(run_id, {seat.seat: seat for seat in self.seats(run_id, seats)})

    def seats(self, run_id: str, seats: Sequence[str]) -> list[SeatInventory]:
        """The current inventory of the given seats (strongly consistent); untouched seats are empty."""
        found: dict[str, SeatInventory] = {}
        keys = [_key(run_id, s) for s in dict.fromkeys(seats)]
        for start in range(0, len(keys), 100):
            request: dict[str, Any] = {
                self.table: {"Keys": keys[start : start + 100], "ConsistentRead": True}
            }
            while request:
                answer = self.client.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(self.table, []):
                    inventory = inventory_of(item)
                    found[inventory.seat] = inventory
                request = answer.get("UnprocessedKeys") or {}
        return [found.get(s, SeatInventory(run_id, s)) for s in dict.fromkeys(seats)]

    def save(self, change: SeatChange, events: Sequence[PendingEvent]) -> None:
        """Write the change and its events in one transaction, or nothing.

        A leg that no longer passes the guard: the change's refusal (SeatTaken, HoldExpired or
        SeatsChanged) naming the first such seat. An event version already taken: ConcurrencyConflict.
        """
        items = [self._update(change, seat, legs) for seat, legs in change.legs]
        items.extend(self.events.transact_put(p) for p in events)
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            refused = refused_items(error)
            if not refused:
                raise
            if any(i >= len(change.legs) for i in refused):
                raise ConcurrencyConflict(f"booking {change.booking_id} changed concurrently") from None
            raise change.refusal(change.legs[min(refused)][0]) from None

    def _update(self, change: SeatChange, seat: str, legs: tuple[int, ...]) -> dict[str, Any]:
        names = {f"#l{i}": _leg(i) for i in legs}
        rule = LEG_CONDITIONS[change.guard]
        condition = " AND ".join("(" + rule.format(leg=f"#l{i}") + ")" for i in legs)
        values: dict[str, Any] = {
            ":b": {"S": change.booking_id},
            ":held": {"S": LegState.HELD.value},
            ":sold": {"S": LegState.SOLD.value},
            ":now": {"N": str(change.now)},
        }
        if change.new is None:
            update = "REMOVE " + ", ".join(names)
        else:
            update = "SET " + ", ".join(f"#l{i} = :new" for i in legs)
            values[":new"] = _occupancy(change.new)
        # DynamoDB refuses a name or a value the expressions do not use.
        if "#s" in condition:
            names["#s"] = "state"
        values = {k: v for k, v in values.items() if k in condition or k in update}
        return {
            "Update": {
                "TableName": self.table,
                "Key": _key(change.run_id, seat),
                "UpdateExpression": update,
                "ConditionExpression": condition,
                "ExpressionAttributeNames": names,
                "ExpressionAttributeValues": values,
            }
        }


def _key(run_id: str, seat: str) -> dict[str, Any]:
    return {"run": {"S": run_id}, "seat": {"S": seat}}


def _occupancy(occupancy: LegOccupancy) -> dict[str, Any]:
    return {
        "M": {
            "booking": {"S": occupancy.booking},
            "state": {"S": occupancy.state.value},
            "expires": {"N": str(occupancy.expires_at)},
        }
    }


def item_of(seat: SeatInventory) -> dict[str, Any]:
    """The table item of a seat's inventory (what `inventory_of` reads back)."""
    return _key(seat.run_id, seat.seat) | {_leg(i): _occupancy(o) for i, o in seat.legs.items()}


def inventory_of(item: dict[str, Any]) -> SeatInventory:
    legs = {}
    for name, value in item.items():
        if name.startswith("leg_"):
            occupancy = value["M"]
            legs[int(name[4:])] = LegOccupancy(
                occupancy["booking"]["S"], LegState(occupancy["state"]["S"]), int(occupancy["expires"]["N"])
            )
    return SeatInventory(item["run"]["S"], item["seat"]["S"], legs)
