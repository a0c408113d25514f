"""The simulated PSP's request handling: idempotency keys, one live payment per booking, retry on races.

Every request names an idempotency key. The first request with a key decides, and its answer
(the payment as it was then, or a decline) is recorded with the key in the SAME conditional write
as the payment's new state; a repeat with the same request gets that answer back, a repeat with a
different request gets IdempotencyConflict. A request decides before reading its key: a repeat's
decision is refused (its write finds the key taken, or the payment already moved) and only then is
the key read and its answer replayed. Two concurrent duplicates both decide, but only one write can
create the key: the loser replays the winner's answer, so money moves once.

A booking has at most one approved payment (its "slot"). Capture, void and refund find it by
booking id when the saga has no payment id, which is exactly the case after an authorization
whose answer was lost (a timeout). Voiding, refunding or compensating a booking that has no payment
yet closes its slot, so an authorization that arrives after the compensation is refused instead of
holding money nobody will ever release.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from trainbook.errors import DomainError
from trainbook.eventstore.events import Riders, format_instant, write_with_riders
from trainbook.payments.cards import Card, CardBehaviour
from trainbook.payments.domain import (
    CURRENCY,
    Action,
    Answer,
    Authorize,
    Capture,
    Command,
    Compensate,
    Decision,
    KeyTaken,
    Payment,
    PaymentLedger,
    PaymentState,
    Refund,
    Slot,
    StaleDecision,
    StoredAnswer,
    StoredToken,
    Void,
    authorize,
    fingerprint,
)
from trainbook.payments.errors import (
    REPLAYED_ERRORS,
    BookingPaymentClosed,
    DuplicatePayment,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidPaymentRequest,
    InvalidPaymentToken,
    PaymentDeclined,
    PaymentNotFound,
    PaymentProcessingError,
)
from trainbook.payments.tokens import TOKEN_TTL, CardToken, card_to_tokenize, new_token_id
from trainbook.payments.vault import CardVault

DECIDE_ATTEMPTS = 5  # a request re-decides when a concurrent one changed the payment first


def new_payment_id() -> str:
    return f"pay_{secrets.token_hex(12)}"


@dataclass
class PaymentProcessor:
    ledger: PaymentLedger
    clock: Callable[[], datetime]
    stall: Callable[[], None]  # the timeout card: outlive the caller's patience
    vault: Callable[[], CardVault]
    new_id: Callable[[], str] = new_payment_id
    new_token: Callable[[], str] = new_token_id

    def tokenize(self, raw_card: object) -> dict[str, Any]:
        """A single-use token for the card; the CVC is checked here and kept nowhere."""
        card = card_to_tokenize(raw_card)
        expires_at = self.clock() + TOKEN_TTL
        token = self.new_token()
        self.ledger.save_token(StoredToken(token, self.vault().seal(card.number), card.summary, expires_at))
        return CardToken(token, card, expires_at).as_json()

    def handle(self, command: Command, riders: Riders | None = None) -> dict[str, Any]:
        """The answer to a request: a payment as JSON, or a raised payment error.

        `riders` go in the write that records a new answer, if that answer is a payment given at once (not
        an error, not a late answer: the caller would not see it as the request's success).
        """
        # An authorization's token is read once for its fingerprint and its first decision; a decision
        # taken again (a concurrent request moved the payment) reads it afresh.
        token = self.ledger.token(command.payment_token) if isinstance(command, Authorize) else None
        request_print = self._fingerprint(command, token)
        known: StoredAnswer | None = None  # read already, after a refused decision
        for attempt in range(DECIDE_ATTEMPTS):
            # Write first: a request decides without reading its key, since the write that records its
            # answer creates the key under a condition (KeyTaken when a duplicate got there first). The
            # key is read only after a refusal, to replay what the duplicate answered: a first request,
            # the usual case, costs one read less.
            stored = known or (self.ledger.answer(command.idempotency_key) if attempt else None)
            known = None
            if stored is not None:
                if stored.fingerprint != request_print:
                    raise IdempotencyConflict(
                        f"idempotency key {command.idempotency_key!r} was used for a different request"
                    )
                return self._deliver(stored.answer)
            try:
                decision = self._decide(command, request_print, token, first=attempt == 0)
            except DomainError:
                # A duplicate of this very request may have moved the payment since the key was
                # checked (it captured, or took the booking's slot): its answer is ours to replay.
                known = self.ledger.answer(command.idempotency_key)
                if known is not None:
                    token = None
                    continue
                raise
            try:
                self._record(decision, riders)
            except (KeyTaken, StaleDecision):
                token = None
                continue  # replay the winner's answer, or decide again on the new state
            return self._deliver(decision.answer)
        raise PaymentProcessingError("the payment kept changing under concurrent requests; retry")

    def _record(self, decision: Decision, riders: Riders | None) -> None:
        answer = decision.answer
        given_at_once = answer.error is None and not answer.late
        write_with_riders(
            riders if given_at_once else None,
            lambda also: self.ledger.record(decision, also),
            (KeyTaken, StaleDecision),
        )

    def _fingerprint(self, command: Command, token: StoredToken | None) -> str:
        if not isinstance(command, Authorize):
            return fingerprint(command)
        return fingerprint(command, token.card.as_json() if token else None)

    def _decide(
        self, command: Command, request_print: str, token: StoredToken | None, first: bool = False
    ) -> Decision:
        if isinstance(command, Authorize):
            return self._authorize(command, request_print, token, read_slot=not first)
        payment, slot = self._target(command)
        now = self.clock()
        if payment is None:
            if isinstance(command, Capture):
                raise PaymentNotFound(f"booking {command.booking_id} has no payment to capture")
            # Nothing to undo: close the slot so an authorization arriving later cannot take money.
            body = _no_payment(command.booking_id or "", command.action, now)
            claim = command.booking_id if slot is None else None
            return Decision(command.idempotency_key, request_print, Answer(body), None, None, claim)
        if isinstance(command, Capture):
            after = payment.capture(command.amount_grosze, command.idempotency_key, now)
        elif isinstance(command, Void):
            after = payment.void(command.idempotency_key, now)
        elif isinstance(command, Compensate):
            after = payment.compensate(command.idempotency_key, now)
        else:
            after = payment.refund(command.amount_grosze, command.idempotency_key, now)
        if after is payment:  # a repeated compensation: nothing moves
            body = payment.as_json()
            body["operation"] = {
                "action": command.action.value,
                "amount_grosze": 0,
                "at": format_instant(now),
            }
            return Decision(command.idempotency_key, request_print, Answer(body), None, payment)
        return Decision(command.idempotency_key, request_print, Answer(after.as_json()), after, payment)

    def _authorize(
        self, command: Authorize, request_print: str, token: StoredToken | None, read_slot: bool = True
    ) -> Decision:
        """A first attempt decides without reading the booking's payment slot: its write takes the slot
        (an approval) or checks it is still empty (a decline) under a condition, so a slot someone took or a
        void closed refuses the write, and the attempt after it reads the slot and answers why. The fail-once
        test card reads it first, as before, since its attempts are counted before the write."""
        card = self._card_of(command, token) if not read_slot else None
        if read_slot or (card is not None and card.behaviour is CardBehaviour.FAILS_ONCE):
            self._check_slot(command.booking_id)
        card = card or self._card_of(command, token)
        attempt = (
            self.ledger.count_attempt(command.idempotency_key)
            if card.behaviour is CardBehaviour.FAILS_ONCE
            else 1
        )
        payment = authorize(
            self.new_id(),
            command.booking_id,
            command.amount_grosze,
            card,
            command.idempotency_key,
            self.clock(),
            attempt,
        )
        late = card.behaviour is CardBehaviour.TIMEOUT
        if payment.state is PaymentState.DECLINED:
            error = InsufficientFunds if payment.decline_code == "insufficient_funds" else PaymentDeclined
            message = (
                f"card {card.summary.brand} *{card.summary.last4} declined ({payment.decline_code}); "
                f"payment {payment.id} recorded as DECLINED"
            )
            answer = Answer(payment.as_json(), error.__name__, message, late)
            return Decision(
                command.idempotency_key,
                request_print,
                answer,
                payment,
                None,
                None,
                command.payment_token,
                slot_empty=command.booking_id,
            )
        answer = Answer(payment.as_json(), late=late)
        return Decision(
            command.idempotency_key,
            request_print,
            answer,
            payment,
            None,
            command.booking_id,
            command.payment_token,
        )

    def _check_slot(self, booking_id: str) -> None:
        """BookingPaymentClosed or DuplicatePayment unless the booking's payment slot is empty."""
        slot = self.ledger.slot(booking_id)
        if slot is not None:
            if slot.payment_id is None:
                raise BookingPaymentClosed(
                    f"booking {booking_id} was voided before this authorization arrived"
                )
            raise DuplicatePayment(f"booking {booking_id} already has payment {slot.payment_id}")

    def _card_of(self, command: Authorize, token: StoredToken | None) -> Card:
        """The card behind the request's token (`token` if read already); InvalidPaymentToken when
        unknown, expired or spent."""
        stored = token or self.ledger.token(command.payment_token)
        if stored is None:
            raise InvalidPaymentToken("no such payment token: tokenize the card again")
        if stored.spent_by is not None or stored.sealed_number is None:
            raise InvalidPaymentToken("this payment token was already used: tokenize the card again")
        if self.clock() >= stored.expires_at:
            raise InvalidPaymentToken("this payment token has expired (15 minutes): tokenize the card again")
        number = self.vault().open(stored.sealed_number)
        if number is None:
            raise InvalidPaymentToken("this payment token cannot be read: tokenize the card again")
        return Card(number, stored.card.exp_month, stored.card.exp_year)

    def _target(self, command: Capture | Void | Refund | Compensate) -> tuple[Payment | None, Slot | None]:
        """The payment a request acts on: by id, or the booking's; (None, slot) when it has none."""
        if command.payment_id is not None:
            payment = self.ledger.payment(command.payment_id)
            if payment is None:
                raise PaymentNotFound(f"no payment {command.payment_id}")
            if command.booking_id is not None and payment.booking_id != command.booking_id:
                raise InvalidPaymentRequest(
                    f"payment {payment.id} belongs to booking {payment.booking_id}, not {command.booking_id}"
                )
            return payment, None
        assert command.booking_id is not None  # parse_command requires one of the two
        slot = self.ledger.slot(command.booking_id)
        if slot is None or slot.payment_id is None:
            return None, slot
        payment = self.ledger.payment(slot.payment_id)
        if payment is None:
            raise PaymentNotFound(
                f"booking {command.booking_id} points to a missing payment {slot.payment_id}"
            )
        return payment, slot

    def _deliver(self, answer: Answer) -> dict[str, Any]:
        if answer.late:
            self.stall()
        if answer.error is not None:
            body = answer.body or {}
            raise REPLAYED_ERRORS[answer.error](
                answer.message, body.get("decline_code") or "card_declined", body.get("payment_id") or ""
            )
        assert answer.body is not None
        return answer.body


def _no_payment(booking_id: str, action: Action, at: datetime) -> dict[str, Any]:
    return {
        "payment_id": None,
        "booking_id": booking_id,
        "state": "NO_PAYMENT",
        "currency": CURRENCY,
        "amount_grosze": 0,
        "captured_grosze": 0,
        "refunded_grosze": 0,
        "card": None,
        "decline_code": None,
        "operation": {"action": action.value, "amount_grosze": 0, "at": format_instant(at)},
    }
