"""Fares: what a journey costs each passenger, in grosze, by distance band, category, class and discount.

Money is always an int of grosze (1 zł = 100 gr), never a float.

The tariff (modelled on PKP Intercity's published one; values realistic, not official):
- Distance is the timetable distance between the two stops, rounded UP to a whole km, then looked
  up in a band table. Warszawa - Kraków (290 km) costs 76 zł second class on IC/TLK and 169 zł on
  EIP; EIC and EC share a middle table.
- First class costs 1.5 times second class (exact in grosze: every second-class price is whole zł
  or 50 gr, so half of it never splits a grosz, but rounding half up is applied anyway).
- A statutory discount (ulga ustawowa) of p % makes the price base * (100 - p) / 100, rounded to
  the nearest whole grosz with halves rounded up, computed per passenger on that passenger's base.
- A child under 4 travels free, whatever discount was asked for.
The entitlement to a discount is checked on board against the passenger's documents, not here:
the fare engine only prices the discount the passenger claims.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from trainbook.catalog.domain import Category
from trainbook.catalog.errors import InvalidFareRequest, UnknownDiscount

FREE_UNDER_AGE = 4
MAX_AGE = 130


class Discount(StrEnum):
    """The claimable discounts: none, and the statutory ones (ulgi ustawowe) by percent."""

    NORMAL = "NORMAL"
    U37 = "U37"
    U49 = "U49"
    U51 = "U51"
    U78 = "U78"
    U93 = "U93"
    U95 = "U95"
    U100 = "U100"

    @property
    def percent(self) -> int:
        return _DISCOUNTS[self][0]

    @property
    def meaning(self) -> str:
        """Who is entitled, in Polish as the tariff says it (main groups, not the full legal list)."""
        return _DISCOUNTS[self][1]

    @classmethod
    def parse(cls, code: str) -> Discount:
        if isinstance(code, str) and code.strip().upper() in cls._value2member_map_:
            return cls(code.strip().upper())
        known = ", ".join(d.value for d in cls)
        raise UnknownDiscount(f"unknown discount {code!r} (known: {known})")


_DISCOUNTS: dict[Discount, tuple[int, str]] = {
    Discount.NORMAL: (0, "bilet normalny, bez ulgi"),
    Discount.U37: (
        37,
        "ulga 37 %: emeryci i renciści (dwa przejazdy w roku), dzieci od 4 lat do rozpoczęcia "
        "przygotowania przedszkolnego, osoby niewidome niebędące niezdolnymi do samodzielnej egzystencji",
    ),
    Discount.U49: (49, "ulga 49 %: osoby niezdolne do samodzielnej egzystencji"),
    Discount.U51: (51, "ulga 51 %: studenci do ukończenia 26 lat, doktoranci do 35 lat, kombatanci"),
    Discount.U78: (
        78,
        "ulga 78 %: dzieci i młodzież niepełnosprawne oraz ich rodzic lub opiekun (dom - szkoła, "
        "ośrodek), inwalidzi wojenni i wojskowi zaliczeni do I grupy",
    ),
    Discount.U93: (93, "ulga 93 %: osoby niewidome niezdolne do samodzielnej egzystencji (pociągi osobowe)"),
    Discount.U95: (
        95,
        "ulga 95 %: przewodnik lub opiekun osoby niewidomej albo niezdolnej do samodzielnej egzystencji",
    ),
    Discount.U100: (100, "ulga 100 %: dzieci do lat 4, funkcjonariusze Straży Granicznej w czasie służby"),
}

# Second-class prices in grosze: (up to km, TLK and IC, EIC and EC, EIP); the last band has no end.
_BANDS: tuple[tuple[int | None, int, int, int], ...] = (
    (10, 1050, 1600, 3900),
    (20, 1300, 1900, 4200),
    (30, 1600, 2300, 4500),
    (40, 1900, 2700, 4900),
    (50, 2200, 3100, 5400),
    (60, 2450, 3400, 5900),
    (70, 2700, 3700, 6400),
    (80, 2950, 4000, 6900),
    (90, 3200, 4300, 7400),
    (100, 3400, 4600, 7900),
    (120, 3800, 5100, 8900),
    (140, 4200, 5700, 9900),
    (160, 4600, 6300, 10900),
    (180, 5000, 6900, 11900),
    (200, 5400, 7500, 12900),
    (220, 5800, 8000, 13700),
    (240, 6200, 8500, 14500),
    (260, 6700, 9100, 15300),
    (280, 7200, 9700, 16100),
    (300, 7600, 10300, 16900),
    (350, 8200, 11200, 17900),
    (400, 8800, 12000, 18900),
    (450, 9400, 12800, 19900),
    (500, 9900, 13500, 20900),
    (600, 10800, 14500, 21900),
    (700, 11600, 15500, 22900),
    (None, 12400, 16500, 23900),
)
_TABLE_OF_CATEGORY = {Category.TLK: 0, Category.IC: 0, Category.EIC: 1, Category.EC: 1, Category.EIP: 2}


@dataclass(frozen=True)
class Passenger:
    name: str
    discount: Discount | str = Discount.NORMAL
    age: int | None = None  # needed only for the child-under-4 rule

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidFareRequest("a passenger needs a name")
        if not isinstance(self.discount, Discount):
            # Normalised here so a Passenger always holds a known Discount.
            object.__setattr__(self, "discount", Discount.parse(self.discount))
        if self.age is not None and (
            not isinstance(self.age, int) or isinstance(self.age, bool) or not 0 <= self.age <= MAX_AGE
        ):
            raise InvalidFareRequest(f"age of {self.name} must be a whole number of years 0-{MAX_AGE}")

    @property
    def claimed(self) -> Discount:
        return Discount.parse(self.discount)


@dataclass(frozen=True)
class FareLine:
    passenger: Passenger
    discount: Discount  # the discount applied (U100 for a child under 4)
    base_grosze: int  # full fare for this category, class and distance
    price_grosze: int
    reason: str  # why this price, for the receipt: the discount's meaning or the free-child rule

    @property
    def discount_grosze(self) -> int:
        return self.base_grosze - self.price_grosze


@dataclass(frozen=True)
class Quote:
    category: Category
    travel_class: int
    distance_km: int  # tariff distance: the journey's km rounded up
    base_grosze: int  # full fare of one passenger
    lines: tuple[FareLine, ...]
    total_grosze: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total_grosze", sum(line.price_grosze for line in self.lines))


def quote(
    category: Category | str, travel_class: int, distance_km: float, passengers: Sequence[Passenger]
) -> Quote:
    """The price of one journey for each passenger and in total; bad input raises InvalidFareRequest."""
    if not passengers:
        raise InvalidFareRequest("a quote needs at least one passenger")
    if not all(isinstance(p, Passenger) for p in passengers):
        raise InvalidFareRequest("passengers must be Passenger entries")
    base = base_fare(category, travel_class, distance_km)
    lines = tuple(_line(passenger, base) for passenger in passengers)
    return Quote(_category(category), travel_class, tariff_km(distance_km), base, lines)


def base_fare(category: Category | str, travel_class: int, distance_km: float) -> int:
    """Full (undiscounted) fare of one passenger, in grosze."""
    table = _TABLE_OF_CATEGORY[_category(category)]
    if not isinstance(travel_class, int) or isinstance(travel_class, bool) or travel_class not in (1, 2):
        raise InvalidFareRequest(f"travel class must be 1 or 2, got {travel_class!r}")
    km = tariff_km(distance_km)
    _upper, *prices = next(b for b in _BANDS if b[0] is None or km <= b[0])
    second = prices[table]
    return second if travel_class == 2 else _half_up(second * 3, 2)


def discounted(base_grosze: int, percent: int) -> int:
    """base * (100 - percent) / 100, to the nearest grosz, halves up."""
    return _half_up(base_grosze * (100 - percent), 100)


def tariff_km(distance_km: float) -> int:
    if (
        not isinstance(distance_km, int | float)
        or isinstance(distance_km, bool)
        or not math.isfinite(distance_km)
        or distance_km <= 0
    ):
        raise InvalidFareRequest(f"distance must be a positive number of km, got {distance_km!r}")
    return math.ceil(distance_km)


def pln(grosze: int) -> str:
    """Polish notation for an amount: 16900 -> '169,00 zł'."""
    sign = "-" if grosze < 0 else ""
    return f"{sign}{abs(grosze) // 100},{abs(grosze) % 100:02d} zł"


def _line(passenger: Passenger, base: int) -> FareLine:
    if passenger.age is not None and passenger.age < FREE_UNDER_AGE:
        return FareLine(passenger, Discount.U100, base, 0, "dziecko do lat 4: przejazd bezpłatny")
    discount = passenger.claimed
    return FareLine(passenger, discount, base, discounted(base, discount.percent), discount.meaning)


def _category(category: Category | str) -> Category:
    try:
        return Category(category)
    except ValueError:
        known = ", ".join(c.value for c in Category)
        raise InvalidFareRequest(f"unknown train category {category!r} (known: {known})") from None


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)
