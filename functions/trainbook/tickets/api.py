"""Ticket routes: the public key conductors verify QR codes with, and a booking's PDF ticket."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path

from trainbook.errors import NotFound
from trainbook.tickets.domain import Ticket
from trainbook.tickets.keys import key_id, public_key_pem
from trainbook.tickets.pdf import render_pdf
from trainbook.tickets.qr import qr_svg
from trainbook.tickets.wiring import issuer
from trainbook.web.identity import identity_of

router = Router()


@router.get("/tickets/public-key", summary="The Ed25519 public key that verifies ticket QR codes offline")
def public_key() -> dict[str, str]:
    return {"algorithm": "EdDSA", "key_id": key_id(), "public_key_pem": public_key_pem()}


def _ticket_of_caller(booking_id: str) -> Ticket:
    caller = identity_of(router.current_event.raw_event.get("requestContext") or {})
    ticket = issuer().find(booking_id)
    if ticket is None or (ticket.user_id != caller.user_id and not caller.is_admin):
        raise NotFound(f"no ticket for booking {booking_id} (yet)")
    return ticket


@router.get("/bookings/<booking_id>/ticket", summary="The ticket: number, QR payload and QR image (SVG)")
def ticket(booking_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
    found = _ticket_of_caller(booking_id)
    return {"ticket_number": found.number, "qr_payload": found.qr_payload, "qr_svg": qr_svg(found.qr_payload)}


@router.get("/bookings/<booking_id>/ticket.pdf", summary="The ticket as a PDF to print or keep")
def ticket_pdf(booking_id: Annotated[str, Path(max_length=64)]):  # type: ignore[no-untyped-def]
    # No return annotation on purpose: with one, Powertools validates the body as JSON text, and PDF bytes
    # are not UTF-8. Without one it passes the bytes through, base64-encoded as API Gateway expects.
    found = _ticket_of_caller(booking_id)
    return Response(
        status_code=200,
        content_type="application/pdf",
        body=render_pdf(found),
        headers={"Content-Disposition": f'attachment; filename="{found.number}.pdf"'},
    )
