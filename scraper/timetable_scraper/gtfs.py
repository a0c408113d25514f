"""Converts a GTFS feed (folder or zip) into a catalog `Timetable` for the stations Trainbook sells.

GTFS stops are matched to catalog stations by name (accents and case folded) or, failing that, by
coordinates; stops that match nothing (Berlin, Rzepin ...) are left out of the stopping pattern.
A trip is kept when it calls at two or more of the chosen stations. Trips with the same route and
the same times at the kept stations become one service whose calendar is the union of their days.

A feed without `trip_short_name` has no train numbers, only the route's ("EC 95"), shared by trips
with different stopping patterns. Since a catalog number names exactly one pattern, such patterns
are numbered `<route number><two-digit variant>` ("9501", "9502" ...), in order of departure time.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from timetable_scraper.calendars import calendar_from_dates
from timetable_scraper.distances import DETOUR, LineDistances, great_circle_km
from timetable_scraper.normalize import USUAL_COMPOSITION
from trainbook.catalog.domain import Category, Composition, Station, Stop, TrainService
from trainbook.catalog.timetable import Timetable

NAME_MATCH_KM = 5.0  # a stop whose name matches but lies farther away is another place of that name
COORDINATE_MATCH_KM = 0.5  # an unnamed match must be on the station's doorstep


class InvalidFeed(ValueError):
    """The feed is missing a file or a column the import needs."""


@dataclass
class GtfsImport:
    timetable: Timetable
    attribution: str
    source: str
    trips_kept: int
    trips_total: int
    matched_stops: dict[str, str] = field(default_factory=dict)  # GTFS stop name -> station code
    unmatched_stops: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Trip:
    route_number: str
    category: Category
    operator: str
    short_name: str | None
    stops: tuple[tuple[str, int, int, float], ...]  # code, arrive, depart, km from the trip's origin
    days: frozenset[date]


def import_feed(
    path: Path,
    stations: Iterable[Station],
    compositions: Iterable[Composition],
    *,
    keep: Iterable[str] | None = None,
    licence: str | None = "CC BY 4.0",
    reference: Iterable[TrainService] = (),
) -> GtfsImport:
    """The feed's trips that call at two or more of `keep` (default: the product stations).

    Distances between two stops come from `reference` services where they run the same leg (line
    data), else from the coordinates of every stop of the trip, kept or not.
    """
    known = list(stations)
    legs = LineDistances({s.code: s for s in known}, reference).legs
    formations = {c.code: c for c in compositions}
    keep_codes = set(keep) if keep is not None else {s.code for s in known if s.product}
    feed = _Feed(path)
    stop_rows = feed.rows("stops.txt", ("stop_id", "stop_name", "stop_lat", "stop_lon"))
    matched = {row["stop_id"]: _match(row, known) for row in stop_rows}
    names = {row["stop_id"]: row["stop_name"] for row in stop_rows}
    coords = {row["stop_id"]: (float(row["stop_lat"]), float(row["stop_lon"])) for row in stop_rows}
    agencies = {r.get("agency_id", ""): r["agency_name"] for r in feed.rows("agency.txt", ("agency_name",))}
    routes = {r["route_id"]: r for r in feed.rows("routes.txt", ("route_id", "route_short_name"))}
    days = _service_days(feed)
    trips = feed.rows("trips.txt", ("route_id", "service_id", "trip_id"))
    times: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in feed.rows(
        "stop_times.txt", ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence")
    ):
        times[row["trip_id"]].append(row)
    warnings: list[str] = []
    kept: list[_Trip] = []
    for trip in trips:
        route = routes[trip["route_id"]]
        category, number = _category_and_number(route["route_short_name"])
        if category is None:
            warnings.append(
                f"route {route['route_short_name']!r}: category not in the catalog, trips left out"
            )
            continue
        rows = sorted(times[trip["trip_id"]], key=lambda r: int(r["stop_sequence"]))
        stops = _with_known_legs(_kept_stops(rows, matched, coords), legs)
        if sum(code in keep_codes for code, *_ in stops) < 2 or not days.get(trip["service_id"]):
            continue
        kept.append(
            _Trip(
                route_number=number,
                category=category,
                operator=agencies.get(route.get("agency_id", ""), next(iter(agencies.values()), "")),
                short_name=(trip.get("trip_short_name") or "").strip() or None,
                stops=stops,
                days=frozenset(days[trip["service_id"]]),
            )
        )
    services = _services(kept, formations, warnings)
    used = {s.station for service in services for s in service.stops}
    return GtfsImport(
        timetable=Timetable(known, formations.values(), services),
        attribution=_attribution(feed, licence),
        source=f"GTFS import of {path.name}" + (f" (feed {feed.version})" if feed.version else ""),
        trips_kept=len(kept),
        trips_total=len(trips),
        matched_stops={names[i]: code for i, code in matched.items() if code is not None and code in used},
        unmatched_stops=sorted({names[i] for i, code in matched.items() if code is None}),
        warnings=warnings,
    )


class _Feed:
    def __init__(self, path: Path) -> None:
        if path.is_dir():
            self._files = {p.name: p.read_bytes() for p in path.iterdir() if p.suffix == ".txt"}
        elif zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                self._files = {
                    Path(n).name: archive.read(n) for n in archive.namelist() if n.endswith(".txt")
                }
        else:
            raise InvalidFeed(f"{path}: not a GTFS folder or zip file")
        info = self.rows("feed_info.txt", (), required=False)
        self.version = info[0].get("feed_version", "") if info else ""

    def rows(self, name: str, columns: tuple[str, ...], *, required: bool = True) -> list[dict[str, str]]:
        if name not in self._files:
            if required:
                raise InvalidFeed(f"the feed has no {name}")
            return []
        reader = csv.DictReader(io.StringIO(self._files[name].decode("utf-8-sig")))
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidFeed(f"{name} lacks the column(s) {', '.join(missing)}")
        return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def fold(name: str) -> str:
    """A station name with accents, case and punctuation folded away: 'Gdańsk Główny' -> 'gdansk glowny'."""
    text = name.replace("ł", "l").replace("Ł", "L")  # ł has no Unicode decomposition
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _match(row: Mapping[str, str], stations: list[Station]) -> str | None:
    lat, lon = float(row["stop_lat"]), float(row["stop_lon"])
    name = fold(row["stop_name"])
    nearest: tuple[float, str] | None = None
    for station in stations:
        distance = great_circle_km(lat, lon, station.lat, station.lon)
        if fold(station.name) == name and distance <= NAME_MATCH_KM:
            return station.code
        if nearest is None or distance < nearest[0]:
            nearest = (distance, station.code)
    if nearest is not None and nearest[0] <= COORDINATE_MATCH_KM:
        return nearest[1]
    return None


def _clock(text: str) -> int:
    hours, minutes, *_ = text.split(":")
    return int(hours) * 60 + int(minutes)  # GTFS counts past 24:00 for trips running after midnight


def _kept_stops(
    rows: list[dict[str, str]], matched: Mapping[str, str | None], coords: Mapping[str, tuple[float, float]]
) -> tuple[tuple[str, int, int, float], ...]:
    kept: list[tuple[str, int, int, float]] = []
    km = 0.0
    previous: tuple[float, float] | None = None
    for row in rows:
        here = coords[row["stop_id"]]
        if previous is not None:
            km += great_circle_km(*previous, *here) * DETOUR
        previous = here
        code = matched.get(row["stop_id"])
        arrive = _clock(row["arrival_time"] or row["departure_time"])
        depart = _clock(row["departure_time"] or row["arrival_time"])
        if code is not None and all(code != c for c, *_ in kept):
            kept.append((code, arrive, depart, km))
    return tuple(kept)


def _with_known_legs(
    stops: tuple[tuple[str, int, int, float], ...], legs: Mapping[frozenset[str], float]
) -> tuple[tuple[str, int, int, float], ...]:
    result: list[tuple[str, int, int, float]] = []
    for i, (code, arrive, depart, km) in enumerate(stops):
        if i:
            previous_code, _, _, previous_km = stops[i - 1]
            leg = legs.get(frozenset((previous_code, code)))
            km = result[-1][3] + (leg if leg and leg > 0 else km - previous_km)
        result.append((code, arrive, depart, round(km, 1)))
    return tuple(result)


def _service_days(feed: _Feed) -> dict[str, set[date]]:
    days: dict[str, set[date]] = defaultdict(set)
    names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    for row in feed.rows("calendar.txt", ("service_id", "start_date", "end_date", *names), required=False):
        start, end = _date(row["start_date"]), _date(row["end_date"])
        weekdays = {i + 1 for i, n in enumerate(names) if row[n] == "1"}
        day = start
        while day <= end:
            if day.isoweekday() in weekdays:
                days[row["service_id"]].add(day)
            day += timedelta(days=1)
    for row in feed.rows("calendar_dates.txt", ("service_id", "date", "exception_type"), required=False):
        if row["exception_type"] == "1":
            days[row["service_id"]].add(_date(row["date"]))
        elif row["exception_type"] == "2":
            days[row["service_id"]].discard(_date(row["date"]))
    return days


def _date(text: str) -> date:
    return datetime.strptime(text, "%Y%m%d").date()


def _category_and_number(short_name: str) -> tuple[Category | None, str]:
    prefix, _, number = short_name.strip().partition(" ")
    try:
        return Category(prefix.upper()), number.strip()
    except ValueError:
        return None, number.strip()


_Key = tuple[str, Category, str, tuple[tuple[str, int | None, int | None], ...]]


def _services(
    trips: list[_Trip], formations: Mapping[str, Composition], warnings: list[str]
) -> list[TrainService]:
    groups: dict[_Key, list[_Trip]] = defaultdict(list)
    for trip in trips:
        shape = _normalized_stops(trip)
        key = (
            trip.short_name or trip.route_number,
            trip.category,
            trip.operator,
            tuple((c, a, d) for c, a, d, _ in shape),
        )
        groups[key].append(trip)
    by_number: dict[str, list[_Key]] = defaultdict(list)
    for key in groups:
        by_number[key[0]].append(key)
    services: list[TrainService] = []
    for number, keys in sorted(by_number.items()):
        ordered = sorted(
            keys, key=lambda k: (_first_departure(groups[k][0]), min(min(t.days) for t in groups[k]))
        )
        for variant, key in enumerate(ordered, start=1):
            members = groups[key]
            label = number if len(ordered) == 1 else f"{number}{variant:02d}"
            if not label.isdigit() or len(label) > 6:
                warnings.append(f"train {label}: not a catalog train number (1-6 digits), left out")
                continue
            services.append(_service(label, members, formations))
    return services


def _first_departure(trip: _Trip) -> int:
    return trip.stops[0][2]


def _normalized_stops(trip: _Trip) -> list[tuple[str, int | None, int | None, float]]:
    """Times relative to the day the train leaves its first kept stop; origin and terminus ends cut."""
    shift = trip.stops[0][2] // 1440 * 1440
    last = len(trip.stops) - 1
    origin_km = trip.stops[0][3]
    return [
        (
            code,
            None if i == 0 else arrive - shift,
            None if i == last else depart - shift,
            round(km - origin_km, 1),
        )
        for i, (code, arrive, depart, km) in enumerate(trip.stops)
    ]


def _service(number: str, members: list[_Trip], formations: Mapping[str, Composition]) -> TrainService:
    first = members[0]
    shift_days = first.stops[0][2] // 1440
    running = {d + timedelta(days=shift_days) for t in members for d in t.days}
    stops = tuple(
        Stop(station=code, arrive=arrive, depart=depart, km=km)
        for code, arrive, depart, km in _normalized_stops(first)
    )
    code = USUAL_COMPOSITION[first.category]
    if code not in formations:
        raise InvalidFeed(f"composition {code!r} for {first.category} trains is not in the catalog")
    return TrainService(
        number=number,
        category=first.category,
        name=None,
        operator=first.operator,
        stops=stops,
        composition=code,
        calendar=calendar_from_dates(running, (min(running), max(running))),
    )


def _attribution(feed: _Feed, licence: str | None) -> str:
    producers = [
        r["organization_name"] for r in feed.rows("attributions.txt", ("organization_name",), required=False)
    ]
    publisher = feed.rows("feed_info.txt", ("feed_publisher_name",), required=False)
    parts = []
    if producers:
        parts.append("Data: " + ", ".join(producers))
    if publisher:
        url = publisher[0].get("feed_publisher_url", "")
        parts.append(f"published by {publisher[0]['feed_publisher_name']}" + (f" ({url})" if url else ""))
    if licence:
        parts.append(f"licence {licence}")
    return "; ".join(parts) or "GTFS feed (no attribution given)"


def iter_codes(text: str) -> Iterator[str]:
    """Station codes from a comma-separated option value: 'GDG, gdw' -> GDG, GDW."""
    return (c.strip().upper() for c in text.split(",") if c.strip())
