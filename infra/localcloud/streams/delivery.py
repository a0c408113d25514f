"""Stream delivery: one poller thread per trigger, in order, with the template's retry and failure rules."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import StreamRecord, StreamShard

from localcloud.layer.serialize import DYNAMODB_LOCK
from localcloud.layer.stream_log import (
    listen_for_appends,
    next_sequence_number,
    stop_listening,
    stored_records,
    trim_before,
    trimmed,
)
from localcloud.runtime.functions import InvokeResult
from localcloud.runtime.pool import Runtime
from localcloud.runtime.worker import EncodedEvent
from localcloud.stats import STATS
from localcloud.streams.filtering import delivered
from localcloud.streams.trigger import StreamTrigger

log = logging.getLogger("localcloud.streams")

# Records nobody consumes are still dropped beyond this many per shard (AWS keeps 24 hours).
MAX_UNCONSUMED_RECORDS = 10_000
IDLE_WAIT_SECONDS = 0.5
GATHER_SECONDS = 0.02
# Within a trigger's `MaximumBatchingWindowInSeconds`: a batch that got no new record for this long is
# invoked before its window ends (AWS waits the window out even on a quiet stream; locally a passenger or
# a test would wait it out for nothing, and under load the window still fills the batch).
QUIET_SECONDS = 0.1
# Between a failed batch's retries. Lambda documents retries until success, `MaximumRetryAttempts` or the
# record's expiry, and that splitting a batch (`BisectBatchOnFunctionError`) is not a retry, but no
# interval; waits doubling from 1 s (1, 2, 4, 8, 16 s: 31 s over the template's 5 attempts) let a function
# that failed for a moment under load (a timeout, a throttle) catch up before its records are given up,
# where 0.05-0.25 s used every attempt within a second. The shard (or lane) waits meanwhile, as on AWS.
FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 30.0
# Lambda's payload limit for a synchronous invocation: a stream batch stops growing at 6 MB.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
# What a record adds to the event beside its `dynamodb` part (`SizeBytes`): ids, names, the source ARN.
RECORD_OVERHEAD_BYTES = 400
# No trim this soon after a trigger was added: the engine adds a template's triggers one by one, and a
# trigger already running must not trim records that one added a moment later has not read yet.
TRIM_GRACE_SECONDS = 2.0


class BatchOutcome:
    """How far a batch got: records before `failed_at` are done; None means all of them."""

    def __init__(self, failed_at: int | None, result: InvokeResult | None) -> None:
        self.failed_at = failed_at
        self.result = result


Advance = Callable[[list[dict[str, Any]]], None]


class KeyedLanes:
    """`ParallelizationFactor`: up to N batches of one shard in flight, one lane per partition key.

    Each record goes to the lane its partition key hashes to, so the records of one key are delivered in
    stream order and never two at once, while keys of other lanes go on; a failing batch is retried (or
    bisected, or sent to the on-failure destination) in its lane only and holds back only that lane. The
    checkpoint is the lowest sequence number read and not yet finished: a restart reads again from
    there, so nothing is lost, and a record another lane had already finished is delivered again, which
    Lambda's at-least-once delivery allows and the projections tolerate (they apply a version once).
    """

    def __init__(self, factor: int, key_attribute: str | None) -> None:
        self.factor = factor
        self.key_attribute = key_attribute
        self.queues: list[queue.SimpleQueue[dict[str, Any]]] = [queue.SimpleQueue() for _ in range(factor)]
        # A record taken from a lane's queue that did not fit its batch (6 MB): the next batch starts with it.
        self.held: list[dict[str, Any] | None] = [None] * factor
        self._unfinished: dict[int, None] = {}  # read, not yet finished; insertion order = stream order
        self._changed = threading.Condition()
        self.cursor = 0  # the next sequence number to read

    def lane_of(self, record: dict[str, Any]) -> int:
        keys = record["dynamodb"].get("Keys", {})
        key = keys.get(self.key_attribute) if self.key_attribute else None
        text = json.dumps(key if key is not None else keys, sort_keys=True)
        return zlib.crc32(text.encode()) % self.factor

    def read(self, records: list[dict[str, Any]]) -> None:
        """Records just read (in stream order), before they are handed to lanes or dropped."""
        with self._changed:
            for record in records:
                self._unfinished[int(record["dynamodb"]["SequenceNumber"])] = None
            self.cursor = int(records[-1]["dynamodb"]["SequenceNumber"]) + 1

    def finish(self, records: list[dict[str, Any]]) -> None:
        with self._changed:
            for record in records:
                self._unfinished.pop(int(record["dynamodb"]["SequenceNumber"]), None)
            self._changed.notify_all()

    def checkpoint(self) -> int:
        with self._changed:
            return next(iter(self._unfinished), self.cursor)

    def skip_trimmed(self, first_kept: int) -> None:
        """Records trimmed before they were read are gone: read on from the first one kept (as `_run`)."""
        with self._changed:
            self.cursor = max(self.cursor, first_kept)

    def unfinished(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        with self._changed:
            return [r for r in records if int(r["dynamodb"]["SequenceNumber"]) in self._unfinished]

    def in_flight(self) -> int:
        with self._changed:
            return len(self._unfinished)

    def wait_for_room(self, limit: int, timeout: float) -> None:
        with self._changed:
            self._changed.wait_for(lambda: len(self._unfinished) < limit, timeout)

    def take(self, lane: int, batch_size: int, timeout: float, window: float = 0.0) -> list[dict[str, Any]]:
        """The lane's next batch ([] after `timeout`): what is queued for it, up to the batch size and the
        payload limit, gathered for up to `window` seconds after its first record (see `QUIET_SECONDS`)."""
        waiting = self.queues[lane]
        first, self.held[lane] = self.held[lane], None
        if first is None:
            try:
                first = waiting.get(timeout=timeout)
            except queue.Empty:
                return []
        batch = [first]
        size = record_bytes(first)
        closes = time.monotonic() + window
        while len(batch) < batch_size:
            try:
                record = waiting.get_nowait()
            except queue.Empty:
                remaining = closes - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    record = waiting.get(timeout=min(QUIET_SECONDS, remaining))
                except queue.Empty:
                    break  # quiet: nothing more arrived
            size += record_bytes(record)
            if size > MAX_PAYLOAD_BYTES:
                self.held[lane] = record  # the first record of the lane's next batch
                break
            batch.append(record)
        return batch


class StreamPoller:
    """Reads one shard from a position and hands batches to one function."""

    def __init__(
        self,
        trigger: StreamTrigger,
        runtime: Runtime,
        account: str,
        region: str,
        endpoint_url: str,
        position: int | None,
        deliveries: Deliveries,
    ) -> None:
        self.trigger = trigger
        self._runtime = runtime
        self._account, self._region = account, region
        self._endpoint_url = endpoint_url
        self._deliveries = deliveries
        self._stopping = threading.Event()
        self._appended = listen_for_appends()
        self.position = position if position is not None else self._start_position()
        self.delivered = 0
        self.reads = 0  # reads of the shard that returned records (GetRecords calls on AWS)
        self.failed_batches = 0
        self._counting = threading.Lock()
        self.lanes: KeyedLanes | None = None
        self._lane_threads: list[threading.Thread] = []
        run = self._run if trigger.parallelization_factor <= 1 else self._run_lanes
        self.thread = threading.Thread(target=run, name=f"stream:{trigger.logical_id}", daemon=True)

    def _shard(self) -> StreamShard | None:
        table = dynamodb_backends[self._account][self._region].tables.get(self.trigger.table_name)
        return None if table is None else table.stream_shard

    def _start_position(self) -> int:
        with DYNAMODB_LOCK:
            shard = self._shard()
            if shard is None:
                return 0
            if self.trigger.starting_position == "LATEST":
                return next_sequence_number(shard)
            return int(shard.starting_sequence_number) + trimmed(shard)

    def _read(self, at: int | None = None) -> list[dict[str, Any]]:
        with DYNAMODB_LOCK:
            shard = self._shard()
            if shard is None:
                return []
            self.position = max(self.position, int(shard.starting_sequence_number) + trimmed(shard))
            stored = stored_records(shard, self.position if at is None else at, self.trigger.batch_size)
            stored = stored[: len(within_payload([record.record for record in stored]))]
        if stored:
            # One GetRecords of Lambda's poller on AWS, as billed: a read that returned records.
            self.reads += 1
            STATS.count_many({"internal:StreamGetRecords": 1, "internal:StreamRecords": len(stored)})
        return [delivered_record(record, self.trigger.stream_arn) for record in stored]

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._appended.clear()
            self._gather(self.position)
            batch = self._read()
            if not batch:
                if self._appended.wait(IDLE_WAIT_SECONDS):
                    # Woken by an append: let the rest of its burst arrive, so it goes in one batch
                    # (AWS's poller reads a shard about 4 times a second; this waits far less).
                    self._stopping.wait(GATHER_SECONDS)
                continue
            try:
                kept = [record for record in batch if delivered(record, self.trigger.filters)]
                self._deliver(kept)
                # Records no filter matches are dropped, as Lambda does: once every kept record of the
                # batch is done, the trigger moves past the ones that follow it too.
                if not kept or self.position > int(kept[-1]["dynamodb"]["SequenceNumber"]):
                    self.position = max(self.position, int(batch[-1]["dynamodb"]["SequenceNumber"]) + 1)
            except Exception:  # a bug here must not silently stop the trigger
                log.exception("stream trigger %s failed; retrying", self.trigger.logical_id)
                time.sleep(1)
            self._deliveries.trim(self)

    def _unread(self, position: int) -> tuple[int, int]:
        """Records from `position` not read yet (filtered ones too: they fill a read), and the bytes of a
        batch of them."""
        with DYNAMODB_LOCK:
            shard = self._shard()
            if shard is None:
                return 0, 0
            first = int(shard.starting_sequence_number) + trimmed(shard)
            offset = max(0, position - first)
            waiting = shard.items[offset : offset + self.trigger.batch_size]
            size = sum(record_bytes(r.record) for r in waiting)
            return max(0, next_sequence_number(shard) - max(position, first)), size

    def _gather(self, position: int) -> None:
        """`MaximumBatchingWindowInSeconds`, before the shard is read (the reader of lanes too: else it would
        read on every append)."""
        if self.trigger.batching_window_seconds:
            gather(
                lambda: self._unread(position),
                self.trigger.batch_size,
                self.trigger.batching_window_seconds,
                self._stopping.wait,
            )

    def _key_attribute(self) -> str | None:
        with DYNAMODB_LOCK:
            table = dynamodb_backends[self._account][self._region].tables.get(self.trigger.table_name)
            return None if table is None else str(table.hash_key_attr)

    def _run_lanes(self) -> None:
        """ParallelizationFactor > 1: this thread reads ahead and hands records to the lanes' threads."""
        lanes = self.lanes = KeyedLanes(self.trigger.parallelization_factor, self._key_attribute())
        lanes.cursor = self.position
        for lane in range(lanes.factor):
            thread = threading.Thread(
                target=self._run_lane, args=(lanes, lane), name=f"stream:{self.trigger.logical_id}:{lane}"
            )
            thread.daemon = True
            thread.start()
            self._lane_threads.append(thread)
        # Read ahead at most a full batch per lane: a slow lane holds the checkpoint, not the memory.
        limit = lanes.factor * self.trigger.batch_size
        while not self._stopping.is_set():
            lanes.wait_for_room(limit, IDLE_WAIT_SECONDS)
            if lanes.in_flight() >= limit:
                continue
            self._appended.clear()
            self._gather(lanes.cursor)
            batch = self._read(lanes.cursor)
            if not batch:
                lanes.skip_trimmed(self._first_kept())
                self._settle(lanes)
                if self._appended.wait(IDLE_WAIT_SECONDS):
                    self._stopping.wait(GATHER_SECONDS)  # as in `_run`: the rest of the burst joins
                continue
            if lanes.key_attribute is None:  # the table did not exist when the trigger started
                lanes.key_attribute = self._key_attribute()
            lanes.read(batch)
            dropped = []
            for record in batch:
                if delivered(record, self.trigger.filters):
                    lanes.queues[lanes.lane_of(record)].put(record)
                else:
                    dropped.append(record)  # no filter matches: the trigger moves past it
            lanes.finish(dropped)
            self._settle(lanes)
            self._deliveries.trim(self)

    def _first_kept(self) -> int:
        with DYNAMODB_LOCK:
            shard = self._shard()
            return 0 if shard is None else int(shard.starting_sequence_number) + trimmed(shard)

    def _settle(self, lanes: KeyedLanes) -> None:
        """The saved position is the checkpoint: the lowest record read and not yet finished."""
        with self._counting:  # one writer at a time, so a lower (older) checkpoint never lands last
            self.position = lanes.checkpoint()

    def _run_lane(self, lanes: KeyedLanes, lane: int) -> None:
        def finished(records: list[dict[str, Any]]) -> None:
            lanes.finish(records)
            with self._counting:
                self.delivered += len(records)
            self._settle(lanes)

        while not self._stopping.is_set():
            batch = lanes.take(
                lane, self.trigger.batch_size, IDLE_WAIT_SECONDS, self.trigger.batching_window_seconds
            )
            # The whole batch before the lane's next one: what a bisection left for later, or what an
            # error in this code left unfinished, goes again first, so the lane's order holds.
            while batch and not self._stopping.is_set():
                try:
                    self._deliver(batch, finished)
                except Exception:  # a bug here must not silently stop the lane
                    log.exception("stream trigger %s lane %d failed; retrying", self.trigger.logical_id, lane)
                    time.sleep(1)
                batch = lanes.unfinished(batch)

    def _deliver(self, batch: list[dict[str, Any]], advance: Advance | None = None) -> None:
        advance = advance or self._advance
        attempts = 0  # retries of the records at the head of `batch` (a record done starts the count again)
        while batch and not self._stopping.is_set():
            outcome = self._invoke(batch)
            done = batch if outcome.failed_at is None else batch[: outcome.failed_at]
            if done:
                advance(done)
                attempts = 0 if outcome.failed_at is not None and outcome.failed_at > 0 else attempts
            if outcome.failed_at is None:
                return
            batch = batch[outcome.failed_at :]
            with self._counting:
                self.failed_batches += 1
            failed = outcome.result is not None and bool(outcome.result.function_error)
            if self.trigger.bisect_on_error and failed and len(batch) > 1:
                batch = batch[: len(batch) // 2]  # Lambda: a split is not a retry, and goes at once
                continue
            attempts += 1
            limit = self.trigger.maximum_retry_attempts
            if 0 <= limit < attempts:
                self._send_to_failure_destination(batch, outcome.result, attempts)
                advance(batch)
                return
            self._stopping.wait(retry_delay(attempts))

    def _invoke(self, batch: list[dict[str, Any]]) -> BatchOutcome:
        result = self._runtime.invoke(self.trigger.function_name, batch_event(batch))
        if result.function_error:
            log.warning(
                "%s: batch of %d failed (%s)",
                self.trigger.function_name,
                len(batch),
                result.payload[:300].decode(errors="replace"),
            )
            return BatchOutcome(0, result)
        if not self.trigger.report_batch_item_failures:
            return BatchOutcome(None, result)
        return BatchOutcome(_first_failed_index(batch, result.payload), result)

    def _advance(self, done: list[dict[str, Any]]) -> None:
        self.position = int(done[-1]["dynamodb"]["SequenceNumber"]) + 1
        self.delivered += len(done)

    def _send_to_failure_destination(
        self, batch: list[dict[str, Any]], result: InvokeResult | None, attempts: int
    ) -> None:
        url = self.trigger.on_failure_queue_url
        log.error(
            "%s: dropping %d records after %d attempts%s",
            self.trigger.function_name,
            len(batch),
            attempts,
            f"; details sent to {url}" if url else "",
        )
        if url is None:
            return
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        message = {
            "requestContext": {
                "requestId": "",
                "functionArn": self.trigger.function_name,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": attempts,
            },
            "responseContext": {
                "statusCode": 200,
                "executedVersion": "$LATEST",
                "functionError": (result.function_error if result else None) or "",
            },
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": "shardId-00000001541626099285-f35f62ef",
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": str(first["ApproximateCreationDateTime"]),
                "approximateArrivalOfLastRecord": str(last["ApproximateCreationDateTime"]),
                "batchSize": len(batch),
                "streamArn": self.trigger.stream_arn,
            },
        }
        sqs = boto3.client(
            "sqs",
            region_name=self._region,
            endpoint_url=self._endpoint_url,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(message))

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._appended.set()
        stop_listening(self._appended)
        for thread in [self.thread, *self._lane_threads]:
            if thread.is_alive():
                thread.join(timeout=5)


