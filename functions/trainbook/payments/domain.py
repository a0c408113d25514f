"""A card payment's life at the simulated PSP: authorize, capture, void, refund. Pure Python.

States (amounts are integer grosze, currency PLN):

    authorize -> AUTHORIZED --capture--> CAPTURED --refund (part)--> PARTIALLY_REFUNDED --refund--> REFUNDED
              \\            \\--void--> VOIDED                  \\--refund (all)---------------------^
               -> DECLINED

Every method returns a new `Payment` (one more `Operation` in its history) or raises an
IllegalPaymentTransition that says why. Compensations are safe to repeat: voiding a voided or
declined payment, refunding "the rest" of a fully refunded one (or refunding 0 gr), and
`compensate` on a payment that holds no money return it unchanged.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from trainbook.eventstore.events import PendingEvent, format_instant
from trainbook.payments.cards import Card, CardBehaviour, CardSummary
from trainbook.payments.errors import (
    CaptureExceedsAuthorized,
    IllegalPaymentTransition,
    InvalidPaymentRequest,
    PaymentProcessingError,
    RefundExceedsCaptured,
)
from trainbook.payments.tokens import TOKEN_PATTERN

CURRENCY = "PLN"
MAX_AMOUNT_GROSZE = 10_000_000  # 100 000 zł: far above any ticket, low enough to catch a zł/grosz mix-up


class PaymentState(StrEnum):
    AUTHORIZED = "AUTHORIZED"
    CAPTURED = "CAPTURED"
    PARTIALLY_REFUNDED = "PARTIALLY_REFUNDED"
    REFUNDED = "REFUNDED"
    VOIDED = "VOIDED"
    DECLINED = "DECLINED"


class Action(StrEnum):
    AUTHORIZE = "authorize"
    CAPTURE = "capture"
    VOID = "void"
    REFUND = "refund"
    COMPENSATE = "compensate"  # void or refund, whichever undoes the payment (a saga's compensation)


APPROVED = "approved"


@dataclass(frozen=True)
class Operation:
    """One thing that happened to a payment, with the idempotency key of the request that did it."""

    action: Action
    amount_grosze: int
    idempotency_key: str
    at: str  # UTC instant, as the event store formats it
    outcome: str  # "approved" or a decline code

    def as_json(self) -> dict[str, Any]:
        return {"action": self.action.value, "amount_grosze": self.amount_grosze, "at": self.at}


@dataclass(frozen=True)
class Payment:
    id: str
    booking_id: str
    state: PaymentState
    amount_grosze: int  # authorized
    card: CardSummary
    captured_grosze: int = 0
    refunded_grosze: int = 0
    decline_code: str | None = None
    currency: str = CURRENCY
    history: tuple[Operation, ...] = ()
    version: int = 1  # bumped by every change; the store writes conditionally on it

    @property
    def refundable_grosze(self) -> int:
        return self.captured_grosze - self.refunded_grosze

    @property
    def live(self) -> bool:
        """It holds or took the passenger's money (not declined)."""
        return self.state is not PaymentState.DECLINED

    def capture(self, amount_grosze: int | None, key: str, at: datetime) -> Payment:
        """Take the authorized money (all of it by default; a smaller amount releases the rest)."""
        if self.state is not PaymentState.AUTHORIZED:
            raise IllegalPaymentTransition(
                f"payment {self.id} is {self._state_words()}: it cannot be captured"
            )
        amount = self.amount_grosze if amount_grosze is None else check_amount(amount_grosze, allow_zero=True)
        if amount > self.amount_grosze:
            raise CaptureExceedsAuthorized(
                f"cannot capture {amount} gr: payment {self.id} authorized only {self.amount_grosze} gr"
            )
        return self._then(
            Action.CAPTURE, amount, key, at, state=PaymentState.CAPTURED, captured_grosze=amount
        )

    def void(self, key: str, at: datetime) -> Payment:
        """Release an authorization; a no-op on a payment that holds no money any more."""
        if self.state in (PaymentState.VOIDED, PaymentState.DECLINED):
            return self
        if self.state is not PaymentState.AUTHORIZED:
            raise IllegalPaymentTransition(
                f"payment {self.id} is {self._state_words()}: the money was taken, refund it instead"
            )
        return self._then(Action.VOID, self.amount_grosze, key, at, state=PaymentState.VOIDED)

    def refund(self, amount_grosze: int | None, key: str, at: datetime) -> Payment:
        """Give back captured money (all that is left by default; a no-op when nothing is left)."""
        if amount_grosze is not None and check_amount(amount_grosze, allow_zero=True) == 0:
            return self  # a refund policy can come to nothing (a free ticket): nothing moves
        if self.state is PaymentState.REFUNDED and amount_grosze is None:
            return self
        if self.state not in (PaymentState.CAPTURED, PaymentState.PARTIALLY_REFUNDED, PaymentState.REFUNDED):
            hint = ": void it instead" if self.state is PaymentState.AUTHORIZED else ""
            raise IllegalPaymentTransition(
                f"payment {self.id} is {self._state_words()}, nothing was captured to refund{hint}"
            )
        amount = self.refundable_grosze if amount_grosze is None else check_amount(amount_grosze)
        if amount > self.refundable_grosze:
            raise RefundExceedsCaptured(
                f"cannot refund {amount} gr: payment {self.id} has {self.refundable_grosze} gr "
                f"left of {self.captured_grosze} gr captured"
            )
        refunded = self.refunded_grosze + amount
        state = PaymentState.REFUNDED if refunded == self.captured_grosze else PaymentState.PARTIALLY_REFUNDED
        return self._then(Action.REFUND, amount, key, at, state=state, refunded_grosze=refunded)

    def compensate(self, key: str, at: datetime) -> Payment:
        """Undo what this payment holds or took: void an authorization, refund the rest of a capture."""
        if self.state is PaymentState.AUTHORIZED:
            return self.void(key, at)
        if self.state in (PaymentState.CAPTURED, PaymentState.PARTIALLY_REFUNDED):
            return self.refund(None, key, at)
        return self

    def as_json(self, operation: Operation | None = None) -> dict[str, Any]:
        """The PSP's answer: the payment after the operation, and the operation itself."""
        last = operation or (self.history[-1] if self.history else None)
        return {
            "payment_id": self.id,
            "booking_id": self.booking_id,
            "state": self.state.value,
            "currency": self.currency,
            "amount_grosze": self.amount_grosze,
            "captured_grosze": self.captured_grosze,
            "refunded_grosze": self.refunded_grosze,
            "card": {"brand": self.card.brand, "last4": self.card.last4},
            "decline_code": self.decline_code,
            "operation": last.as_json() if last else None,
        }

    def _then(self, action: Action, amount: int, key: str, at: datetime, **changes: Any) -> Payment:
        operation = Operation(action, amount, key, format_instant(at), APPROVED)
        return replace(self, history=(*self.history, operation), version=self.version + 1, **changes)

    def _state_words(self) -> str:
        return self.state.value.lower().replace("_", " ")


