"""Search index read model: (origin, destination, date) -> departures, with free seats per class.

Rows are written when a run is scheduled, one per ordered pair of product stations the run serves
in that order, each under its own newer-version condition; a batch's rows go in transactions of 100
(eventstore.batch: a redelivered or replayed run cancels one, which falls back to a put per row).
Free seats are not stored in the rows: a search reads the seat-map items of the
departures it found (one BatchGetItem) and counts, so a booking never rewrites search rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from itertools import combinations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from trainbook import tables
from trainbook.catalog.compositions import composition
from trainbook.catalog.domain import LegSpan, local_time
from trainbook.catalog.events import TrainRunScheduled
from trainbook.catalog.stations import load_stations
from trainbook.eventstore.batch import Plan, apply_events, put_if_newer
from trainbook.eventstore.events import RecordedEvent
from trainbook.projections.reads import Item, attribute_number, query_items
from trainbook.projections.seat_map import SeatMapProjection, occupied_seats


class SearchRow(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("SEARCH_INDEX_TABLE")

    route = UnicodeAttribute(hash_key=True)  # "GDG#KRK#2026-11-25": origin, destination, departure date
    departure = UnicodeAttribute(range_key=True)  # "06:15#run-3500-2026-11-25": sorts by time
    run_id = UnicodeAttribute()
    train = UnicodeAttribute()  # "EIP 3500 Sedina"
    category = UnicodeAttribute()
    composition = UnicodeAttribute()
    departs_at = UnicodeAttribute()  # ISO local time
    arrives_at = UnicodeAttribute()
    first_leg = NumberAttribute()
    end_leg = NumberAttribute()
    distance_km = NumberAttribute()
    first_class_seats = NumberAttribute()
    second_class_seats = NumberAttribute()
    version = NumberAttribute()  # version of the run's stream these rows reflect
    # The run's stops from its first to the origin: a delay recorded at any of them holds at the origin.
    upstream = ListAttribute[str](null=True)


@dataclass(frozen=True)
class Departure:
    run_id: str
    train: str
    category: str
    departs_at: datetime
    arrives_at: datetime
    distance_km: float
    free_first_class: int
    free_second_class: int
    cancelled: bool = False
    delay_minutes: int = 0  # at the origin, as last reported

    @property
    def duration_minutes(self) -> int:
        return int((self.arrives_at - self.departs_at).total_seconds() // 60)


# The runs each route and day's index answered at its last search in this container (every route and
# day of the sales window is a few hundred keys; the memory is dropped whole past the limit).
_RUNS_LAST_FOUND: dict[str, list[str]] = {}
_RUNS_REMEMBERED = 4096


def route_key(origin: str, destination: str, day: date) -> str:
    return f"{origin}#{destination}#{day.isoformat()}"


class SearchIndexProjection:
    name = "search-index"
    model = SearchRow

    def __init__(self, seat_map: SeatMapProjection | None = None) -> None:
        self.seat_map = seat_map or SeatMapProjection()
        self.product = {s.code for s in load_stations() if s.product}

    def apply(self, recorded: RecordedEvent) -> None:
        apply_events(self, [recorded])

    def plan(self, batch: Sequence[RecordedEvent]) -> Plan:
        """Every row of the batch's scheduled runs, each at its newest version, written under its guard."""
        rows: dict[tuple[str, str], tuple[SearchRow, list[int]]] = {}
        for position, recorded in enumerate(batch):
            for row in self.rows(recorded):
                kept = rows.get((row.route, row.departure))
                positions = [*(kept[1] if kept else []), position]
                newest = row if kept is None or int(kept[0].version) < int(row.version) else kept[0]
                rows[(row.route, row.departure)] = (newest, positions)
        plan = Plan()
        for key, (row, positions) in rows.items():
            write = put_if_newer(row, SearchRow.version, int(row.version), positions, (self.name, *key))
            plan.writes.append(write)
        return plan

    def rows(self, recorded: RecordedEvent) -> list[SearchRow]:
        """The rows a scheduled run gets: one per ordered pair of product stations it serves in that order."""
        event = recorded.event
        if not isinstance(event, TrainRunScheduled):
            return []
        day = date.fromisoformat(event.day)
        train = f"{event.category} {event.number}" + (f" {event.name}" if event.name else "")
        cars = composition(event.composition)
        stops = [(i, s) for i, s in enumerate(event.stops) if s["station"] in self.product]
        rows = []
        for (a, origin), (b, destination) in combinations(stops, 2):
            departs = local_time(day, int(origin["depart"]))
            rows.append(
                SearchRow(
                    route_key(origin["station"], destination["station"], departs.date()),
                    f"{departs:%H:%M}#{event.run_id}",
                    run_id=event.run_id,
                    train=train,
                    category=event.category,
                    composition=event.composition,
                    departs_at=departs.isoformat(),
                    arrives_at=local_time(day, int(destination["arrive"])).isoformat(),
                    first_leg=a,
                    end_leg=b,
                    distance_km=round(float(destination["km"]) - float(origin["km"]), 1),
                    first_class_seats=cars.seat_count(1),
                    second_class_seats=cars.seat_count(2),
                    version=recorded.version,
                    upstream=[str(stop["station"]) for stop in event.stops[: a + 1]],
                )
            )
        return rows

    def search(
        self, origin: str, destination: str, day: date, now: int, alongside: Executor | None = None
    ) -> list[Departure]:
        """`alongside`: where to read the seat maps of the runs this route and day had at its last search
        in this container while the index is queried (the two reads together, not one after the other).
        The index is read every time; if it answers other runs, their seat maps are read after it."""
        key = route_key(origin, destination, day)
        guessed = _RUNS_LAST_FOUND.get(key) if alongside is not None else None
        early = alongside.submit(self.seat_map.runs, guessed) if alongside is not None and guessed else None
        rows = [
            FoundRow.of(item)
            for item in query_items(SearchRow.Meta.table_name, SearchRow.route.attr_name, key)
        ]
        run_ids = sorted({r.run_id for r in rows})
        if len(_RUNS_LAST_FOUND) >= _RUNS_REMEMBERED:
            _RUNS_LAST_FOUND.clear()
        _RUNS_LAST_FOUND[key] = run_ids
        runs = early.result() if early is not None and guessed == run_ids else self.seat_map.runs(run_ids)
        departures = []
        for row in rows:
            state = runs[row.run_id]
            taken = occupied_seats(state.occupants, row.span, now)
            taken_first = len(taken & first_class_seats(row.composition))
            departures.append(
                Departure(
                    run_id=row.run_id,
                    train=row.train,
                    category=row.category,
                    departs_at=datetime.fromisoformat(row.departs_at),
                    arrives_at=datetime.fromisoformat(row.arrives_at),
                    distance_km=row.distance_km,
                    free_first_class=row.first_class_seats - taken_first,
                    free_second_class=row.second_class_seats - (len(taken) - taken_first),
                    cancelled=state.cancelled,
                    delay_minutes=delay_at_origin(row.upstream, state.delays),
                )
            )
        return departures