def retry_delay(attempt: int) -> float:
    """Seconds before retry number `attempt` (1, 2, ...) of a failed batch: doubling, capped."""
    return float(min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** (attempt - 1)))


def delivered_copy(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """The record as a function receives it: its own top-level dicts, the source ARN added, the time as text.

    Records are never mutated after append and nothing on the way to the worker mutates what it is given
    (the worker gets JSON), so sharing the images is safe; a JSON round trip of every batch here cost
    about 6 % of the engine's CPU at a fresh start (8 triggers reading the same 1 643 records).
    """
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if created is not None and not isinstance(created, str | int | float):
        dynamodb["ApproximateCreationDateTime"] = str(created)  # what `json.dumps(default=str)` gave
    return {**record, "dynamodb": dynamodb, "eventSourceARN": stream_arn}


class DeliveredRecord(dict[str, Any]):
    """A record as functions receive it (`delivered_copy`), made once per stored record and shared by every
    trigger of its stream, with its JSON text made once too (`text`). Nobody mutates it: the pollers only
    read it, and a function gets it as JSON."""

    __slots__ = ("_text",)

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__(record)
        self._text: str | None = None

    def text(self) -> str:
        # Two pollers may both make it at once: the same text, and either is kept.
        if self._text is None:
            self._text = json.dumps(self)
        return self._text


def delivered_record(stored: StreamRecord, stream_arn: str) -> DeliveredRecord:
    """The delivered form of a stored record, made by the first trigger of the stream that reads it."""
    kept: tuple[str, DeliveredRecord] | None = getattr(stored, "delivered", None)
    if kept is not None and kept[0] == stream_arn:
        return kept[1]
    record = DeliveredRecord(delivered_copy(stored.record, stream_arn))
    stored.delivered = (stream_arn, record)  # type: ignore[attr-defined]
    return record


def batch_event(batch: list[dict[str, Any]]) -> EncodedEvent:
    """`{"Records": batch}` with its JSON text joined from the records' own (`json.dumps` of it, exactly)."""
    texts = (r.text() if isinstance(r, DeliveredRecord) else json.dumps(r) for r in batch)
    return EncodedEvent({"Records": batch}, '{"Records": [' + ", ".join(texts) + "]}")


def gather(
    unread: Callable[[], tuple[int, int]], batch_size: int, window: float, wait: Callable[[float], bool]
) -> None:
    """`MaximumBatchingWindowInSeconds`: once records wait (`unread`: how many, how many bytes), let more
    join until the batch is full (its size, or 6 MB), `window` seconds have passed since this began, or
    none arrived for `QUIET_SECONDS`; `wait` sleeps, True when the poller stops."""
    count, size = unread()
    closes = time.monotonic() + window
    while count and count < batch_size and size < MAX_PAYLOAD_BYTES:
        remaining = closes - time.monotonic()
        if remaining <= 0 or wait(min(QUIET_SECONDS, remaining)):
            return
        before, (count, size) = count, unread()
        if count == before:
            return  # quiet: nothing more arrived


def record_bytes(record: dict[str, Any]) -> int:
    """About what one record adds to the invocation's payload (DynamoDB's `SizeBytes` of its images)."""
    return int(record["dynamodb"].get("SizeBytes", 0)) + RECORD_OVERHEAD_BYTES


def within_payload(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first records that fit in one invocation's 6 MB (at least one: a record is at most 800 KB)."""
    size = 0
    for index, record in enumerate(records):
        size += record_bytes(record)
        if size > MAX_PAYLOAD_BYTES and index:
            return records[:index]
    return records


def _first_failed_index(batch: list[dict[str, Any]], payload: bytes) -> int | None:
    """Lambda's partial batch response: retry from the lowest failed sequence number; junk fails all."""
    try:
        response = json.loads(payload) if payload else None
    except ValueError:
        return 0
    if not isinstance(response, dict) or not response.get("batchItemFailures"):
        return None
    positions = {record["dynamodb"]["SequenceNumber"]: index for index, record in enumerate(batch)}
    failed: list[int] = []
    for failure in response["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in positions:
            return 0
        failed.append(positions[identifier])
    return min(failed)


class Deliveries:
    """All pollers; trims each shard up to the slowest consumer's position."""

    def __init__(self, runtime: Runtime, account: str, region: str, endpoint_url: str) -> None:
        self._runtime = runtime
        self._account, self._region = account, region
        self._endpoint_url = endpoint_url
        self.pollers: dict[str, StreamPoller] = {}
        self._added_at = time.monotonic()

    def add(self, trigger: StreamTrigger, position: int | None) -> None:
        self._added_at = time.monotonic()
        key = trigger.logical_id
        if key in self.pollers:
            self.pollers[key].stop()
        poller = StreamPoller(
            trigger, self._runtime, self._account, self._region, self._endpoint_url, position, self
        )
        self.pollers[key] = poller
        if trigger.enabled:
            poller.start()

    def positions(self) -> dict[str, int]:
        return {key: poller.position for key, poller in self.pollers.items()}

    def _settling(self) -> bool:
        return time.monotonic() - self._added_at < TRIM_GRACE_SECONDS

    def trim(self, changed: StreamPoller) -> None:
        if self._settling():
            return
        readers = [p for p in self.pollers.values() if p.trigger.table_name == changed.trigger.table_name]
        with DYNAMODB_LOCK:
            table = dynamodb_backends[self._account][self._region].tables.get(changed.trigger.table_name)
            if table is None or table.stream_shard is None:
                return
            trim_before(table.stream_shard, min(p.position for p in readers))

    def trim_unconsumed(self) -> None:
        if self._settling():
            return
        consumed = {poller.trigger.table_name for poller in self.pollers.values()}
        with DYNAMODB_LOCK:
            for name, table in dynamodb_backends[self._account][self._region].tables.items():
                shard = table.stream_shard
                if name not in consumed and shard is not None and len(shard.items) > MAX_UNCONSUMED_RECORDS:
                    trim_before(shard, next_sequence_number(shard) - MAX_UNCONSUMED_RECORDS)

    def describe(self) -> dict[str, dict[str, Any]]:
        return {
            key: {
                "function": p.trigger.function_name,
                "table": p.trigger.table_name,
                "position": p.position,
                "delivered": p.delivered,
                "reads": p.reads,
                "failed_batches": p.failed_batches,
                "backlog": self.backlog(p),
                "alive": p.thread.is_alive(),
            }
            for key, p in self.pollers.items()
        }

    def backlog(self, poller: StreamPoller) -> int:
        """Records appended to the stream that this poller has not delivered yet."""
        with DYNAMODB_LOCK:
            table = dynamodb_backends[self._account][self._region].tables.get(poller.trigger.table_name)
            if table is None or table.stream_shard is None:
                return 0
            return max(0, next_sequence_number(table.stream_shard) - poller.position)

    def stop(self) -> None:
        for poller in self.pollers.values():
            poller.stop()
