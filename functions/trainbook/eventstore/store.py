"""DynamoDB adapter of the event store: the Events table (stream, version), whose Stream feeds projections.

Append is a conditional put on `attribute_not_exists(version)`, so two writers of the same version
can never both win. Other adapters that must change state and record it atomically (the seat
inventory) put the event through `transact_put`, inside their own TransactWriteItems.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any, overload

import boto3
from botocore.exceptions import ClientError
from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.models import Model

from trainbook import tables
from trainbook.eventstore.conditions import is_conditional_failure
from trainbook.eventstore.events import (
    NO_META,
    ConcurrencyConflict,
    Event,
    Meta,
    PendingEvent,
    RecordedEvent,
    decode,
    encode,
    format_instant,
    parse_instant,
    pending_after,
    utc_now,
)


class EventRecord(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("EVENTS_TABLE")

    stream = UnicodeAttribute(hash_key=True)
    version = NumberAttribute(range_key=True)
    type = UnicodeAttribute()
    schema = NumberAttribute()
    data = UnicodeAttribute()  # the event's JSON: exact integers, no Decimal round trips
    at = UnicodeAttribute()  # UTC instant with microseconds, sortable as text
    meta = MapAttribute[str, str]()

    @classmethod
    def of(cls, pending: PendingEvent, at: datetime) -> EventRecord:
        if pending.version < 1:
            raise ValueError(f"stream versions start at 1, got {pending.version}")
        return cls(
            pending.stream,
            pending.version,
            type=pending.event.TYPE,
            schema=pending.event.SCHEMA,
            data=encode(pending.event),
            at=format_instant(at),
            meta={
                "correlation_id": pending.meta.correlation_id,
                "causation_id": pending.meta.causation_id,
                "actor": pending.meta.actor,
            },
        )

    def recorded(self) -> RecordedEvent:
        meta = dict(self.meta.as_dict()) if self.meta else {}
        return RecordedEvent(
            stream=self.stream,
            version=int(self.version),
            event=decode(self.type, int(self.schema), self.data),
            at=parse_instant(self.at),
            meta=Meta(**{k: str(v) for k, v in meta.items()}),
        )


@cache
def _client() -> Any:
    """The low-level client of the store's own appends and reads. Through PynamoDB's models each cost a
    fifth more client CPU than the request itself needs (a model per event, its attribute machinery to
    serialize and to read back), on every saga step and command; the items are the same (`item_of`)."""
    return boto3.client("dynamodb", region_name=EventRecord.Meta.region, endpoint_url=EventRecord.Meta.host)


def connect() -> None:
    """Make the store's client on the calling thread, before another thread appends: a client is thread
    safe once made, but boto3's default session, which makes it, is not."""
    _client()


def item_of(pending: PendingEvent, at: datetime) -> dict[str, Any]:
    """The Events table's item of an event appended at `at`: what `EventRecord.of(...).serialize()` gives."""
    if pending.version < 1:
        raise ValueError(f"stream versions start at 1, got {pending.version}")
    meta = pending.meta
    return {
        "at": {"S": format_instant(at)},
        "data": {"S": encode(pending.event)},
        "meta": {
            "M": {
                "correlation_id": {"S": meta.correlation_id},
                "causation_id": {"S": meta.causation_id},
                "actor": {"S": meta.actor},
            }
        },
        "schema": {"N": str(pending.event.SCHEMA)},
        "stream": {"S": pending.stream},
        "type": {"S": pending.event.TYPE},
        "version": {"N": str(pending.version)},
    }


def _put(table: str, item: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"TableName": table, "Item": item, "ConditionExpression": "attribute_not_exists(version)"}}


@cache
def transactions() -> Connection:
    """One connection for every PynamoDB transaction: a botocore client is costly to create."""
    return Connection(region=EventRecord.Meta.region, host=EventRecord.Meta.host)


def recorded_from_image(image: dict[str, Any]) -> RecordedEvent:
    """The event in a DynamoDB Streams NEW_IMAGE (attribute-value JSON), read as `EventRecord` stores it.

    Straight from the attribute values, not through a PynamoDB model: every stream consumer decodes every
    record it is given, and the model's attribute machinery cost more than the event's own JSON.
    """
    meta = image.get("meta", {}).get("M", {})
    return RecordedEvent(
        stream=image["stream"]["S"],
        version=int(image["version"]["N"]),
        event=decode(image["type"]["S"], int(image["schema"]["N"]), image["data"]["S"]),
        at=parse_instant(image["at"]["S"]),
        meta=Meta(**{key: str(value["S"]) for key, value in meta.items()}),
    )


