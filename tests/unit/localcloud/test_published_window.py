"""A restart skips publishing only when its whole window is open with the same timetable and table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trainbook_cli import up
from trainbook_cli.up import PublishedWindow

KEY = {"timetable_sha256": "abc", "events_table": "trainbook-dev-events", "table_created": "t1"}


class FakeCloud:
    class Engine:
        url = "http://127.0.0.1:1"

    engine = Engine()


@pytest.fixture(autouse=True)
def flushed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def engine_call(url: str, name: str, **_: Any) -> dict[str, Any]:
        calls.append(f"{url}/_localcloud/{name}")
        return {"flushed": True}

    monkeypatch.setattr(up, "engine_call", engine_call)
    return calls


def window(path: Path, days: list[str], key: dict[str, str] = KEY) -> PublishedWindow:
    return PublishedWindow(FakeCloud(), path, dict(key), days)  # type: ignore[arg-type]


def test_a_window_is_open_once_remembered_and_only_after_the_journal_was_flushed(
    tmp_path: Path, flushed: list[str]
) -> None:
    marker = tmp_path / up.PUBLISHED_MARKER
    first = window(marker, ["2026-12-01", "2026-12-02"])
    assert not first.already_open()

    first.remember()

    assert flushed == ["http://127.0.0.1:1/_localcloud/flush"]
    assert window(marker, ["2026-12-01", "2026-12-02"]).already_open()
    assert window(marker, ["2026-12-02"]).already_open()


def test_a_new_day_a_changed_timetable_or_a_new_table_publishes_again(tmp_path: Path) -> None:
    marker = tmp_path / up.PUBLISHED_MARKER
    window(marker, ["2026-12-01", "2026-12-02"]).remember()

    assert not window(marker, ["2026-12-02", "2026-12-03"]).already_open()  # the day entering the window
    assert not window(marker, ["2026-12-01"], {**KEY, "timetable_sha256": "changed"}).already_open()
    assert not window(marker, ["2026-12-01"], {**KEY, "table_created": "t2"}).already_open()

    window(marker, ["2026-12-02", "2026-12-03"]).remember()
    assert window(marker, ["2026-12-01", "2026-12-02", "2026-12-03"]).already_open()
    window(marker, ["2026-12-03"], {**KEY, "timetable_sha256": "changed"}).remember()
    assert not window(marker, ["2026-12-01"], {**KEY, "timetable_sha256": "changed"}).already_open()


def test_a_broken_marker_means_publish(tmp_path: Path) -> None:
    marker = tmp_path / up.PUBLISHED_MARKER
    marker.write_text("{not json")
    assert not window(marker, ["2026-12-01"]).already_open()
