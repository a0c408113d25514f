"""Lambda tasks of the booking and cancellation sagas (stepfunctions/*.asl.json): one use case each.

Every task takes `{"booking_id": ...}` (plus what the state passes), calls one idempotent use case and
returns a small JSON result. Domain errors surface to Step Functions under their class name
(`SeatTaken`, `HoldExpired`, `BookingClosed`, `ConcurrencyConflict` ...), which the state machine
Catches or Retries by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook import faults
from trainbook.booking.domain import BookingStatus
from trainbook.booking.policy import refund_for
from trainbook.booking.wiring import booking_service
from trainbook.errors import DomainError
from trainbook.eventstore.events import Meta, utc_now
from trainbook.saga_progress import ended_riders, records_progress

logger = Logger(service="booking-saga")
Task = Callable[[dict[str, Any], LambdaContext], dict[str, Any]]


def saga_task(
    step: str, tells_faults: bool = False
) -> Callable[[Callable[[str, dict[str, Any], Meta], dict[str, Any]]], Task]:
    """Wrap a step: correlation id = booking id, fault injection around the work, structured logs,
    and its start and end recorded for live watchers (trainbook/saga_progress.py). A step that
    `tells_faults` answers whether the booking has a fault plan, for the steps after it (faults.py)."""

    def wrap(work: Callable[[str, dict[str, Any], Meta], dict[str, Any]]) -> Task:
        @logger.inject_lambda_context
        def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
            booking_id = str(event["booking_id"])
            logger.set_correlation_id(booking_id)
            logger.append_keys(booking_id=booking_id, step=step)
            meta = Meta(correlation_id=booking_id, causation_id=step, actor="booking-saga")
            booking_plan = faults.booking_plan(booking_id, event.get("faults"))
            plan = faults.for_step(booking_plan, step)
            with faults.around_work(plan):
                try:
                    result = work(booking_id, event, meta)
                except DomainError as refused:
                    # Expected (a lost seat race, a lapsed hold): one structured line, no traceback. The
                    # error still leaves the function under its class name for the saga to Catch.
                    logger.warning(
                        "step refused",
                        extra={
                            "error": type(refused).__name__,
                            "code": refused.code,
                            "reason": refused.message,
                        },
                    )
                    raise refused.with_traceback(None) from None
            if tells_faults:
                result = {**result, "faults": booking_plan is not None}
            logger.info("step done", extra={"result": result})
            return result

        return records_progress(lambda _event: step)(handler)

    return wrap


@saga_task("QuoteFare", tells_faults=True)
def quote_fare(booking_id: str, event: dict[str, Any], meta: Meta) -> dict[str, Any]:
    booking = booking_service().load(booking_id)
    return {"total_grosze": booking.total_grosze, "currency": "PLN", "status": booking.status.value}


@saga_task("HoldSeats")
def hold_seats(booking_id: str, event: dict[str, Any], meta: Meta) -> dict[str, Any]:
    # The step's Ended rides in the hold's own transaction (saga_progress.ended_riders); its answer
    # shows a watcher nothing.
    booking = booking_service().hold_seats(booking_id, meta=meta, riders=ended_riders({}))
    return {"seats": list(booking.seats), "hold_expires_at": booking.hold_expires_at}


@saga_task("ConfirmBooking")
def confirm_booking(booking_id: str, event: dict[str, Any], meta: Meta) -> dict[str, Any]:
    # A confirmation that writes leaves the booking CONFIRMED: its Ended shows that, in the same transaction.
    riders = ended_riders({"status": BookingStatus.CONFIRMED.value})
    return {"status": booking_service().confirm(booking_id, meta=meta, riders=riders).status.value}


@saga_task("ReleaseSeats")
def release_seats(booking_id: str, event: dict[str, Any], meta: Meta) -> dict[str, Any]:
    booking = booking_service().release_seats(booking_id, str(event.get("reason", "saga_failed")), meta=meta)
    return {"seats_released": booking.seats_released}


@saga_task("MarkBookingFailed")
def mark_booking_failed(booking_id: str, event: dict[str, Any], meta: Meta) -> dict[str, Any]:
    reason = _reason(event.get("error"))
    return {"status": booking_service().fail(booking_id, reason, meta=meta).status.value, "reason": reason}


@saga_task("QuoteRefund")
def quote_refund(booking_id: str, event: dict[str, Any], meta: Meta) -> dict[str, Any]:
    booking = booking_service().load(booking_id)
    at_fault = bool(event.get("carrier_at_fault", False))
    return {"refund_grosze": refund_for(booking, utc_now(), at_fault), "carrier_at_fault": at_fault}


@saga_task("RecordCancellation")
def record_cancellation(booking_id: str, event: dict[str, Any], meta: Meta) -> dict[str, Any]:
    refund = int(event["refund_grosze"])
    reason = str(event.get("reason", "passenger"))
    booking = booking_service().cancel(booking_id, refund, reason, meta=meta)
    # The reason goes out with the final status pushed on `booking:<id>` (train_cancelled or passenger).
    return {"status": booking.status.value, "refund_grosze": refund, "reason": reason}


def _reason(error: object) -> str:
    """A short reason from a Catch's `{"Error", "Cause"}`, for the booking's history."""
    if isinstance(error, dict):
        return str(error.get("Error") or "saga_failed")[:200]
    return "saga_failed"
