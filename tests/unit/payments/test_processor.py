"""The simulated PSP on an in-memory ledger: idempotency keys, declines, timeouts, races, compensation."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from tests.unit.payments.fakes import Clock, FakePaymentLedger, PaymentIds
from trainbook.eventstore.events import PendingEvent, Riders
from trainbook.payments.domain import Action, PaymentState, parse_command
from trainbook.payments.errors import (
    BookingPaymentClosed,
    DuplicatePayment,
    IdempotencyConflict,
    IllegalPaymentTransition,
    InsufficientFunds,
    InvalidPaymentRequest,
    InvalidPaymentToken,
    PaymentDeclined,
    PaymentError,
    PaymentNotFound,
    PaymentProcessingError,
)
from trainbook.payments.service import PaymentProcessor
from trainbook.payments.vault import CardVault
from trainbook.saga_progress import SagaStepEnded

APPROVES = "4242 4242 4242 4242"


class Stalls:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


@pytest.fixture
def ledger() -> FakePaymentLedger:
    return FakePaymentLedger()


@pytest.fixture
def stalls() -> Stalls:
    return Stalls()


VAULT = CardVault("unit-test-card-vault-secret-0123456789abcdef")


@pytest.fixture
def psp(ledger: FakePaymentLedger, stalls: Stalls) -> PaymentProcessor:
    return PaymentProcessor(
        ledger=ledger, clock=Clock(), stall=stalls, vault=lambda: VAULT, new_id=PaymentIds()
    )


def send(psp: PaymentProcessor, action: str, key: str, **fields: Any) -> dict[str, Any]:
    return psp.handle(parse_command({"action": action, "idempotency_key": key, **fields}))


def authorize(
    psp: PaymentProcessor, number: str = APPROVES, key: str = "b1:authorize", amount: int = 16_900
) -> dict[str, Any]:
    token = psp.tokenize({"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"})["token"]
    return send(psp, "authorize", key, booking_id="b1", amount_grosze=amount, payment_token=token)


def test_an_approved_authorization_answers_the_payment(psp: PaymentProcessor) -> None:
    answer = authorize(psp)
    assert answer == {
        "payment_id": "pay_0001",
        "booking_id": "b1",
        "state": "AUTHORIZED",
        "currency": "PLN",
        "amount_grosze": 16_900,
        "captured_grosze": 0,
        "refunded_grosze": 0,
        "card": {"brand": "visa", "last4": "4242"},
        "decline_code": None,
        "operation": {"action": "authorize", "amount_grosze": 16_900, "at": "2026-11-24T12:00:00.000000Z"},
    }


def test_the_same_key_and_request_return_the_first_result_and_charge_once(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    first = authorize(psp)
    assert authorize(psp) == first
    assert list(ledger.payments) == ["pay_0001"]


def test_the_same_key_with_a_different_request_is_a_conflict(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    authorize(psp)
    with pytest.raises(IdempotencyConflict, match="different request"):
        authorize(psp, amount=17_000)
    assert list(ledger.payments) == ["pay_0001"]


def test_a_decline_is_recorded_and_raised_again_on_every_replay(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    for _ in range(2):
        with pytest.raises(PaymentDeclined) as declined:
            authorize(psp, "4000 0000 0000 0002")
        assert type(declined.value).__name__ == "PaymentDeclined"  # the Step Functions error name
        assert (declined.value.decline_code, declined.value.payment_id) == ("card_declined", "pay_0001")
    assert ledger.payments["pay_0001"].state is PaymentState.DECLINED
    assert "b1" not in ledger.slots  # a declined card does not take the booking's payment slot


def test_insufficient_funds_has_its_own_error_name(psp: PaymentProcessor) -> None:
    with pytest.raises(InsufficientFunds) as raised:
        authorize(psp, "4000 0000 0000 9995")
    assert type(raised.value).__name__ == "InsufficientFunds"


def test_after_a_decline_the_booking_can_pay_with_another_card(psp: PaymentProcessor) -> None:
    with pytest.raises(PaymentDeclined):
        authorize(psp, "4000 0000 0000 0002")
    assert authorize(psp, key="b1:authorize:2")["state"] == "AUTHORIZED"


def test_a_processing_error_records_nothing_so_the_same_request_can_be_retried(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    for _ in range(2):
        with pytest.raises(PaymentProcessingError):
            authorize(psp, "4000 0000 0000 0119")
    assert (ledger.payments, ledger.answers) == ({}, {})


def test_the_fail_once_card_succeeds_when_the_saga_retries_with_the_same_key(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    with pytest.raises(PaymentProcessingError):
        authorize(psp, "4000 0000 0000 1117")
    assert authorize(psp, "4000 0000 0000 1117")["state"] == "AUTHORIZED"
    assert len(ledger.payments) == 1


def test_the_timeout_card_authorizes_but_every_answer_comes_too_late(
    psp: PaymentProcessor, ledger: FakePaymentLedger, stalls: Stalls
) -> None:
    authorize(psp, "4000 0000 0000 3220")
    authorize(psp, "4000 0000 0000 3220")
    assert stalls.count == 2
    assert ledger.payments["pay_0001"].state is PaymentState.AUTHORIZED


def test_after_a_lost_answer_the_saga_voids_by_booking_id(psp: PaymentProcessor, stalls: Stalls) -> None:
    authorize(psp, "4000 0000 0000 3220")
    voided = send(psp, "void", "b1:void", booking_id="b1")
    assert (voided["payment_id"], voided["state"]) == ("pay_0001", "VOIDED")
    assert voided["operation"] == {"action": "void", "amount_grosze": 16_900, "at": voided["operation"]["at"]}
    assert stalls.count == 1  # only the authorization answer is late


def test_voiding_a_booking_with_no_payment_is_a_no_op_that_refuses_a_late_authorization(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    answer = send(psp, "void", "b1:void", booking_id="b1")
    assert (answer["state"], answer["payment_id"]) == ("NO_PAYMENT", None)
    with pytest.raises(BookingPaymentClosed):
        authorize(psp)
    assert ledger.payments == {}


def test_a_first_authorization_reads_no_payment_slot(
    psp: PaymentProcessor, ledger: FakePaymentLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unread(booking_id: str) -> None:
        raise AssertionError("the payment slot was read")

    monkeypatch.setattr(ledger, "slot", unread)
    assert authorize(psp)["state"] == "AUTHORIZED"
    assert ledger.slots["b1"].payment_id == "pay_0001"
    declining = psp.tokenize(
        {"number": "4000 0000 0000 0002", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
    )
    with pytest.raises(PaymentDeclined):
        send(
            psp,
            "authorize",
            "b2:authorize",
            booking_id="b2",
            amount_grosze=100,
            payment_token=declining["token"],
        )


def test_a_declined_card_after_a_void_of_the_booking_is_refused_as_closed_and_spends_nothing(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    send(psp, "void", "b1:void", booking_id="b1")

    with pytest.raises(BookingPaymentClosed):
        authorize(psp, "4000 0000 0000 0002")
    assert ledger.payments == {} and "b1:authorize" not in ledger.answers
    assert all(token.spent_by is None for token in ledger.tokens.values())


def test_a_booking_cannot_be_authorized_twice_under_different_keys(psp: PaymentProcessor) -> None:
    authorize(psp)
    with pytest.raises(DuplicatePayment, match="pay_0001"):
        authorize(psp, key="b1:authorize:again")


def test_a_capture_repeated_with_its_key_captures_once(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    authorize(psp)
    first = send(psp, "capture", "b1:capture", booking_id="b1")
    assert send(psp, "capture", "b1:capture", booking_id="b1") == first
    payment = ledger.payments["pay_0001"]
    assert (payment.state, payment.captured_grosze) == (PaymentState.CAPTURED, 16_900)
    assert [op.action for op in payment.history] == [Action.AUTHORIZE, Action.CAPTURE]


def test_a_second_capture_under_another_key_is_refused(psp: PaymentProcessor) -> None:
    authorize(psp)
    send(psp, "capture", "b1:capture", payment_id="pay_0001")
    with pytest.raises(IllegalPaymentTransition, match="is captured"):
        send(psp, "capture", "b1:capture:again", payment_id="pay_0001")


def test_a_cancellation_refunds_by_policy_and_a_repeat_refunds_nothing_more(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    authorize(psp, amount=10_000)
    send(psp, "capture", "b1:capture", booking_id="b1")
    first = send(psp, "refund", "b1:cancel", booking_id="b1", amount_grosze=8_500)
    assert send(psp, "refund", "b1:cancel", booking_id="b1", amount_grosze=8_500) == first
    payment = ledger.payments["pay_0001"]
    assert (payment.state, payment.refunded_grosze) == (PaymentState.PARTIALLY_REFUNDED, 8_500)


def test_a_repeated_void_under_a_new_key_moves_nothing(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    authorize(psp)
    send(psp, "void", "b1:void", booking_id="b1")
    again = send(psp, "void", "b1:void:2", booking_id="b1")
    assert (again["state"], again["operation"]["amount_grosze"]) == ("VOIDED", 0)
    assert len(ledger.payments["pay_0001"].history) == 2


def test_the_saga_compensates_an_authorization_by_voiding_it(psp: PaymentProcessor) -> None:
    authorize(psp)
    answer = send(psp, "compensate", "b1-compensate", booking_id="b1")
    assert (answer["state"], answer["operation"]["action"], answer["operation"]["amount_grosze"]) == (
        "VOIDED",
        "void",
        16_900,
    )


def test_the_saga_compensates_a_capture_by_refunding_it_in_full(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    payment_id = authorize(psp)["payment_id"]
    send(psp, "capture", "b1-capture", booking_id="b1", payment_id=payment_id, amount_grosze=16_900)
    answer = send(psp, "compensate", "b1-compensate", booking_id="b1")
    assert (answer["state"], answer["refunded_grosze"], answer["operation"]["action"]) == (
        "REFUNDED",
        16_900,
        "refund",
    )
    assert send(psp, "compensate", "b1-compensate", booking_id="b1") == answer
    assert ledger.payments[payment_id].refunded_grosze == 16_900


def test_compensating_a_booking_that_never_paid_is_a_no_op_that_closes_it(psp: PaymentProcessor) -> None:
    answer = send(psp, "compensate", "b1-compensate", booking_id="b1")
    assert (answer["state"], answer["operation"]) == (
        "NO_PAYMENT",
        {"action": "compensate", "amount_grosze": 0, "at": "2026-11-24T12:00:00.000000Z"},
    )
    with pytest.raises(BookingPaymentClosed):
        authorize(psp)


def test_a_free_booking_authorizes_captures_and_refunds_zero(psp: PaymentProcessor) -> None:
    authorize(psp, amount=0)
    assert send(psp, "capture", "b1-capture", booking_id="b1", amount_grosze=0)["state"] == "CAPTURED"
    refund = send(psp, "refund", "b1-refund", booking_id="b1", amount_grosze=0)
    assert (refund["state"], refund["operation"]["amount_grosze"]) == ("CAPTURED", 0)


def test_capturing_a_booking_without_a_payment_is_not_found(psp: PaymentProcessor) -> None:
    with pytest.raises(PaymentNotFound):
        send(psp, "capture", "b9:capture", booking_id="b9")


def test_a_payment_id_of_another_booking_is_refused(psp: PaymentProcessor) -> None:
    authorize(psp)
    with pytest.raises(InvalidPaymentRequest, match="belongs to booking b1"):
        send(psp, "void", "b2:void", booking_id="b2", payment_id="pay_0001")


def test_a_concurrent_duplicate_of_the_same_request_gets_the_first_result(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    duplicate: list[dict[str, Any]] = []
    ledger.before_record = lambda: duplicate.append(authorize(psp))
    assert authorize(psp) == duplicate[0]
    assert list(ledger.payments) == ["pay_0002"]  # the duplicate decided second but wrote first


def test_a_duplicate_that_finishes_before_this_request_decides_is_replayed_not_refused(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    authorize(psp)
    duplicate: list[dict[str, Any]] = []
    ledger.before_read = lambda: duplicate.append(send(psp, "capture", "b1:capture", booking_id="b1"))
    assert send(psp, "capture", "b1:capture", booking_id="b1") == duplicate[0]


def test_a_duplicate_authorization_that_took_the_slot_first_is_replayed(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    duplicate: list[dict[str, Any]] = []
    ledger.before_read = lambda: duplicate.append(authorize(psp))
    assert authorize(psp) == duplicate[0]
    assert len(ledger.payments) == 1


def test_a_concurrent_capture_under_another_key_loses_and_is_refused(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    authorize(psp)

    def other_capture_first() -> None:
        send(psp, "capture", "other", booking_id="b1")

    ledger.before_record = other_capture_first
    with pytest.raises(IllegalPaymentTransition):
        send(psp, "capture", "b1:capture", booking_id="b1")
    assert ledger.payments["pay_0001"].captured_grosze == 16_900
    assert "b1:capture" not in ledger.answers


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        ({"action": "pay"}, "action is one of"),
        ({"action": "authorize", "idempotency_key": "k", "booking_id": "b1", "amount_grosze": 100}, "token"),
        ({"action": "capture", "idempotency_key": "k"}, "payment_id or a booking_id"),
        ({"action": "void", "idempotency_key": "k", "booking_id": "b1", "amount_grosze": 5}, "whole"),
        ({"action": "compensate", "idempotency_key": "k", "booking_id": "b1", "amount_grosze": 5}, "whole"),
        ({"action": "capture", "idempotency_key": "k", "booking_id": "b1", "amount_grosze": -1}, "between"),
        ({"action": "void", "idempotency_key": "k", "booking_id": "b1", "card": {}}, "takes no card"),
        ({"action": "void", "idempotency_key": "", "booking_id": "b1"}, "idempotency_key"),
        ({"action": "refund", "booking_id": "b1"}, "idempotency_key"),
        ({"action": "refund", "idempotency_key": "k", "booking_id": "b1", "currency": "EUR"}, "PLN"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message(request_: dict[str, Any], message: str) -> None:
    with pytest.raises(PaymentError, match=message):
        parse_command(request_)


CARD = {"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


def test_a_card_becomes_a_single_use_token_and_its_cvc_is_kept_nowhere(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    answer = psp.tokenize({**CARD, "cvc": "987", "holder": "Ala Kowalska"})

    assert answer["token"].startswith("tok_") and answer["card"]["last4"] == "4242"
    stored = ledger.tokens[answer["token"]]
    # The token is random and the sealed number ciphertext: either may hold "987" by chance (a token did,
    # once in CI), so the CVC is looked for in everything else, and the sealed part opens to the number alone.
    plain = dataclasses.replace(stored, token="tok_", sealed_number=None)
    assert "987" not in repr(plain) and "4242424242424242" not in repr(stored)
    assert VAULT.open(stored.sealed_number or "") == "4242424242424242"


@pytest.mark.parametrize(
    ("card", "message"),
    [
        ({k: v for k, v in CARD.items() if k != "cvc"}, "CVC"),
        ({**CARD, "cvc": "12"}, "3 digits"),
        ({**CARD, "number": "4242 4242 4242 4241"}, "mistyped"),
    ],
)
def test_a_card_that_cannot_be_checked_gets_no_token(
    psp: PaymentProcessor, ledger: FakePaymentLedger, card: dict[str, Any], message: str
) -> None:
    with pytest.raises(PaymentError, match=message):
        psp.tokenize(card)
    assert ledger.tokens == {}


def test_a_spent_token_pays_for_nothing_else_and_loses_its_card_number(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    token = psp.tokenize(CARD)["token"]
    first = send(psp, "authorize", "b1:authorize", booking_id="b1", amount_grosze=100, payment_token=token)

    with pytest.raises(InvalidPaymentToken, match="already used"):
        send(psp, "authorize", "b2:authorize", booking_id="b2", amount_grosze=100, payment_token=token)
    again = send(psp, "authorize", "b1:authorize", booking_id="b1", amount_grosze=100, payment_token=token)
    assert again == first  # the saga's retry of the same request replays the first answer
    assert ledger.tokens[token].sealed_number is None


def test_an_expired_token_is_refused(psp: PaymentProcessor) -> None:
    token = psp.tokenize(CARD)["token"]
    assert isinstance(psp.clock, Clock)
    psp.clock.now += timedelta(minutes=15)

    with pytest.raises(InvalidPaymentToken, match="expired"):
        send(psp, "authorize", "b1:authorize", booking_id="b1", amount_grosze=100, payment_token=token)


def test_a_first_request_reads_its_key_only_when_a_duplicate_answered_first(
    psp: PaymentProcessor, ledger: FakePaymentLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys_read: list[str] = []
    read_answer = ledger.answer

    def counted(key: str) -> Any:
        keys_read.append(key)
        return read_answer(key)

    monkeypatch.setattr(ledger, "answer", counted)
    first = authorize(psp)
    captured = send(psp, "capture", "b1:capture", booking_id="b1")
    assert keys_read == []

    assert authorize(psp) == first  # a repeat decides, is refused, then reads and replays
    assert send(psp, "capture", "b1:capture", booking_id="b1") == captured
    assert keys_read == ["b1:authorize", "b1:capture"]
    assert len(ledger.payments) == 1


def riders(version: int = 2) -> Riders:
    ended = SagaStepEnded("b1", "AuthorizePayment", "succeeded", None, {})
    return Riders((PendingEvent("saga-b1", version, ended),))


def authorize_with(psp: PaymentProcessor, given: Riders, number: str = APPROVES) -> dict[str, Any]:
    token = psp.tokenize({"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123"})["token"]
    command = {"action": "authorize", "idempotency_key": "b1:authorize", "booking_id": "b1"}
    return psp.handle(parse_command({**command, "amount_grosze": 100, "payment_token": token}), given)


def test_riders_go_in_the_write_of_an_answer_given_at_once(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    given = riders()
    assert authorize_with(psp, given)["state"] == "AUTHORIZED"
    assert given.written and ledger.appended == list(given.events)

    repeated = riders(4)
    authorize_with(psp, repeated)  # a replayed answer writes nothing: the caller appends them
    assert not repeated.written and ledger.appended == list(given.events)


def test_a_declined_answer_carries_no_riders(psp: PaymentProcessor, ledger: FakePaymentLedger) -> None:
    given = riders()
    with pytest.raises(PaymentDeclined):
        authorize_with(psp, given, number="4000 0000 0000 0002")
    assert not given.written and ledger.appended == []


def test_riders_whose_version_was_taken_are_left_out_and_the_payment_still_recorded(
    psp: PaymentProcessor, ledger: FakePaymentLedger
) -> None:
    ledger.appended.append(riders().events[0])  # a concurrent attempt of the step wrote there
    given = riders()

    assert authorize_with(psp, given)["state"] == "AUTHORIZED"
    assert not given.written and len(ledger.payments) == 1