@dataclass(frozen=True)
class FoundRow:
    """What a search reads of a row (SearchRow), decoded from its item as PynamoDB would decode it."""

    run_id: str
    train: str
    category: str
    composition: str
    departs_at: str
    arrives_at: str
    span: LegSpan
    distance_km: float
    first_class_seats: int
    second_class_seats: int
    upstream: list[str]  # the run's stops from its first to the origin

    @classmethod
    def of(cls, item: Item) -> FoundRow:
        upstream = item.get("upstream", {}).get("L")
        return cls(
            run_id=item["run_id"]["S"],
            train=item["train"]["S"],
            category=item["category"]["S"],
            composition=item["composition"]["S"],
            departs_at=item["departs_at"]["S"],
            arrives_at=item["arrives_at"]["S"],
            span=LegSpan(int(attribute_number(item["first_leg"])), int(attribute_number(item["end_leg"]))),
            distance_km=float(attribute_number(item["distance_km"])),
            first_class_seats=int(attribute_number(item["first_class_seats"])),
            second_class_seats=int(attribute_number(item["second_class_seats"])),
            # Rows written before `upstream` existed: the origin alone.
            upstream=[s["S"] for s in upstream] if upstream else [item["route"]["S"].split("#")[0]],
        )


def delay_at_origin(upstream: list[str], delays: dict[str, int]) -> int:
    """The delay in force at the origin: the one recorded at the nearest station up to it (as run details)."""
    late = 0
    for station in upstream:
        late = delays.get(station, late)
    return late


@cache
def first_class_seats(composition_code: str) -> frozenset[str]:
    return frozenset(ref.key for ref in composition(composition_code).seats() if ref.travel_class == 1)
