"""Reads and checks a timetable file (format `trainbook-timetable/1`) into the catalog's `Timetable`.

The format is described in `docs/timetable-format.md`. Loading is strict and all-or-nothing: a
document with any problem raises `InvalidTimetable` listing every problem found (each names the
service and the field), and nothing of it is loaded. `timetable_file.writing` writes only documents
this module accepts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from trainbook.catalog.compositions import COMPOSITIONS
from trainbook.catalog.domain import Category, Composition, ServiceCalendar, Station, Stop, TrainService
from trainbook.catalog.errors import InvalidTimetable
from trainbook.catalog.stations import load_stations
from trainbook.catalog.timetable import Timetable

FORMAT = "trainbook-timetable/1"

MAX_DWELL_MINUTES = 12 * 60  # a longer stop is a typing error, not a timetable
MAX_PROBLEMS_SHOWN = 20

_DOCUMENT_KEYS = ("format", "source", "generated_at", "attribution", "stations", "services")
_SERVICE_KEYS = ("number", "category", "name", "operator", "composition", "calendar", "stops")
_CALENDAR_KEYS = ("weekdays", "valid_from", "valid_to", "added", "removed")
_STOP_KEYS = ("station", "arrive", "depart", "day", "km", "platform", "track")

_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
_NUMBER = re.compile(r"[1-9]\d{0,5}")
_PLATFORM = re.compile(r"[IVXL]+[a-z]?")  # Roman numeral, as on Polish station signs
_TRACK = re.compile(r"\d{1,3}[a-z]?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_GENERATED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


@dataclass(frozen=True)
class TimetableHeader:
    """Where a timetable document came from: kept in the file, not in the `Timetable`."""

    source: str
    generated_at: datetime
    attribution: str | None


def header(document: Mapping[str, Any]) -> TimetableHeader:
    """The document's source, generation time and attribution (checked like `load` checks them)."""
    problems = _Problems()
    result = _read_header(document, problems)
    problems.raise_if_any()
    assert result is not None
    return result


def load(
    document: Mapping[str, Any],
    *,
    stations: Iterable[Station] | None = None,
    compositions: Iterable[Composition] | None = None,
) -> Timetable:
    """The timetable in `document`, checked against the catalog (or the stations and compositions given)."""
    known_stations = {s.code: s for s in (load_stations() if stations is None else stations)}
    known_compositions = {
        c.code: c for c in (COMPOSITIONS.values() if compositions is None else compositions)
    }
    problems = _Problems()
    _read_header(document, problems)
    services: list[TrainService] = []
    if isinstance(document, Mapping):
        services = _read_services(document.get("services"), known_stations, known_compositions, problems)
        _check_station_list(document.get("stations"), services, problems)
    problems.raise_if_any()
    return Timetable(known_stations.values(), known_compositions.values(), services)