class EventStore:
    def __init__(self, clock: Callable[[], datetime] = utc_now) -> None:
        self.clock = clock

    @overload
    def append(
        self, stream: str, expected_version: int, events: Sequence[Event], meta: Meta = NO_META
    ) -> list[RecordedEvent]: ...

    @overload
    def append(self, stream: Sequence[PendingEvent]) -> list[RecordedEvent]: ...

    def append(
        self,
        stream: str | Sequence[PendingEvent],
        expected_version: int = 0,
        events: Sequence[Event] = (),
        meta: Meta = NO_META,
    ) -> list[RecordedEvent]:
        """Append `events` to `stream` at `expected_version` (or exact pending events) atomically.

        ConcurrencyConflict, and nothing written, if any (stream, version) already exists.
        """
        pending = pending_after(stream, expected_version, events, meta) if isinstance(stream, str) else stream
        if len({(p.stream, p.version) for p in pending}) != len(pending):
            raise ValueError("a batch names one version of a stream twice")  # a caller's bug, not a race
        at = self.clock()
        items = [item_of(p, at) for p in pending]
        table = EventRecord.Meta.table_name
        try:
            if len(items) == 1:
                _client().put_item(
                    TableName=table, Item=items[0], ConditionExpression="attribute_not_exists(version)"
                )
            else:
                _client().transact_write_items(TransactItems=[_put(table, item) for item in items])
        except ClientError as error:
            if is_conditional_failure(error):
                names = ", ".join(f"{p.stream}@{p.version}" for p in pending)
                raise ConcurrencyConflict(f"stream already has version {names}") from None
            raise
        stored_at = parse_instant(format_instant(at))  # as a read gives it back: UTC, microseconds
        return [RecordedEvent(p.stream, p.version, p.event, stored_at, p.meta) for p in pending]

    def append_at_guessed_end(
        self, stream: str, expected_version: int, events: Sequence[Event], meta: Meta = NO_META
    ) -> list[RecordedEvent]:
        """Append as `append` does, only if the stream really has `expected_version` (a guess, not a read).

        `append` trusts that the writer read `expected_version`, so it only refuses a taken version; a
        guessed end may be past the real one, so the same transaction also checks that `expected_version`
        exists: a guess never leaves a gap in the stream. ConcurrencyConflict, and nothing written, if either
        condition fails: read the end and append there.
        """
        if expected_version < 1:
            return self.append(stream, expected_version, events, meta)
        pending = pending_after(stream, expected_version, events, meta)
        at = self.clock()
        table = EventRecord.Meta.table_name
        check = {
            "ConditionCheck": {
                "TableName": table,
                "Key": {"stream": {"S": stream}, "version": {"N": str(expected_version)}},
                "ConditionExpression": "attribute_exists(version)",
            }
        }
        try:
            _client().transact_write_items(
                TransactItems=[check, *(_put(table, item_of(p, at)) for p in pending)]
            )
        except ClientError as error:
            if is_conditional_failure(error):
                raise ConcurrencyConflict(f"{stream} does not end at version {expected_version}") from None
            raise
        stored_at = parse_instant(format_instant(at))  # as a read gives it back: UTC, microseconds
        return [RecordedEvent(p.stream, p.version, p.event, stored_at, p.meta) for p in pending]

    def read(
        self, stream: str, after: int = 0, up_to: datetime | None = None, consistent: bool = True
    ) -> list[RecordedEvent]:
        """A stream's events in version order (versions > after; appended at or before up_to).

        `consistent=False` for a view that may miss an event appended a moment ago (a page showing a run):
        DynamoDB may answer it from any replica, at half the read units. A command deciding on what it
        read always reads consistently."""
        request: dict[str, Any] = {
            "TableName": EventRecord.Meta.table_name,
            "KeyConditionExpression": "#s = :s AND #v > :v",
            "ExpressionAttributeNames": {"#s": "stream", "#v": "version"},
            "ExpressionAttributeValues": {":s": {"S": stream}, ":v": {"N": str(after)}},
            "ConsistentRead": consistent,
        }
        events: list[RecordedEvent] = []
        while True:
            page = _client().query(**request)
            events.extend(recorded_from_image(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        if up_to is not None:
            events = [e for e in events if e.at <= up_to]
        return events

    def all_events(self) -> Iterator[RecordedEvent]:
        """Every event, in the deterministic order replay uses: time appended, then stream, version."""
        records = sorted(EventRecord.scan(), key=lambda r: (r.at, r.stream, int(r.version)))
        return (r.recorded() for r in records)

    def transact_put(self, pending: PendingEvent) -> dict[str, Any]:
        """A TransactWriteItems `Put` of the event, for adapters that change state and record it at once."""
        return _put(EventRecord.Meta.table_name, item_of(pending, self.clock()))
