"""The replica's side: apply the engine's commits in order and answer eventually consistent reads.

The replica is forked from the engine once its data is loaded and before it serves anything, so it
starts with the engine's tables as they are; from then on it applies, in commit order, each commit the
engine sends (`feed.py`), whole and under its own DynamoDB lock, and answers reads through the same
moto handlers, fast paths included, as the engine would. What it answers is what the engine held some
milliseconds earlier: DynamoDB's eventual consistency, shorter. It answers nothing else (`reads.py`).
When the engine's socket closes, or a commit cannot be applied, the replica exits at once: a replica
that may have missed a write must not answer, and without it workers read from the engine.
"""

from __future__ import annotations

import io
import json
import logging
import os
import pickle
import socket
from collections.abc import Callable, Iterable
from typing import Any

from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

from localcloud.journal.restore import dynamo_value, item_of
from localcloud.layer.serialize import DYNAMODB_LOCK
from localcloud.replica.feed import FRAME_HEADER, Change
from localcloud.replica.reads import eventually_consistent_read

log = logging.getLogger("localcloud.replica")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Follower:
    """The replica's copy of the tables, kept up by the engine's commits."""

    def __init__(self, account: str, region: str) -> None:
        self._tables: dict[str, Table] = dynamodb_backends[account][region].tables
        self.commits = 0

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

    def follow(self, sock: socket.socket) -> None:
        """Apply frames until the engine closes the socket; then, or on any failure, end the process."""
        try:
            reader = sock.makefile("rb")
            while header := reader.read(FRAME_HEADER.size):
                if len(header) < FRAME_HEADER.size:
                    break
                (length,) = FRAME_HEADER.unpack(header)
                data = reader.read(length)
                if len(data) < length:
                    break
                for commit in pickle.loads(data):
                    self.apply(commit)
        except BaseException:
            log.exception("the replica could not apply the engine's changes; it stops")
            os._exit(1)
        os._exit(0)


class ReplicaApp:
    """WSGI: answer an eventually consistent read through moto; refuse anything else (400)."""

    def __init__(self, moto_app: WsgiApp) -> None:
        self._moto_app = moto_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        if environ.get("REQUEST_METHOD") != "POST" or not eventually_consistent_read(target, body):
            answer = {
                "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
                "message": "the read replica answers eventually consistent reads only",
            }
            start_response("400 Bad Request", [("Content-Type", "application/x-amz-json-1.0")])
            return [json.dumps(answer).encode()]
        environ["wsgi.input"] = io.BytesIO(body)
        return self._moto_app(environ, start_response)
