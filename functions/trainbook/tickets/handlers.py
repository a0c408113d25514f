"""Lambda entry point of the saga's IssueTicket task: {"booking_id"} in, ticket number and QR payload out.

A booking that is not confirmed raises BookingNotConfirmed, an unknown one BookingNotFound: Lambda
reports the class name as `errorType`. Issuing again returns the same ticket. With fault injection
on (FAULTS_PARAMETER), a plan for the booking's "IssueTicket" step fails it before or after the work.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.faults import around_work, plan_for
from trainbook.saga_progress import ended_riders, records_progress
from trainbook.tickets.domain import InvalidTicketRequest
from trainbook.tickets.wiring import issuer

logger = Logger(service="tickets")


@records_progress(lambda _event: "IssueTicket")
@logger.inject_lambda_context
def issue(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    booking_id = event.get("booking_id") if isinstance(event, dict) else None
    if not isinstance(booking_id, str) or not 0 < len(booking_id) <= 64:
        raise InvalidTicketRequest('IssueTicket needs {"booking_id": "<1 to 64 characters>"}')
    logger.set_correlation_id(booking_id)
    logger.append_keys(booking_id=booking_id)
    plan = plan_for(booking_id, "IssueTicket", event.get("faults"))
    with around_work(plan):
        # The step's Ended, showing the ticket number, rides in the ticket's own write (ended_riders).
        ticket = issuer().issue(booking_id, riders=lambda new: ended_riders({"ticket_number": new.number}))
    logger.info("ticket issued", extra={"ticket_number": ticket.number})
    return {
        "booking_id": ticket.booking_id,
        "ticket_number": ticket.number,
        "qr_payload": ticket.qr_payload,
        "issued_at": ticket.issued_at,
    }
