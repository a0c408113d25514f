"""Delays, cancellations and platform changes the fixture site shows on top of its source timetable.

Injected by tests (and by `--disruptions file.json` when served by hand) so that two scrapes differ
the way real ones do, and the schedule-change diff has something true to find.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Delay:
    station: str  # station code where the delay starts; it carries on to the terminus
    minutes: int


@dataclass
class Disruptions:
    delays: dict[str, Delay] = field(default_factory=dict)  # by run id, "run-<train>-<yyyy-mm-dd>"
    cancellations: set[str] = field(default_factory=set)
    platforms: dict[str, dict[str, tuple[str, str]]] = field(
        default_factory=dict
    )  # run id -> code -> (platform, track)

    @classmethod
    def from_json(cls, document: dict[str, Any]) -> Disruptions:
        return cls(
            delays={
                run: Delay(d["station"], int(d["minutes"])) for run, d in document.get("delays", {}).items()
            },
            cancellations=set(document.get("cancellations", [])),
            platforms={
                run: {code: (p["platform"], p["track"]) for code, p in by_station.items()}
                for run, by_station in document.get("platforms", {}).items()
            },
        )

    @classmethod
    def read(cls, path: Path) -> Disruptions:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
