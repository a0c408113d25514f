"""DynamoDB adapter of the seat inventory: one item per seat of a train run, one attribute per leg.

Each change is ONE TransactWriteItems: an Update per seat, guarded by a ConditionExpression that
states the domain rule, plus the Put of the event that records it. An expired hold is free inside
the condition itself (`#leg.expires <= :now`); TTL is never trusted. Items are created by the first
hold, so a seat nobody has touched costs nothing. This adapter uses the boto3 client rather than
PynamoDB because leg attributes (`leg_0`, `leg_1`, ...) depend on the train's stops.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import boto3
from botocore.exceptions import ClientError

from trainbook import tables
from trainbook.catalog.domain import LegSpan
from trainbook.eventstore.events import NO_META, ConcurrencyConflict, Meta, PendingEvent
from trainbook.eventstore.store import EventStore
from trainbook.inventory.domain import (
    HoldExpired,
    LegOccupancy,
    LegState,
    SeatInventory,
    SeatTaken,
    check_selection,
)
from trainbook.inventory.events import SeatsHeld, SeatsReleased, SeatsSold

RELEASE_ATTEMPTS = 5


def booking_stream(booking_id: str) -> str:
    return f"booking-{booking_id}"


def _leg(i: int) -> str:
    return f"leg_{i}"


class DynamoInventory:
    def __init__(self, events: EventStore, table: str | None = None, client: Any = None) -> None:
        self.events = events
        self.table = table or tables.required_table_name("INVENTORY_TABLE")
        self.client: Any = client or boto3.client("dynamodb")

    def hold(
        self,
        run_id: str,
        seats: Sequence[str],
        span: LegSpan,
        booking_id: str,
        expires_at: int,
        now: int,
        version: int,
        meta: Meta = NO_META,
    ) -> SeatsHeld:
        """Hold every seat for the journey, or none: SeatTaken names a seat that is not free."""
        check_selection(list(seats))
        event = SeatsHeld(booking_id, run_id, tuple(seats), span.start, span.end, expires_at)
        self._change_legs(
            run_id,
            seats,
            span,
            # Free: never taken, already this booking's hold, or somebody's hold that has expired.
            "attribute_not_exists({leg}) OR ({leg}.booking = :b AND {leg}.#s = :held)"
            " OR ({leg}.#s = :held AND {leg}.expires <= :now)",
            LegOccupancy(booking_id, LegState.HELD, expires_at),
            now,
            event,
            version,
            meta,
            refused=lambda seat: SeatTaken(f"seat {seat} is taken on part of the journey"),
        )
        return event

    def sell(
        self,
        run_id: str,
        seats: Sequence[str],
        span: LegSpan,
        booking_id: str,
        now: int,
        version: int,
        meta: Meta = NO_META,
        also: Sequence[PendingEvent] = (),
    ) -> SeatsSold:
        """Turn this booking's live holds into sales; HoldExpired if any hold was lost."""
        event = SeatsSold(booking_id, run_id, tuple(seats), span.start, span.end)
        self._change_legs(
            run_id,
            seats,
            span,
            "{leg}.booking = :b AND ({leg}.#s = :sold OR {leg}.expires > :now)",
            LegOccupancy(booking_id, LegState.SOLD, 0),
            now,
            event,
            version,
            meta,
            refused=lambda seat: HoldExpired(f"the hold on seat {seat} was lost before the sale"),
            also=also,
        )
        return event

    def release(
        self,
        run_id: str,
        seats: Sequence[str],
        booking_id: str,
        reason: str,
        version: int,
        meta: Meta = NO_META,
    ) -> SeatsReleased | None:
        """Free what this booking holds or owns among `seats`. Nothing held: a no-op, returns None."""
        for _ in range(RELEASE_ATTEMPTS):
            mine = {
                seat.seat: seat.held_by(booking_id)
                for seat in self.seats(run_id, seats)
                if seat.held_by(booking_id)
            }
            if not mine:
                return None
            event = SeatsReleased(booking_id, run_id, tuple(sorted(mine)), reason)
            items: list[dict[str, Any]] = []
            for seat, legs in sorted(mine.items()):
                items.append(
                    {
                        "Update": {
                            "TableName": self.table,
                            "Key": _key(run_id, seat),
                            "UpdateExpression": "REMOVE " + ", ".join(f"#l{i}" for i in legs),
                            "ConditionExpression": " AND ".join(f"#l{i}.booking = :b" for i in legs),
                            "ExpressionAttributeNames": {f"#l{i}": _leg(i) for i in legs},
                            "ExpressionAttributeValues": {":b": {"S": booking_id}},
                        }
                    }
                )
            items.append(
                self.events.transact_put(PendingEvent(booking_stream(booking_id), version, event, meta))
            )
            try:
                self.client.transact_write_items(TransactItems=items)
                return event
            except ClientError as error:
                failed = _failed_indexes(error)
                if len(items) - 1 in failed:
                    raise ConcurrencyConflict(f"booking {booking_id} changed while releasing") from None
                if not failed:
                    raise
                # An expired hold was taken by someone else between our read and write: read again.
        raise ConcurrencyConflict(f"seats of booking {booking_id} kept changing; try the release again")

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
                    inventory = _inventory(item)
                    found[inventory.seat] = inventory
                request = answer.get("UnprocessedKeys") or {}
        return [found.get(s, SeatInventory(run_id, s)) for s in dict.fromkeys(seats)]

    def _change_legs(
        self,
        run_id: str,
        seats: Sequence[str],
        span: LegSpan,
        leg_condition: str,
        new: LegOccupancy,
        now: int,
        event: SeatsHeld | SeatsSold,
        version: int,
        meta: Meta,
        refused: Callable[[str], Exception],
        also: Sequence[PendingEvent] = (),
    ) -> None:
        """One transaction: every leg of the span of every seat set to `new` where `leg_condition`
        holds for each leg, plus the event (and `also`). Nothing is written unless all of it is."""
        names = {f"#l{i}": _leg(i) for i in span.legs} | {"#s": "state"}
        condition = " AND ".join("(" + leg_condition.format(leg=f"#l{i}") + ")" for i in span.legs)
        update = "SET " + ", ".join(f"#l{i} = :new" for i in span.legs)
        values = {
            ":b": {"S": new.booking},
            ":held": {"S": LegState.HELD.value},
            ":sold": {"S": LegState.SOLD.value},
            ":now": {"N": str(now)},
            ":new": _occupancy(new),
        }
        # DynamoDB refuses a value the expressions do not use.
        values = {k: v for k, v in values.items() if k in condition or k == ":new"}
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self.table,
                    "Key": _key(run_id, seat),
                    "UpdateExpression": update,
                    "ConditionExpression": condition,
                    "ExpressionAttributeNames": names,
                    "ExpressionAttributeValues": values,
                }
            }
            for seat in seats
        ]
        items.append(
            self.events.transact_put(PendingEvent(booking_stream(event.booking_id), version, event, meta))
        )
        items.extend(self.events.transact_put(p) for p in also)
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            failed = _failed_indexes(error)
            if not failed:
                raise
            if any(i >= len(seats) for i in failed):
                raise ConcurrencyConflict(f"booking {event.booking_id} changed concurrently") from None
            raise refused(seats[min(failed)]) from None


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


def _inventory(item: dict[str, Any]) -> SeatInventory:
    legs = {}
    for name, value in item.items():
        if name.startswith("leg_"):
            occupancy = value["M"]
            legs[int(name[4:])] = LegOccupancy(
                occupancy["booking"]["S"], LegState(occupancy["state"]["S"]), int(occupancy["expires"]["N"])
            )
    return SeatInventory(item["run"]["S"], item["seat"]["S"], legs)


def _failed_indexes(error: ClientError) -> list[int]:
    """Which items of a cancelled transaction failed their condition (empty: another kind of failure)."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return []
    reasons = error.response.get("CancellationReasons") or []
    return [i for i, r in enumerate(reasons) if r.get("Code") == "ConditionalCheckFailed"]
