"""Lambda entry points: one stream consumer per read model family, fed by the Events table's stream.

A consumer applies its whole batch at once (eventstore.batch): each read-model item is folded once
and written once, whatever the number of its records in the batch. The partial batch response names
the first record not applied and every record after it, so the poller retries from there; the records
before it are never applied twice (they would be harmless anyway: every write is guarded).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.eventstore.batch import apply_batch
from trainbook.eventstore.events import RecordedEvent
from trainbook.eventstore.store import EventStore, recorded_from_image
from trainbook.projections.domain import Projection
from trainbook.projections.wiring import read_models

logger = Logger(service="projections")
Handler = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def consumer(*names: str) -> Handler:
    """A handler applying each batch to the named read models (one family per function).

    A record that fails in any of them is reported, with every record after it, and redelivered to all:
    every write is idempotent.
    """
    projections: list[Projection] = []

    @logger.inject_lambda_context
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        if not projections:
            models = read_models(EventStore())
            projections.extend(models[name] for name in names)
        records: list[dict[str, Any]] = event.get("Records") or []
        batch: list[RecordedEvent] = []
        at: list[int] = []  # the record each event of `batch` came from
        first_failed: int | None = None
        for index, record in enumerate(records):
            if record.get("eventName") != "INSERT":
                continue  # events are immutable: only appends carry news
            try:
                batch.append(recorded_from_image(record["dynamodb"]["NewImage"]))
                at.append(index)
            except Exception:
                logger.exception("record not decoded", extra={"index": index})
                first_failed = index if first_failed is None else min(first_failed, index)
        failed = apply_batch(projections, batch) if batch else None
        if failed is not None:
            first_failed = at[failed] if first_failed is None else min(first_failed, at[failed])
        if first_failed is None:
            return {"batchItemFailures": []}
        return {
            "batchItemFailures": [
                {"itemIdentifier": record["dynamodb"]["SequenceNumber"]} for record in records[first_failed:]
            ]
        }

    return handler


search_index = consumer("search-index")
seat_map = consumer("seat-map")
user_bookings = consumer("user-bookings")
sales = consumer("sales")
# The changes family: whom a change touches, the changes of a day, and the notices sent.
changes = consumer("run-bookings", "change-log", "notifications")
analytics = consumer("analytics")
