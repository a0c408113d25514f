"""The payment simulator on moto: conditional transactions, duplicates and races, and the Lambda handler."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest

from tests.support.streams import FakeContext
from tests.unit.payments.fakes import Clock
from trainbook.eventstore.events import PendingEvent
from trainbook.faults import InjectedFault
from trainbook.payments import handlers as payment_function
from trainbook.payments import wiring as payment_wiring
from trainbook.payments.domain import Decision, PaymentState, parse_command
from trainbook.payments.errors import (
    BookingPaymentClosed,
    IllegalPaymentTransition,
    InvalidPaymentToken,
    PaymentDeclined,
)
from trainbook.payments.service import PaymentProcessor, new_payment_id
from trainbook.payments.store import DynamoPaymentLedger, PaymentItem
from trainbook.payments.vault import CardVault

pytestmark = pytest.mark.usefixtures("payments_aws")

EVENTS = Path(__file__).resolve().parents[3] / "events"
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


VAULT = CardVault("integration-test-card-vault-secret-0123456789")


def processor(new_id: Any = new_payment_id, clock: Any = None) -> PaymentProcessor:
    return PaymentProcessor(
        ledger=DynamoPaymentLedger(),
        clock=clock or Clock(),
        stall=lambda: None,
        vault=lambda: VAULT,
        new_id=new_id,
    )


def send(psp: PaymentProcessor, **request: Any) -> dict[str, Any]:
    return psp.handle(parse_command(request))


def authorize(
    psp: PaymentProcessor, key: str = "b1:authorize", card: dict[str, Any] = CARD
) -> dict[str, Any]:
    token = psp.tokenize(card)["token"]
    return send(
        psp,
        action="authorize",
        idempotency_key=key,
        booking_id="b1",
        amount_grosze=16_900,
        payment_token=token,
    )


def with_token(psp: PaymentProcessor, event: dict[str, Any], number: str = CARD["number"]) -> dict[str, Any]:
    """The sample authorize event with a token of a real tokenization (its placeholder exists nowhere)."""
    return {**event, "payment_token": psp.tokenize({**CARD, "number": number})["token"]}


def stored(payment_id: str) -> Any:
    return DynamoPaymentLedger().payment(payment_id)


def test_a_token_pays_once_and_its_card_number_is_gone_once_spent() -> None:
    psp = processor()
    token = psp.tokenize(CARD)["token"]
    first = send(
        psp, action="authorize", idempotency_key="b1:a", booking_id="b1", amount_grosze=1, payment_token=token
    )
    with pytest.raises(InvalidPaymentToken):
        send(
            psp,
            action="authorize",
            idempotency_key="b2:a",
            booking_id="b2",
            amount_grosze=1,
            payment_token=token,
        )
    assert first["state"] == "AUTHORIZED"
    items = boto3.client("dynamodb").scan(TableName=PaymentItem.Meta.table_name)["Items"]
    assert "4242424242424242" not in json.dumps(items)
    assert all("sealed_number" not in item for item in items)  # spent: even the sealed copy is gone


def test_a_payment_is_stored_with_its_history_and_never_the_card_number() -> None:
    psp = processor()
    payment_id = authorize(psp)["payment_id"]
    send(psp, action="capture", idempotency_key="b1:capture", booking_id="b1")
    payment = stored(payment_id)
    assert (payment.state, payment.captured_grosze) == (PaymentState.CAPTURED, 16_900)
    assert [(op.action.value, op.idempotency_key) for op in payment.history] == [
        ("authorize", "b1:authorize"),
        ("capture", "b1:capture"),
    ]
    everything = boto3.client("dynamodb").scan(TableName=PaymentItem.Meta.table_name)["Items"]
    assert "4242424242424242" not in json.dumps(everything)
    assert "4242" in json.dumps(everything)  # the last four digits are kept


def test_a_duplicate_capture_captures_once() -> None:
    psp = processor()
    authorize(psp)
    first = send(psp, action="capture", idempotency_key="b1:capture", booking_id="b1")
    second = send(psp, action="capture", idempotency_key="b1:capture", booking_id="b1")
    assert second == first
    payment = stored(first["payment_id"])
    assert [op.action.value for op in payment.history] == ["authorize", "capture"]
    assert payment.version == 2


class StagedLedger(DynamoPaymentLedger):
    """The real ledger, with a concurrent request slipped in between a decision and its write.

    moto applies a transaction without a lock, so threads would not prove atomicity; staging the
    interleaving proves that DynamoDB's conditions, not luck, stop the second write.
    """

    def __init__(self) -> None:
        self.before_record: Callable[[], Any] | None = None

    def record(self, decision: Decision, also: Sequence[PendingEvent] = ()) -> None:
        hook, self.before_record = self.before_record, None
        if hook is not None:
            hook()
        super().record(decision, also)


def test_a_concurrent_duplicate_of_one_key_gets_the_first_result_and_one_payment() -> None:
    ledger = StagedLedger()
    psp = PaymentProcessor(ledger=ledger, clock=Clock(), stall=lambda: None, vault=lambda: VAULT)
    duplicate: list[dict[str, Any]] = []
    ledger.before_record = lambda: duplicate.append(authorize(psp))
    answer = authorize(psp)
    assert answer == duplicate[0]
    payments = list(PaymentItem.scan(PaymentItem.pk.startswith("payment#")))
    assert [p.payment_id for p in payments] == [answer["payment_id"]]


def test_a_concurrent_capture_under_another_key_is_refused_and_money_is_taken_once() -> None:
    ledger = StagedLedger()
    psp = PaymentProcessor(ledger=ledger, clock=Clock(), stall=lambda: None, vault=lambda: VAULT)
    payment_id = authorize(psp)["payment_id"]
    ledger.before_record = lambda: send(psp, action="capture", idempotency_key="other", booking_id="b1")
    with pytest.raises(IllegalPaymentTransition, match="is captured"):
        send(psp, action="capture", idempotency_key="b1:capture", booking_id="b1")
    payment = stored(payment_id)
    assert (payment.captured_grosze, [op.idempotency_key for op in payment.history]) == (
        16_900,
        ["b1:authorize", "other"],
    )
    assert ledger.answer("b1:capture") is None


def test_a_late_authorization_after_a_void_of_the_booking_is_refused() -> None:
    ledger = StagedLedger()
    psp = PaymentProcessor(ledger=ledger, clock=Clock(), stall=lambda: None, vault=lambda: VAULT)
    ledger.before_record = lambda: send(psp, action="void", idempotency_key="b1:void", booking_id="b1")
    with pytest.raises(BookingPaymentClosed):
        authorize(psp)
    assert list(PaymentItem.scan(PaymentItem.pk.startswith("payment#"))) == []


def test_the_sample_events_run_through_the_lambda_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    psp = processor()
    monkeypatch.setattr(payment_function, "processor", lambda: psp)
    events = {
        name: json.loads((EVENTS / f"payment-{name}.json").read_text())
        for name in ("authorize", "capture", "refund")
    }
    events["authorize"] = with_token(psp, events["authorize"])
    answers = {name: payment_function.handler(event, FakeContext()) for name, event in events.items()}
    assert [answers[n]["state"] for n in answers] == ["AUTHORIZED", "CAPTURED", "PARTIALLY_REFUNDED"]
    void = json.loads((EVENTS / "payment-void.json").read_text())
    with pytest.raises(IllegalPaymentTransition, match="refund it instead"):
        payment_function.handler(void, FakeContext())
    compensate = json.loads((EVENTS / "payment-compensate.json").read_text())
    undone = payment_function.handler(compensate, FakeContext())
    assert (undone["state"], undone["refunded_grosze"]) == ("REFUNDED", 16_900)


def test_a_fault_injected_after_authorizing_leaves_an_authorization_the_saga_must_void(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    psp = processor()
    monkeypatch.setattr(payment_function, "processor", lambda: psp)
    event = with_token(psp, json.loads((EVENTS / "payment-authorize.json").read_text()))
    plan = {event["booking_id"]: {"step": "AuthorizePayment", "mode": "error", "when": "after"}}
    boto3.client("ssm").put_parameter(Name="/trainbook/test/faults", Type="String", Value=json.dumps(plan))
    monkeypatch.setenv("FAULTS_PARAMETER", "/trainbook/test/faults")
    with pytest.raises(InjectedFault):
        payment_function.handler(event, FakeContext())
    compensate = json.loads((EVENTS / "payment-compensate.json").read_text())
    assert payment_function.handler(compensate, FakeContext())["state"] == "VOIDED"


def test_a_decline_leaves_the_handler_as_an_error_named_for_the_saga(monkeypatch: pytest.MonkeyPatch) -> None:
    psp = processor()
    monkeypatch.setattr(payment_function, "processor", lambda: psp)
    event = with_token(psp, json.loads((EVENTS / "payment-authorize.json").read_text()), "4000000000000002")
    with pytest.raises(PaymentDeclined) as raised:
        payment_function.handler(event, FakeContext())
    assert type(raised.value).__name__ == "PaymentDeclined"  # what Lambda reports as errorType


def test_the_timeout_card_sleeps_for_the_configured_time(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setenv("PAYMENT_TIMEOUT_SECONDS", "42")
    monkeypatch.setattr(payment_wiring.time, "sleep", slept.append)
    psp = PaymentProcessor(
        ledger=DynamoPaymentLedger(), clock=Clock(), stall=payment_wiring.stall, vault=lambda: VAULT
    )
    answer = authorize(psp, card={**CARD, "number": "4000000000003220"})
    assert (answer["state"], slept) == ("AUTHORIZED", [42.0])


def test_a_declined_card_after_a_void_is_refused_as_closed_by_the_declines_own_write() -> None:
    psp = processor()
    send(psp, action="void", idempotency_key="b1:void", booking_id="b1")
    declining = {**CARD, "number": "4000000000000002"}

    with pytest.raises(BookingPaymentClosed):
        authorize(psp, card=declining)
    assert list(PaymentItem.scan(PaymentItem.pk.startswith("payment#"))) == []

    def authorize_b2() -> None:
        token = psp.tokenize(declining)["token"]
        send(
            psp,
            action="authorize",
            idempotency_key="b2:authorize",
            booking_id="b2",
            amount_grosze=100,
            payment_token=token,
        )

    with pytest.raises(PaymentDeclined):  # the same card on a booking with an empty slot: declined
        authorize_b2()
    with pytest.raises(PaymentDeclined):  # and its repeat replays the decline (the key is found)
        authorize_b2()