def read(path: str | Path) -> Timetable:
    """The timetable in the file at `path`; a problem names the file."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidTimetable(f"{path}: not a JSON timetable ({error})") from None
    try:
        return load(document)
    except InvalidTimetable as error:
        raise InvalidTimetable(f"{path}: {error.message}", error.problems) from None


def read_header(path: str | Path) -> TimetableHeader:
    """The header of the file at `path`."""
    return header(json.loads(Path(path).read_text(encoding="utf-8")))


def clock_text(minutes: int) -> str:
    """Minutes after the run's midnight as the file's 'HH:MM' (the day is kept apart)."""
    return f"{minutes % 1440 // 60:02d}:{minutes % 60:02d}"


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, what: str) -> None:
        self.items.append(f"{where}: {what}")

    def raise_if_any(self) -> None:
        if not self.items:
            return
        shown = self.items[:MAX_PROBLEMS_SHOWN]
        more = len(self.items) - len(shown)
        message = "; ".join(shown) + (f"; and {more} more problems" if more else "")
        raise InvalidTimetable(f"invalid timetable: {message}", tuple(self.items))


def _has_keys(value: object, keys: tuple[str, ...], where: str, problems: _Problems) -> bool:
    """Report a non-object, a missing key or an unknown key; True when every key can be read."""
    if not isinstance(value, Mapping):
        problems.add(where, f"expected an object, got {_kind(value)}")
        return False
    missing = [k for k in keys if k not in value]
    unknown = sorted(str(k) for k in value if k not in keys)
    if missing:
        problems.add(where, f"missing {', '.join(repr(k) for k in missing)}")
    if unknown:
        # A misspelt optional field would otherwise vanish silently.
        problems.add(where, f"unknown {', '.join(repr(k) for k in unknown)}")
    return not missing


def _read_header(document: object, problems: _Problems) -> TimetableHeader | None:
    if not _has_keys(document, _DOCUMENT_KEYS, "document", problems):
        return None
    assert isinstance(document, Mapping)
    if document["format"] != FORMAT:
        problems.add("format", f"expected {FORMAT!r}, got {document['format']!r}")
    source = document["source"]
    if not isinstance(source, str) or not source.strip():
        problems.add("source", "expected a non-empty text saying where the timetable comes from")
    generated_at = document["generated_at"]
    when: datetime | None = None
    if isinstance(generated_at, str) and _GENERATED_AT.fullmatch(generated_at):
        try:
            when = datetime.strptime(generated_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            when = None
    if when is None:
        problems.add("generated_at", f"expected UTC time 'YYYY-MM-DDTHH:MM:SSZ', got {generated_at!r}")
    attribution = document["attribution"]
    if attribution is not None and (not isinstance(attribution, str) or not attribution.strip()):
        problems.add("attribution", "expected a non-empty text or null")
    if when is None or not isinstance(source, str) or not isinstance(attribution, str | None):
        return None
    return TimetableHeader(source, when, attribution)


def _read_services(
    value: object,
    stations: Mapping[str, Station],
    compositions: Mapping[str, Composition],
    problems: _Problems,
) -> list[TrainService]:
    if not isinstance(value, list):
        problems.add("services", f"expected a list of services, got {_kind(value)}")
        return []
    services: list[TrainService] = []
    seen: set[str] = set()
    for i, item in enumerate(value):
        number = item.get("number") if isinstance(item, Mapping) else None
        where = f"service {number}" if isinstance(number, str) and number else f"services[{i}]"
        if isinstance(number, str) and number in seen:
            problems.add(where, f"duplicate train number {number}")
        if isinstance(number, str):
            seen.add(number)
        service = _read_service(item, where, stations, compositions, problems)
        if service is not None:
            services.append(service)
    return services


def _read_service(
    item: object,
    where: str,
    stations: Mapping[str, Station],
    compositions: Mapping[str, Composition],
    problems: _Problems,
) -> TrainService | None:
    if not _has_keys(item, _SERVICE_KEYS, where, problems):
        return None
    assert isinstance(item, Mapping)
    before = len(problems.items)
    number = item["number"]
    if not isinstance(number, str) or not _NUMBER.fullmatch(number):
        problems.add(f"{where}, number", f"expected 1 to 6 digits as text, got {number!r}")
    category: Category | None = None
    try:
        category = Category(item["category"])
    except ValueError:
        known = ", ".join(c.value for c in Category)
        problems.add(f"{where}, category", f"unknown category {item['category']!r} (known: {known})")
    name = item["name"]
    if name is not None and (not isinstance(name, str) or not name.strip()):
        problems.add(f"{where}, name", "expected the train's name or null")
    operator = item["operator"]
    if not isinstance(operator, str) or not operator.strip():
        problems.add(f"{where}, operator", "expected the operator's name")
    code = item["composition"]
    if not isinstance(code, str) or code not in compositions:
        problems.add(f"{where}, composition", f"unknown composition {code!r}")
    calendar = _read_calendar(item["calendar"], f"{where}, calendar", problems)
    stops = _read_stops(item["stops"], where, stations, problems)
    if len(problems.items) > before:
        return None
    assert category is not None and calendar is not None
    return TrainService(number, category, name, operator, stops, code, calendar)


def _read_calendar(value: object, where: str, problems: _Problems) -> ServiceCalendar | None:
    if not _has_keys(value, _CALENDAR_KEYS, where, problems):
        return None
    assert isinstance(value, Mapping)
    before = len(problems.items)
    weekdays = value["weekdays"]
    if (
        not isinstance(weekdays, list)
        or not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in weekdays)
        or weekdays != sorted(set(weekdays))
    ):
        problems.add(f"{where}.weekdays", f"expected ISO weekdays 1-7 in increasing order, got {weekdays!r}")
    valid_from = _read_date(value["valid_from"], f"{where}.valid_from", problems)
    valid_to = _read_date(value["valid_to"], f"{where}.valid_to", problems)
    if valid_from and valid_to and valid_from > valid_to:
        problems.add(f"{where}.valid_to", f"{valid_to} is before valid_from {valid_from}")
    added = _read_dates(value["added"], f"{where}.added", problems)
    removed = _read_dates(value["removed"], f"{where}.removed", problems)
    both = sorted(added & removed)
    if both:
        problems.add(f"{where}.removed", f"dates both added and removed: {[d.isoformat() for d in both]}")
    if len(problems.items) > before:
        return None
    assert valid_from is not None and valid_to is not None
    return ServiceCalendar(frozenset(weekdays), valid_from, valid_to, frozenset(added), frozenset(removed))


def _read_date(value: object, where: str, problems: _Problems) -> date | None:
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(where, f"expected a date 'YYYY-MM-DD', got {value!r}")
    return None


def _read_dates(value: object, where: str, problems: _Problems) -> set[date]:
    if not isinstance(value, list):
        problems.add(where, f"expected a list of dates, got {_kind(value)}")
        return set()
    days = [_read_date(v, f"{where}[{i}]", problems) for i, v in enumerate(value)]
    if all(days) and value != sorted(set(value)):
        problems.add(where, "expected dates in increasing order, each once")
    return {d for d in days if d is not None}


def _read_stops(
    value: object, where: str, stations: Mapping[str, Station], problems: _Problems
) -> tuple[Stop, ...]:
    if not isinstance(value, list):
        problems.add(f"{where}, stops", f"expected a list of stops, got {_kind(value)}")
        return ()
    if len(value) < 2:
        problems.add(f"{where}, stops", f"a service needs at least 2 stops, got {len(value)}")
        return ()
    before = len(problems.items)
    stops = [_read_stop(item, f"{where}, stops[{i}]", stations, problems) for i, item in enumerate(value)]
    if len(problems.items) > before:
        return ()
    checked = [s for s in stops if s is not None]
    _check_run(checked, where, problems)
    return tuple(checked)


def _read_stop(item: object, where: str, stations: Mapping[str, Station], problems: _Problems) -> Stop | None:
    if not _has_keys(item, _STOP_KEYS, where, problems):
        return None
    assert isinstance(item, Mapping)
    before = len(problems.items)
    code = item["station"]
    if not isinstance(code, str) or code not in stations:
        problems.add(f"{where}.station", f"unknown station code {code!r}")
    arrive = _read_clock(item["arrive"], f"{where}.arrive", problems)
    depart = _read_clock(item["depart"], f"{where}.depart", problems)
    if item["arrive"] is None and item["depart"] is None:
        problems.add(where, "a stop needs an arrival or a departure time")
    day = item["day"]
    if not isinstance(day, int) or isinstance(day, bool) or day < 0:
        problems.add(f"{where}.day", f"expected days after the run's date (0, 1, ...), got {day!r}")
        day = 0
    km = item["km"]
    if not isinstance(km, int | float) or isinstance(km, bool) or not math.isfinite(km) or km < 0:
        problems.add(f"{where}.km", f"expected a distance in km (0 or more), got {km!r}")
    platform, track = item["platform"], item["track"]
    if platform is not None and not (isinstance(platform, str) and _PLATFORM.fullmatch(platform)):
        problems.add(f"{where}.platform", f"expected a Roman numeral like 'II' or null, got {platform!r}")
    if track is not None and not (isinstance(track, str) and _TRACK.fullmatch(track)):
        problems.add(f"{where}.track", f"expected an Arabic track number like '6' or null, got {track!r}")
    if len(problems.items) > before:
        return None
    # "day" dates the stop's first time; a departure whose clock reads earlier left after midnight.
    first = arrive if arrive is not None else depart
    assert first is not None and isinstance(code, str)
    arrive_at = None if arrive is None else day * 1440 + arrive
    depart_at = None if depart is None else day * 1440 + depart + (1440 if depart < first else 0)
    return Stop(code, arrive_at, depart_at, float(km), platform, track)


def _read_clock(value: object, where: str, problems: _Problems) -> int | None:
    if value is None:
        return None
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        problems.add(where, f"expected a time 'HH:MM' or null, got {value!r}")
        return None
    return int(match[1]) * 60 + int(match[2])


def _check_run(stops: list[Stop], where: str, problems: _Problems) -> None:
    """The rules that span stops: ends, order of times, distances, one call per station."""
    last = len(stops) - 1
    if stops[0].arrive is not None:
        problems.add(f"{where}, stops[0].arrive", "the origin has no arrival: expected null")
    if stops[0].depart is None:
        problems.add(f"{where}, stops[0].depart", "the origin needs a departure time")
    elif stops[0].depart >= 1440:
        problems.add(f"{where}, stops[0].day", "the origin departs on the run's date: expected day 0")
    if stops[last].depart is not None:
        problems.add(f"{where}, stops[{last}].depart", "the terminus has no departure: expected null")
    if stops[last].arrive is None:
        problems.add(f"{where}, stops[{last}].arrive", "the terminus needs an arrival time")
    for i in range(1, last):
        for field in ("arrive", "depart"):
            if getattr(stops[i], field) is None:
                problems.add(f"{where}, stops[{i}].{field}", "an intermediate stop needs both times")
    if stops[0].km != 0:
        problems.add(f"{where}, stops[0].km", f"km counts from the origin: expected 0, got {stops[0].km:g}")
    seen: dict[str, int] = {}
    previous: int | None = None
    for i, stop in enumerate(stops):
        if stop.station in seen:
            problems.add(
                f"{where}, stops[{i}].station", f"{stop.station} is already stop {seen[stop.station]}"
            )
        seen.setdefault(stop.station, i)
        if i and stop.km <= stops[i - 1].km:
            problems.add(
                f"{where}, stops[{i}].km",
                f"km must increase along the run ({stops[i - 1].km:g} -> {stop.km:g})",
            )
        for field in ("arrive", "depart"):
            minutes = getattr(stop, field)
            if minutes is None:
                continue
            if previous is not None and minutes < previous:
                problems.add(
                    f"{where}, stops[{i}].{field}",
                    f"time goes backwards at {stop.station} ({clock_text(previous)} then "
                    f"{clock_text(minutes)}; a stop after midnight needs its day)",
                )
            previous = minutes
        if (
            stop.arrive is not None
            and stop.depart is not None
            and stop.depart - stop.arrive > MAX_DWELL_MINUTES
        ):
            problems.add(
                f"{where}, stops[{i}].depart",
                f"stands {stop.depart - stop.arrive} minutes at {stop.station}; times going backwards?",
            )


def _check_station_list(value: object, services: list[TrainService], problems: _Problems) -> None:
    used = sorted({stop.station for service in services for stop in service.stops})
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        problems.add("stations", f"expected a list of station codes, got {_kind(value)}")
    elif value != used and not problems.items:
        problems.add("stations", f"expected the station codes the services call at, sorted: {used}")


def _kind(value: object) -> str:
    return "nothing" if value is None else type(value).__name__
