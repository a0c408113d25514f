"""Rebuilds the engine's data from the journal at start: tables, items, stream records, services, executions.

Items are rebuilt without moto's per-attribute size bookkeeping (it re-measures the whole item for each
attribute, quadratic in attributes): they were validated when first written.
"""

from __future__ import annotations

import json
import logging
import pickle
import time
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table

from localcloud.garbage import paused_while_starting
from localcloud.journal.capture import SERVICE_PARTS
from localcloud.journal.store import Journal
from localcloud.layer.serialize import DYNAMODB_LOCK

log = logging.getLogger("localcloud.journal")
_new = object.__new__


def dynamo_value(value: dict[str, Any]) -> DynamoType:
    """DynamoType(value) without its copies (the journal's value is ours to keep)."""
    ((kind, inner),) = value.items()
    typed = _new(DynamoType)
    if kind == "M":
        inner = {key: dynamo_value(member) for key, member in inner.items()}
    elif kind == "L":
        inner = [dynamo_value(member) for member in inner]
    typed.type = kind
    typed.value = inner
    return typed


def item_of(table: Table, attrs: dict[str, Any]) -> Item:
    item = _new(Item)
    values = {key: dynamo_value(value) for key, value in attrs.items()}
    item.hash_key = values[table.hash_key_attr]
    item.range_key = values[table.range_key_attr] if table.range_key_attr else None
    item.attrs = LimitedSizeDict(values)  # dict.update underneath: no per-attribute size check
    return item


class RestoredRecord:
    """A stream record read back from the journal; the stream API only ever asks for its JSON."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.record = record

    def to_json(self) -> dict[str, Any]:
        return self.record


def restore(journal: Journal, account: str, region: str) -> dict[str, Any]:
    """Load everything into moto's backends; returns what the engine itself needs (positions, counts)."""
    # Millions of new objects would trigger full collections again and again (quadratic); none of them
    # is garbage yet, and afterwards they are frozen out of every later collection's scan. (The engine's
    # whole start runs so; a restore called on its own, by a test, does too.)
    with paused_while_starting() as restored:
        result = _restore(journal, account, region)
        restored()
        return result


def _restore(journal: Journal, account: str, region: str) -> dict[str, Any]:
    started = time.perf_counter()
    counts = {"tables": 0, "items": 0, "stream_records": 0}
    with DYNAMODB_LOCK:
        tables: dict[str, Table] = dynamodb_backends[account][region].tables
        for name, shell in journal.rows("tables"):
            tables[name] = pickle.loads(shell)
            counts["tables"] += 1
        for name, _hk, _rk, blob in journal.rows("items"):
            table = tables.get(name)
            if table is None:
                continue
            item = item_of(table, pickle.loads(blob))
            stored: Any = table.items
            if table.range_key_attr:
                stored.setdefault(item.hash_key, {})[item.range_key] = item
            else:
                stored[item.hash_key] = item
            counts["items"] += 1
        records: dict[str, list[RestoredRecord]] = defaultdict(list)
        for name, _seq, blob in journal.rows("stream_records", "ORDER BY tbl, seq"):
            records[name].append(RestoredRecord(pickle.loads(blob)))
            counts["stream_records"] += 1
        for name, next_seq in journal.rows("streams"):
            shard = tables[name].stream_shard if name in tables else None
            if shard is None:
                continue
            shard.items = list(records.get(name, []))  # type: ignore[arg-type]
            shard.trimmed = int(next_seq) - int(shard.starting_sequence_number) - len(shard.items)  # type: ignore[attr-defined]
    for service, blob in journal.rows("blobs"):
        backends, attribute = SERVICE_PARTS[service]
        loaded = pickle.loads(blob)
        current = getattr(backends[account][region], attribute)
        current.clear()
        current.update(loaded)
    positions = {trigger: int(position) for trigger, position in journal.rows("positions")}
    seconds = round(time.perf_counter() - started, 2)
    log.info(
        "restored %d tables, %d items, %d stream records in %.1f s",
        counts["tables"],
        counts["items"],
        counts["stream_records"],
        seconds,
    )
    return {"positions": positions, **counts, "seconds": seconds}


def saved_executions(journal: Journal) -> list[dict[str, Any]]:
    """Every execution in the journal with its history (for `restore_executions`)."""
    executions: dict[str, dict[str, Any]] = {}
    for arn, blob in journal.rows("executions"):
        executions[arn] = {**pickle.loads(blob), "arn": arn, "history": []}
    for arn, _id, blob in journal.rows("history", "ORDER BY arn, id"):
        if arn in executions:
            executions[arn]["history"].append(pickle.loads(blob))
    return list(executions.values())


def restore_finished_execution(machine: Any, saved: dict[str, Any]) -> None:
    """Put an ended execution back in its state machine, answering describe and get_execution_history."""
    from moto.stepfunctions.parser.api import CloudWatchEventsExecutionDataDetails, ExecutionStatus
    from moto.stepfunctions.parser.backend.execution import Execution

    execution = _new(Execution)
    history = saved["history"]
    execution.__dict__.update(
        name=saved["name"],
        sm_type=getattr(machine, "type", "STANDARD"),
        role_arn=getattr(machine, "roleArn", ""),
        exec_arn=saved["arn"],
        execution_arn=saved["arn"],
        account_id=saved["arn"].split(":")[4],
        region_name=saved["arn"].split(":")[3],
        state_machine=machine,
        state_machine_arn=machine.arn,
        _cloud_watch_logging_session=None,
        _activity_store={},
        input_data=saved["input"],
        execution_input=_json_text(saved["input"]),
        input_details=CloudWatchEventsExecutionDataDetails(included=True),
        output_details=CloudWatchEventsExecutionDataDetails(included=True),
        trace_header=None,
        exec_status=ExecutionStatus(saved["status"]),
        start_date=saved["start_date"],
        stop_date=saved["stop_date"],
        output=saved["output"],
        error=saved["error"],
        cause=saved["cause"],
        # to_history_output reads exec_worker.env.event_manager; a finished execution has no worker.
        exec_worker=SimpleNamespace(
            env=SimpleNamespace(event_manager=SimpleNamespace(get_event_history=lambda: list(history)))
        ),
    )
    machine.executions.append(execution)


def _json_text(value: Any) -> str:
    return json.dumps(value)
