"""One owner per data dir, and children that die with their parent.

The lock is an `flock` on a file in the data dir holding the owner's pid: the kernel drops it when the
owner exits in any way (kill -9 included), so a dead owner's lock is simply free again. Children (the
engine, its Lambda workers) ask the kernel for SIGKILL when their parent dies (Linux
`PR_SET_PDEATHSIG`), and the engine also watches its parent's pid, so no process outlives `trainbook up`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

OWNER_LOCK = "trainbook.lock"
ENGINE_LOCK = "engine.lock"
_PR_SET_PDEATHSIG = 1


class DataDirBusy(Exception):
    """Another live process holds the data dir; `pid` is that process (None if it wrote none yet)."""

    def __init__(self, path: Path, pid: int | None) -> None:
        super().__init__(f"{path} is held by pid {pid}")
        self.path = path
        self.pid = pid


class DataDirLock:
    """An exclusive lock on `<data dir>/<name>`, with the holder's pid written inside."""

    def __init__(self, data_dir: Path, name: str = OWNER_LOCK) -> None:
        self.path = data_dir / name
        self._file: Any = None

    def acquire(self, wait_seconds: float = 0.0) -> DataDirLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - held open for the owner's whole life
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    text = handle.read().strip()
                    handle.close()
                    raise DataDirBusy(self.path.parent, int(text) if text.isdigit() else None) from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None


def _libc() -> Any:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:
        return None


_LIBC = _libc() if sys.platform.startswith("linux") else None


def die_with_parent(parent_pid: int) -> None:
    """In a child before exec: SIGKILL when the parent dies; and if it is already gone, die now."""
    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


class ChildSpawner:
    """Starts child processes that die with this process.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process; requests and
    pollers run on short-lived threads, so every child is forked from one long-lived thread instead.
    """

    def __init__(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spawner")

    def popen(self, command: list[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        parent = os.getpid()

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(command, preexec_fn=lambda: die_with_parent(parent), **kwargs)

        return self._thread.submit(start).result()


def exit_when_orphaned(parent_pid: int, interval: float = 0.5) -> None:
    """A watchdog thread (for systems without PDEATHSIG, and as a second line): exit once reparented."""

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(interval)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()
