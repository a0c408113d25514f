"""The IssueTicket function on moto: the booking read from the Events table, the Tickets table, the secret."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.support.builders import DAY, small_timetable
from tests.support.streams import FakeContext
from tests.unit.tickets.builders import booked
from trainbook.catalog.runs import TrainRuns
from trainbook.eventstore.events import ConcurrencyConflict, PendingEvent
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


def test_the_step_records_its_end_with_the_ticket_in_one_write(confirmed_booking: str) -> None:
    answer = issue(SAMPLE, FakeContext())

    progress = EventStore().read(f"saga-{confirmed_booking}")
    assert [(e.version, e.type) for e in progress] == [(1, "SagaStepStarted"), (2, "SagaStepEnded")]
    assert progress[1].event.result == {"ticket_number": answer["ticket_number"]}  # type: ignore[attr-defined]


def test_a_ticket_given_with_an_event_whose_version_is_taken_is_not_written(confirmed_booking: str) -> None:
    issue(SAMPLE, FakeContext())
    [record] = list(TicketRecord.scan())
    ticket = DynamoTicketStore().get(record.ticket_number)
    assert ticket is not None
    other = replace(ticket, number="TB-2026-0000-0000")
    taken = EventStore().read(f"saga-{confirmed_booking}")[0]

    with pytest.raises(ConcurrencyConflict):
        DynamoTicketStore().add(other, [PendingEvent(taken.stream, taken.version, taken.event)])
    assert DynamoTicketStore().get(other.number) is None
