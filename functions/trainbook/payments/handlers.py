"""Lambda entry points of the payment simulator: the saga's requests, and its tokenization REST route.

Declines and transient failures are raised, so Lambda reports the class name as `errorType`
(PaymentDeclined, InsufficientFunds, PaymentProcessingError ...) for the saga to Catch or Retry.
When fault injection is on (FAULTS_PARAMETER), a plan for the booking can fail the saga step this
request is: AuthorizePayment, CapturePayment, VoidPayment, RefundPayment or CompensatePayment.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.faults import around_work, plan_for
from trainbook.payments.api import router
from trainbook.payments.domain import parse_command
from trainbook.payments.wiring import processor
from trainbook.saga_progress import ended_riders, records_progress
from trainbook.web.errors import install_error_handlers, refusal

logger = Logger(service="payments")


def saga_step(event: dict[str, Any]) -> str | None:
    """The saga state this request is (AuthorizePayment, CapturePayment ...), named as fault plans name it."""
    action = event.get("action")
    return f"{action.capitalize()}Payment" if isinstance(action, str) and action else None


@records_progress(saga_step)
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    command = parse_command(event)
    booking_id = command.booking_id or ""
    logger.set_correlation_id(booking_id or None)
    logger.append_keys(booking_id=booking_id, action=command.action.value)
    logger.info("payment request", extra={"idempotency_key": command.idempotency_key})
    step = f"{command.action.value.capitalize()}Payment"
    plan = plan_for(booking_id, step, event.get("faults")) if booking_id else None
    with around_work(plan):
        # The step's Ended rides in the write recording the answer (saga_progress.ended_riders); a payment's
        # answer shows a watcher nothing.
        answer = processor().handle(command, riders=ended_riders({}))
    logger.info("payment answered", extra={"state": answer["state"], "payment_id": answer["payment_id"]})
    return answer


tokens_logger = Logger(service="payment-tokens")
tokens_app = APIGatewayRestResolver(enable_validation=True)
tokens_app.include_router(router)
install_error_handlers(tokens_app, tokens_logger)


@tokens_logger.inject_lambda_context
def tokens_api(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """`POST /payments/tokens` in the simulator's own function (payments/api.py holds the route)."""
    return refusal(event) or tokens_app.resolve(event, context)
