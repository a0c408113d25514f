"""Issuing tickets on fakes: content from the booking and its run, idempotent numbers, refusals."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from tests.unit.tickets.builders import SECRET, Clock, booked
from trainbook.booking.domain import BookingNotFound
from trainbook.eventstore.events import ConcurrencyConflict, EventLog, PendingEvent, Riders
from trainbook.saga_progress import SagaStepEnded, SagaStepStarted
from trainbook.tickets.domain import BookingNotConfirmed, Ticket, TicketNumberTaken, ticket_number
from trainbook.tickets.service import TicketIssuer
from trainbook.tickets.signing import derive_signing_key

KEY = derive_signing_key(SECRET)


class FakeTicketStore:
    def __init__(self) -> None:
        self.tickets: dict[str, Ticket] = {}
        self.before_add: Callable[[], object] | None = None  # a concurrent issue that stores first
        self.appended: list[PendingEvent] = []  # events written with a ticket

    def get(self, number: str) -> Ticket | None:
        return self.tickets.get(number)

    def add(self, ticket: Ticket, also: Sequence[PendingEvent] = ()) -> None:
        hook, self.before_add = self.before_add, None
        if hook is not None:
            hook()
        if ticket.number in self.tickets:
            raise TicketNumberTaken(ticket.number)
        if any((p.stream, p.version) in {(a.stream, a.version) for a in self.appended} for p in also):
            raise ConcurrencyConflict("taken")
        self.tickets[ticket.number] = ticket
        self.appended.extend(also)


def issuer(events: EventLog, store: FakeTicketStore) -> TicketIssuer:
    return TicketIssuer(events=events, store=store, key=lambda: KEY, clock=Clock())


def test_a_ticket_carries_the_journey_seats_passengers_and_price() -> None:
    events, _ = booked()
    ticket = issuer(events, FakeTicketStore()).issue("b-2026-0001")
    assert re.fullmatch(r"TB-2026-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", ticket.number)
    assert (ticket.train, ticket.operator, ticket.valid_on) == ("EIP 3500", "PKP Intercity", "2026-11-25")
    [leg] = ticket.legs
    assert (leg.origin_name, leg.departs_at, leg.destination_name, leg.arrives_at) == (
        "Kraków Główny",
        "2026-11-25T05:58:00+01:00",
        "Gdańsk Główny",
        "2026-11-25T11:05:00+01:00",
    )
    assert [(p.name, p.discount, p.car, p.seat, p.travel_class) for p in ticket.passengers] == [
        ("Anna Kowalska", "NORMAL", 5, 45, 2),
        ("Zażółć Gęślą-Jaźń", "U51", 5, 46, 2),
    ]
    assert ticket.total_grosze == sum(p.price_grosze for p in ticket.passengers)
    assert ticket.passengers[1].price_grosze < ticket.passengers[0].price_grosze  # the 51 % discount


def test_issuing_again_returns_the_same_ticket() -> None:
    events, _ = booked()
    store = FakeTicketStore()
    first = issuer(events, store).issue("b-2026-0001")
    later = TicketIssuer(
        events=events, store=store, key=lambda: KEY, clock=lambda: Clock().now.replace(hour=18)
    )
    assert later.issue("b-2026-0001") == first
    assert list(store.tickets) == [first.number]


def test_a_concurrent_issue_for_the_same_booking_returns_the_ticket_stored_first() -> None:
    events, _ = booked()
    store = FakeTicketStore()
    first = TicketIssuer(
        events=events, store=store, key=lambda: KEY, clock=lambda: Clock().now.replace(hour=9)
    )
    store.before_add = lambda: first.issue("b-2026-0001")
    ticket = issuer(events, store).issue("b-2026-0001")
    assert ticket.issued_at.startswith("2026-11-24T09:00")  # the other request's ticket, unchanged
    assert list(store.tickets) == [ticket.number]


def test_the_number_is_derived_from_the_booking_id() -> None:
    assert ticket_number("b-1", 2026) == ticket_number("b-1", 2026)
    assert ticket_number("b-1", 2026) != ticket_number("b-2", 2026)
    assert ticket_number("b-1", 2026, attempt=1) != ticket_number("b-1", 2026)


def test_a_number_held_by_another_booking_moves_this_ticket_to_the_next_candidate() -> None:
    events, _ = booked()
    booked(events, booking_id="b-other", seats=((5, 51),))
    other = issuer(events, FakeTicketStore()).issue("b-other")
    taken = ticket_number("b-2026-0001", 2026)
    store = FakeTicketStore()
    store.tickets[taken] = replace(other, number=taken)  # a 40-bit collision, staged
    ticket = issuer(events, store).issue("b-2026-0001")
    assert ticket.number == ticket_number("b-2026-0001", 2026, attempt=1)
    assert issuer(events, store).find("b-2026-0001") == ticket


def test_a_booking_that_is_not_confirmed_gets_no_ticket() -> None:
    events, _ = booked(confirm=False)
    store = FakeTicketStore()
    with pytest.raises(BookingNotConfirmed, match="held, not confirmed"):
        issuer(events, store).issue("b-2026-0001")
    assert store.tickets == {}


def test_an_unknown_booking_is_not_found() -> None:
    events, _ = booked()
    with pytest.raises(BookingNotFound):
        issuer(events, FakeTicketStore()).issue("nope")


def test_find_answers_none_before_a_ticket_is_issued() -> None:
    events, _ = booked()
    assert issuer(events, FakeTicketStore()).find("b-2026-0001") is None


def ended(ticket: Ticket, version: int = 10) -> Riders:
    event = SagaStepEnded(
        ticket.booking_id, "IssueTicket", "succeeded", None, {"ticket_number": ticket.number}
    )
    return Riders((PendingEvent(f"saga-{ticket.booking_id}", version, event),))


def test_riders_go_in_the_write_of_a_new_ticket_only() -> None:
    events, _ = booked()
    store = FakeTicketStore()
    given: list[Riders] = []

    def riders(ticket: Ticket) -> Riders:
        given.append(ended(ticket))
        return given[-1]

    ticket = issuer(events, store).issue("b-2026-0001", riders)
    assert [r.written for r in given] == [True]
    assert store.appended[0].event.result == {"ticket_number": ticket.number}  # type: ignore[attr-defined]

    assert issuer(events, store).issue("b-2026-0001", riders) == ticket  # issued before: nothing written
    assert [r.written for r in given] == [True, False] and len(store.appended) == 1


def test_a_ticket_whose_riders_version_was_taken_is_still_issued() -> None:
    events, _ = booked()
    store = FakeTicketStore()
    store.appended.append(PendingEvent("saga-b-2026-0001", 10, SagaStepStarted("b-2026-0001", "IssueTicket")))
    given: list[Riders] = []

    def riders(ticket: Ticket) -> Riders:
        given.append(ended(ticket))
        return given[-1]

    ticket = issuer(events, store).issue("b-2026-0001", riders)
    assert store.tickets == {ticket.number: ticket}
    assert [r.written for r in given] == [False]
