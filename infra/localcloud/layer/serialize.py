"""Defect 1: moto's DynamoDB is not thread-safe, so every DynamoDB (and Streams) request holds one lock.

The lock excludes like any other (one holder at a time: the isolation of conditional writes and
transactions, and the journal's commit order, which is the order of the holds). Only the order in which
waiting requests get it is chosen: a short request (a read, or a write of one item) goes before a
waiting multi-item write, shortest job first. Measured under 8 booking clients, transactions held the
lock 62 % of its time (5.7 ms on average, 15 ms at the 90th percentile: a holder also waits for the GIL),
so a search queued behind several of them. A multi-item write waits at most `MAX_SHORT_IN_A_ROW`
short grants, so a stream of reads cannot starve it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

from localcloud.layer.patching import Patches

# Requests that hold the lock briefly: reads and single-item writes (an X-Amz-Target's action name).
SHORT_ACTIONS = frozenset({"GetItem", "BatchGetItem", "Query", "PutItem", "UpdateItem", "DeleteItem"})
# Short grants in a row while a multi-item write waits; then that write goes first.
MAX_SHORT_IN_A_ROW = 16


class RequestLock:
    """A reentrant lock whose waiting short holders go before waiting long ones (at most a few in a row).

    `with lock:` holds it as a long holder (stream pollers, snapshots, the TTL sweeper, restores: as
    before); `with lock.serving(action):` as the request `action` (short or long by `SHORT_ACTIONS`).
    Reentrant as `threading.RLock`: a thread holding it may take it again in either way.
    """

    def __init__(self, max_short_in_a_row: int = MAX_SHORT_IN_A_ROW) -> None:
        self._mutex = threading.Lock()
        self._short = threading.Condition(self._mutex)
        self._long = threading.Condition(self._mutex)
        self._owner: int | None = None
        self._depth = 0
        self._short_waiting = 0
        self._long_waiting = 0
        self._streak = 0  # short grants in a row while a long holder waited
        self._max_streak = max_short_in_a_row
        self._as_short = _Hold(self, short=True)
        self._as_long = _Hold(self, short=False)

    def acquire(self, short: bool = False) -> bool:
        me = threading.get_ident()
        if self._owner == me:  # only this thread sets the owner to itself: no race
            self._depth += 1
            return True
        with self._mutex:
            if short:
                self._short_waiting += 1
                try:
                    while self._owner is not None or self._long_turn():
                        self._short.wait()
                finally:
                    self._short_waiting -= 1
                self._streak = self._streak + 1 if self._long_waiting else 0
            else:
                self._long_waiting += 1
                try:
                    while self._owner is not None or (self._short_waiting and not self._long_turn()):
                        self._long.wait()
                finally:
                    self._long_waiting -= 1
                self._streak = 0
            self._owner = me
            self._depth = 1
        return True

    def release(self) -> None:
        if self._owner != threading.get_ident():
            raise RuntimeError("cannot release un-acquired lock")
        self._depth -= 1
        if self._depth:
            return
        with self._mutex:
            self._owner = None
            # Wake one waiter of the class that goes next; it takes the lock or, if a newcomer took it
            # first, waits again and is woken by that newcomer's release.
            if self._short_waiting and not self._long_turn():
                self._short.notify()
            elif self._long_waiting:
                self._long.notify()

    def waiting(self) -> tuple[int, int]:
        """Threads waiting for it now: (short, long)."""
        with self._mutex:
            return self._short_waiting, self._long_waiting

    def _long_turn(self) -> bool:
        return bool(self._long_waiting) and self._streak >= self._max_streak

    def serving(self, action: str) -> _Hold:
        """The lock held for one request (`action`: its X-Amz-Target's last part, or the whole target)."""
        return self._as_short if action.rsplit(".", 1)[-1] in SHORT_ACTIONS else self._as_long

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


class _Hold:
    """`with` for one class of holder (stateless: shared by every thread)."""

    def __init__(self, lock: RequestLock, short: bool) -> None:
        self._lock, self._short = lock, short

    def __enter__(self) -> bool:
        return self._lock.acquire(self._short)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._lock.release()


# Reentrant: the stream poller and snapshots take it around calls that may take it again.
DYNAMODB_LOCK = RequestLock()


def _serialized(action: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(action)
    def call_action(self: Any) -> Any:
        headers = getattr(self, "headers", None) or {}
        target = headers.get("X-Amz-Target") or headers.get("x-amz-target") or ""
        with DYNAMODB_LOCK.serving(str(target)):
            return action(self)

    return call_action


def patch_serialized_requests(patches: Patches) -> None:
    for handler in (DynamoHandler, DynamoDBStreamsHandler):
        original = handler.call_action
        patches.replace(handler, "call_action", _serialized(original))
