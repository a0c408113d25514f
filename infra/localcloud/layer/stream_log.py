"""Defects 4-5: stream records only for committed writes that change something, one per write, trimmable;
bounded iterators; the service identity on TTL deletions; DescribeStream paging."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamRecord, StreamShard
from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

from localcloud.layer.patching import Patches

# Iterators moto keeps per get_records call; beyond this the oldest are forgotten (AWS expires them too).
MAX_OPEN_ITERATORS = 1000

_scopes = threading.local()

# How AWS marks a record of a deletion made by TTL (Lambda event form; the Streams API capitalises keys).
SERVICE_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


@contextmanager
def acting_as(identity: dict[str, str]) -> Iterator[None]:
    """Records appended by this thread inside the block carry `userIdentity` (as TTL's deletions do)."""
    _scopes.identity = identity
    try:
        yield
    finally:
        _scopes.identity = None


# Stream pollers wait on these; setting an Event never blocks, so writers may do it under the table lock.
_append_listeners: set[threading.Event] = set()


def listen_for_appends() -> threading.Event:
    """An Event set whenever any stream record is appended (clear it before reading the shard)."""
    event = threading.Event()
    _append_listeners.add(event)
    return event


def stop_listening(event: threading.Event) -> None:
    _append_listeners.discard(event)


PendingKey = tuple[int, Any, Any]


class PendingWrites:
    """Stream changes of one write scope, merged per item: first old image, last new image."""

    def __init__(self) -> None:
        self.changes: OrderedDict[PendingKey, tuple[StreamShard, Item | None, Item | None]] = OrderedDict()

    def add(self, shard: StreamShard, old: Item | None, new: Item | None) -> None:
        record_item = old if old is not None else new
        assert record_item is not None
        key = (id(shard), record_item.hash_key, record_item.range_key)
        if key in self.changes:
            _, first_old, _ = self.changes[key]
            self.changes[key] = (shard, first_old, new)
        else:
            self.changes[key] = (shard, old, new)


@contextmanager
def write_scope() -> Iterator[PendingWrites]:
    """Hold back stream records of the writes inside; publish them only if the block succeeds."""
    stack: list[PendingWrites] = _scopes.__dict__.setdefault("stack", [])
    pending = PendingWrites()
    stack.append(pending)
    try:
        yield pending
    finally:
        stack.pop()
    for shard, old, new in pending.changes.values():
        if _unchanged(old, new):
            continue
        if stack:
            stack[-1].add(shard, old, new)
        else:
            append_record(shard, old, new)


def trimmed(shard: StreamShard) -> int:
    """How many records were dropped from the front of the shard (sequence numbers stay stable)."""
    return int(getattr(shard, "trimmed", 0))


def next_sequence_number(shard: StreamShard) -> int:
    return int(shard.starting_sequence_number) + trimmed(shard) + len(shard.items)


def _unchanged(old: Item | None, new: Item | None) -> bool:
    if old is None or new is None:
        return old is new
    return bool(old.to_json() == new.to_json())


def append_record(shard: StreamShard, old: Item | None, new: Item | None) -> None:
    if _unchanged(old, new):
        return  # DynamoDB emits nothing for a write that changes nothing (moto emits MODIFY)
    view_type = shard.table.stream_specification["StreamViewType"]  # type: ignore[index]
    event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    record = StreamRecord(shard.table, view_type, event_name, old, new, next_sequence_number(shard))
    record.record["awsRegion"] = shard.table.region_name
    identity = getattr(_scopes, "identity", None)
    if identity is not None:
        record.record["userIdentity"] = dict(identity)
    shard.items.append(record)
    for listener in list(_append_listeners):
        # A set Event stays set until its poller clears it before reading the shard, and that read
        # comes after this append: setting it again would only take its lock and notify nobody.
        if not listener.is_set():
            listener.set()


def trim_before(shard: StreamShard, sequence_number: int) -> int:
    """Drop records below `sequence_number` (every consumer has them); returns how many were dropped."""
    first = int(shard.starting_sequence_number) + trimmed(shard)
    count = max(0, min(sequence_number - first, len(shard.items)))
    if count:
        del shard.items[:count]
        shard.trimmed = trimmed(shard) + count  # type: ignore[attr-defined]
    return count


def _add(self: StreamShard, old: Item | None, new: Item | None) -> None:
    # moto's version also pushed the whole buffer to its event-source mappings inside the writer's request.
    stack: list[PendingWrites] = _scopes.__dict__.get("stack", [])
    if stack:
        stack[-1].add(self, old, new)
    else:
        append_record(self, old, new)


def stored_records(shard: StreamShard, start: int, quantity: int) -> list[StreamRecord]:
    """Up to `quantity` records of the shard from sequence number `start` (the trimmed ones are gone)."""
    offset = max(0, start - int(shard.starting_sequence_number) - trimmed(shard))
    records: list[StreamRecord] = shard.items[offset : offset + quantity]
    return records


def _get(self: StreamShard, start: int, quantity: int) -> list[dict[str, Any]]:
    return [record.to_json() for record in stored_records(self, start, quantity)]


def patch_stream_log(patches: Patches) -> None:
    patches.replace(StreamShard, "add", _add)
    patches.replace(StreamShard, "get", _get)
    original_init = ShardIterator.__init__

    def iterator_init(self: ShardIterator, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        if self.shard_iterator_type == "LATEST":
            self.sequence_number = next_sequence_number(self.stream_shard)
        elif self.shard_iterator_type == "TRIM_HORIZON":
            self.sequence_number += trimmed(self.stream_shard)

    patches.replace(ShardIterator, "__init__", iterator_init)
    original_get_records = DynamoDBStreamsBackend.get_records

    def get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
        result: dict[str, Any] = original_get_records(self, iterator_arn, limit)
        open_iterators = self.shard_iterators
        if not isinstance(open_iterators, OrderedDict):
            open_iterators = self.shard_iterators = OrderedDict(open_iterators)
        while len(open_iterators) > MAX_OPEN_ITERATORS:
            open_iterators.popitem(last=False)
        # The API's Identity shape is capitalised; records themselves keep Lambda's event form.
        result["Records"] = [_api_form(record) for record in result.get("Records", [])]
        return result

    patches.replace(DynamoDBStreamsBackend, "get_records", get_records)
    original_describe = DynamoDBStreamsBackend.describe_stream

    def describe_stream(self: DynamoDBStreamsBackend, arn: str) -> dict[str, Any]:
        stream: dict[str, Any] = original_describe(self, arn)
        after = getattr(_scopes, "exclusive_start_shard_id", None)
        shard_ids = [shard["ShardId"] for shard in stream["Shards"]]
        if after in shard_ids:  # moto ignores ExclusiveStartShardId: a pager would loop forever
            stream["Shards"] = stream["Shards"][shard_ids.index(after) + 1 :]
        return stream

    patches.replace(DynamoDBStreamsBackend, "describe_stream", describe_stream)
    original_describe_action = DynamoDBStreamsHandler.describe_stream

    def describe_stream_action(self: DynamoDBStreamsHandler) -> Any:
        _scopes.exclusive_start_shard_id = self._get_param("ExclusiveStartShardId")
        try:
            return original_describe_action(self)
        finally:
            _scopes.exclusive_start_shard_id = None

    patches.replace(DynamoDBStreamsHandler, "describe_stream", describe_stream_action)


def _api_form(record: dict[str, Any]) -> dict[str, Any]:
    identity = record.get("userIdentity")
    if not identity:
        return record
    api_identity = {"Type": identity["type"], "PrincipalId": identity["principalId"]}
    return {**record, "userIdentity": api_identity}
