"""The engine's side of the replica: what each DynamoDB request committed, sent in commit order.

`Capture.flush_dynamodb` hands each request's changes (items put or deleted, tables defined or dropped)
to `add` while it holds the DynamoDB lock, so the queue's order is the commit order; `push`, called after
the lock is released and before the request's answer leaves, sends everything queued in one frame. Once
`push` returns, the request's commit is in the replica's receive queue (a Unix socket pair): that is what
lets the replica answer reads consistently (`follower.py`). A frame is a 4-byte length and a pickle of a
list of commits; the replica applies each commit whole, so a transaction's items appear together. A
replica that stopped reading would fill the socket and hold writers in `push`: the send buffer is large,
and the replica does nothing but apply and answer.
"""

from __future__ import annotations

import collections
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
    """Commits queued under the DynamoDB lock, sent to the replica outside it, in the same order."""

    def __init__(self, sock: socket.socket) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
        self._sock = sock
        self._queued: collections.deque[list[Change]] = collections.deque()
        self._sending = threading.Lock()
        self.broken = False

    def add(self, commit: list[Change]) -> None:
        """Queue one request's changes (call holding the DynamoDB lock: commit order)."""
        if not self.broken:
            self._queued.append(commit)

    def push(self) -> None:
        """Send everything queued so far (call outside the DynamoDB lock); on return it has been sent.

        Always under the lock, even with nothing queued: another thread may have taken this thread's
        commit and still be sending it, and this request must not be answered before it is sent."""
        with self._sending:
            commits = []
            while self._queued:
                commits.append(self._queued.popleft())
            if not commits or self.broken:
                return
            data = pickle.dumps(commits, pickle.HIGHEST_PROTOCOL)
            try:
                self._sock.sendall(FRAME_HEADER.pack(len(data)) + data)
            except OSError:
                # The replica is gone: workers find its port closed and read from the engine.
                self.broken = True

    def close(self) -> None:
        self.broken = True
        self._sock.close()
