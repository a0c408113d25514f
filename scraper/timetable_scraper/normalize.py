"""Turns a complete scrape snapshot into a catalog `Timetable` (scheduled times, usual platforms).

Delays and cancellations are operations, not timetable: the timetable keeps the scheduled times and
a cancelled run still counts as scheduled (the schedule-change diff reports the cancellation).
Station names become catalog codes; stops at stations the catalog does not know are left out and
reported. Distances come from `LineDistances`, compositions from a reference timetable or the
category's usual formation.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from timetable_scraper.calendars import calendar_from_dates
from timetable_scraper.distances import LineDistances
from timetable_scraper.errors import IncompleteSnapshot, ScrapeError
from timetable_scraper.snapshot import SeenRun, Snapshot
from trainbook.catalog.domain import Category, Composition, Station, Stop, TrainService
from trainbook.catalog.timetable import Timetable

# The formation a category usually runs with, when no reference timetable knows the train.
USUAL_COMPOSITION = {
    Category.EIP: "ED250",
    Category.EIC: "EIC-6",
    Category.EC: "EIC-6",
    Category.IC: "IC-5",
    Category.TLK: "TLK-5",
}


@dataclass
class Normalized:
    timetable: Timetable
    warnings: list[str] = field(default_factory=list)


def normalize(
    snapshot: Snapshot,
    stations: Iterable[Station],
    compositions: Iterable[Composition],
    *,
    reference: Timetable | None = None,
    valid: tuple[date, date] | None = None,
) -> Normalized:
    if not snapshot.complete:
        raise IncompleteSnapshot("a partial scrape cannot become the timetable")
    known = list(stations)
    by_name = {s.name: s.code for s in known}
    formations = {c.code: c for c in compositions}
    distances = LineDistances({s.code: s for s in known}, reference.services.values() if reference else ())
    days = snapshot.days
    if not days:
        raise ScrapeError("the snapshot holds no searches")
    warnings: list[str] = []
    by_train: dict[str, list[SeenRun]] = defaultdict(list)
    for run in snapshot.runs:
        by_train[run.train].append(run)
    services = []
    for train, runs in sorted(by_train.items()):
        service = _service(
            train, runs, by_name, distances, formations, reference, (days[0], days[-1]), valid, warnings
        )
        if service is not None:
            services.append(service)
    return Normalized(Timetable(known, formations.values(), services), warnings)


def _service(
    train: str,
    runs: list[SeenRun],
    by_name: Mapping[str, str],
    distances: LineDistances,
    formations: Mapping[str, Composition],
    reference: Timetable | None,
    observed: tuple[date, date],
    valid: tuple[date, date] | None,
    warnings: list[str],
) -> TrainService | None:
    unknown = sorted({s.station for r in runs for s in r.stops if s.station not in by_name})
    if unknown:
        warnings.append(f"train {train}: left out stops the catalog does not know: {', '.join(unknown)}")
    patterns = Counter(_pattern(run, by_name) for run in runs)
    pattern, count = patterns.most_common(1)[0]
    if len(patterns) > 1:
        odd = sorted(r.day.isoformat() for r in runs if _pattern(r, by_name) != pattern)
        warnings.append(
            f"train {train}: times differ on {', '.join(odd)}; kept the times of {count} of {len(runs)} days"
        )
    if len(pattern) < 2:
        warnings.append(f"train {train}: fewer than two known stops, left out")
        return None
    first = runs[0]
    try:
        category = Category(first.category)
    except ValueError:
        raise ScrapeError(f"train {train}: unknown category {first.category!r}") from None
    codes = [code for code, _, _ in pattern]
    kms = distances.along(codes)
    platforms = _usual_platforms(runs, by_name)
    last = len(pattern) - 1
    stops = tuple(
        Stop(
            station=code,
            arrive=None if i == 0 else arrive,
            depart=None if i == last else depart,
            km=kms[i],
            platform=platforms.get(code, (None, None))[0],
            track=platforms.get(code, (None, None))[1],
        )
        for i, (code, arrive, depart) in enumerate(pattern)
    )
    composition = _composition(train, category, formations, reference)
    running = {r.day for r in runs if _pattern(r, by_name) == pattern}
    return TrainService(
        number=train,
        category=category,
        name=first.name,
        operator=first.carrier,
        stops=stops,
        composition=composition,
        calendar=calendar_from_dates(running, observed, valid),
    )


def _pattern(run: SeenRun, by_name: Mapping[str, str]) -> tuple[tuple[str, int | None, int | None], ...]:
    stops = [s for s in run.stops if s.station in by_name]
    pattern = []
    for i, s in enumerate(stops):
        # A dropped unknown first stop makes the next one the origin: both times are kept until the end.
        arrive = s.arrive if s.arrive is not None else s.depart
        depart = s.depart if s.depart is not None else s.arrive
        pattern.append((by_name[s.station], arrive if i else None, depart))
    return tuple(pattern)


def _usual_platforms(
    runs: list[SeenRun], by_name: Mapping[str, str]
) -> dict[str, tuple[str | None, str | None]]:
    seen: dict[str, Counter[tuple[str | None, str | None]]] = defaultdict(Counter)
    for run in runs:
        for s in run.stops:
            if s.station in by_name:
                seen[by_name[s.station]][(s.platform, s.track)] += 1
    return {code: counts.most_common(1)[0][0] for code, counts in seen.items()}


def _composition(
    train: str, category: Category, formations: Mapping[str, Composition], reference: Timetable | None
) -> str:
    if reference is not None and train in reference.services:
        code = reference.services[train].composition
    else:
        code = USUAL_COMPOSITION[category]
    if code not in formations:
        raise ScrapeError(f"train {train}: composition {code!r} is not in the catalog")
    return code
