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

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.connection import Connection
from pynamodb.exceptions import PutError, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

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
        records = [EventRecord.of(p, at) for p in pending]
        try:
            if len(records) == 1:
                records[0].save(condition=EventRecord.version.does_not_exist())
            else:
                with TransactWrite(connection=transactions()) as tx:
                    for record in records:
                        tx.save(record, condition=EventRecord.version.does_not_exist())
        except (PutError, TransactWriteError) as error:
            if is_conditional_failure(error):
                names = ", ".join(f"{p.stream}@{p.version}" for p in pending)
                raise ConcurrencyConflict(f"stream already has version {names}") from None
            raise
        return [r.recorded() for r in records]

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
        records = [EventRecord.of(p, at) for p in pending]
        try:
            with TransactWrite(connection=transactions()) as tx:
                tx.condition_check(
                    EventRecord, stream, expected_version, condition=EventRecord.version.exists()
                )
                for record in records:
                    tx.save(record, condition=EventRecord.version.does_not_exist())
        except TransactWriteError as error:
            if is_conditional_failure(error):
                raise ConcurrencyConflict(f"{stream} does not end at version {expected_version}") from None
            raise
        return [r.recorded() for r in records]

    def read(self, stream: str, after: int = 0, up_to: datetime | None = None) -> list[RecordedEvent]:
        """A stream's events in version order (versions > after; appended at or before up_to)."""
        events = [
            r.recorded() for r in EventRecord.query(stream, EventRecord.version > after, consistent_read=True)
        ]
        if up_to is not None:
            events = [e for e in events if e.at <= up_to]
        return events

    def all_events(self) -> Iterator[RecordedEvent]:
        """Every event, in the deterministic order replay uses: time appended, then stream, version."""
        records = sorted(EventRecord.scan(), key=lambda r: (r.at, r.stream, int(r.version)))
        return (r.recorded() for r in records)

    def transact_put(self, pending: PendingEvent) -> dict[str, Any]:
        """A TransactWriteItems `Put` of the event, for adapters that change state and record it at once."""
        record = EventRecord.of(pending, self.clock())
        return {
            "Put": {
                "TableName": EventRecord.Meta.table_name,
                "Item": record.serialize(),
                "ConditionExpression": "attribute_not_exists(version)",
            }
        }
