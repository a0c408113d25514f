"""Raw snapshots: written whole or not at all, and a partial one is never read back as the truth."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.unit.scraper.builders import FIRST_DAY, timetable
from tests.unit.scraper.snapshots import snapshot_of
from timetable_scraper import snapshot
from timetable_scraper.errors import IncompleteSnapshot


@pytest.mark.parametrize("name", ["snapshot.json", "snapshot.json.gz"])
def test_a_snapshot_reads_back_as_written(tmp_path: Path, name: str) -> None:
    seen = snapshot_of(timetable(), FIRST_DAY, 2)

    snapshot.write(seen, tmp_path / name)

    assert snapshot.read(tmp_path / name) == seen


def test_a_partial_snapshot_is_neither_written_nor_loaded(tmp_path: Path) -> None:
    partial = replace(snapshot_of(timetable(), FIRST_DAY, 1), complete=False)

    with pytest.raises(IncompleteSnapshot):
        snapshot.write(partial, tmp_path / "snapshot.json")
    assert not (tmp_path / "snapshot.json").exists()
    (tmp_path / "partial.json").write_text(json.dumps(snapshot.dump(partial)), encoding="utf-8")
    with pytest.raises(IncompleteSnapshot):
        snapshot.read(tmp_path / "partial.json")
