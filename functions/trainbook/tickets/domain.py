"""A ticket for a confirmed booking: its number, journey, passengers, seats and price. Pure Python.

The ticket number is derived from the booking id (`TB-<year of travel>-XXXX-XXXX`, Crockford
base32, no I, L, O or U to misread), so issuing again finds the same number. Forty bits can
collide, rarely: the store refuses a number another booking holds, and the next candidate
(`attempt` 1, 2, ...) is derived the same deterministic way.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from trainbook.booking.domain import Booking
from trainbook.catalog.domain import TrainRun
from trainbook.catalog.stations import station
from trainbook.errors import Conflict, DomainError

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CURRENCY = "PLN"


class BookingNotConfirmed(Conflict):
    """Only a confirmed booking gets a ticket."""

    code = "booking_not_confirmed"


class InvalidTicket(DomainError):
    """A QR payload that does not verify: forged, altered, or signed with another key."""

    code = "invalid_ticket"


class InvalidTicketRequest(DomainError):
    code = "invalid_ticket_request"


class TicketNumberTaken(Exception):
    """Another ticket already holds this number (the store refuses to reuse one)."""


def ticket_number(booking_id: str, year: int, attempt: int = 0) -> str:
    digest = hashlib.sha256(f"{booking_id}#{attempt}".encode()).digest()
    value = int.from_bytes(digest[:5], "big")  # 40 bits = 8 base32 characters
    code = "".join(CROCKFORD[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"TB-{year}-{code[:4]}-{code[4:]}"


@dataclass(frozen=True)
class Leg:
    train: str  # "EIP 3500"
    origin: str  # station code
    origin_name: str
    departs_at: str  # ISO local time at the origin
    origin_platform: str | None  # "peron II, tor 1"
    destination: str
    destination_name: str
    arrives_at: str
    destination_platform: str | None


@dataclass(frozen=True)
class TicketPassenger:
    name: str
    discount: str  # fares.Discount value: NORMAL, U37, U51 ...
    car: int
    seat: int
    travel_class: int
    price_grosze: int


@dataclass(frozen=True)
class Ticket:
    number: str
    booking_id: str
    user_id: str
    run_id: str
    train: str
    operator: str
    valid_on: str  # ISO date of travel (departure at the origin)
    legs: tuple[Leg, ...]
    passengers: tuple[TicketPassenger, ...]
    seats: tuple[str, ...]  # seat keys "05-045" as the booking holds them
    total_grosze: int
    issued_at: str  # UTC instant
    qr_payload: str = ""  # the signed claims (a compact JWS), set by signing.sign_ticket
    currency: str = CURRENCY

    @property
    def origin(self) -> str:
        return self.legs[0].origin

    @property
    def destination(self) -> str:
        return self.legs[-1].destination

    def claims(self) -> dict[str, Any]:
        """What the QR code proves, kept compact so the code stays easy to scan."""
        return {
            "ver": 1,
            "tn": self.number,
            "bid": self.booking_id,
            "run": self.run_id,
            "from": self.origin,
            "to": self.destination,
            "day": self.valid_on,
            "dep": self.legs[0].departs_at[11:16],
            "seats": list(self.seats),
            "pax": [[p.name, p.discount] for p in self.passengers],
        }

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ticket:
        values = dict(data)
        values["legs"] = tuple(Leg(**leg) for leg in data["legs"])
        values["passengers"] = tuple(TicketPassenger(**p) for p in data["passengers"])
        values["seats"] = tuple(data["seats"])
        return cls(**values)


def draft_ticket(booking: Booking, run: TrainRun, number: str, issued_at: str) -> Ticket:
    """The ticket's content from the confirmed booking and its train run (unsigned)."""
    if not booking.confirmed:
        raise BookingNotConfirmed(f"booking {booking.id} is {booking.status.lower()}, not confirmed")
    departs = run.departure(booking.origin)
    leg = Leg(
        train=run.service.label,
        origin=booking.origin,
        origin_name=station(booking.origin).name,
        departs_at=departs.isoformat(),
        origin_platform=_platform(run, booking.origin),
        destination=booking.destination,
        destination_name=station(booking.destination).name,
        arrives_at=run.arrival(booking.destination).isoformat(),
        destination_platform=_platform(run, booking.destination),
    )
    passengers = tuple(_passenger(p) for p in booking.passengers)
    return Ticket(
        number=number,
        booking_id=booking.id,
        user_id=booking.user_id,
        run_id=booking.run_id,
        train=run.service.label,
        operator=run.service.operator,
        valid_on=departs.date().isoformat(),
        legs=(leg,),
        passengers=passengers,
        seats=tuple(booking.seats),
        total_grosze=booking.total_grosze,
        issued_at=issued_at,
    )


def travel_year(booking: Booking) -> int:
    return datetime.fromisoformat(booking.departs_at).year


def seat_label(key: str) -> tuple[int, int]:
    """Car and seat numbers of an inventory seat key: "05-045" -> (5, 45)."""
    car, seat = key.split("-")
    return int(car), int(seat)


def _passenger(line: dict[str, Any]) -> TicketPassenger:
    car, seat = seat_label(str(line["seat"]))
    return TicketPassenger(
        name=str(line["name"]),
        discount=str(line["discount"]),
        car=car,
        seat=seat,
        travel_class=int(line["travel_class"]),
        price_grosze=int(line["price_grosze"]),
    )


def _platform(run: TrainRun, code: str) -> str | None:
    stop = run.service.stops[run.service.stop_index(code)]
    if stop.platform is None:
        return None
    return f"peron {stop.platform}" + (f", tor {stop.track}" if stop.track else "")
