"""DynamoDB adapter of the payment simulator: the Payments table, written with conditional transactions.

One table (env PAYMENTS_TABLE), hash key `pk`, six kinds of item:
- `payment#<id>`: the payment (state, amounts, card brand + last4, history with idempotency keys,
  `version`);
- `key#<idempotency key>`: the request's fingerprint and its recorded answer;
- `booking#<booking id>`: the booking's payment slot (its approved payment id, or none once closed);
- `attempts#<idempotency key>`: how often the fail-once test card was tried with that key;
- `token#<tok_...>`: a card token: brand, last4, expiry, the number sealed by the card vault (removed
  when the token is spent), `spent_by`, and `expires` (epoch seconds, the table's TTL attribute);
- `rate#<bucket>`: a rate limiter's request count in one window (with `expires`).
A request's writes are ONE TransactWriteItems: the key item (must not exist), the payment (must
not exist, or still be at the version the decision read), the slot (must not exist) and the token
(must not be spent). So two
concurrent duplicates can never both capture or refund: one transaction is cancelled, and its
request replays the other's answer or decides again.
"""

# PynamoDB's attribute constructors are untyped; the models are still checked.
# mypy: disallow-untyped-calls=False

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from trainbook import tables
from trainbook.eventstore.conditions import cancellation_codes, is_conditional_failure
from trainbook.eventstore.events import PendingEvent, utc_now
from trainbook.eventstore.store import EventRecord
from trainbook.payments.cards import CardSummary
from trainbook.payments.domain import (
    Action,
    Answer,
    Decision,
    KeyTaken,
    Operation,
    Payment,
    PaymentState,
    Slot,
    StaleDecision,
    StoredAnswer,
    StoredToken,
)

M = TypeVar("M", bound=Model)


class _Meta(tables.TableMeta):
    table_name = tables.table_name("PAYMENTS_TABLE")


class OperationAttribute(MapAttribute[str, Any]):
    action = UnicodeAttribute()
    amount_grosze = NumberAttribute()
    idempotency_key = UnicodeAttribute()
    at = UnicodeAttribute()
    outcome = UnicodeAttribute()


class CardAttribute(MapAttribute[str, Any]):
    brand = UnicodeAttribute()
    last4 = UnicodeAttribute()
    exp_month = NumberAttribute()
    exp_year = NumberAttribute()


class PaymentItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    payment_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    state = UnicodeAttribute()
    currency = UnicodeAttribute()
    amount_grosze = NumberAttribute()
    captured_grosze = NumberAttribute()
    refunded_grosze = NumberAttribute()
    card = CardAttribute()
    decline_code = UnicodeAttribute(null=True)
    history = ListAttribute(of=OperationAttribute)
    version = NumberAttribute()

    @classmethod
    def of(cls, payment: Payment) -> PaymentItem:
        return cls(
            _payment_pk(payment.id),
            payment_id=payment.id,
            booking_id=payment.booking_id,
            state=payment.state.value,
            currency=payment.currency,
            amount_grosze=payment.amount_grosze,
            captured_grosze=payment.captured_grosze,
            refunded_grosze=payment.refunded_grosze,
            card=CardAttribute(**payment.card.as_json()),
            decline_code=payment.decline_code,
            history=[
                OperationAttribute(
                    action=op.action.value,
                    amount_grosze=op.amount_grosze,
                    idempotency_key=op.idempotency_key,
                    at=op.at,
                    outcome=op.outcome,
                )
                for op in payment.history
            ],
            version=payment.version,
        )

    def payment(self) -> Payment:
        return Payment(
            id=self.payment_id,
            booking_id=self.booking_id,
            state=PaymentState(self.state),
            amount_grosze=int(self.amount_grosze),
            card=CardSummary(
                self.card.brand, self.card.last4, int(self.card.exp_month), int(self.card.exp_year)
            ),
            captured_grosze=int(self.captured_grosze),
            refunded_grosze=int(self.refunded_grosze),
            decline_code=self.decline_code,
            currency=self.currency,
            history=tuple(
                Operation(Action(op.action), int(op.amount_grosze), op.idempotency_key, op.at, op.outcome)
                for op in self.history
            ),
            version=int(self.version),
        )


class AnswerItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    fingerprint = UnicodeAttribute()
    body = UnicodeAttribute(null=True)  # JSON text: exact integers, no Decimal round trips
    error = UnicodeAttribute(null=True)
    message = UnicodeAttribute()
    late = BooleanAttribute()


class SlotItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    payment_id = UnicodeAttribute(null=True)


class AttemptItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    attempts = NumberAttribute(default=0)


class TokenItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    sealed_number = UnicodeAttribute(null=True)
    card = CardAttribute()
    expires = NumberAttribute()  # epoch seconds: the table's TTL attribute (TTL deletes late)
    spent_by = UnicodeAttribute(null=True)


class RateItem(Model):
    class Meta(_Meta):
        pass

    pk = UnicodeAttribute(hash_key=True)
    requests = NumberAttribute(default=0)
    expires = NumberAttribute()


@cache
def _connection() -> Connection:
    return Connection(region=_Meta.region, host=_Meta.host)


