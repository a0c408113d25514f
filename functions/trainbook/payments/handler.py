"""Lambda entry point of the payment simulator: parse the request, let the processor answer it.

Declines and transient failures are raised, so Lambda reports the class name as `errorType`
(PaymentDeclined, InsufficientFunds, PaymentProcessingError ...) for the saga to Catch or Retry.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.payments.commands import parse_command
from trainbook.payments.processor import PaymentProcessor
from trainbook.payments.store import DynamoPaymentLedger

DEFAULT_TIMEOUT_SECONDS = 900.0  # longer than any Lambda timeout: the caller always gives up first

logger = Logger(service="payments")


def stall() -> None:
    """The timeout test card: keep the caller waiting past its own timeout."""
    time.sleep(float(os.environ.get("PAYMENT_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS)))


@cache
def processor() -> PaymentProcessor:
    return PaymentProcessor(ledger=DynamoPaymentLedger(), clock=lambda: datetime.now(UTC), stall=stall)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    command = parse_command(event)
    logger.info(
        "payment request",
        extra={"action": command.action.value, "idempotency_key": command.idempotency_key},
    )
    return processor().handle(command)
