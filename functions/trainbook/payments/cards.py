"""Payment cards as the simulator sees them: validation (Luhn, expiry format), brand, and test cards.

Like a real PSP's sandbox, some card numbers force an outcome. Any other number that passes the
Luhn check is approved. Spaces and dashes in the number are ignored.

| card number          | outcome of authorize                                                       |
|----------------------|----------------------------------------------------------------------------|
| 4242 4242 4242 4242  | approved (Visa)                                                            |
| 5555 5555 5555 4444  | approved (Mastercard)                                                      |
| 4000 0000 0000 0002  | declined: PaymentDeclined, decline code `card_declined`                    |
| 4000 0000 0000 9995  | declined: InsufficientFunds, decline code `insufficient_funds`             |
| 4000 0000 0000 0069  | declined: PaymentDeclined, decline code `expired_card`                     |
| 4000 0000 0000 0119  | PaymentProcessingError every time (transient: nothing is recorded)         |
| 4000 0000 0000 1117  | PaymentProcessingError on the first attempt of an idempotency key, then    |
|                      | approved on a retry with the same key (proves a saga retry works)          |
| 4000 0000 0000 3220  | authorized, but the answer never arrives in time: the function sleeps      |
|                      | PAYMENT_TIMEOUT_SECONDS after recording it, and again on every replay      |

A card whose expiry month has passed is declined with `expired_card` whatever its number.
Only the brand and the last four digits are ever stored; the full number lives in memory for
the duration of one request and is left out of `repr`, so it cannot reach a log line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeGuard

from trainbook.payments.errors import InvalidCard


class CardBehaviour(StrEnum):
    APPROVE = "approve"
    DECLINE = "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    EXPIRED = "expired_card"
    PROCESSING_ERROR = "processing_error"
    FAILS_ONCE = "fails_once"
    TIMEOUT = "timeout"


TEST_CARDS: dict[str, CardBehaviour] = {
    "4242424242424242": CardBehaviour.APPROVE,
    "5555555555554444": CardBehaviour.APPROVE,
    "4000000000000002": CardBehaviour.DECLINE,
    "4000000000009995": CardBehaviour.INSUFFICIENT_FUNDS,
    "4000000000000069": CardBehaviour.EXPIRED,
    "4000000000000119": CardBehaviour.PROCESSING_ERROR,
    "4000000000001117": CardBehaviour.FAILS_ONCE,
    "4000000000003220": CardBehaviour.TIMEOUT,
}


@dataclass(frozen=True)
class CardSummary:
    """What may be kept about a card: enough to show the passenger which card paid."""

    brand: str
    last4: str
    exp_month: int
    exp_year: int

    def as_json(self) -> dict[str, Any]:
        return {
            "brand": self.brand,
            "last4": self.last4,
            "exp_month": self.exp_month,
            "exp_year": self.exp_year,
        }


@dataclass(frozen=True)
class Card:
    number: str = field(repr=False)
    exp_month: int
    exp_year: int

    @classmethod
    def parse(cls, raw: object) -> Card:
        """A card from request JSON {"number", "exp_month", "exp_year", "cvc"?}; InvalidCard if malformed."""
        if not isinstance(raw, dict):
            raise InvalidCard('"card" must be an object with "number", "exp_month" and "exp_year"')
        number = raw.get("number")
        if not isinstance(number, str):
            raise InvalidCard("the card number is required, as a string of digits")
        digits = re.sub(r"[\s-]", "", number)
        if not re.fullmatch(r"\d{12,19}", digits):
            raise InvalidCard("a card number has 12 to 19 digits")
        if not luhn_valid(digits):
            raise InvalidCard("the card number is mistyped (its check digit does not match)")
        month, year = raw.get("exp_month"), raw.get("exp_year")
        if not _is_int(month) or not 1 <= month <= 12:
            raise InvalidCard("exp_month is a month number from 1 to 12")
        if not _is_int(year) or not 2000 <= year <= 2100:
            raise InvalidCard("exp_year is a four-digit year")
        cvc = raw.get("cvc")
        if cvc is not None and not (isinstance(cvc, str) and re.fullmatch(r"\d{3,4}", cvc)):
            raise InvalidCard("the CVC is 3 or 4 digits")
        return cls(digits, month, year)

    @property
    def brand(self) -> str:
        return card_brand(self.number)

    @property
    def behaviour(self) -> CardBehaviour:
        return TEST_CARDS.get(self.number, CardBehaviour.APPROVE)

    def expired_on(self, day: date) -> bool:
        """A card is valid to the last day of its expiry month."""
        return (day.year, day.month) > (self.exp_year, self.exp_month)

    @property
    def summary(self) -> CardSummary:
        return CardSummary(self.brand, self.number[-4:], self.exp_month, self.exp_year)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char)
        if i % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    if digits.startswith("4"):
        return "visa"
    if 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return "mastercard"
    if digits[:2] in ("34", "37"):
        return "amex"
    return "card"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)
