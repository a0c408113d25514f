"""An in-memory PaymentLedger with the DynamoDB adapter's conditions (proven equal by
tests/integration/payments/test_payments_contract.py), and a hook to stage races."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from trainbook.eventstore.events import PendingEvent
from trainbook.payments.domain import (
    Decision,
    KeyTaken,
    Payment,
    Slot,
    StaleDecision,
    StoredAnswer,
    StoredToken,
)


class FakePaymentLedger:
    def __init__(self) -> None:
        self.answers: dict[str, StoredAnswer] = {}
        self.payments: dict[str, Payment] = {}
        self.slots: dict[str, Slot] = {}
        self.attempts: dict[str, int] = {}
        self.tokens: dict[str, StoredToken] = {}
        self.appended: list[PendingEvent] = []  # events written with a decision (`record`'s `also`)
        # Runs once, just before the next write: a concurrent request that gets there first.
        self.before_record: Callable[[], None] | None = None
        # Runs once, at the next read: a duplicate that finishes before this request decides.
        self.before_read: Callable[[], None] | None = None

    def _reading(self) -> None:
        hook, self.before_read = self.before_read, None
        if hook is not None:
            hook()

    def answer(self, key: str) -> StoredAnswer | None:
        self._reading()
        return self.answers.get(key)

    def payment(self, payment_id: str) -> Payment | None:
        self._reading()
        return self.payments.get(payment_id)

    def slot(self, booking_id: str) -> Slot | None:
        self._reading()
        return self.slots.get(booking_id)

    def count_attempt(self, key: str) -> int:
        self.attempts[key] = self.attempts.get(key, 0) + 1
        return self.attempts[key]

    def token(self, token: str) -> StoredToken | None:
        self._reading()
        return self.tokens.get(token)

    def save_token(self, token: StoredToken) -> None:
        assert token.token not in self.tokens
        # The expiry is kept in whole epoch seconds, as the table's TTL attribute keeps it.
        self.tokens[token.token] = replace(token, expires_at=token.expires_at.replace(microsecond=0))

    def record(self, decision: Decision, also: Sequence[PendingEvent] = ()) -> None:
        hook, self.before_record = self.before_record, None
        if hook is not None:
            hook()
        if decision.key in self.answers:
            raise KeyTaken(decision.key)
        taken = {(p.stream, p.version) for p in self.appended}
        if any((p.stream, p.version) in taken for p in also):
            raise StaleDecision(decision.key)
        target = decision.payment or decision.based_on
        if target is not None:
            current = self.payments.get(target.id)
            expected = decision.based_on.version if decision.based_on else None
            if (current.version if current else None) != expected:
                raise StaleDecision(decision.key)
        if decision.claim_slot is not None and decision.claim_slot in self.slots:
            raise StaleDecision(decision.key)
        if decision.slot_empty is not None and decision.slot_empty in self.slots:
            raise StaleDecision(decision.key)
        spent = self.tokens.get(decision.spend_token or "")
        if decision.spend_token is not None and (spent is None or spent.spent_by is not None):
            raise StaleDecision(decision.key)
        if spent is not None:
            self.tokens[spent.token] = replace(spent, sealed_number=None, spent_by=decision.key)
        self.appended.extend(also)
        self.answers[decision.key] = StoredAnswer(decision.fingerprint, decision.answer)
        if decision.payment is not None:
            self.payments[decision.payment.id] = decision.payment
        if decision.claim_slot is not None:
            paid = decision.payment.id if decision.payment else None
            self.slots[decision.claim_slot] = Slot(paid)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class PaymentIds:
    def __init__(self) -> None:
        self.issued = 0

    def __call__(self) -> str:
        self.issued += 1
        return f"pay_{self.issued:04d}"
