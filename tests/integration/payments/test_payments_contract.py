"""The PAYMENTS port (`PaymentLedger`): the in-memory fake the processor's unit tests use and the
DynamoDB ledger on moto answer every case the same way, races included (nothing of a refused write lands)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from moto import mock_aws

from tests.support.template_tables import create_tables
from tests.unit.payments.fakes import FakePaymentLedger
from trainbook.eventstore.events import PendingEvent
from trainbook.eventstore.store import EventStore
from trainbook.payments.cards import CardSummary
from trainbook.payments.domain import (
    Action,
    Answer,
    Decision,
    KeyTaken,
    Operation,
    Payment,
    PaymentLedger,
    PaymentState,
    Slot,
    StaleDecision,
    StoredAnswer,
    StoredToken,
)
from trainbook.payments.store import DynamoPaymentLedger
from trainbook.saga_progress import SagaStepEnded

CARD = CardSummary("visa", "4242", 12, 2030)
EXPIRES = datetime(2026, 11, 24, 12, 15, 0, 654321, tzinfo=UTC)


def _fake() -> Iterator[PaymentLedger]:
    yield FakePaymentLedger()


def _dynamodb() -> Iterator[PaymentLedger]:
    with mock_aws():
        tables = {"PaymentsTable": "PAYMENTS_TABLE", "EventsTable": "EVENTS_TABLE"}
        create_tables({resource: os.environ[variable] for resource, variable in tables.items()})
        yield DynamoPaymentLedger()


@pytest.fixture(params=[_fake, _dynamodb], ids=["in-memory fake", "DynamoDB adapter"])
def ledger(request: pytest.FixtureRequest) -> Iterator[PaymentLedger]:
    yield from request.param()


def payment(version: int = 1, **fields: object) -> Payment:
    base = Payment(
        id="pay_1",
        booking_id="b1",
        state=PaymentState.AUTHORIZED,
        amount_grosze=16_900,
        card=CARD,
        history=(
            Operation(Action.AUTHORIZE, 16_900, "b1:authorize", "2026-11-24T12:00:00.000001Z", "approved"),
        ),
        version=version,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def captured() -> Payment:
    first = payment()
    return replace(
        first,
        state=PaymentState.CAPTURED,
        captured_grosze=16_900,
        history=(
            *first.history,
            Operation(Action.CAPTURE, 16_900, "b1:capture", "2026-11-24T12:05:00.000002Z", "approved"),
        ),
        version=2,
    )


def approved(key: str, body: dict[str, object]) -> Decision:
    return Decision(key, f"print-{key}", Answer(body), payment=None, based_on=None)


def authorize(key: str = "b1:authorize", *, token: str | None = "tok_1", slot: str | None = "b1") -> Decision:
    return Decision(
        key,
        "print-authorize",
        Answer({"payment_id": "pay_1", "state": "AUTHORIZED", "amount_grosze": 16_900}),
        payment=payment(),
        based_on=None,
        claim_slot=slot,
        spend_token=token,
    )


def capture(based_on: Payment, key: str = "b1:capture") -> Decision:
    return Decision(
        key, "print-capture", Answer({"state": "CAPTURED"}), payment=captured(), based_on=based_on
    )


def stored_token(token: str = "tok_1") -> StoredToken:
    return StoredToken(token, "sealed-number", CARD, EXPIRES)


def test_nothing_is_found_in_an_empty_ledger(ledger: PaymentLedger) -> None:
    assert ledger.answer("b1:authorize") is None
    assert ledger.payment("pay_1") is None
    assert ledger.slot("b1") is None
    assert ledger.token("tok_1") is None


def test_a_saved_token_is_read_back_with_its_expiry_to_the_second(ledger: PaymentLedger) -> None:
    ledger.save_token(stored_token())

    # The expiry is the table's TTL attribute, in whole epoch seconds.
    assert ledger.token("tok_1") == replace(stored_token(), expires_at=EXPIRES.replace(microsecond=0))


def test_a_token_id_is_saved_once(ledger: PaymentLedger) -> None:
    ledger.save_token(stored_token())

    with pytest.raises(Exception):  # noqa: B017 - the port names no error: a bug of the caller, not a race
        ledger.save_token(replace(stored_token(), sealed_number="another"))

    assert ledger.token("tok_1") == replace(stored_token(), expires_at=EXPIRES.replace(microsecond=0))


def test_attempts_are_counted_per_key(ledger: PaymentLedger) -> None:
    counts = [ledger.count_attempt("b1:authorize") for _ in range(3)]

    assert counts == [1, 2, 3]
    assert ledger.count_attempt("b2:authorize") == 1


def test_a_recorded_authorization_stores_answer_payment_slot_and_spends_the_token(
    ledger: PaymentLedger,
) -> None:
    ledger.save_token(stored_token())
    decision = authorize()

    ledger.record(decision)

    assert ledger.answer("b1:authorize") == StoredAnswer("print-authorize", decision.answer)
    assert ledger.payment("pay_1") == payment()
    assert ledger.slot("b1") == Slot("pay_1")
    spent = ledger.token("tok_1")
    assert spent is not None and (spent.sealed_number, spent.spent_by) == (None, "b1:authorize")
    assert spent.card == CARD


def test_an_error_answer_is_kept_as_it_was_given(ledger: PaymentLedger) -> None:
    declined = Answer(None, "PaymentDeclined", "card declined: do_not_honor", late=True)

    ledger.record(Decision("b1:authorize", "print", declined, payment=None, based_on=None))

    assert ledger.answer("b1:authorize") == StoredAnswer("print", declined)


def test_a_taken_key_refuses_the_whole_second_decision(ledger: PaymentLedger) -> None:
    ledger.record(approved("b1:authorize", {"first": 1}))

    with pytest.raises(KeyTaken):
        ledger.record(replace(authorize(token=None), fingerprint="print-other"))

    assert ledger.answer("b1:authorize") == StoredAnswer("print-b1:authorize", Answer({"first": 1}))
    assert ledger.payment("pay_1") is None
    assert ledger.slot("b1") is None


def test_a_change_based_on_the_current_version_is_written(ledger: PaymentLedger) -> None:
    ledger.record(authorize(token=None))

    ledger.record(capture(based_on=payment()))

    assert ledger.payment("pay_1") == captured()
    assert ledger.answer("b1:capture") == StoredAnswer("print-capture", Answer({"state": "CAPTURED"}))


def test_a_change_based_on_a_stale_version_is_refused_and_writes_nothing(ledger: PaymentLedger) -> None:
    ledger.record(authorize(token=None))
    ledger.record(capture(based_on=payment()))

    with pytest.raises(StaleDecision):
        ledger.record(replace(capture(based_on=payment()), key="b1:capture-again"))

    assert ledger.payment("pay_1") == captured()
    assert ledger.answer("b1:capture-again") is None


def test_a_new_payment_whose_id_exists_is_refused(ledger: PaymentLedger) -> None:
    ledger.record(authorize(token=None))

    with pytest.raises(StaleDecision):
        ledger.record(authorize("b2:authorize", token=None, slot=None))

    assert ledger.answer("b2:authorize") is None
    assert ledger.payment("pay_1") == payment()


def test_an_answer_based_on_a_payment_checks_its_version_without_changing_it(ledger: PaymentLedger) -> None:
    ledger.record(authorize(token=None))
    current = Decision("b1:status", "print", Answer({"ok": True}), payment=None, based_on=payment())
    stale = Decision("b1:stale", "print", Answer({"ok": True}), payment=None, based_on=payment(version=7))

    ledger.record(current)
    with pytest.raises(StaleDecision):
        ledger.record(stale)

    assert ledger.answer("b1:status") == StoredAnswer("print", Answer({"ok": True}))
    assert ledger.answer("b1:stale") is None
    assert ledger.payment("pay_1") == payment()


def test_a_claimed_slot_refuses_a_second_claim(ledger: PaymentLedger) -> None:
    ledger.record(Decision("b1:void", "print", Answer({"closed": True}), None, None, claim_slot="b1"))

    with pytest.raises(StaleDecision):
        ledger.record(authorize(token=None))

    assert ledger.slot("b1") == Slot(None)
    assert ledger.payment("pay_1") is None
    assert ledger.answer("b1:authorize") is None


@pytest.mark.parametrize("spent_by", ["b0:authorize", None], ids=["spent token", "unknown token"])
def test_a_token_that_cannot_be_spent_refuses_the_decision(
    ledger: PaymentLedger, spent_by: str | None
) -> None:
    if spent_by is not None:
        ledger.save_token(stored_token())
        ledger.record(replace(approved(spent_by, {}), spend_token="tok_1"))

    with pytest.raises(StaleDecision):
        ledger.record(authorize())

    assert ledger.payment("pay_1") is None
    assert ledger.slot("b1") is None
    assert ledger.answer("b1:authorize") is None


def written_events(ledger: PaymentLedger, stream: str) -> list[tuple[int, str]]:
    if isinstance(ledger, FakePaymentLedger):
        return [(p.version, p.event.TYPE) for p in ledger.appended if p.stream == stream]
    return [(e.version, e.type) for e in EventStore().read(stream)]


def saga_ended(version: int) -> PendingEvent:
    return PendingEvent("saga-b1", version, SagaStepEnded("b1", "AuthorizePayment", "succeeded", None, {}))


def test_events_given_with_a_decision_are_written_with_it(ledger: PaymentLedger) -> None:
    ledger.save_token(stored_token())

    ledger.record(authorize(), also=[saga_ended(2)])

    assert ledger.payment("pay_1") == payment()
    assert written_events(ledger, "saga-b1") == [(2, "SagaStepEnded")]


def test_an_event_version_taken_refuses_the_whole_decision(ledger: PaymentLedger) -> None:
    ledger.record(authorize(token=None), also=[saga_ended(2)])

    with pytest.raises(StaleDecision):  # the capture alone would be written (a test above)
        ledger.record(capture(based_on=payment()), also=[saga_ended(2)])

    assert ledger.answer("b1:capture") is None
    assert ledger.payment("pay_1") == payment()
    assert written_events(ledger, "saga-b1") == [(2, "SagaStepEnded")]
