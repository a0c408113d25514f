"""The journal writes every change in append order, whether a waiting request or its writer thread
commits it, and a wait returns only once its changes are in the database."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from localcloud.journal.store import Change, Journal
from tests.e2e.localcloud.running import wait_for


def _blobs(path: Path) -> dict[str, bytes]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT name, data FROM blobs").fetchall())


@pytest.mark.parametrize("fsync", ["always", "batch"])
def test_a_wait_returns_once_its_changes_are_in_the_database(tmp_path: Path, fsync: str) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path, fsync)
    try:
        ticket = journal.append(Change("blobs", ("a",), (b"1",)), waited=True)
        journal.wait(ticket)
        assert _blobs(path) == {"a": b"1"}
    finally:
        journal.close()


def test_concurrent_waiting_writers_leave_the_last_write_of_each_row_in_append_order(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path, "batch")
    order = threading.Lock()  # appends of one row happen in this order, as under the DynamoDB lock
    last: dict[str, bytes] = {}

    def writer(slot: int) -> None:
        for n in range(200):
            row = f"row{n % 7}"
            with order:
                value = f"{slot}:{n}".encode()
                ticket = journal.append(Change("blobs", (row,), (value,)), waited=True)
                last[row] = value
            journal.wait(ticket)
            assert _blobs(path)[row] is not None

    threads = [threading.Thread(target=writer, args=(slot,)) for slot in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    journal.close()
    assert _blobs(path) == last


def test_changes_nobody_waits_for_are_written_by_the_writer_thread(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path, "batch")
    try:
        journal.append(Change("blobs", ("history",), (b"h",)))
        # Appended for a request that then failed before its wait: still written, a little later.
        journal.append(Change("blobs", ("stranded",), (b"s",)), waited=True)
        assert wait_for(lambda: _blobs(path) == {"history": b"h", "stranded": b"s"}, deadline=10)
    finally:
        journal.close()


def test_close_writes_what_was_appended_before_it(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path, "off")
    journal.append(Change("blobs", ("a",), (b"1",)), waited=True)
    journal.append(Change("blobs", ("a",), (b"2",)))
    journal.close()
    assert _blobs(path) == {"a": b"2"}
