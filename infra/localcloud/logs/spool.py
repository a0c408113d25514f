"""One log group's subscribed events in one process: an append-only spool on disk, each filter's checkpoint.

Layout (`<data-dir>/logs/<process>/<log group, quoted>/`): segment files named by the spool offset of
their first byte (`00000000000000000000.spool`), one JSON line per event
(`[timestamp ms, log stream, [filter names], message]`), and `checkpoints.json` (filter name -> offset of
the first event not yet delivered). Offsets count bytes since the spool was created and never go back,
so an event's offset names it for good: the shipper derives the event id from it, and a redelivery after
a restart carries the same ids.

Durability: `append` is one `write` to a file opened with O_APPEND before the invocation answers, so a
killed process loses nothing appended. What reaches the disk follows the engine's `--fsync`: `always`
fsyncs each append, `batch` at most a second later (`sync`, from the shipper), `off` leaves it to the OS.
A checkpoint is written (to a temporary file, then renamed) only after its batch was delivered; segments
every filter has passed are deleted then.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SEGMENT_BYTES = 1 << 20  # a new segment once the current one holds this much
SUFFIX = ".spool"
CHECKPOINTS = "checkpoints.json"
BATCH_FSYNC_SECONDS = 1.0
SCAN_LIMIT = 10_000  # records looked at per read, matching or not (a filter far behind catches up in steps)


@dataclass(frozen=True)
class SpooledEvent:
    """One log event as spooled: `offset` names it, `end` is where the next one starts."""

    offset: int
    end: int
    timestamp: int
    stream: str
    filters: tuple[str, ...]
    message: str


class Spool:
    """Appended by the function pools' threads, read and committed by one shipper thread."""

    def __init__(self, directory: Path, filters: Iterable[str], fsync: str = "batch") -> None:
        self.directory = directory
        self.fsync = fsync
        directory.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._starts = sorted(int(path.stem) for path in directory.glob(f"*{SUFFIX}") if path.stem.isdigit())
        self.end = 0
        if self._starts:
            self.end = self._starts[-1] + _without_torn_tail(self._segment(self._starts[-1]))
        saved = self._read_checkpoints()
        # A checkpoint past the end (segments lost to a power cut with fsync off): go on from there, so
        # no offset (event id) is used twice.
        self.end = max([self.end, *saved.values()])
        # A filter new to this group gets what is logged from now on, as a new subscription on AWS does.
        self.checkpoints = {name: saved.get(name, self.end) for name in filters}
        if not self._starts or self._starts[-1] + self._size(self._starts[-1]) != self.end:
            self._starts.append(self.end)
        self._fd = os.open(self._segment(self._starts[-1]), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if fsync == "always":
            _sync_directory(directory)
        self._active_size = self.end - self._starts[-1]
        self._unsynced = False
        self._last_sync = time.monotonic()
        self.last_append = 0.0  # monotonic time of the last append (0: none since this process started)
        self._save_checkpoints()
        self._drop_delivered()

    def _segment(self, start: int) -> Path:
        return self.directory / f"{start:020d}{SUFFIX}"

    def _size(self, start: int) -> int:
        try:
            return self._segment(start).stat().st_size
        except FileNotFoundError:
            return 0

    def append(self, timestamp: int, stream: str, events: list[tuple[str, list[str]]]) -> None:
        """Spool (message, filter names) pairs, each a line: one write, done before this returns."""
        data = b"".join(
            (json.dumps([timestamp, stream, names, message]) + "\n").encode() for message, names in events
        )
        with self._lock:
            if self._active_size >= SEGMENT_BYTES:
                self._rotate()
            written = 0
            try:
                while written < len(data):  # a regular file takes it all at once; a full disk raises
                    written += os.write(self._fd, data[written:])
            except OSError:
                os.ftruncate(self._fd, self._active_size)  # no half line for the reader to trip on
                raise
            self._active_size += len(data)
            self.end += len(data)
            self.last_append = time.monotonic()
            if self.fsync == "always":
                os.fsync(self._fd)
            else:
                self._unsynced = True

    def _rotate(self) -> None:
        if self.fsync != "off":
            os.fsync(self._fd)
        os.close(self._fd)
        self._starts.append(self.end)
        self._fd = os.open(self._segment(self.end), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._active_size = 0
        if self.fsync == "always":
            _sync_directory(self.directory)  # the new segment's name survives a power cut too

    def sync(self, now: float | None = None, *, force: bool = False) -> None:
        """With fsync `batch`: fsync what was appended, at most once a second (the shipper calls it), or
        now with `force` (at a stop)."""
        now = time.monotonic() if now is None else now
        if self.fsync != "batch" or not self._unsynced:
            return
        if not force and now - self._last_sync < BATCH_FSYNC_SECONDS:
            return
        with self._lock:
            if self._fd < 0:
                return
            self._unsynced = False
            fd = os.dup(self._fd)  # the fsync runs outside the lock: appends (the invocations) go on
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        self._last_sync = now

    def read(
        self, start: int, filter_name: str, max_events: int, max_bytes: int
    ) -> tuple[list[SpooledEvent], int]:
        """The next events of `filter_name` from offset `start`, all of one log stream, at most
        `max_events` and `max_bytes` of messages (at least one); and the offset to go on from."""
        with self._lock:
            starts = list(self._starts)
            end = self.end
        if start >= end:
            return [], start
        position = max(start, starts[0])  # segments before the first are delivered (a checkpoint lost)
        events: list[SpooledEvent] = []
        size = 0
        scanned = 0
        index = bisect.bisect_right(starts, position) - 1
        while position < end:
            segment_start = starts[index]
            with self._segment(segment_start).open("rb") as handle:
                handle.seek(position - segment_start)
                for line in handle:
                    if not line.endswith(b"\n") or position >= end or scanned >= SCAN_LIMIT:
                        return events, position  # an append in progress, or enough looked at
                    scanned += 1
                    timestamp, stream, names, message = json.loads(line)
                    if filter_name in names:
                        if events and (
                            stream != events[0].stream
                            or len(events) >= max_events
                            or size + len(line) > max_bytes
                        ):
                            return events, position
                        events.append(
                            SpooledEvent(
                                position, position + len(line), timestamp, stream, tuple(names), message
                            )
                        )
                        size += len(line)
                    position += len(line)
            index += 1
            if index >= len(starts):
                break
            position = starts[index]
        return events, position

    def commit(self, filter_name: str, offset: int) -> None:
        """The filter's events before `offset` are delivered: save its checkpoint, drop passed segments."""
        if offset <= self.checkpoints.get(filter_name, 0):
            return
        self.checkpoints[filter_name] = offset
        self._save_checkpoints()
        self._drop_delivered()

    def _drop_delivered(self) -> None:
        passed = min(self.checkpoints.values(), default=self.end)
        with self._lock:
            # A segment is passed when the next one starts at or before every checkpoint; never the last.
            while len(self._starts) > 1 and self._starts[1] <= passed:
                first = self._starts.pop(0)
                with contextlib.suppress(FileNotFoundError):
                    self._segment(first).unlink()

    def _read_checkpoints(self) -> dict[str, int]:
        try:
            saved = json.loads((self.directory / CHECKPOINTS).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return {str(name): int(offset) for name, offset in saved.items()}

    def _save_checkpoints(self) -> None:
        path = self.directory / CHECKPOINTS
        temporary = path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(self.checkpoints, handle)
            if self.fsync == "always":
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
        if self.fsync == "always":
            _sync_directory(self.directory)

    def segments(self) -> list[Path]:
        with self._lock:
            return [self._segment(start) for start in self._starts]

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                if self._unsynced and self.fsync != "off":
                    os.fsync(self._fd)
                os.close(self._fd)
                self._fd = -1


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _without_torn_tail(path: Path) -> int:
    """The segment's size once a line a crash cut short is removed (it was never acknowledged)."""
    data = path.read_bytes()
    whole = data.rfind(b"\n") + 1
    if whole != len(data):
        with path.open("r+b") as handle:
            handle.truncate(whole)
    return whole
