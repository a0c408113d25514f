"""Forks the replica from the engine (`start`) and runs it (`_run`, in the child).

The fork happens once, in `Engine.serve`, after the journal was loaded and before the engine's server,
pollers and maintenance start, holding the DynamoDB lock: the child's tables are the engine's at an
instant no commit was under way, and every later commit reaches it through the feed. Of the engine's
threads the child has only the one that forked; it makes the locks it uses anew (theirs may have been
held by another thread at the fork), answers on its own port, and dies with the engine (parent-death
signal, the feed's end, or the engine's process group being killed).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import urllib.request
from typing import Any

from localcloud.replica.feed import ReplicaFeed

log = logging.getLogger("localcloud.replica")
READY_DEADLINE_SECONDS = 10.0
CONTROL_TIMEOUT_SECONDS = 5.0


class Replica:
    """The engine's handle on its replica: the feed, the child's pid and its URL."""

    def __init__(self, feed: ReplicaFeed, pid: int, port: int) -> None:
        self.feed = feed
        self.pid = pid
        self.url = f"http://127.0.0.1:{port}"

    def control(self, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """Call the replica's control endpoint (`stats`, `health`)."""
        request = urllib.request.Request(
            f"{self.url}/_localcloud/{name}", data=json.dumps(body or {}).encode(), method="POST"
        )
        with urllib.request.urlopen(request, timeout=CONTROL_TIMEOUT_SECONDS) as answer:
            result: dict[str, Any] = json.loads(answer.read())
            return result

    def stop(self) -> None:
        """Close the feed (the replica exits on its end) and reap the child."""
        self.feed.close()
        for _ in range(50):
            done, _status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                return
            time.sleep(0.02)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def start(port: int, account: str, region: str, label: str = "") -> Replica:
    """Fork the replica, serving on `port`; returns once it accepts requests. `label`: what its process
    title adds after its name and port (the engine's data dir, as the engine's own command line has it)."""
    from localcloud.layer.serialize import DYNAMODB_LOCK

    engine_end, replica_end = socket.socketpair()
    engine_pid = os.getpid()
    sys.stdout.flush()
    sys.stderr.flush()
    with DYNAMODB_LOCK:
        pid = os.fork()
        if pid == 0:
            engine_end.close()
            _run(replica_end, port, engine_pid, account, region, label)  # never returns
    replica_end.close()
    engine_end.settimeout(READY_DEADLINE_SECONDS)
    try:
        ready = engine_end.recv(1)
    except TimeoutError:
        ready = b""
    engine_end.settimeout(None)
    if ready != b"R":
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise RuntimeError(f"the read replica did not start on port {port}")
    return Replica(ReplicaFeed(engine_end), pid, port)


def _run(feed: socket.socket, port: int, engine_pid: int, account: str, region: str, label: str) -> None:
    try:
        from setproctitle import setproctitle

        from localcloud.owner import die_with_parent

        die_with_parent(engine_pid)
        # Forked, it would show the engine's command line: `ps` and the tests tell them apart by this.
        setproctitle(f"localcloud read replica of engine {engine_pid} --port {port} {label}".rstrip())
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the engine, which ends the feed
        _fresh_locks()
        _quiet_collector()
        from moto.moto_server.werkzeug_app import create_backend_app

        from localcloud.control import ControlApp
        from localcloud.http_server import engine_server
        from localcloud.replica.follower import Follower, ReplicaApp
        from localcloud.routing import CachedDispatcher
        from localcloud.stats import STATS

        follower = Follower(feed, account, region)

        def health(_: dict[str, Any]) -> dict[str, Any]:
            return {"replica": "ok", "pid": os.getpid(), "commits": follower.commits}

        def stats(body: dict[str, Any]) -> dict[str, Any]:
            return STATS.snapshot(reset=bool(body.get("reset")))

        app = ControlApp(
            ReplicaApp(CachedDispatcher(create_backend_app), follower), {"health": health, "stats": stats}
        )
        server = engine_server("127.0.0.1", port, app)
        threading.Thread(target=follower.follow, name="replica-follow", daemon=True).start()
        feed.sendall(b"R")
        log.info("read replica on http://127.0.0.1:%d (pid %d)", port, os.getpid())
        server.serve_forever()
    except BaseException:
        log.exception("the read replica failed")
    finally:
        os._exit(1)


def _quiet_collector() -> None:
    """The engine's collector settings (`garbage.py`): what the fork copied is frozen (the replica keeps it
    or drops it by reference counting), young collections every YOUNG_OBJECTS allocations, a full one a
    minute from a thread of its own."""
    from localcloud.garbage import FullCollections, quiet_garbage_collection

    gc.freeze()
    gc.enable()  # the engine forks with its collector paused (it starts so)
    quiet_garbage_collection()
    collections = FullCollections()

    def collect_now_and_then() -> None:
        while True:
            time.sleep(1.0)
            collections.tick()

    threading.Thread(target=collect_now_and_then, name="replica-collections", daemon=True).start()


def _fresh_locks() -> None:
    """The locks the replica takes, made anew: at the fork another engine thread may have held one."""
    from localcloud.layer.serialize import DYNAMODB_LOCK
    from localcloud.stats import STATS

    DYNAMODB_LOCK.__init__()  # type: ignore[misc]  # held by the forking thread: released by a new state
    STATS.__init__()  # type: ignore[misc]  # and counting from zero: the replica's own requests
