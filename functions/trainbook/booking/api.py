"""Booking routes for signed-in passengers: book (starts the saga), list, show, cancel, ticket, trace.

POST /bookings records the request (validated and priced: bad input is a 400 and writes nothing),
starts the booking saga named by the booking id and answers 202 with the location to poll. The booking
id is derived from the caller and the `Idempotency-Key` header, so a retried POST finds the booking its
first attempt recorded (the append of `BookingRequested` at version 1 is conditional), starts no second
saga (StartExecution is idempotent by name) and answers as the first did: the event is the idempotency
record, with no second table to keep in step with it.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, Literal

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from pydantic import BaseModel, Field

from trainbook.booking.domain import Booking
from trainbook.booking.policy import refund_for
from trainbook.booking.pricing import PassengerRequest
from trainbook.booking.saga_trace import execution_path
from trainbook.booking.user_bookings import UserBookingsProjection
from trainbook.booking.wiring import booking_service
from trainbook.errors import NotFound
from trainbook.payments.tokens import TOKEN_PATTERN
from trainbook.web.identity import Identity, identity_of

router = Router()
logger = Logger(service="api", child=True)
BOOKING_NAMESPACE = uuid.UUID("6f1c2a3e-5d4b-4c8a-9e2f-7a1b3c5d7e9f")


class SeatChoice(BaseModel):
    car: int = Field(ge=1, le=99)
    seat: int = Field(ge=11, le=998)


class PassengerIn(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    discount: str = Field(default="NORMAL", max_length=8)
    age: int | None = Field(default=None, ge=0, le=120)


class BookingIn(BaseModel):
    run_id: str = Field(min_length=1, max_length=40, examples=["run-3500-2026-11-25"])
    origin: str = Field(min_length=2, max_length=5)
    destination: str = Field(min_length=2, max_length=5)
    seats: list[SeatChoice] = Field(min_length=1, max_length=8)
    passengers: list[PassengerIn] = Field(min_length=1, max_length=8)
    payment_token: str = Field(
        pattern=TOKEN_PATTERN,
        examples=["tok_0123456789abcdef01234567"],
        description="a single-use card token from POST /payments/tokens (the card itself never comes here)",
    )


class FailureView(BaseModel):
    code: Literal[
        "seat_taken",
        "card_declined",
        "insufficient_funds",
        "payment_timeout",
        "hold_expired",
        "train_cancelled",
        "internal",
    ]
    message: str


class QuoteIn(BaseModel):
    run_id: str = Field(min_length=1, max_length=40)
    origin: str = Field(min_length=2, max_length=5)
    destination: str = Field(min_length=2, max_length=5)
    seats: list[SeatChoice] = Field(min_length=1, max_length=8)
    passengers: list[PassengerIn] = Field(min_length=1, max_length=8)


class QuoteLine(BaseModel):
    name: str
    discount: str
    seat: str
    travel_class: int
    price_grosze: int


class QuoteView(BaseModel):
    passengers: list[QuoteLine]
    total_grosze: int


class RefundQuoteView(BaseModel):
    booking_id: str
    total_grosze: int
    fee_grosze: int
    refund_grosze: int


class EventView(BaseModel):
    version: int
    type: str
    at: str
    data: dict[str, Any]


class BookingView(BaseModel):
    booking_id: str
    status: str
    run_id: str
    origin: str
    destination: str
    departs_at: str
    seats: list[str]
    passengers: list[dict[str, Any]]
    total_grosze: int
    ticket_url: str | None = None
    failure: FailureView | None = Field(default=None, description="why a FAILED booking failed")
    refund_grosze: int | None = Field(default=None, description="what a CANCELLED booking refunded")
    fee_grosze: int | None = Field(default=None, description="what a CANCELLED booking kept as a fee")
    compensation_grosze: int = Field(
        default=0, description="refunded for a late arrival (EU 2021/782 Art. 19)"
    )
    cancellation_reason: str | None = Field(default=None, description="passenger, train_cancelled ...")

    @classmethod
    def of(cls, booking: Booking) -> BookingView:
        return cls(
            booking_id=booking.id,
            status=booking.status.value,
            run_id=booking.run_id,
            origin=booking.origin,
            destination=booking.destination,
            departs_at=booking.departs_at,
            seats=list(booking.seats),
            passengers=[dict(p) for p in booking.passengers],
            total_grosze=booking.total_grosze,
            ticket_url=f"/bookings/{booking.id}/ticket.pdf" if booking.confirmed else None,
            failure=FailureView.model_validate(booking.failure.as_json()) if booking.failure else None,
            refund_grosze=booking.refund_grosze,
            fee_grosze=booking.fee_grosze,
            compensation_grosze=booking.compensation_grosze,
            cancellation_reason=booking.cancellation_reason,
        )


class BookingRowView(BaseModel):
    booking_id: str
    run_id: str
    origin: str
    destination: str
    departs_at: str
    seats: list[str]
    total_grosze: int
    status: str
    failure: FailureView | None = None
    refund_grosze: int | None = None
    fee_grosze: int | None = None
    version: int


class Accepted(BaseModel):
    booking_id: str
    status: str
    location: str


ACCEPTED: dict[int, Any] = {
    202: {"description": "accepted: poll the Location", "content": {"application/json": {"model": Accepted}}}
}


@cache
def _sfn() -> Any:
    return boto3.client("stepfunctions")


def _caller() -> Identity:
    return identity_of(router.current_event.raw_event.get("requestContext") or {})


def _own_booking(booking_id: str, caller: Identity) -> Booking:
    """The booking, if the caller may see it; another user's booking does not exist for them."""
    booking = booking_service().load(booking_id)
    if booking.user_id != caller.user_id and not caller.is_admin:
        raise NotFound(f"no booking {booking_id}")
    return booking


