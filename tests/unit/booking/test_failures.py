"""What a passenger is told about a booking that failed or was cancelled, from the saga's error names."""

from __future__ import annotations

import pytest

from trainbook.booking.domain import Failure

CODES = {
    "seat_taken",
    "card_declined",
    "insufficient_funds",
    "payment_timeout",
    "hold_expired",
    "train_cancelled",
    "internal",
}


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("SeatTaken", "seat_taken"),
        ("PaymentDeclined", "card_declined"),
        ("InvalidPaymentToken", "card_declined"),
        ("InsufficientFunds", "insufficient_funds"),
        ("PaymentTimeout", "payment_timeout"),
        ("PaymentProcessingError", "payment_timeout"),
        ("HoldExpired", "hold_expired"),
        ("TrainCancelled", "train_cancelled"),
        ("InjectedFault", "internal"),
        ("States.Timeout", "internal"),
        ("", "internal"),
    ],
)
def test_each_saga_error_is_one_of_the_seven_failure_codes_with_a_message(reason: str, code: str) -> None:
    failure = Failure.of(reason)

    assert failure.code == code and failure.code in CODES
    assert failure.message and (not reason or reason not in failure.message)
