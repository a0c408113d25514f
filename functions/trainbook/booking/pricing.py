"""Prices a journey for its passengers: one seat each, each seat's class, the fare table's discounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from trainbook.catalog import fares
from trainbook.catalog.domain import SeatRef, TrainRun
from trainbook.errors import DomainError


class InvalidPassengers(DomainError):
    code = "invalid_passengers"


@dataclass(frozen=True)
class PassengerRequest:
    name: str
    discount: str = "NORMAL"
    age: int | None = None


@dataclass(frozen=True)
class JourneyQuote:
    passengers: tuple[dict[str, Any], ...]  # name, discount, age, seat, travel_class, price_grosze
    total_grosze: int


def price_journey(
    run: TrainRun,
    origin: str,
    destination: str,
    seats: Sequence[SeatRef],
    passengers: Sequence[PassengerRequest],
) -> JourneyQuote:
    if not passengers:
        raise InvalidPassengers("at least one passenger is required")
    if len(passengers) != len(seats):
        raise InvalidPassengers(
            f"{len(passengers)} passengers need {len(passengers)} seats, {len(seats)} chosen"
        )
    distance = run.distance_km(origin, destination)
    lines: list[dict[str, Any]] = []
    for passenger, seat in zip(passengers, seats, strict=True):
        fare = fares.Passenger(passenger.name.strip(), passenger.discount, passenger.age)
        quote = fares.quote(run.service.category, seat.travel_class, distance, [fare])
        lines.append(
            {
                "name": fare.name,
                "discount": quote.lines[0].discount.value,
                "age": passenger.age,
                "seat": seat.key,
                "travel_class": seat.travel_class,
                "price_grosze": quote.total_grosze,
            }
        )
    return JourneyQuote(tuple(lines), sum(int(line["price_grosze"]) for line in lines))