def authorize(
    payment_id: str,
    booking_id: str,
    amount_grosze: int,
    card: Card,
    key: str,
    at: datetime,
    attempt: int = 1,
) -> Payment:
    """Ask the card's issuer to hold the amount: AUTHORIZED or DECLINED, or a transient error.

    `attempt` counts the requests made with this idempotency key (only the fail-once test card
    looks at it). A PaymentProcessingError records nothing, so the caller may retry. A zero amount
    is a card check (a free ticket still proves a valid card), as PSPs' zero authorizations are.
    """
    amount = check_amount(amount_grosze, allow_zero=True)
    behaviour = card.behaviour
    if behaviour is CardBehaviour.PROCESSING_ERROR or (
        behaviour is CardBehaviour.FAILS_ONCE and attempt <= 1
    ):
        raise PaymentProcessingError("the card processor did not answer; retry the same request")
    decline: str | None = None
    if behaviour in (CardBehaviour.DECLINE, CardBehaviour.INSUFFICIENT_FUNDS, CardBehaviour.EXPIRED):
        decline = behaviour.value
    elif card.expired_on(at.date()):
        decline = CardBehaviour.EXPIRED.value
    operation = Operation(Action.AUTHORIZE, amount, key, format_instant(at), decline or APPROVED)
    return Payment(
        id=payment_id,
        booking_id=booking_id,
        state=PaymentState.DECLINED if decline else PaymentState.AUTHORIZED,
        amount_grosze=amount,
        card=card.summary,
        decline_code=decline,
        history=(operation,),
    )