class DynamoPaymentLedger:
    """The PaymentLedger the processor uses in Lambda."""

    def answer(self, key: str) -> StoredAnswer | None:
        item = _get(AnswerItem, _key_pk(key))
        if item is None:
            return None
        body = json.loads(item.body) if item.body is not None else None
        answer = Answer(body, item.error, item.message, bool(item.late))
        return StoredAnswer(item.fingerprint, answer)

    def payment(self, payment_id: str) -> Payment | None:
        item = _get(PaymentItem, _payment_pk(payment_id))
        return item.payment() if item else None

    def slot(self, booking_id: str) -> Slot | None:
        item = _get(SlotItem, _slot_pk(booking_id))
        return Slot(item.payment_id) if item else None

    def count_attempt(self, key: str) -> int:
        item = AttemptItem(f"attempts#{key}")
        item.update(actions=[AttemptItem.attempts.add(1)])
        return int(item.attempts)

    def token(self, token: str) -> StoredToken | None:
        item = _get(TokenItem, _token_pk(token))
        if item is None:
            return None
        saved = item.card
        card = CardSummary(saved.brand, saved.last4, int(saved.exp_month), int(saved.exp_year))
        expires_at = datetime.fromtimestamp(int(item.expires), UTC)
        return StoredToken(token, item.sealed_number, card, expires_at, item.spent_by)

    def save_token(self, token: StoredToken) -> None:
        TokenItem(
            _token_pk(token.token),
            sealed_number=token.sealed_number,
            card=CardAttribute(**token.card.as_json()),
            expires=int(token.expires_at.timestamp()),
        ).save(condition=TokenItem.pk.does_not_exist())

    def count_request(self, bucket: str, window_ends: int) -> int:
        """Count one request in the window `bucket` (kept until `window_ends`); the count so far."""
        item = RateItem(f"rate#{bucket}")
        item.update(actions=[RateItem.requests.add(1), RateItem.expires.set(window_ends)])
        return int(item.requests)

    def record(self, decision: Decision, also: Sequence[PendingEvent] = ()) -> None:
        answer = decision.answer
        try:
            with TransactWrite(connection=_connection()) as tx:
                tx.save(
                    AnswerItem(
                        _key_pk(decision.key),
                        fingerprint=decision.fingerprint,
                        body=None if answer.body is None else json.dumps(answer.body, sort_keys=True),
                        error=answer.error,
                        message=answer.message,
                        late=answer.late,
                    ),
                    condition=AnswerItem.pk.does_not_exist(),
                )
                based_on = decision.based_on
                if decision.payment is not None:
                    tx.save(
                        PaymentItem.of(decision.payment),
                        condition=(
                            PaymentItem.pk.does_not_exist()
                            if based_on is None
                            else PaymentItem.version == based_on.version
                        ),
                    )
                elif based_on is not None:
                    tx.condition_check(
                        PaymentItem,
                        _payment_pk(based_on.id),
                        condition=PaymentItem.version == based_on.version,
                    )
                if decision.slot_empty is not None:
                    tx.condition_check(
                        SlotItem, _slot_pk(decision.slot_empty), condition=SlotItem.pk.does_not_exist()
                    )
                if decision.claim_slot is not None:
                    payment_id = decision.payment.id if decision.payment is not None else None
                    tx.save(
                        SlotItem(_slot_pk(decision.claim_slot), payment_id=payment_id),
                        condition=SlotItem.pk.does_not_exist(),
                    )
                if decision.spend_token is not None:
                    tx.update(
                        TokenItem(_token_pk(decision.spend_token)),
                        actions=[TokenItem.spent_by.set(decision.key), TokenItem.sealed_number.remove()],
                        condition=TokenItem.pk.exists() & TokenItem.spent_by.does_not_exist(),
                    )
                for pending in also:  # puts after the answer's: its index in the refusal is unchanged
                    record = EventRecord.of(pending, utc_now())
                    tx.save(record, condition=EventRecord.version.does_not_exist())
        except TransactWriteError as error:
            # PynamoDB sends condition checks first, so the answer's reason follows the checks' (the
            # payment's, the empty slot's).
            checks = (
                decision.payment is None and decision.based_on is not None,
                decision.slot_empty is not None,
            )
            answer_at = sum(checks)
            if is_conditional_failure(error, item=answer_at):
                raise KeyTaken(decision.key) from None
            if is_conditional_failure(error) or "TransactionConflict" in cancellation_codes(error):
                raise StaleDecision(decision.key) from None
            raise


def _get(model: type[M], pk: str) -> M | None:
    """The item read strongly consistently, as `model.get` reads it, through PynamoDB's own client but
    without its per-call request building (a fifth of a read's client CPU, three reads a booking)."""
    client: Any = _connection().client
    answer = client.get_item(TableName=model.Meta.table_name, Key={"pk": {"S": pk}}, ConsistentRead=True)
    item = answer.get("Item")
    return None if item is None else model.from_raw_data(item)


def _payment_pk(payment_id: str) -> str:
    return f"payment#{payment_id}"


def _key_pk(key: str) -> str:
    return f"key#{key}"


def _slot_pk(booking_id: str) -> str:
    return f"booking#{booking_id}"


def _token_pk(token: str) -> str:
    return f"token#{token}"
