"""`trainbook import-gtfs` on the real EC 95 extract: to a file of its own, or merged into the local data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from timetable_file import location, reading
from trainbook_cli.main import app

FEED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "gtfs-ec95"
pytestmark = pytest.mark.skipif(not FEED.is_dir(), reason=f"the real GTFS extract is not at {FEED}")


def test_with_output_only_the_imported_services_are_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import-gtfs", str(FEED), "--output", str(tmp_path / "ec95.json")])

    assert result.exit_code == 0, result.output
    imported = reading.read(tmp_path / "ec95.json")
    assert imported.services and all(s.label.startswith("EC 95") for s in imported.services.values())


def test_without_output_the_import_is_merged_into_the_local_timetable_keeping_both_credits(
    tmp_path: Path,
) -> None:
    shutil.copy(location.SHIPPED_TIMETABLE, tmp_path / "timetable.json")
    before = reading.read(tmp_path / "timetable.json")

    result = CliRunner().invoke(app, ["import-gtfs", str(FEED), "--data-dir", str(tmp_path)])

    assert result.exit_code == 0, result.output
    assert f"TRAINBOOK_TIMETABLE={tmp_path / 'timetable.json'}" in result.output.replace("\n", "")
    merged = reading.read(tmp_path / "timetable.json")
    assert set(before.services) < set(merged.services)
    attribution = reading.header(json.loads((tmp_path / "timetable.json").read_text("utf-8"))).attribution
    assert attribution is not None and "GTFS.de" in attribution and "CC BY 4.0" in attribution


def test_unknown_station_codes_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["import-gtfs", str(FEED), "--stations", "GDG,XXX", "--output", str(tmp_path / "t.json")]
    )

    assert result.exit_code == 2
    assert "XXX" in result.output
    assert not (tmp_path / "t.json").exists()