def check_amount(amount: object, allow_zero: bool = False) -> int:
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidPaymentRequest("amounts are whole grosze (an integer: 12345 is 123,45 zł)")
    least = 0 if allow_zero else 1
    if not least <= amount <= MAX_AMOUNT_GROSZE:
        raise InvalidPaymentRequest(
            f"an amount is between {least} and {MAX_AMOUNT_GROSZE} grosze, got {amount}"
        )
    return amount


# The simulator's requests, parsed from the function's JSON input into small frozen commands.
#
# Input: {"action": "authorize" | "capture" | "void" | "refund" | "compensate", "idempotency_key",
# "booking_id", "amount_grosze", "payment_token" (authorize only: a `tok_...` from POST /payments/tokens),
# "payment_id" (optional: the other actions find the booking's payment by "booking_id" when it is left
# out), "currency" (optional, "PLN")}.
# `compensate` voids an authorization or refunds what is left of a capture, whichever applies.
# Bad input raises InvalidPaymentRequest and changes nothing. No request to this function carries a card.

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Authorize:
    idempotency_key: str
    booking_id: str
    amount_grosze: int
    payment_token: str

    action = Action.AUTHORIZE


@dataclass(frozen=True)
class Capture:
    idempotency_key: str
    payment_id: str | None
    booking_id: str | None
    amount_grosze: int | None  # None: everything authorized

    action = Action.CAPTURE


@dataclass(frozen=True)
class Void:
    idempotency_key: str
    payment_id: str | None
    booking_id: str | None

    action = Action.VOID


@dataclass(frozen=True)
class Refund:
    idempotency_key: str
    payment_id: str | None
    booking_id: str | None
    amount_grosze: int | None  # None: everything not yet refunded

    action = Action.REFUND


@dataclass(frozen=True)
class Compensate:
    idempotency_key: str
    payment_id: str | None
    booking_id: str | None

    action = Action.COMPENSATE


Command = Authorize | Capture | Void | Refund | Compensate


def parse_command(event: object) -> Command:
    if not isinstance(event, dict):
        raise InvalidPaymentRequest("the request is a JSON object")
    raw_action = event.get("action")
    if raw_action not in [a.value for a in Action]:
        known = ", ".join(a.value for a in Action)
        raise InvalidPaymentRequest(f"action is one of {known}, got {raw_action!r}")
    action = Action(raw_action)
    currency = event.get("currency", CURRENCY)
    if currency != CURRENCY:
        raise InvalidPaymentRequest(f"only {CURRENCY} is accepted, got {currency!r}")
    key = _text(event, "idempotency_key", MAX_KEY_LENGTH)
    if action is Action.AUTHORIZE:
        booking_id = _text(event, "booking_id")
        if booking_id is None or key is None:
            raise InvalidPaymentRequest("authorize needs booking_id and idempotency_key")
        if "card" in event:
            raise InvalidPaymentRequest("authorize takes a payment_token, never a card: tokenize it first")
        token = event.get("payment_token")
        if not isinstance(token, str) or not re.fullmatch(TOKEN_PATTERN, token):
            raise InvalidPaymentRequest(
                "authorize needs a payment_token (tok_...) from POST /payments/tokens"
            )
        amount = check_amount(event.get("amount_grosze"), allow_zero=True)
        return Authorize(key, booking_id, amount, token)
    if key is None:
        raise InvalidPaymentRequest(f"{action.value} needs an idempotency_key")
    if "card" in event:
        raise InvalidPaymentRequest(f"{action.value} takes no card: it acts on an existing payment")
    payment_id, booking_id = _text(event, "payment_id"), _text(event, "booking_id")
    if payment_id is None and booking_id is None:
        raise InvalidPaymentRequest(f"{action.value} needs a payment_id or a booking_id")
    raw_amount = event.get("amount_grosze")
    if action in (Action.VOID, Action.COMPENSATE):
        if raw_amount is not None:
            raise InvalidPaymentRequest(f"{action.value} undoes the whole payment: leave out amount_grosze")
        if action is Action.VOID:
            return Void(key, payment_id, booking_id)
        return Compensate(key, payment_id, booking_id)
    checked = None if raw_amount is None else check_amount(raw_amount, allow_zero=True)
    if action is Action.CAPTURE:
        return Capture(key, payment_id, booking_id, checked)
    return Refund(key, payment_id, booking_id, checked)


