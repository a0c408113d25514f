"""The payment state machine: authorize, capture, void, refund, and the transitions it refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from trainbook.payments.cards import Card
from trainbook.payments.domain import Action, Payment, PaymentState, authorize
from trainbook.payments.errors import (
    CaptureExceedsAuthorized,
    IllegalPaymentTransition,
    InvalidPaymentRequest,
    PaymentProcessingError,
    RefundExceedsCaptured,
)

AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
APPROVES = "4242424242424242"


def card(number: str = APPROVES, exp_year: int = 2030) -> Card:
    return Card.parse({"number": number, "exp_month": 12, "exp_year": exp_year})


def authorized(amount: int = 16_900) -> Payment:
    return authorize("pay_1", "b1", amount, card(), "b1:authorize", AT)


def captured(amount: int = 16_900) -> Payment:
    return authorized(amount).capture(None, "b1:capture", AT)


def test_an_approving_card_authorizes_the_amount_and_keeps_only_brand_and_last4() -> None:
    payment = authorized()
    assert (payment.state, payment.amount_grosze, payment.captured_grosze) == (
        PaymentState.AUTHORIZED,
        16_900,
        0,
    )
    assert (payment.card.brand, payment.card.last4) == ("visa", "4242")
    assert payment.as_json()["card"] == {"brand": "visa", "last4": "4242"}


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000069", "expired_card"),
    ],
)
def test_a_declining_card_ends_declined_with_its_decline_code(number: str, code: str) -> None:
    payment = authorize("pay_1", "b1", 5_000, card(number), "k", AT)
    assert (payment.state, payment.decline_code) == (PaymentState.DECLINED, code)
    assert payment.history[0].outcome == code


def test_a_card_past_its_expiry_month_is_declined_as_expired() -> None:
    payment = authorize("pay_1", "b1", 5_000, card(exp_year=2025), "k", AT)
    assert (payment.state, payment.decline_code) == (PaymentState.DECLINED, "expired_card")


def test_the_processing_error_card_fails_transiently_every_time() -> None:
    for attempt in (1, 2, 3):
        with pytest.raises(PaymentProcessingError):
            authorize("pay_1", "b1", 5_000, card("4000000000000119"), "k", AT, attempt)


def test_the_fail_once_card_fails_the_first_attempt_and_approves_the_retry() -> None:
    with pytest.raises(PaymentProcessingError):
        authorize("pay_1", "b1", 5_000, card("4000000000001117"), "k", AT, attempt=1)
    retried = authorize("pay_1", "b1", 5_000, card("4000000000001117"), "k", AT, attempt=2)
    assert retried.state is PaymentState.AUTHORIZED


@pytest.mark.parametrize("amount", [-100, 12.5, True, "100", 10_000_001])
def test_an_amount_that_is_not_a_whole_number_of_grosze_in_range_is_refused(amount: object) -> None:
    with pytest.raises(InvalidPaymentRequest):
        authorize("pay_1", "b1", amount, card(), "k", AT)  # type: ignore[arg-type]


def test_capture_takes_the_whole_authorization_by_default() -> None:
    payment = captured()
    assert (payment.state, payment.captured_grosze, payment.version) == (PaymentState.CAPTURED, 16_900, 2)
    assert [op.action for op in payment.history] == [Action.AUTHORIZE, Action.CAPTURE]
    assert payment.history[-1].idempotency_key == "b1:capture"


def test_a_partial_capture_takes_less_than_authorized() -> None:
    assert authorized().capture(10_000, "k2", AT).captured_grosze == 10_000


def test_capturing_more_than_authorized_is_refused() -> None:
    with pytest.raises(CaptureExceedsAuthorized, match="authorized only 16900 gr"):
        authorized().capture(16_901, "k2", AT)


def test_a_payment_is_captured_once() -> None:
    with pytest.raises(IllegalPaymentTransition, match="captured"):
        captured().capture(None, "another key", AT)


def test_a_voided_payment_cannot_be_captured() -> None:
    with pytest.raises(IllegalPaymentTransition, match="voided: it cannot be captured"):
        authorized().void("k2", AT).capture(None, "k3", AT)


def test_a_declined_payment_cannot_be_captured() -> None:
    declined = authorize("pay_1", "b1", 5_000, card("4000000000000002"), "k", AT)
    with pytest.raises(IllegalPaymentTransition, match="declined"):
        declined.capture(None, "k2", AT)


def test_void_releases_the_authorization_and_repeating_it_changes_nothing() -> None:
    voided = authorized().void("k2", AT)
    assert voided.state is PaymentState.VOIDED
    assert voided.void("k3", AT) is voided


def test_voiding_a_declined_payment_changes_nothing() -> None:
    declined = authorize("pay_1", "b1", 5_000, card("4000000000000002"), "k", AT)
    assert declined.void("k2", AT) is declined


def test_a_captured_payment_is_refunded_not_voided() -> None:
    with pytest.raises(IllegalPaymentTransition, match="refund it instead"):
        captured().void("k3", AT)


def test_refunds_add_up_to_the_captured_amount() -> None:
    partly = captured(10_000).refund(8_500, "cancel:refund", AT)
    assert (partly.state, partly.refunded_grosze, partly.refundable_grosze) == (
        PaymentState.PARTIALLY_REFUNDED,
        8_500,
        1_500,
    )
    fully = partly.refund(None, "rest", AT)
    assert (fully.state, fully.refunded_grosze) == (PaymentState.REFUNDED, 10_000)
    assert fully.history[-1].amount_grosze == 1_500


def test_refunding_more_than_was_captured_is_refused() -> None:
    partly = captured(10_000).refund(8_500, "k3", AT)
    with pytest.raises(RefundExceedsCaptured, match="1500 gr left of 10000 gr captured"):
        partly.refund(1_501, "k4", AT)


def test_refunding_the_rest_of_a_fully_refunded_payment_changes_nothing() -> None:
    fully = captured().refund(None, "k3", AT)
    assert fully.refund(None, "k4", AT) is fully
    with pytest.raises(RefundExceedsCaptured):
        fully.refund(1, "k5", AT)


def test_an_authorized_payment_is_voided_not_refunded() -> None:
    with pytest.raises(IllegalPaymentTransition, match="void it instead"):
        authorized().refund(None, "k2", AT)


def test_a_voided_payment_cannot_be_refunded() -> None:
    with pytest.raises(IllegalPaymentTransition, match="nothing was captured"):
        authorized().void("k2", AT).refund(None, "k3", AT)


def test_a_free_ticket_is_a_zero_authorization_that_checks_the_card() -> None:
    free = authorize("pay_1", "b1", 0, card(), "k", AT)
    assert free.state is PaymentState.AUTHORIZED
    assert free.capture(0, "k2", AT).state is PaymentState.CAPTURED
    declined = authorize("pay_2", "b1", 0, card("4000000000000002"), "k", AT)
    assert declined.state is PaymentState.DECLINED


def test_a_refund_of_nothing_moves_nothing_whatever_the_state() -> None:
    for payment in (authorized(), captured(), authorized().void("k2", AT)):
        assert payment.refund(0, "k9", AT) is payment


def test_compensation_voids_an_authorization() -> None:
    compensated = authorized().compensate("b1-compensate", AT)
    assert (compensated.state, compensated.history[-1].action) == (PaymentState.VOIDED, Action.VOID)


def test_compensation_refunds_what_is_left_of_a_capture() -> None:
    compensated = captured(10_000).refund(3_000, "k3", AT).compensate("b1-compensate", AT)
    assert (compensated.state, compensated.refunded_grosze) == (PaymentState.REFUNDED, 10_000)
    assert (compensated.history[-1].action, compensated.history[-1].amount_grosze) == (Action.REFUND, 7_000)


def test_compensating_a_payment_that_holds_no_money_changes_nothing() -> None:
    declined = authorize("pay_1", "b1", 5_000, card("4000000000000002"), "k", AT)
    for payment in (declined, authorized().void("k2", AT), captured().refund(None, "k3", AT)):
        assert payment.compensate("k9", AT) is payment
