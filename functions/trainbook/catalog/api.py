"""Public catalog routes: stations, discounts, a train run's details (search and seat maps: projections)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel

from trainbook.catalog import fares
from trainbook.catalog.stations import load_stations, station
from trainbook.catalog.wiring import train_runs

router = Router()


class StationView(BaseModel):
    code: str
    name: str
    lat: float
    lon: float
    product: bool


class StopView(BaseModel):
    station: str
    name: str
    arrives_at: str | None
    departs_at: str | None
    platform: str | None
    track: str | None
    delay_minutes: int


class DiscountView(BaseModel):
    code: str
    percent: int
    meaning: str


class RunView(BaseModel):
    run_id: str
    train: str
    operator: str
    composition: str
    cancelled: bool
    stops: list[StopView]
    cancelled_from: str | None = None  # a partial cancellation: no service from this station on
    arrived: bool = False


def station_view(code: str) -> StationView:
    s = station(code)
    return StationView(code=s.code, name=s.name, lat=s.lat, lon=s.lon, product=s.product)


@router.get("/stations", summary="Stations, the five Trainbook sells between first")
def list_stations() -> list[StationView]:
    return [station_view(s.code) for s in load_stations()]


@router.get("/discounts", summary="The discounts a passenger may claim: full fare and the statutory ones")
def list_discounts() -> list[DiscountView]:
    return [DiscountView(code=d.value, percent=d.percent, meaning=d.meaning) for d in fares.Discount]


@router.get("/runs/<run_id>", summary="A train run: its stops, times, platforms and composition")
def run_details(run_id: Annotated[str, Path(max_length=40)]) -> RunView:
    run = train_runs().get(run_id, consistent=False)
    stops = [
        StopView(
            station=stop.station,
            name=station(stop.station).name,
            arrives_at=run.arrival(stop.station).isoformat() if stop.arrive is not None else None,
            departs_at=run.departure(stop.station).isoformat() if stop.depart is not None else None,
            platform=stop.platform,
            track=stop.track,
            delay_minutes=run.delay_at(stop.station),
        )
        for stop in run.service.stops
    ]
    return RunView(
        run_id=run.id,
        train=run.service.label,
        operator=run.service.operator,
        composition=run.composition.name,
        cancelled=run.cancelled,
        stops=stops,
        cancelled_from=run.cancelled_from,
        arrived=run.arrived,
    )
