"""The journal: committed changes of the engine's data in SQLite (WAL), written by one thread in groups.

Each change is a row keyed by what it describes (one DynamoDB item, one stream record, one execution
history event, ...), so the database IS the latest state and never needs a whole-state snapshot: SQLite's
WAL checkpoints copy only the pages written since the last one. Requests hand their changes to `append`
(cheap, in memory, in commit order) and `wait` for them outside any engine lock; whoever commits next
(a waiting request when no commit is running, else the one running) commits everything queued
meanwhile in one transaction (group commit), so many concurrent requests share one write and one fsync.
A request that waits commits its own group rather than waking the writer thread and sleeping until it
is woken back: two thread hand-offs per write request fewer. The writer thread commits what nobody
waits for (Step Functions history, stream positions) and keeps the `batch` fsync clock.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud.stats import STATS

log = logging.getLogger("localcloud.journal")

JOURNAL_FILE = "journal.sqlite3"
FSYNC_MODES = ("always", "batch", "off")
DEFAULT_FSYNC = "batch"
# In `batch` mode a power loss can lose at most about this much acknowledged work.
BATCH_FSYNC_SECONDS = 1.0
# How long a request may wait for its write before the engine gives up (the disk is gone).
WAIT_DEADLINE_SECONDS = 60.0
# The writer's longest sleep: changes appended for a waiter that then never waited (its request failed)
# are written at most this late.
WRITER_IDLE_SECONDS = 0.1


def seq_text(sequence_number: int) -> str:
    """Stream sequence numbers exceed SQLite's 64-bit integers: zero-padded text sorts the same way."""
    return f"{sequence_number:040d}"


SCHEMA = """
CREATE TABLE IF NOT EXISTS tables (name TEXT PRIMARY KEY, shell BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS items (
    tbl TEXT NOT NULL, hk TEXT NOT NULL, rk TEXT NOT NULL, attrs BLOB NOT NULL,
    PRIMARY KEY (tbl, hk, rk));
CREATE TABLE IF NOT EXISTS stream_records (
    tbl TEXT NOT NULL, seq TEXT NOT NULL, record BLOB NOT NULL, PRIMARY KEY (tbl, seq));
CREATE TABLE IF NOT EXISTS streams (tbl TEXT PRIMARY KEY, next_seq TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (trigger TEXT PRIMARY KEY, position TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS executions (arn TEXT PRIMARY KEY, state BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS history (
    arn TEXT NOT NULL, id INTEGER NOT NULL, event BLOB NOT NULL, PRIMARY KEY (arn, id));
CREATE TABLE IF NOT EXISTS blobs (name TEXT PRIMARY KEY, data BLOB NOT NULL);
"""


@dataclass(frozen=True)
class Change:
    """One row to write (`values` given) or delete (`values` None) in `table`, keyed by `key`."""

    table: str
    key: tuple[Any, ...]
    values: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Trim:
    """Delete every stream record of `tbl` below `below`."""

    tbl: str
    below: int


@dataclass(frozen=True)
class Forget:
    """Delete every row of `table` whose `column` is `value` (a deleted table's items, a restarted
    execution's old history)."""

    table: str
    column: str
    value: str


Op = Change | Trim | Forget

_KEYS = {
    "tables": ("name",),
    "items": ("tbl", "hk", "rk"),
    "stream_records": ("tbl", "seq"),
    "streams": ("tbl",),
    "positions": ("trigger",),
    "executions": ("arn",),
    "history": ("arn", "id"),
    "blobs": ("name",),
}
_VALUES = {
    "tables": ("shell",),
    "items": ("attrs",),
    "stream_records": ("record",),
    "streams": ("next_seq",),
    "positions": ("position",),
    "executions": ("state",),
    "history": ("event",),
    "blobs": ("data",),
}


