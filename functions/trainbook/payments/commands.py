"""The simulator's requests, parsed from the function's JSON input into small frozen commands.

Input: {"action": "authorize" | "capture" | "void" | "refund" | "compensate", "idempotency_key",
"booking_id", "amount_grosze", "card" (authorize only), "payment_id" (optional: the other actions
find the booking's payment by "booking_id" when it is left out), "currency" (optional, "PLN")}.
`compensate` voids an authorization or refunds what is left of a capture, whichever applies.
Bad input raises InvalidPaymentRequest or InvalidCard and changes nothing.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from trainbook.payments.cards import Card
from trainbook.payments.domain import CURRENCY, Action, check_amount
from trainbook.payments.errors import InvalidPaymentRequest

MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Authorize:
    idempotency_key: str
    booking_id: str
    amount_grosze: int
    card: Card

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
        amount = check_amount(event.get("amount_grosze"), allow_zero=True)
        return Authorize(key, booking_id, amount, Card.parse(event.get("card")))
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


def fingerprint(command: Command) -> str:
    """What makes two requests "the same" under one idempotency key.

    The card enters as brand, last four digits and expiry only: a hash of the full number would be
    easy to reverse (few unknown digits), and the number must never be stored in any form.
    """
    fields: dict[str, Any] = {"action": command.action.value}
    for name, value in vars(command).items():
        fields[name] = value.summary.as_json() if isinstance(value, Card) else value
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _text(event: dict[str, Any], name: str, limit: int = 64) -> str | None:
    value = event.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 0 < len(value) <= limit:
        raise InvalidPaymentRequest(f"{name} is a string of 1 to {limit} characters")
    return value