def fingerprint(command: Command, card: dict[str, Any] | None = None) -> str:
    """What makes two requests "the same" under one idempotency key.

    An authorization enters with the card its token stands for (brand, last four digits, expiry) when
    the token is known, so a repeat that tokenized the same card again is the same request.
    """
    fields: dict[str, Any] = {"action": command.action.value}
    fields.update(vars(command))
    if card is not None:
        fields["payment_token"] = card
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _text(event: dict[str, Any], name: str, limit: int = 64) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise InvalidPaymentRequest(f"{name} is a string of 1 to {limit} characters")
    return value


# The ledger port: what the processor (service.py) reads and records; store.py is its DynamoDB adapter.


@dataclass(frozen=True)
class Answer:
    """What a request answered: a JSON body, or an error to raise again on every replay."""

    body: dict[str, Any] | None
    error: str | None = None  # the error class name (PaymentDeclined, InsufficientFunds)
    message: str = ""
    late: bool = False  # the timeout test card: the answer never arrives in time


@dataclass(frozen=True)
class StoredAnswer:
    fingerprint: str
    answer: Answer


@dataclass(frozen=True)
class Decision:
    """One request's writes, applied together or not at all."""

    key: str
    fingerprint: str
    answer: Answer
    payment: Payment | None  # the new state to write (version already bumped), None if unchanged
    based_on: Payment | None  # the state decided on: the write fails if the payment moved since
    claim_slot: str | None = None  # a booking whose (empty) payment slot this request takes
    spend_token: str | None = None  # the card token this authorization uses up (if still unspent)
    slot_empty: str | None = None  # a booking whose payment slot must still be empty (a decline's check)


@dataclass(frozen=True)
class StoredToken:
    """A card token as stored: the number sealed by the vault (None once spent), never the CVC."""

    token: str
    sealed_number: str | None
    card: CardSummary
    expires_at: datetime
    spent_by: str | None = None


@dataclass(frozen=True)
class Slot:
    """A booking's payment slot: its approved payment, or None once closed by a void."""

    payment_id: str | None


class KeyTaken(Exception):
    """Another request recorded this idempotency key first."""


class StaleDecision(Exception):
    """The payment or the booking's slot changed between the read and the write."""


class PaymentLedger(Protocol):
    def answer(self, key: str) -> StoredAnswer | None: ...

    def payment(self, payment_id: str) -> Payment | None: ...

    def slot(self, booking_id: str) -> Slot | None: ...

    def count_attempt(self, key: str) -> int: ...

    def token(self, token: str) -> StoredToken | None: ...

    def save_token(self, token: StoredToken) -> None: ...

    def record(self, decision: Decision, also: Sequence[PendingEvent] = ()) -> None:
        """Write the decision atomically; KeyTaken or StaleDecision (nothing written) when it lost a race.

        A decision that spends a token also removes the token's sealed number, on condition that the
        token was not spent yet. `also`: events appended in the same write, each under its version's
        condition (a taken version refuses the whole write, as StaleDecision).
        """
        ...
