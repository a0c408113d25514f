"""Feeds the journal: what each request committed in moto's backends, and a wait before its answer.

DynamoDB: the Table methods that change items mark (table, key) dirty; at the end of each DynamoDB
request, still under the DynamoDB lock, the current state of every dirty item, every new stream record
and any changed table definition go to the journal in one append (so the journal's order is the
commit order). Step Functions: an execution's start, each history event, and its end. SSM, Secrets
Manager, SQS: the service's (small) state after a request that may change it. `JournalWsgi` makes the
request's thread wait for its writes before the answer leaves the engine, outside every lock.
"""

from __future__ import annotations

import copy
import math
import pickle
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, cast

from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoHandler
from moto.secretsmanager.models import secretsmanager_backends
from moto.sqs.models import Queue, sqs_backends
from moto.ssm.models import ssm_backends
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

from localcloud.journal.store import Change, Forget, Journal, Op, Trim, seq_text
from localcloud.layer.patching import Patches
from localcloud.layer.serialize import DYNAMODB_LOCK
from localcloud.layer.stream_log import next_sequence_number, trimmed
from localcloud.stats import STATS, signed_scope

PICKLE = pickle.HIGHEST_PROTOCOL
# Services whose whole (small) state is journaled after a request that may change it.
SERVICE_PARTS: dict[str, tuple[Any, str]] = {
    "ssm": (ssm_backends, "_parameters"),
    "secretsmanager": (secretsmanager_backends, "secrets"),
    "sqs": (sqs_backends, "queues"),
}
_READ_ONLY_PREFIXES = ("Get", "Describe", "List")
_CONSISTENT = re.compile(r'"ConsistentRead"\s*:\s*true')
READ_ACTIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})


def count_read_units(action: str, answer: str | bytes, request: Any) -> None:
    """Read units of one read, from its answer's size: 4 KB units, half for an eventually consistent
    read (an estimate: the JSON answer is a little larger than DynamoDB's item sizes)."""
    text = request.decode(errors="replace") if isinstance(request, bytes) else str(request)
    consistent = action == "TransactGetItems" or _CONSISTENT.search(text) is not None
    units = max(1, math.ceil(len(answer) / 4096)) * (1.0 if consistent else 0.5)
    STATS.count("capacity:ReadUnits", units)


_tickets = threading.local()


def _note(ticket: int) -> None:
    """Remember the highest ticket this thread's request must wait for."""
    _tickets.value = max(getattr(_tickets, "value", 0), ticket)


def _in_request() -> bool:
    """Whether this thread serves a request, whose answer waits for (and so commits) its appends."""
    return bool(getattr(_tickets, "in_request", False))


def key_text(value: DynamoType | None) -> str:
    """A key attribute as journal text; numbers by value, so 3 and 3.0 are the same row, as in DynamoDB."""
    if value is None:
        return ""
    return f"{value.type}:{value.cast_value if value.type == 'N' else value.value}"


def plain_value(value: DynamoType) -> dict[str, Any]:
    """A DynamoType as plain data ({"M": {...}}), without moto's deep copies (pickled at once)."""
    if value.type == "M":
        return {"M": {key: plain_value(member) for key, member in value.value.items()}}
    if value.type == "L":
        return {"L": [plain_value(member) for member in value.value]}
    return {value.type: value.value}


def table_shell(table: Table) -> bytes:
    """The table's definition without its items or stream records (those have their own rows)."""
    shell = copy.copy(table)
    shell.items = defaultdict(dict)  # as moto's Table makes it
    if table.stream_shard is not None:
        shard = copy.copy(table.stream_shard)
        shard.items = []
        shard.table = shell
        shell.stream_shard = shard
    return pickle.dumps(shell, PICKLE)


def _queue_state(queue: Queue) -> dict[str, Any]:
    # A queue's only unpicklable part is the Condition guarding its messages; a new one is made on load.
    state = dict(queue.__dict__)
    state.pop("_messages_lock", None)
    return state


def _set_queue_state(queue: Queue, state: dict[str, Any]) -> None:
    queue.__dict__.update(state)
    queue._messages_lock = threading.Condition()


