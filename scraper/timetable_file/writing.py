"""Writes a catalog `Timetable` as a timetable file (format `trainbook-timetable/1`).

Every document written is one `timetable_file.reading` accepts, in its one canonical form, so
`dump(load(x), **header(x)-fields) == x` for any valid `x`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from timetable_file.reading import FORMAT, clock_text, load
from trainbook.catalog.domain import Stop, TrainService
from trainbook.catalog.errors import InvalidTimetable
from trainbook.catalog.timetable import Timetable


def dump(
    timetable: Timetable,
    *,
    source: str,
    generated_at: datetime | None = None,
    attribution: str | None = None,
) -> dict[str, Any]:
    """The document for `timetable`; raises `InvalidTimetable` rather than return one `load` would refuse."""
    when = datetime.now(UTC) if generated_at is None else generated_at
    if when.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    services = list(timetable.services.values())
    document: dict[str, Any] = {
        "format": FORMAT,
        "source": source,
        "generated_at": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "attribution": attribution,
        "stations": sorted({stop.station for service in services for stop in service.stops}),
        "services": [_dump_service(service) for service in services],
    }
    # Checking the result with the reader keeps one definition of "valid" for both directions.
    loaded = load(
        document, stations=timetable.stations.values(), compositions=timetable.compositions.values()
    )
    for service in services:
        if loaded.services[service.number] != service:
            raise InvalidTimetable(f"service {service.number}: cannot be written exactly in {FORMAT}")
    return document


def write(
    timetable: Timetable,
    path: str | Path,
    *,
    source: str,
    attribution: str | None = None,
    generated_at: datetime | None = None,
) -> None:
    """Write the timetable file; an invalid timetable raises before anything is written."""
    text = render(dump(timetable, source=source, generated_at=generated_at, attribution=attribution))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a reader never sees half a file.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def render(document: Mapping[str, Any]) -> str:
    """JSON text of a document: indented, one stop per line, so a timetable diff reads well."""
    text = json.dumps(document, ensure_ascii=False, indent=2)
    # Strings hold no raw newlines, so "{\n" / "[\n" only open a container; collapse the innermost ones.
    text = re.sub(r"\[\n[^\[\]{}]*?\n\s*\]", _one_line, text)
    text = re.sub(r"\{\n[^\[\]{}]*?\n\s*\}", _one_line, text)
    return text + "\n"


def _dump_service(service: TrainService) -> dict[str, Any]:
    calendar = service.calendar
    return {
        "number": service.number,
        "category": str(service.category),
        "name": service.name,
        "operator": service.operator,
        "composition": service.composition,
        "calendar": {
            "weekdays": sorted(calendar.weekdays),
            "valid_from": calendar.valid_from.isoformat(),
            "valid_to": calendar.valid_to.isoformat(),
            "added": sorted(d.isoformat() for d in calendar.added),
            "removed": sorted(d.isoformat() for d in calendar.removed),
        },
        "stops": [_dump_stop(stop) for stop in service.stops],
    }


def _dump_stop(stop: Stop) -> dict[str, Any]:
    first = stop.arrive if stop.arrive is not None else stop.depart
    return {
        "station": stop.station,
        "arrive": None if stop.arrive is None else clock_text(stop.arrive),
        "depart": None if stop.depart is None else clock_text(stop.depart),
        "day": 0 if first is None else first // 1440,
        "km": int(stop.km) if float(stop.km).is_integer() else stop.km,
        "platform": stop.platform,
        "track": stop.track,
    }


def _one_line(match: re.Match[str]) -> str:
    lines = [line.strip() for line in match[0].splitlines()]
    return lines[0] + " ".join(lines[1:-1]) + lines[-1]
