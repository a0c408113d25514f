"""Which timetable file the tools use when none is given: $TRAINBOOK_TIMETABLE, else the shipped one."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from timetable_file.reading import read
from trainbook.catalog.timetable import Timetable

ENV_VAR = "TRAINBOOK_TIMETABLE"

# This package lives in the repo's scraper/ folder (installed editable by `make install`), beside the
# data/ folder the scraper writes: that is the one place the shipped timetable is kept.
SCRAPER_DIR = Path(__file__).resolve().parent.parent
SHIPPED_TIMETABLE: Path = SCRAPER_DIR / "data" / "timetable.json"


def shipped_timetable_path(environ: Mapping[str, str] = os.environ) -> Path:
    """$TRAINBOOK_TIMETABLE if it is set, else `scraper/data/timetable.json` (`SHIPPED_TIMETABLE`).

    Commands take an explicit path (`--file`, `--output`, `--data-dir`) and fall back to this.
    """
    configured = environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    if not SHIPPED_TIMETABLE.is_file():
        raise FileNotFoundError(
            f"no shipped timetable at {SHIPPED_TIMETABLE}; set {ENV_VAR} to a timetable file"
        )
    return SHIPPED_TIMETABLE


def read_shipped() -> Timetable:
    """The timetable at `shipped_timetable_path()`."""
    return read(shipped_timetable_path())
