"""Rolling stock and formations the timetable runs, with every seat numbered the UIC 580 way.

Seat numbers follow UIC leaflet 580 as PKP Intercity applies it. The tens (and hundreds) give the
seat group in an open coach or the compartment in a compartment coach; the last digit gives the
place in it, so no seat number ends in 9 or 0:

- open coach, 2+2 (second class): groups of 8, last digits 1-8; window 1, 2, 5, 6; aisle 3, 4, 7, 8.
- open coach, 2+1 (first class): groups of 6, last digits 1-6; 1 and 2 are the single seats by
  the window, 5 and 6 the window seats of the pair, 3 and 4 the aisle seats of the pair.
- compartment coach: 8 seats (6 in newer coaches) per compartment; window 5, 6; corridor 1, 2;
  middle 3, 4 (and 7, 8 in an 8-seat compartment). Sources disagree on compartments (some put
  1 and 2 at the window); this follows the UIC rule that 5 and 6 are the window seats.

Counts follow public figures where known (ED250: 402 = 45 + 357; ED161: 352, about 60 first
class); the exact split over cars is plausible, not copied from a manufacturer's drawing. Cars
with no seats on sale (bistro, restaurant) are left out of `cars`, and the car numbers keep
their gap, as on the train.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

from trainbook.catalog.domain import Car, Composition
from trainbook.catalog.errors import UnknownComposition, UnknownSeat


class SeatPosition(StrEnum):
    WINDOW = "window"
    MIDDLE = "middle"  # compartments only: between the window and the corridor seats
    AISLE = "aisle"  # in a compartment: next to the corridor door


def seat_position(car: Car, seat: int) -> SeatPosition:
    """Where a seat is in its row, read from its UIC 580 number; for the seat map and seat choice."""
    if seat not in car.seats:
        raise UnknownSeat(f"seat {seat} does not exist in car {car.number}")
    place = seat % 10
    if car.layout == "open":
        return SeatPosition.WINDOW if place in (1, 2, 5, 6) else SeatPosition.AISLE
    if place in (5, 6):
        return SeatPosition.WINDOW
    if place in (1, 2):
        return SeatPosition.AISLE
    return SeatPosition.MIDDLE


def composition(code: str) -> Composition:
    try:
        return COMPOSITIONS[code]
    except KeyError:
        known = ", ".join(sorted(COMPOSITIONS))
        raise UnknownComposition(f"unknown composition {code!r} (known: {known})") from None


# Last digits of a full seat group. A first-class open group has one single seat per row.
_OPEN_2_2 = (1, 2, 3, 4, 5, 6, 7, 8)
_OPEN_2_1 = (1, 2, 3, 4, 5, 6)


def _open_seats(groups: int, layout: tuple[int, ...], extra: Iterable[int] = ()) -> tuple[int, ...]:
    """Groups 1..n of an open coach, plus single seats (a short row by the doors or a wheelchair space)."""
    seats = [group * 10 + place for group in range(1, groups + 1) for place in layout]
    return tuple(sorted([*seats, *extra]))


def _compartment_seats(compartments: int, per_compartment: Literal[6, 8]) -> tuple[int, ...]:
    return tuple(
        c * 10 + place for c in range(1, compartments + 1) for place in range(1, per_compartment + 1)
    )


def _open(number: int, travel_class: Literal[1, 2], seats: tuple[int, ...]) -> Car:
    return Car(number, travel_class, "open", seats)


def _compartments(number: int, travel_class: Literal[1, 2], compartments: int, per: Literal[6, 8]) -> Car:
    return Car(number, travel_class, "compartment", _compartment_seats(compartments, per))


ED250 = Composition(
    code="ED250",
    name="Pendolino ED250 (7 cars, bistro in car 4)",
    cars=(
        # 7 full groups of 6 and a short row of 3 at the cab end: 45 first-class seats.
        _open(1, 1, _open_seats(7, _OPEN_2_1, extra=(81, 83, 85))),
        # A short row and one seat beside the wheelchair spaces.
        _open(2, 2, _open_seats(9, _OPEN_2_2, extra=(101, 103, 105, 107, 111))),
        _open(3, 2, _open_seats(10, _OPEN_2_2)),
        _open(5, 2, _open_seats(10, _OPEN_2_2)),
        _open(6, 2, _open_seats(10, _OPEN_2_2)),
        _open(7, 2, _open_seats(5, _OPEN_2_2)),  # cab end and luggage racks
    ),
)

ED161 = Composition(
    code="ED161",
    name="Pesa Dart ED161 (8 cars, bistro in car 4)",
    cars=(
        _open(1, 1, _open_seats(10, _OPEN_2_1)),
        _open(2, 2, _open_seats(6, _OPEN_2_2)),
        _open(3, 2, _open_seats(6, _OPEN_2_2)),
        _open(4, 2, _open_seats(2, _OPEN_2_2, extra=(31, 33, 35, 37))),  # the rest of car 4 is the bistro
        _open(5, 2, _open_seats(6, _OPEN_2_2)),
        _open(6, 2, _open_seats(6, _OPEN_2_2)),
        _open(7, 2, _open_seats(6, _OPEN_2_2)),
        _open(8, 2, _open_seats(4, _OPEN_2_2)),  # cab end
    ),
)

EIC_HAULED = Composition(
    code="EIC-6",
    name="EIC/EC hauled set: open and compartment coaches, restaurant car 2",
    cars=(
        _open(1, 1, _open_seats(9, _OPEN_2_1)),
        _open(3, 2, _open_seats(10, _OPEN_2_2)),
        _open(4, 2, _open_seats(10, _OPEN_2_2)),
        _compartments(5, 2, 10, 6),
        _compartments(6, 2, 10, 8),
    ),
)

IC_HAULED = Composition(
    code="IC-5",
    name="IC hauled set: first-class compartments, second-class open and compartment coaches",
    cars=(
        # First-class compartments are wider, so a coach holds 9 of them.
        _compartments(1, 1, 9, 6),
        _open(2, 2, _open_seats(10, _OPEN_2_2)),
        _open(3, 2, _open_seats(10, _OPEN_2_2)),
        _compartments(4, 2, 10, 8),
        _compartments(5, 2, 10, 6),
    ),
)

TLK_HAULED = Composition(
    code="TLK-5",
    name="TLK hauled set: compartment coaches",
    cars=(
        _compartments(1, 1, 9, 6),
        _compartments(2, 2, 10, 8),
        _compartments(3, 2, 10, 8),
        _compartments(4, 2, 10, 8),
        _compartments(5, 2, 11, 8),
    ),
)

COMPOSITIONS: dict[str, Composition] = {c.code: c for c in (ED250, ED161, EIC_HAULED, IC_HAULED, TLK_HAULED)}
