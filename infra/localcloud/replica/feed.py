"""The engine's side of the replica: what each DynamoDB request committed, sent in commit order.

`Capture.flush_dynamodb` hands each request's changes (items put or deleted, tables defined or dropped)
to `send` while it still holds the DynamoDB lock: the frame order is the commit order, and once the
lock is released the commit is already in the replica's receive queue (a Unix socket pair), before any
other request, stream poller or client can observe it. That is what lets the replica answer every read
consistently (`follower.py`). A frame is a 4-byte length and a pickle of one commit, which the replica
applies whole, so a transaction's items appear together. Sending costs one `sendall` of already-pickled
items into a 4 MB buffer the replica keeps draining; a replica that stopped reading would hold the
engine's writers, so the replica does nothing but apply and answer, and a replica that is gone is not
written to again (workers then read from the engine).
"""

from __future__ import annotations

import pickle
import socket
import struct
import threading
from typing import Any

FRAME_HEADER = struct.Struct("!I")
SEND_BUFFER_BYTES = 4 * 1024 * 1024

# One committed change: ("put", table, pickled attributes), ("delete", table, hash key, range key or None)
# with keys as DynamoDB JSON, ("table", name, pickled table definition), ("drop", name).
Change = tuple[Any, ...]


class ReplicaFeed:
    """Commits sent to the replica in commit order, each before its request's lock is released."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        self._sock = sock
        self._sending = threading.Lock()  # the DynamoDB lock orders commits; this keeps frames whole
        self.broken = False

    def send(self, commit: list[Change]) -> None:
        """Send one request's changes (call holding the DynamoDB lock: commit order)."""
        data = pickle.dumps(commit, pickle.HIGHEST_PROTOCOL)
        with self._sending:
            if self.broken:
                return
            try:
                self._sock.sendall(FRAME_HEADER.pack(len(data)) + data)
            except OSError:
                # The replica is gone: workers find its port closed and read from the engine.
                self.broken = True

    def close(self) -> None:
        with self._sending:
            self.broken = True
        self._sock.close()