@router.post(
    "/bookings",
    status_code=202,
    summary="Book seats: starts the booking saga and answers 202",
    responses=ACCEPTED,
)
def create_booking(
    body: BookingIn,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)] = None,
) -> Response[dict[str, str]]:
    accepted = _start(_caller().user_id, idempotency_key or str(uuid.uuid4()), body)
    logger.append_keys(booking_id=accepted["booking_id"])
    logger.info("booking accepted")
    return Response(
        status_code=202,
        content_type=content_types.APPLICATION_JSON,
        body=accepted,
        headers={"Location": accepted["location"]},
    )


def _start(user_id: str, key: str, body: BookingIn) -> dict[str, Any]:
    """Record the request (or find the one this key recorded) and start its saga; the answer is the same
    for a repeat. The card token is not part of the request as recorded: a repeat after tokenizing the
    card again (the first token is spent) answers the first result, not a conflict."""
    booking_id = str(uuid.uuid5(BOOKING_NAMESPACE, f"{user_id}:{key}"))
    booking = booking_service().request(
        booking_id=booking_id,
        user_id=user_id,
        run_id=body.run_id,
        origin=body.origin,
        destination=body.destination,
        seats=[(s.car, s.seat) for s in body.seats],
        passengers=[PassengerRequest(p.name, p.discount, p.age) for p in body.passengers],
    )
    saga_input = {"booking_id": booking.id, "payment": {"token": body.payment_token}}
    try:
        _sfn().start_execution(
            stateMachineArn=os.environ["BOOKING_SAGA_ARN"], name=booking.id, input=json.dumps(saga_input)
        )
    except _sfn().exceptions.ExecutionAlreadyExists:
        pass  # the saga for this booking is already running: StartExecution is idempotent by name
    return {"booking_id": booking.id, "status": "PENDING", "location": f"/bookings/{booking.id}"}


@router.post(
    "/quotes", summary="The price of chosen seats for named passengers, before booking; records nothing"
)
def quote(body: QuoteIn) -> QuoteView:
    priced = booking_service().quote(
        run_id=body.run_id,
        origin=body.origin,
        destination=body.destination,
        seats=[(s.car, s.seat) for s in body.seats],
        passengers=[PassengerRequest(p.name, p.discount, p.age) for p in body.passengers],
    )
    lines = [
        QuoteLine(
            name=str(line["name"]),
            discount=str(line["discount"]),
            seat=str(line["seat"]),
            travel_class=int(line["travel_class"]),
            price_grosze=int(line["price_grosze"]),
        )
        for line in priced.passengers
    ]
    return QuoteView(passengers=lines, total_grosze=priced.total_grosze)


@router.get("/bookings", summary="The caller's bookings, soonest departure first")
def list_bookings() -> list[BookingRowView]:
    rows = UserBookingsProjection(booking_service().events).for_user(_caller().user_id)
    return [BookingRowView.model_validate(row) for row in rows]


@router.get("/bookings/<booking_id>", summary="One booking: status, seats, passengers, price, ticket")
def get_booking(booking_id: Annotated[str, Path(max_length=64)]) -> BookingView:
    return BookingView.of(_own_booking(booking_id, _caller()))


@router.get(
    "/bookings/<booking_id>/refund",
    summary="What cancelling now would refund: the total, the cancellation fee and the refund",
)
def refund_quote(booking_id: Annotated[str, Path(max_length=64)]) -> RefundQuoteView:
    booking = _own_booking(booking_id, _caller())
    booking.check_cancellable()
    refund = refund_for(booking, datetime.now(UTC))
    return RefundQuoteView(
        booking_id=booking.id,
        total_grosze=booking.total_grosze,
        fee_grosze=booking.total_grosze - refund,
        refund_grosze=refund,
    )


@router.get("/bookings/<booking_id>/events", summary="The booking's events in order, with the time of each")
def booking_events(booking_id: Annotated[str, Path(max_length=64)]) -> list[EventView]:
    booking = _own_booking(booking_id, _caller())
    return [
        EventView(version=e.version, type=e.event.TYPE, at=e.at.isoformat(), data=asdict(e.event))
        for e in booking_service().events.read(booking.stream)
    ]


@router.delete(
    "/bookings/<booking_id>",
    status_code=202,
    summary="Cancel a confirmed booking: starts the cancellation saga",
    responses=ACCEPTED,
)
def cancel_booking(booking_id: Annotated[str, Path(max_length=64)]) -> Response[dict[str, str]]:
    caller = _caller()
    booking = _own_booking(booking_id, caller)
    booking.check_cancellable()
    saga_input = {"booking_id": booking.id, "carrier_at_fault": False, "reason": "passenger"}
    try:
        _sfn().start_execution(
            stateMachineArn=os.environ["CANCELLATION_SAGA_ARN"],
            name=f"cancel-{booking.id}",
            input=json.dumps(saga_input),
        )
    except _sfn().exceptions.ExecutionAlreadyExists:
        pass
    accepted = {"booking_id": booking.id, "status": "CANCELLING", "location": f"/bookings/{booking.id}"}
    return Response(202, content_types.APPLICATION_JSON, accepted, headers={"Location": accepted["location"]})


@router.get("/bookings/<booking_id>/trace", summary="The saga's path for this booking: states, times, errors")
def trace(booking_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    booking = _own_booking(booking_id, _caller())
    return {
        "booking_id": booking.id,
        "status": booking.status.value,
        "executions": [
            execution_path(_sfn(), os.environ["BOOKING_SAGA_ARN"], booking.id),
            execution_path(_sfn(), os.environ["CANCELLATION_SAGA_ARN"], f"cancel-{booking.id}"),
        ],
    }
