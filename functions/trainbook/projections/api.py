"""Routes that answer from the read models: train search with free seats and prices, seat maps.

They sit above the contexts whose events the read models fold (catalog, inventory, changes), so the
catalog never imports its own read side back.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import BaseModel, ConfigDict

from trainbook.analytics.domain import SEARCH_LOGGED, search_logged
from trainbook.booking.domain import booking_stream
from trainbook.catalog import fares
from trainbook.catalog.api import StationView, station_view
from trainbook.catalog.compositions import seat_position
from trainbook.catalog.domain import Car, Composition, LegSpan, SeatRef
from trainbook.catalog.errors import InvalidInstant, NotServed
from trainbook.catalog.runs import today_in_poland
from trainbook.catalog.wiring import sales_window, train_runs
from trainbook.eventstore.store import EventStore
from trainbook.projections.search_index import SearchIndexProjection
from trainbook.projections.seat_map import (
    Occupant,
    SeatMapProjection,
    occupant_change,
    occupied_seats,
    seat_map_as_of,
)

router = Router()
# The query function's logger (api/queries.py): a search's line goes to that function's log group,
# whose subscription counts it (analytics/handlers.py).
logger = Logger(service="queries", child=True)

# A read's independent requests go out together: under load each round trip to DynamoDB waits its turn,
# so a search waits for one round of two (the index and the seat maps of the runs the index answered
# last time) instead of two in a row, a seat map one.
_ALONGSIDE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="read")


class DepartureView(BaseModel):
    run_id: str
    train: str
    category: str
    departs_at: str
    arrives_at: str
    duration_minutes: int
    distance_km: float
    free_seats: dict[str, int]  # {"1": first class, "2": second class}
    cancelled: bool
    delay_minutes: int
    price_from_grosze: dict[str, int]  # one adult, full fare, per class


class SearchResult(BaseModel):
    origin: StationView
    destination: StationView
    date: str
    departures: list[DepartureView]


class SeatView(BaseModel):
    # One instance per seat and state serves every seat map (_seat_views).
    model_config = ConfigDict(frozen=True)

    seat: int
    key: str
    position: str
    state: str  # free, taken


class CarView(BaseModel):
    number: int
    travel_class: int
    layout: str
    seats: list[SeatView]


class SeatMapView(BaseModel):
    run_id: str
    train: str
    origin: str
    destination: str
    at: str | None = None  # the instant an as-of seat map shows; None for the live one
    changes: list[str] | None = None  # as-of only: every instant the run's seats changed, for a time slider
    cars: list[CarView]


@router.get("/search", summary="Direct trains between two stations on a date, with free seats per class")
def search(
    origin: Annotated[str, Query(alias="from", min_length=2, max_length=5)],
    destination: Annotated[str, Query(alias="to", min_length=2, max_length=5)],
    day: Annotated[date, Query(alias="date")],
    passengers: Annotated[int, Query(ge=1, le=8)] = 1,
) -> SearchResult:
    origin_view, destination_view = station_view(origin), station_view(destination)
    if origin == destination:
        raise NotServed("origin and destination are the same station")
    sales_window().check(day)
    departures = []
    now = time.time()
    found = SearchIndexProjection().search(origin, destination, day, int(now), alongside=_ALONGSIDE)
    # Counted from this line, not written here: the answer waits for no counter (analytics/domain.py).
    logger.info(SEARCH_LOGGED, extra=search_logged(today_in_poland().isoformat(), origin, destination))
    for d in found:
        if d.departs_at.timestamp() <= now:
            continue  # already gone: nothing to sell
        free = {"1": d.free_first_class, "2": d.free_second_class}
        departures.append(
            DepartureView(
                run_id=d.run_id,
                train=d.train,
                category=d.category,
                departs_at=d.departs_at.isoformat(),
                arrives_at=d.arrives_at.isoformat(),
                duration_minutes=d.duration_minutes,
                distance_km=d.distance_km,
                free_seats=free,
                cancelled=d.cancelled,
                delay_minutes=d.delay_minutes,
                price_from_grosze={
                    c: fares.base_fare(d.category, int(c), d.distance_km)
                    for c in free
                    if free[c] >= passengers and not d.cancelled
                },
            )
        )
    return SearchResult(
        origin=origin_view, destination=destination_view, date=day.isoformat(), departures=departures
    )


@router.get(
    "/runs/<run_id>/seatmap",
    summary="Seats of a run for one journey: which are free, now or as they were at an instant (`at`)",
)
def seat_map(
    run_id: Annotated[str, Path(max_length=40)],
    origin: Annotated[str, Query(alias="from", min_length=2, max_length=5)],
    destination: Annotated[str, Query(alias="to", min_length=2, max_length=5)],
    at: Annotated[datetime | None, Query(description="ISO 8601 instant with its offset")] = None,
) -> SeatMapView:
    store = EventStore()
    seats = _ALONGSIDE.submit(SeatMapProjection().run, run_id)  # dropped unless the run exists
    run = train_runs().get(run_id, consistent=False)
    span: LegSpan = run.service.span(origin, destination)
    live = seats.result().occupants
    changes: list[str] | None = None
    if at is None:
        taken = occupied_seats(live, span, int(time.time()))
    else:
        at = _instant(at)
        occupants, changes = _occupants_as_of(store, run.id, live, at)
        taken = occupied_seats(occupants, span, int(at.timestamp()))
    cars = [
        CarView(
            number=car.number,
            travel_class=car.travel_class,
            layout=car.layout,
            seats=[as_taken if key in taken else as_free for key, as_free, as_taken in seats],
        )
        for car, seats in _seat_views(run.composition)
    ]
    return SeatMapView(
        run_id=run.id,
        train=run.service.label,
        origin=origin,
        destination=destination,
        at=at.isoformat() if at is not None else None,
        changes=changes,
        cars=cars,
    )


@cache
def _seat_views(
    composition: Composition,
) -> tuple[tuple[Car, tuple[tuple[str, SeatView, SeatView], ...]], ...]:
    """Each car's seats as a seat map shows them: (key, the seat free, the seat taken), once per composition.

    A seat's number, key and position never change; only its state does, so a seat map picks one of two
    views built (and validated) once, instead of building some 400 models for every request.
    """
    return tuple(
        (car, tuple(_views_of(car, SeatRef(car.number, seat, car.travel_class)) for seat in car.seats))
        for car in composition.cars
    )


def _views_of(car: Car, ref: SeatRef) -> tuple[str, SeatView, SeatView]:
    position = seat_position(car, ref.seat).value
    free, taken = (
        SeatView(seat=ref.seat, key=ref.key, position=position, state=s) for s in ("free", "taken")
    )
    return ref.key, free, taken


def _instant(at: datetime) -> datetime:
    """`at` in UTC; one without an offset, or one that UTC cannot hold (year 1 at +14:00), is refused."""
    if at.tzinfo is None:
        raise InvalidInstant("`at` needs a time zone offset, e.g. 2026-12-02T06:25:00+01:00")
    try:
        return at.astimezone(UTC)
    except OverflowError:
        raise InvalidInstant(f"`at` {at.isoformat()} is outside the time the API can place") from None


def _occupants_as_of(
    store: EventStore, run_id: str, live: list[Occupant], at: datetime
) -> tuple[list[Occupant], list[str]]:
    """Fold the events of every booking the run has seen, as appended up to `at`, from the event store.

    The live read model names the bookings (it keeps released ones too); their streams are the truth
    of what each held, sold or released, and when. Also returns every instant the run's seats changed.
    """
    events = [e for o in live for e in store.read(booking_stream(o.booking))]
    changes = sorted({e.at for e in events if (c := occupant_change(e)) is not None and c[0] == run_id})
    return seat_map_as_of([e for e in events if e.at <= at], run_id), [c.isoformat() for c in changes]
