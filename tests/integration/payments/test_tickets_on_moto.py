"""The IssueTicket function on moto: the booking read from the Events table, the Tickets table, the secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.builders import DAY, small_timetable
from tests.support.streams import FakeContext
from tests.unit.tickets.builders import booked
from trainbook.catalog.runs import TrainRuns
from trainbook.eventstore.store import EventStore
from trainbook.tickets import keys
from trainbook.tickets.domain import InvalidTicketRequest, TicketNumberTaken
from trainbook.tickets.handlers import issue
from trainbook.tickets.signing import verify
from trainbook.tickets.store import DynamoTicketStore, TicketRecord

pytestmark = pytest.mark.usefixtures("tickets_aws")

SAMPLE = json.loads((Path(__file__).resolve().parents[3] / "events" / "ticket-issue.json").read_text())


@pytest.fixture
def confirmed_booking() -> str:
    events = EventStore()
    TrainRuns(events).publish(small_timetable(), [DAY])
    booked(events, booking_id=SAMPLE["booking_id"])  # the seats go to the in-memory inventory
    return str(SAMPLE["booking_id"])


def test_the_sample_event_issues_a_ticket_whose_qr_verifies_with_the_published_key(
    confirmed_booking: str,
) -> None:
    answer = issue(SAMPLE, FakeContext())
    assert answer["booking_id"] == confirmed_booking
    claims = verify(answer["qr_payload"], keys.public_key_pem())
    assert (claims.ticket_number, claims.origin, claims.destination) == (
        answer["ticket_number"],
        "KRK",
        "GDG",
    )
    stored = DynamoTicketStore().get(answer["ticket_number"])
    assert stored is not None and stored.passengers[1].name == "Zażółć Gęślą-Jaźń"


def test_issuing_twice_stores_one_ticket_and_answers_the_same(confirmed_booking: str) -> None:
    first = issue(SAMPLE, FakeContext())
    assert issue(SAMPLE, FakeContext()) == first
    assert [r.ticket_number for r in TicketRecord.scan()] == [first["ticket_number"]]


def test_the_store_refuses_a_number_that_is_already_held(confirmed_booking: str) -> None:
    issue(SAMPLE, FakeContext())
    [record] = list(TicketRecord.scan())
    ticket = DynamoTicketStore().get(record.ticket_number)
    assert ticket is not None
    with pytest.raises(TicketNumberTaken):
        DynamoTicketStore().add(ticket)


def test_a_request_without_a_booking_id_is_refused() -> None:
    with pytest.raises(InvalidTicketRequest):
        issue({}, FakeContext())
