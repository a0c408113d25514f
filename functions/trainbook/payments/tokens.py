"""Card tokens, as a PSP's browser SDK makes them: the card goes to the PSP once, the shop keeps a token.

`POST /payments/tokens` checks the card (Luhn, expiry format, CVC) and answers a single-use `tok_...`
that expires after 15 minutes. The CVC is checked and dropped: it is never stored, in any form. The
card number is stored sealed by the card vault, with the token, in the simulator's own table, and its
sealed copy is removed when the token is spent. Test cards tokenize like any card; their outcome shows
at authorization. Pure Python: the store and the vault are given.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from trainbook.payments.cards import Card, CardSummary
from trainbook.payments.errors import InvalidCard

TOKEN_TTL = timedelta(minutes=15)
TOKEN_PATTERN = r"^tok_[0-9a-f]{24}$"
HOLDER_MAX_LENGTH = 80


def new_token_id() -> str:
    return f"tok_{secrets.token_hex(12)}"


@dataclass(frozen=True)
class CardToken:
    """A token and the card it stands for; `number` is only ever held in memory."""

    token: str
    card: Card = field(repr=False)
    expires_at: datetime
    spent_by: str | None = None  # the idempotency key of the authorization that used it

    def usable_at(self, now: datetime) -> bool:
        return self.spent_by is None and now < self.expires_at

    def as_json(self) -> dict[str, Any]:
        summary: CardSummary = self.card.summary
        return {
            "token": self.token,
            "expires_at": self.expires_at.isoformat().replace("+00:00", "Z"),
            "card": summary.as_json(),
        }


def card_to_tokenize(raw: object) -> Card:
    """The card of a tokenization request; the CVC is required and checked, then forgotten."""
    if not isinstance(raw, dict):
        raise InvalidCard('the card is an object with "number", "exp_month", "exp_year" and "cvc"')
    cvc = raw.get("cvc")
    if not isinstance(cvc, str):
        raise InvalidCard("the CVC (3 digits on the back, 4 on the front of an Amex card) is required")
    card = Card.parse({key: raw.get(key) for key in ("number", "exp_month", "exp_year")})
    digits = 4 if card.brand == "amex" else 3
    if not re.fullmatch(rf"\d{{{digits}}}", cvc):
        raise InvalidCard(f"the CVC of this card has {digits} digits")
    holder = raw.get("holder")
    if holder is not None and not (isinstance(holder, str) and 0 < len(holder.strip()) <= HOLDER_MAX_LENGTH):
        raise InvalidCard(f"the card holder is a name of 1 to {HOLDER_MAX_LENGTH} characters")
    return card
