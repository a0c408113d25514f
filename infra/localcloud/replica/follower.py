"""The replica's side: apply the engine's commits in order, and answer reads with every acknowledged write.

The replica is forked from the engine once its data is loaded and before it serves anything, so it
starts with the engine's tables as they are; from then on it applies, in commit order, each commit the
engine sends (`feed.py`), whole and under its own DynamoDB lock, and answers reads through the same
moto handlers, fast paths included, as the engine would.

Why a read here sees every write acknowledged before it was sent, as a strongly consistent read must:
the engine sends a commit on the feed (a Unix socket pair: the bytes are in this process's receive
queue once `sendall` returns) before it releases the DynamoDB lock, so before the write is answered or
its stream record read by a poller. A read sent after that answer, or by a function a stream record
invoked, arrives when the commit's bytes are already queued here, and `catch_up`, run before every read,
applies everything queued. Between reads a thread applies commits as they come, so a read rarely finds
more than one waiting.

When the engine's socket closes, or a commit cannot be applied, the replica exits at once: a replica
that may have missed a write must not answer, and without it workers read from the engine.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import select
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from localcloud.journal.restore import dynamo_value, item_of
from localcloud.layer.serialize import DYNAMODB_LOCK
from localcloud.replica.feed import FRAME_HEADER, Change
from localcloud.replica.reads import replica_read

log = logging.getLogger("localcloud.replica")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
RECEIVE_BYTES = 1 << 20


class Follower:
    """The replica's copy of the tables, kept up by the engine's commits."""

    def __init__(self, feed: socket.socket, account: str, region: str) -> None:
        feed.setblocking(False)
        self._feed = feed
        self._tables: dict[str, Table] = dynamodb_backends[account][region].tables
        self._received = bytearray()  # bytes read from the feed, not yet a whole frame
        self._catching_up = threading.Lock()
        self.commits = 0

    # --- reading the feed -------------------------------------------------------------------------
    def catch_up(self) -> None:
        """Apply every commit whose bytes are queued on the feed now."""
        with self._catching_up:
            while True:
                try:
                    chunk = self._feed.recv(RECEIVE_BYTES)
                except BlockingIOError:
                    break
                if not chunk:
                    log.info("the engine closed the feed; the replica stops")
                    os._exit(0)
                self._received += chunk
            self._apply_whole_frames()

    def follow(self) -> None:
        """Apply commits as they arrive, until the feed ends; any failure ends the process."""
        try:
            while True:
                select.select([self._feed], [], [])
                self.catch_up()
        except BaseException:
            log.exception("the replica could not apply the engine's changes; it stops")
            os._exit(1)

    def _apply_whole_frames(self) -> None:
        start = 0
        received = self._received
        while len(received) - start >= FRAME_HEADER.size:
            (length,) = FRAME_HEADER.unpack_from(received, start)
            end = start + FRAME_HEADER.size + length
            if len(received) < end:
                break
            self.apply(pickle.loads(received[start + FRAME_HEADER.size : end]))
            start = end
        del received[:start]

    # --- applying -----------------------------------------------------------------------------------
    def apply(self, commit: list[Change]) -> None:
        with DYNAMODB_LOCK:
            for change in commit:
                getattr(self, f"_{change[0]}")(*change[1:])
            self.commits += 1

    def _put(self, name: str, blob: bytes) -> None:
        table = self._tables.get(name)
        if table is None:
            return
        item = item_of(table, pickle.loads(blob))
        stored: Any = table.items
        if table.range_key_attr:
            stored.setdefault(item.hash_key, {})[item.range_key] = item
        else:
            stored[item.hash_key] = item

    def _delete(self, name: str, hash_key: dict[str, Any], range_key: dict[str, Any] | None) -> None:
        table = self._tables.get(name)
        if table is None:
            return
        stored: Any = table.items
        if range_key is None:
            stored.pop(dynamo_value(hash_key), None)
            return
        under = stored.get(dynamo_value(hash_key))
        if under is not None:
            under.pop(dynamo_value(range_key), None)

    def _table(self, name: str, shell: bytes) -> None:
        defined: Table = pickle.loads(shell)
        current = self._tables.get(name)
        if current is not None:
            defined.items = current.items  # a changed definition (indexes, TTL): the same items
        self._tables[name] = defined

    def _drop(self, name: str) -> None:
        self._tables.pop(name, None)


class ReplicaApp:
    """WSGI: a read is answered through moto once the replica caught up; anything else is refused (400)."""

    def __init__(self, moto_app: WsgiApp, follower: Follower) -> None:
        self._moto_app = moto_app
        self._follower = follower

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if environ.get("REQUEST_METHOD") != "POST" or not replica_read(target):
            answer = {
                "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
                "message": "the read replica answers GetItem, BatchGetItem, Query and Scan only",
            }
            start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0")])
            return [json.dumps(answer).encode()]
        self._follower.catch_up()
        return self._moto_app(environ, start_response)
