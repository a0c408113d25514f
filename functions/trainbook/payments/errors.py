"""What the payment simulator refuses, by name: each class name is the Step Functions error name.

Lambda reports a raised exception's class name as `errorType`, so a saga catches `PaymentDeclined`,
`InsufficientFunds` or retries `PaymentProcessingError` by these names; renaming a class is a
breaking change of the function's contract.
"""

from __future__ import annotations

from trainbook.errors import Conflict, DomainError, NotFound


class PaymentError(DomainError):
    code = "payment_error"


class PaymentDeclined(PaymentError):
    """The card was declined: final, retrying the same card will not help."""

    code = "payment_declined"
    status = 402

    def __init__(self, message: str, decline_code: str = "card_declined", payment_id: str = "") -> None:
        super().__init__(message)
        self.decline_code = decline_code
        self.payment_id = payment_id


class InsufficientFunds(PaymentDeclined):
    code = "insufficient_funds"


class PaymentProcessingError(PaymentError):
    """A transient failure at the processor: nothing was recorded, the same request may be retried."""

    code = "payment_processing_error"
    status = 503


class InvalidCard(PaymentError):
    """The card details are malformed (not a card number, bad expiry, bad CVC): nothing was tried."""

    code = "invalid_card"


class InvalidPaymentToken(PaymentError):
    """The payment token is unknown, expired or already used: the card must be tokenized again."""

    code = "invalid_payment_token"


class InvalidPaymentRequest(PaymentError):
    code = "invalid_payment_request"


class PaymentNotFound(NotFound):
    code = "payment_not_found"


class IllegalPaymentTransition(Conflict):
    """The operation does not apply to the payment's state (capture a voided one, void a captured one ...)."""

    code = "illegal_payment_transition"


class CaptureExceedsAuthorized(IllegalPaymentTransition):
    code = "capture_exceeds_authorized"


class RefundExceedsCaptured(IllegalPaymentTransition):
    code = "refund_exceeds_captured"


class IdempotencyConflict(Conflict):
    """The idempotency key was already used for a different request."""

    code = "idempotency_conflict"


class DuplicatePayment(Conflict):
    """The booking already has an approved payment: a second one would charge the passenger twice."""

    code = "duplicate_payment"


class BookingPaymentClosed(Conflict):
    """The booking's payment was voided before any authorization arrived: a late one is refused."""

    code = "booking_payment_closed"


# Outcomes a request records and replays under its idempotency key, by Step Functions error name.
REPLAYED_ERRORS: dict[str, type[PaymentDeclined]] = {
    cls.__name__: cls for cls in (PaymentDeclined, InsufficientFunds)
}
