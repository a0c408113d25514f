"""Applying a batch of recorded events to read models: each item folded once, written once, few requests.

A read model plans a batch (`Plan`): it groups the records by the item they touch, folds each group to
the item's newest state and gives one `Write` per item, under the same guard as a write per record (only
a newer version replaces what is there; a counted event's tracking item). The writes of all the models
of a function then go together in TransactWriteItems of up to 100 operations, never naming an item twice.
A transaction is all or nothing, so a refusal of one write (a duplicate, a newer version already there)
would lose the others: the refused transaction's writes are then written one by one, each under its own
guard, and only a write that fails alone is a failure. Its records, and every record after the first of
them in stream order, are reported failed: the poller retries from there, and the guards make the records
written meanwhile change nothing when they come again.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aws_lambda_powertools import Logger
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from trainbook.eventstore.conditions import newer_than, save_if_newer
from trainbook.eventstore.events import RecordedEvent
from trainbook.eventstore.store import transactions

logger = Logger(service="projections")
OPERATIONS_PER_TRANSACTION = 100  # DynamoDB's TransactWriteItems limit


@dataclass(frozen=True)
class Write:
    """One item's (or a few items') new state, reflecting the records at `positions` of the batch."""

    positions: tuple[int, ...]
    keys: frozenset[Hashable]  # the items it touches: a transaction may name an item only once
    together: Callable[[TransactWrite], None]  # adds its operations to a transaction
    alone: Callable[[], None]  # writes without a transaction; a refusal by its guard is success
    operations: int = 1


@dataclass
class Plan:
    """What a read model makes of a batch: its writes, and the records it could not plan (a failed read)."""

    writes: list[Write] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    def add(self, positions: Iterable[int], build: Callable[..., Iterable[Write]], *args: Any) -> None:
        """Plan one group of records (`build(*args)`); if that raises, its records fail, the rest goes on."""
        positions = tuple(positions)
        try:
            self.writes.extend(build(*args))
        except Exception:
            logger.exception("records not planned", extra={"positions": positions})
            self.failed.extend(positions)


class Projection(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def model(self) -> type[Model]: ...

    def plan(self, batch: Sequence[RecordedEvent]) -> Plan: ...


def apply_batch(projections: Sequence[Projection], batch: Sequence[RecordedEvent]) -> int | None:
    """Apply `batch` to every projection; the position of the first record not surely applied (None: all)."""
    failed: list[int] = []
    writes: list[Write] = []
    for projection in projections:
        plan = projection.plan(batch)
        failed.extend(plan.failed)
        writes.extend(plan.writes)
    failed.extend(execute(writes))
    return min(failed, default=None)


def apply_events(projection: Projection, events: Sequence[RecordedEvent]) -> None:
    """Apply `events` to one read model (replay, tests); raises if any of them could not be applied."""
    first = apply_batch([projection], events)
    if first is not None:
        event = events[first]
        raise RuntimeError(f"{projection.name}: {event.stream}@{event.version} not applied")


def execute(writes: Sequence[Write]) -> list[int]:
    """Write all `writes` in as few requests as hold; the positions of those that failed."""
    failed: list[int] = []
    for chunk in _transactions(writes):
        if sum(w.operations for w in chunk) == 1:
            failed.extend(_alone(chunk))
            continue
        try:
            with TransactWrite(connection=transactions()) as transaction:
                for write in chunk:
                    write.together(transaction)
        except Exception:  # a refusal, a conflict, a missing item: each write on its own says which
            failed.extend(_alone(chunk))
    return failed


def _alone(writes: Iterable[Write]) -> list[int]:
    failed: list[int] = []
    for write in writes:
        try:
            write.alone()
        except Exception:
            logger.exception("write failed", extra={"positions": write.positions})
            failed.extend(write.positions)
    return failed


def _transactions(writes: Sequence[Write]) -> Iterable[list[Write]]:
    """The writes in order, cut into transactions of at most 100 operations, each naming an item once."""
    chunk: list[Write] = []
    keys: set[Hashable] = set()
    operations = 0
    for write in writes:
        if chunk and (operations + write.operations > OPERATIONS_PER_TRANSACTION or keys & write.keys):
            yield chunk
            chunk, keys, operations = [], set(), 0
        chunk.append(write)
        keys |= write.keys
        operations += write.operations
    if chunk:
        yield chunk


def put_if_newer(row: Model, version: Any, value: int, positions: Iterable[int], key: Hashable) -> Write:
    """A row put under the condition `save_if_newer` writes it with: only a newer version replaces it."""
    return Write(
        positions=tuple(positions),
        keys=frozenset({key}),
        together=lambda tx: tx.save(row, condition=newer_than(version, value)),
        alone=lambda: save_if_newer(row, version, value),
    )


def newest_by(
    batch: Sequence[RecordedEvent], key: Callable[[RecordedEvent], Hashable | None]
) -> dict[Hashable, list[int]]:
    """Positions of the batch's records by the item `key` names (None: not this model's), each group in
    version order (a stream's order; redelivery and shuffles can put them otherwise in a batch)."""
    groups: dict[Hashable, list[int]] = {}
    for position, recorded in enumerate(batch):
        item = key(recorded)
        if item is not None:
            groups.setdefault(item, []).append(position)
    for positions in groups.values():
        positions.sort(key=lambda p: batch[p].version)
    return groups


def once(
    batch: Sequence[RecordedEvent], positions: Iterable[int]
) -> list[tuple[RecordedEvent, tuple[int, ...]]]:
    """Each distinct event (stream, version) of `positions` once, with every position it was delivered at."""
    seen: dict[tuple[str, int], list[int]] = {}
    for position in positions:
        seen.setdefault((batch[position].stream, batch[position].version), []).append(position)
    return [(batch[found[0]], tuple(found)) for found in seen.values()]
