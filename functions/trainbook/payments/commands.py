"""The simulator's requests, parsed from the function's JSON input into small frozen commands.

Input: {"action": "authorize" | "capture" | "void" | "refund" | "compensate", "idempotency_key",
"booking_id", "amount_grosze", "payment_token" (authorize only: a `tok_...` from POST /payments/tokens),
"payment_id" (optional: the other actions find the booking's payment by "booking_id" when it is left
out), "currency" (optional, "PLN")}.
`compensate` voids an authorization or refunds what is left of a capture, whichever applies.
Bad input raises InvalidPaymentRequest and changes nothing. No request to this function carries a card.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from trainbook.payments.domain import CURRENCY, Action, check_amount
from trainbook.payments.errors import InvalidPaymentRequest
from trainbook.payments.tokens import TOKEN_PATTERN

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
