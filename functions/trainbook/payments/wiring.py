"""Object wiring of the payment simulator: its processor on the Payments table and the card vault."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache

from trainbook.payments.service import PaymentProcessor
from trainbook.payments.store import DynamoPaymentLedger
from trainbook.payments.vault import card_vault

DEFAULT_TIMEOUT_SECONDS = 900.0  # longer than any Lambda timeout: the caller always gives up first


def stall() -> None:
    """The timeout test card: keep the caller waiting past its own timeout."""
    time.sleep(float(os.environ.get("PAYMENT_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)))


def _processor(stall: Callable[[], None]) -> PaymentProcessor:
    return PaymentProcessor(
        ledger=DynamoPaymentLedger(), clock=lambda: datetime.now(UTC), stall=stall, vault=card_vault
    )


@cache
def processor() -> PaymentProcessor:
    """The saga's payment tasks: the timeout card stalls as a slow issuer would."""
    return _processor(stall)


@cache
def tokenizing_processor() -> PaymentProcessor:
    """The public tokenization route: it never stalls (no card reaches an issuer there)."""
    return _processor(lambda: None)