setattr(Queue, "__getstate__", _queue_state)  # noqa: B010 - mypy refuses assigning to a method
setattr(Queue, "__setstate__", _set_queue_state)  # noqa: B010


class Capture:
    """The hooks of one engine, writing to one journal."""

    def __init__(self, journal: Journal, account: str, region: str) -> None:
        self.journal = journal
        self.account, self.region = account, region
        self._dirty_items: dict[tuple[str, str, str], tuple[Table, DynamoType, DynamoType | None]] = {}
        self._dirty_tables: set[str] = set()
        self._journaled_seq: dict[str, int] = {}
        self._journaled_trim: dict[str, int] = {}
        self._journaled_positions: dict[str, int] = {}
        self._service_locks = {name: threading.Lock() for name in SERVICE_PARTS}
        self.transactional = threading.local()  # whether this thread's DynamoDB request is a transaction

    # --- DynamoDB -----------------------------------------------------------------------------
    def _tables(self) -> dict[str, Table]:
        tables: dict[str, Table] = dynamodb_backends[self.account][self.region].tables
        return tables

    def item_changed(self, table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> None:
        slot = (table.name, key_text(hash_key), key_text(range_key))
        self._dirty_items[slot] = (table, hash_key, range_key)

    def table_changed(self, name: str) -> None:
        self._dirty_tables.add(name)

    def remember_streams(self) -> None:
        """Stream records already in memory at start are already in the journal."""
        with DYNAMODB_LOCK:
            for name, table in self._tables().items():
                if table.stream_shard is not None:
                    self._journaled_seq[name] = next_sequence_number(table.stream_shard)
                    self._journaled_trim[name] = trimmed(table.stream_shard)

    def flush_dynamodb(self) -> None:
        """Journal what changed since the last flush; call with DYNAMODB_LOCK held."""
        ops: list[Op] = []
        tables = self._tables()
        for name in sorted(self._dirty_tables):
            table = tables.get(name)
            if table is None:
                ops.append(Change("tables", (name,)))
                ops += [Forget(rows, "tbl", name) for rows in ("items", "stream_records", "streams")]
                self._journaled_seq.pop(name, None)
                continue
            ops.append(Change("tables", (name,), (table_shell(table),)))
        self._dirty_tables.clear()
        touched: set[str] = set()
        written: dict[str, float] = {}
        transactional = bool(getattr(self.transactional, "value", False))
        for (name, hk, rk), (table, hash_key, range_key) in self._dirty_items.items():
            touched.add(name)
            if tables.get(name) is not table:
                continue  # the table was deleted (and its rows with it)
            item = _stored_item(table, hash_key, range_key)
            if item is None:
                ops.append(Change("items", (name, hk, rk)))
                written["capacity:WriteUnits"] = written.get("capacity:WriteUnits", 0) + 1
            else:
                attrs = {key: plain_value(value) for key, value in item.attrs.items()}
                ops.append(Change("items", (name, hk, rk), (pickle.dumps(attrs, PICKLE),)))
                # DynamoDB's own item size (names + values): stored bytes, and write units (1 KB each,
                # twice in a transaction).
                size = item.size()
                written[f"stored:{name}:items"] = written.get(f"stored:{name}:items", 0) + 1
                written[f"stored:{name}:bytes"] = written.get(f"stored:{name}:bytes", 0) + size
                units = max(1, math.ceil(size / 1024)) * (2 if transactional else 1)
                written["capacity:WriteUnits"] = written.get("capacity:WriteUnits", 0) + units
        self._dirty_items.clear()
        for name in touched:
            table = tables.get(name)
            if table is None or table.stream_shard is None:
                continue
            ops.extend(self._new_records(name, table))
        if written:
            STATS.count_many(written)
        if ops:
            _note(self.journal.append(*ops, waited=_in_request()))

    def _new_records(self, name: str, table: Table) -> list[Op]:
        shard = table.stream_shard
        assert shard is not None
        upto = next_sequence_number(shard)
        since = self._journaled_seq.get(name, int(shard.starting_sequence_number))
        if upto <= since:
            return []
        first = int(shard.starting_sequence_number) + trimmed(shard)
        ops: list[Op] = []
        for record in shard.items[max(0, since - first) :]:
            seq = int(record.to_json()["dynamodb"]["SequenceNumber"])
            blob = pickle.dumps(record.to_json(), PICKLE)
            ops.append(Change("stream_records", (name, seq_text(seq)), (blob,)))
        ops.append(Change("streams", (name,), (seq_text(upto),)))
        self._journaled_seq[name] = upto
        return ops

    def journal_stream_progress(self, positions: dict[str, int]) -> None:
        """Stream-trigger positions that moved, then the trims they allowed (in that order)."""
        ops: list[Op] = [
            Change("positions", (trigger,), (seq_text(position),))
            for trigger, position in positions.items()
            if self._journaled_positions.get(trigger) != position
        ]
        self._journaled_positions.update(positions)
        with DYNAMODB_LOCK:
            self.flush_dynamodb()
            for name, table in self._tables().items():
                shard = table.stream_shard
                if shard is None or self._journaled_trim.get(name) == trimmed(shard):
                    continue
                self._journaled_trim[name] = trimmed(shard)
                ops.append(Trim(name, int(shard.starting_sequence_number) + trimmed(shard)))
        if ops:
            self.journal.append(*ops)

    # --- Step Functions ----------------------------------------------------------------------------
    def execution_started(self, execution: Execution) -> None:
        _note(self.journal.append(self._execution_row(execution), waited=_in_request()))

    def execution_changed(self, execution: Execution) -> None:
        self.journal.append(self._execution_row(execution))

    def history_event(self, arn: str, event: dict[str, Any]) -> None:
        self.journal.append(Change("history", (arn, int(event["id"])), (pickle.dumps(event, PICKLE),)))

    @staticmethod
    def _execution_row(execution: Execution) -> Change:
        status = execution.exec_status
        state = {
            "name": execution.name,
            "machine_arn": execution.state_machine.arn,
            "status": str(getattr(status, "value", status)),
            "start_date": execution.start_date,
            "stop_date": execution.stop_date,
            "input": execution.input_data,
            "output": execution.output,
            "error": execution.error,
            "cause": execution.cause,
        }
        return Change("executions", (execution.exec_arn,), (pickle.dumps(state, PICKLE),))

    # --- SSM, Secrets Manager, SQS -------------------------------------------------------------------
    def service_request(self, service: str, action: str) -> None:
        if service not in SERVICE_PARTS or action.startswith(_READ_ONLY_PREFIXES):
            return
        backends, attribute = SERVICE_PARTS[service]
        with self._service_locks[service]:
            for _ in range(5):  # another request may change the dict while it is pickled: try again
                try:
                    value = getattr(backends[self.account][self.region], attribute)
                    data = pickle.dumps(dict(value), PICKLE)
                    break
                except RuntimeError:
                    continue
            else:
                return
            _note(self.journal.append(Change("blobs", (service,), (data,)), waited=_in_request()))

    # --- installing ---------------------------------------------------------------------------------
    def install(self, patches: Patches) -> None:
        self._install_dynamodb(patches)
        self._install_stepfunctions(patches)

    def _install_dynamodb(self, patches: Patches) -> None:
        capture = self
        put_item = Table.put_item
        delete_item = Table.delete_item
        update_item = DynamoDBBackend.update_item

        def journaled_put(self: Table, *args: Any, **kwargs: Any) -> Item:
            item: Item = put_item(self, *args, **kwargs)
            capture.item_changed(self, item.hash_key, item.range_key)
            return item

        def journaled_delete(self: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
            item: Item | None = delete_item(self, hash_key, range_key)
            capture.item_changed(self, hash_key, range_key)
            return item

        def journaled_update(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Item:
            item: Item = update_item(self, table_name, *args, **kwargs)
            capture.item_changed(self.get_table(table_name), item.hash_key, item.range_key)
            return item

        patches.replace(Table, "put_item", journaled_put)
        patches.replace(Table, "delete_item", journaled_delete)
        patches.replace(DynamoDBBackend, "update_item", journaled_update)
        for method in ("create_table", "delete_table", "update_table", "update_time_to_live"):
            patches.replace(DynamoDBBackend, method, _table_method(self, getattr(DynamoDBBackend, method)))
        call_action = DynamoHandler.call_action

        def journaled_call_action(self: DynamoHandler) -> Any:
            target = str(self.headers.get("X-Amz-Target", ""))
            capture.transactional.value = target.endswith(".TransactWriteItems")
            with DYNAMODB_LOCK.serving(target):  # waiting reads before waiting transactions (serialize.py)
                try:
                    answer = call_action(self)
                finally:
                    capture.flush_dynamodb()
            action = target.rsplit(".", 1)[-1]
            if action in READ_ACTIONS and isinstance(answer, tuple) and len(answer) == 3:
                count_read_units(action, answer[2], self.body)
            return answer

        patches.replace(DynamoHandler, "call_action", journaled_call_action)

    def _install_stepfunctions(self, patches: Patches) -> None:
        capture = self
        start = Execution.start
        terminated = BaseExecutionWorkerCommunication.terminated
        environment = ExecutionWorker._get_evaluation_environment
        publish = EventManager._publish_history_event

        def journaled_start(self: Execution) -> None:
            # An execution started again under its ARN (after a crash) records a new history: drop the
            # old one before the interpreter thread publishes the first event of the new one.
            capture.journal.append(Forget("history", "arn", self.exec_arn))
            start(self)
            capture.execution_started(self)

        def journaled_terminated(self: BaseExecutionWorkerCommunication) -> None:
            terminated(self)
            capture.execution_changed(self.execution)

        def tagged_environment(self: ExecutionWorker) -> Any:
            env = environment(self)
            # Branches of Parallel and Map share this event manager: one history per execution.
            env.event_manager.journal_arn = self._evaluation_details.execution_details.arn  # type: ignore[attr-defined]
            return env

        def journaled_publish(self: EventManager, *args: Any, **kwargs: Any) -> None:
            publish(self, *args, **kwargs)
            arn = getattr(self, "journal_arn", None)
            if arn is not None:
                capture.history_event(arn, dict(self._history_event_list[-1]))

        patches.replace(Execution, "start", journaled_start)
        patches.replace(BaseExecutionWorkerCommunication, "terminated", journaled_terminated)
        patches.replace(ExecutionWorker, "_get_evaluation_environment", tagged_environment)
        patches.replace(EventManager, "_publish_history_event", journaled_publish)


def _table_method(capture: Capture, method: Callable[..., Any]) -> Callable[..., Any]:
    def journaled(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        name = getattr(result, "name", None) or kwargs.get("name") or kwargs.get("table_name")
        if name is None and args:
            name = args[0]
        capture.table_changed(str(name))
        return result

    return journaled


def _stored_item(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    stored: Any = table.items.get(hash_key)
    if range_key is None or stored is None:
        return cast("Item | None", stored)
    return cast("Item | None", stored.get(range_key))


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class JournalWsgi:
    """WSGI middleware: the answer to a request leaves only once the journal holds its changes."""

    def __init__(self, app: WsgiApp, capture: Capture) -> None:
        self._app = app
        self._capture = capture

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        _tickets.value = 0
        _tickets.in_request = True
        try:
            answer = self._app(environ, start_response)
            if environ.get("REQUEST_METHOD") == "POST":
                service, action = _service_and_action(environ)
                if service in SERVICE_PARTS:
                    self._capture.service_request(service, action)
        finally:
            _tickets.in_request = False
        self._capture.journal.wait(getattr(_tickets, "value", 0))
        return answer


def _service_and_action(environ: dict[str, Any]) -> tuple[str, str]:
    """The AWS service (from the SigV4 credential scope) and the action (from X-Amz-Target)."""
    service = signed_scope(environ)[1]
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    return service, target.rsplit(".", 1)[-1]
