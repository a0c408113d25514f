"""Stream delivery: one poller thread per trigger, in order, with the template's retry and failure rules."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime
from typing import Any

import boto3
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import StreamShard

from localcloud.layer.serialize import DYNAMODB_LOCK
from localcloud.layer.stream_log import (
    listen_for_appends,
    next_sequence_number,
    stop_listening,
    trim_before,
    trimmed,
)
from localcloud.runtime.functions import InvokeResult
from localcloud.runtime.pool import Runtime
from localcloud.stats import STATS
from localcloud.streams.filtering import delivered
from localcloud.streams.trigger import StreamTrigger

log = logging.getLogger("localcloud.streams")

# Records nobody consumes are still dropped beyond this many per shard (AWS keeps 24 hours).
MAX_UNCONSUMED_RECORDS = 10_000
IDLE_WAIT_SECONDS = 0.5
GATHER_SECONDS = 0.02


class BatchOutcome:
    """How far a batch got: records before `failed_at` are done; None means all of them."""

    def __init__(self, failed_at: int | None, result: InvokeResult | None) -> None:
        self.failed_at = failed_at
        self.result = result


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
        self.failed_batches = 0
        self.thread = threading.Thread(target=self._run, name=f"stream:{trigger.logical_id}", daemon=True)

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

    def _read(self) -> list[dict[str, Any]]:
        with DYNAMODB_LOCK:
            shard = self._shard()
            if shard is None:
                return []
            self.position = max(self.position, int(shard.starting_sequence_number) + trimmed(shard))
            records = shard.get(self.position, self.trigger.batch_size)
        if records:
            # One GetRecords of Lambda's poller on AWS, as billed: a read that returned records.
            STATS.count_many({"internal:StreamGetRecords": 1, "internal:StreamRecords": len(records)})
        return [delivered_copy(record, self.trigger.stream_arn) for record in records]

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._appended.clear()
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

    def _deliver(self, batch: list[dict[str, Any]]) -> None:
        attempts = 0
        while batch and not self._stopping.is_set():
            outcome = self._invoke(batch)
            done = batch if outcome.failed_at is None else batch[: outcome.failed_at]
            if done:
                self._advance(done)
                attempts = 0 if outcome.failed_at is not None and outcome.failed_at > 0 else attempts
            if outcome.failed_at is None:
                return
            batch = batch[outcome.failed_at :]
            attempts += 1
            self.failed_batches += 1
            limit = self.trigger.maximum_retry_attempts
            if 0 <= limit < attempts:
                self._send_to_failure_destination(batch, outcome.result, attempts)
                self._advance(batch)
                return
            if self.trigger.bisect_on_error and outcome.result is not None and outcome.result.function_error:
                batch = batch[: max(1, len(batch) // 2)]
            time.sleep(min(1.0, 0.05 * attempts))

    def _invoke(self, batch: list[dict[str, Any]]) -> BatchOutcome:
        result = self._runtime.invoke(self.trigger.function_name, {"Records": batch})
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
        if self.thread.is_alive():
            self.thread.join(timeout=5)


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

    def add(self, trigger: StreamTrigger, position: int | None) -> None:
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

    def trim(self, changed: StreamPoller) -> None:
        readers = [p for p in self.pollers.values() if p.trigger.table_name == changed.trigger.table_name]
        with DYNAMODB_LOCK:
            table = dynamodb_backends[self._account][self._region].tables.get(changed.trigger.table_name)
            if table is None or table.stream_shard is None:
                return
            trim_before(table.stream_shard, min(p.position for p in readers))

    def trim_unconsumed(self) -> None:
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
