"""The raw snapshot of a scrape: what the timetable site showed, before it becomes a catalog timetable.

Stations are names as the site prints them and times are the site's scheduled times; delays,
cancellations and platforms are kept as seen, because the schedule-change diff needs them.
A snapshot is only ever written complete (every search of the run answered), and loading one that
says otherwise fails. A path ending in `.gz` is read and written gzip-compressed.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from timetable_scraper.errors import IncompleteSnapshot

FORMAT = "trainbook-scrape-snapshot/1"


@dataclass(frozen=True)
class SeenStop:
    station: str  # name as printed: "Gdańsk Główny"
    arrive: int | None  # scheduled, minutes after midnight of the run's day; None at the origin
    depart: int | None  # None at the terminus
    platform: str | None  # "II"
    track: str | None  # "6"
    delay: int = 0  # minutes, from "(+N min)"


@dataclass(frozen=True)
class SeenRun:
    """One train on one day, from its details view (opened once per run, whichever search showed it)."""

    train: str
    category: str
    name: str | None
    carrier: str
    day: date  # the day the train leaves its origin
    cancelled: bool
    stops: tuple[SeenStop, ...]

    @property
    def key(self) -> tuple[str, date]:
        return (self.train, self.day)


@dataclass(frozen=True)
class SeenConnection:
    """One result row of one search: a direct train from `origin` to `destination`."""

    origin: str
    destination: str
    train: str
    run_day: date
    departs: datetime  # scheduled, local time, no zone (as printed)
    arrives: datetime
    delay: int  # minutes at departure
    cancelled: bool


@dataclass(frozen=True)
class Search:
    origin: str
    destination: str
    day: date


@dataclass(frozen=True)
class Snapshot:
    site: str
    scraped_at: datetime
    searches: tuple[Search, ...]
    connections: tuple[SeenConnection, ...]
    runs: tuple[SeenRun, ...]
    complete: bool = True

    @property
    def days(self) -> list[date]:
        return sorted({s.day for s in self.searches})

    def run(self, train: str, day: date) -> SeenRun | None:
        for run in self.runs:
            if run.key == (train, day):
                return run
        return None


def dump(snapshot: Snapshot) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "site": snapshot.site,
        "scraped_at": snapshot.scraped_at.isoformat(),
        "complete": snapshot.complete,
        "searches": [
            {"origin": s.origin, "destination": s.destination, "day": s.day.isoformat()}
            for s in snapshot.searches
        ],
        "connections": [
            {
                "origin": c.origin,
                "destination": c.destination,
                "train": c.train,
                "run_day": c.run_day.isoformat(),
                "departs": c.departs.isoformat(timespec="minutes"),
                "arrives": c.arrives.isoformat(timespec="minutes"),
                "delay": c.delay,
                "cancelled": c.cancelled,
            }
            for c in snapshot.connections
        ],
        "runs": [
            {
                "train": r.train,
                "category": r.category,
                "name": r.name,
                "carrier": r.carrier,
                "day": r.day.isoformat(),
                "cancelled": r.cancelled,
                "stops": [
                    {
                        "station": s.station,
                        "arrive": s.arrive,
                        "depart": s.depart,
                        "platform": s.platform,
                        "track": s.track,
                        "delay": s.delay,
                    }
                    for s in r.stops
                ],
            }
            for r in snapshot.runs
        ],
    }


def load(document: dict[str, Any]) -> Snapshot:
    if document.get("format") != FORMAT:
        raise ValueError(f"not a scrape snapshot (format {document.get('format')!r}, expected {FORMAT!r})")
    if document.get("complete") is not True:
        raise IncompleteSnapshot("this snapshot is partial: it cannot stand for the whole timetable")
    return Snapshot(
        site=document["site"],
        scraped_at=datetime.fromisoformat(document["scraped_at"]),
        searches=tuple(
            Search(s["origin"], s["destination"], date.fromisoformat(s["day"])) for s in document["searches"]
        ),
        connections=tuple(
            SeenConnection(
                origin=c["origin"],
                destination=c["destination"],
                train=c["train"],
                run_day=date.fromisoformat(c["run_day"]),
                departs=datetime.fromisoformat(c["departs"]),
                arrives=datetime.fromisoformat(c["arrives"]),
                delay=c["delay"],
                cancelled=c["cancelled"],
            )
            for c in document["connections"]
        ),
        runs=tuple(
            SeenRun(
                train=r["train"],
                category=r["category"],
                name=r["name"],
                carrier=r["carrier"],
                day=date.fromisoformat(r["day"]),
                cancelled=r["cancelled"],
                stops=tuple(SeenStop(**s) for s in r["stops"]),
            )
            for r in document["runs"]
        ),
    )


def read(path: Path) -> Snapshot:
    """A snapshot file; `.gz` files are gzip-compressed."""
    data = path.read_bytes()
    return load(json.loads(gzip.decompress(data) if path.suffix == ".gz" else data))


def write(snapshot: Snapshot, path: Path) -> None:
    """Write atomically: a crash mid-write leaves the previous snapshot, never half of a new one."""
    if not snapshot.complete:
        raise IncompleteSnapshot("refusing to write a partial snapshot")
    data = render(dump(snapshot)).encode("utf-8")
    # mtime=0: the same snapshot always gives the same bytes.
    write_atomically(path, gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)


def render(document: dict[str, Any]) -> str:
    """JSON with one search, connection or run per line: compact, yet a diff of two snapshots reads well."""
    lines = ["{"]
    for i, (key, value) in enumerate(document.items()):
        comma = "," if i < len(document) - 1 else ""
        if isinstance(value, list) and value:
            items = [json.dumps(item, ensure_ascii=False) for item in value]
            lines.append(f"  {json.dumps(key)}: [")
            lines.extend(f"    {item}," for item in items[:-1])
            lines.append(f"    {items[-1]}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        # mkstemp makes the file private; a snapshot is as readable as any other file written here.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