def _statements() -> dict[str, tuple[str, str]]:
    statements = {}
    for table, keys in _KEYS.items():
        columns = keys + _VALUES[table]
        upsert = (
            f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        delete = f"DELETE FROM {table} WHERE {' AND '.join(f'{key} = ?' for key in keys)}"
        statements[table] = (upsert, delete)
    return statements


_STATEMENTS = _statements()


class JournalFailed(Exception):
    """The journal could not write: nothing more may be acknowledged."""


class Journal:
    """Append changes in commit order; `wait(ticket)` returns once they are as durable as `fsync` says.

    fsync modes: `always` - each group is fsynced before its requests are answered; `batch` - each group
    is written to the OS before its requests are answered (any process may be killed) and fsynced at
    most BATCH_FSYNC_SECONDS later; `off` - requests are answered before the write, which follows
    within milliseconds (a kill of the engine can lose that much).
    """

    def __init__(self, path: Path, fsync: str = DEFAULT_FSYNC) -> None:
        if fsync not in FSYNC_MODES:
            raise ValueError(f"fsync must be one of {', '.join(FSYNC_MODES)}, not {fsync!r}")
        self.path = path
        self.fsync = fsync
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        synchronous = {"always": "FULL", "batch": "NORMAL", "off": "OFF"}[fsync]
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.executescript(SCHEMA)
        self._queue: list[Op] = []
        self._appended = 0
        self._written = 0
        self._committing = False  # one group at a time, in append order
        self._unwaited = False  # the queue holds changes nobody waits for: the writer's to commit
        self._failed: BaseException | None = None
        self._closing = False
        # One lock, two queues of waiters: the writer waits for work, requests wait for their writes.
        # An append wakes at most the writer (with every request waiter woken on each append, the
        # wake-ups cost more than the appends under load).
        lock = threading.RLock()
        self._condition = threading.Condition(lock)  # the writer's: work queued, or closing
        self._written_cond = threading.Condition(lock)  # the requests': changes written, or failed
        self._last_fsync = time.monotonic()
        self._unsynced = False
        self.groups = 0
        self.ops = 0
        self._writer = threading.Thread(target=self._write_forever, name="journal-writer", daemon=True)
        self._writer.start()

    # --- reading (at start, before any writer) -------------------------------------------------
    def rows(self, table: str, order: str = "") -> Iterator[tuple[Any, ...]]:
        cursor = self._db.execute(f"SELECT * FROM {table} {order}")
        while batch := cursor.fetchmany(5000):
            yield from batch

    # --- writing ---------------------------------------------------------------------------------
    def append(self, *ops: Op, waited: bool = False) -> int:
        """Queue changes (in the caller's commit order); returns the ticket to `wait` for.

        `waited`: the caller will `wait` for this ticket, and that wait commits it, so the writer
        thread is not woken (with fsync `off` nobody waits, and it is)."""
        with self._condition:
            if self._failed is not None:
                raise JournalFailed(str(self._failed))
            self._queue.extend(ops)
            self._appended += 1
            if not waited or self.fsync == "off":
                self._unwaited = True
                self._condition.notify()
            return self._appended

    def wait(self, ticket: int) -> None:
        """Return once the changes up to `ticket` are written (immediately with fsync `off`)."""
        if ticket <= 0 or self.fsync == "off":
            return
        self._wait_written(ticket)

    def flush(self) -> None:
        """Wait until everything appended so far is written, whatever the fsync mode."""
        with self._condition:
            ticket = self._appended
        self._wait_written(ticket)

    def _wait_written(self, ticket: int) -> None:
        """Until `ticket` is written: commit the queue if no commit is running, else wait for it."""
        deadline = time.monotonic() + WAIT_DEADLINE_SECONDS
        while True:
            with self._condition:
                if self._written >= ticket:
                    return
                if self._failed is not None:
                    raise JournalFailed(str(self._failed))
                if self._committing or self._closing:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise JournalFailed("the journal did not write within 60 s")
                    self._written_cond.wait(remaining)
                    continue
                ops, upto = self._take()
            self._write(ops, upto)

    def close(self) -> None:
        self.flush()
        with self._condition:
            self._closing = True
            self._condition.notify_all()
        self._writer.join(timeout=10)
        with self._condition:
            while self._committing:  # a last request's group
                self._written_cond.wait(1.0)
        try:
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self._db.close()

    def _take(self) -> tuple[list[Op], int]:
        """Start a commit of everything queued (call holding the lock, with no commit running)."""
        self._committing = True
        self._unwaited = False
        ops, self._queue = self._queue, []
        return ops, self._appended

    def _write_forever(self) -> None:
        while True:
            with self._condition:
                while (not self._queue or self._committing) and not self._closing:
                    if self._unsynced and self.fsync == "batch" and not self._committing:
                        waited = time.monotonic() - self._last_fsync
                        if waited >= BATCH_FSYNC_SECONDS:
                            break
                        self._condition.wait(min(BATCH_FSYNC_SECONDS - waited, WRITER_IDLE_SECONDS))
                    else:
                        self._condition.wait(WRITER_IDLE_SECONDS)
                if self._closing and (self._committing or not self._queue):
                    return
                ops, upto = self._take()
            self._write(ops, upto)

    def _write(self, ops: list[Op], upto: int) -> None:
        """Commit one group taken by `_take`, then tell its waiters."""
        try:
            if ops:
                self._commit(ops)
            if self.fsync == "batch" and time.monotonic() - self._last_fsync >= BATCH_FSYNC_SECONDS:
                self._sync_wal()
        except BaseException as error:  # disk full, I/O error: stop acknowledging anything
            log.critical("journal write failed: %r; the engine stops", error)
            with self._condition:
                self._failed = error
                self._written_cond.notify_all()
            os._exit(70)
        with self._condition:
            self._written = upto
            self._committing = False
            self._written_cond.notify_all()
            if self._unwaited:
                self._condition.notify()  # appended meanwhile and waited for by nobody

    def _commit(self, ops: list[Op]) -> None:
        db = self._db
        db.execute("BEGIN")
        for op in ops:
            if isinstance(op, Change):
                upsert, delete = _STATEMENTS[op.table]
                if op.values is None:
                    db.execute(delete, op.key)
                else:
                    db.execute(upsert, op.key + op.values)
            elif isinstance(op, Trim):
                db.execute(
                    "DELETE FROM stream_records WHERE tbl = ? AND seq < ?", (op.tbl, seq_text(op.below))
                )
            else:
                assert op.column in _KEYS[op.table], op  # names from this module only, never from input
                db.execute(f"DELETE FROM {op.table} WHERE {op.column} = ?", (op.value,))
        db.execute("COMMIT")
        self.groups += 1
        self.ops += len(ops)
        STATS.count_many(
            {
                "journal:rows": sum(1 for op in ops if isinstance(op, Change) and op.values is not None),
                "journal:bytes": sum(
                    len(value)
                    for op in ops
                    if isinstance(op, Change) and op.values is not None
                    for value in op.values
                    if isinstance(value, bytes | str)
                ),
            }
        )
        self._unsynced = True

    def _sync_wal(self) -> None:
        # synchronous=NORMAL leaves commits in the OS cache until a checkpoint; fsync the WAL on a clock.
        wal = Path(str(self.path) + "-wal")
        if wal.exists():
            descriptor = os.open(wal, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        self._last_fsync = time.monotonic()
        self._unsynced = False
