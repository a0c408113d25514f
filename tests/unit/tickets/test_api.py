"""The PDF ticket route returns the PDF's bytes unchanged, whatever bytes they are."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.builders import RUN
from tests.unit.tickets.builders import booked
from trainbook.tickets.domain import draft_ticket

EVENTS = Path(__file__).resolve().parents[3] / "events"
NOT_TEXT = b"%PDF-1.7\n%\xe9\xff\x00\x81 a PDF is binary, not UTF-8"


class Context:
    function_name = "api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:api"
    aws_request_id = "test"


def ticket_request(booking_id: str, user_id: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "accounts-me.json").read_text())
    path = f"/bookings/{booking_id}/ticket.pdf"
    event.update(
        resource="/bookings/{booking_id}/ticket.pdf", path=path, pathParameters={"booking_id": booking_id}
    )
    event["requestContext"].update(resourcePath=event["resource"], path=path)
    event["requestContext"]["authorizer"].update(user_id=user_id, principalId=user_id)
    return event


def test_a_ticket_pdf_is_returned_byte_for_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    from trainbook.api.app import handler
    from trainbook.tickets import api

    _, commands = booked()
    booking = commands.load("b-2026-0001")
    ticket = draft_ticket(booking, commands.runs.get(RUN), "TB-2026-TEST-0001", "2026-11-24T12:00:00.000000Z")
    monkeypatch.setattr(api, "issuer", lambda: type("Issuer", (), {"find": lambda self, _: ticket})())
    monkeypatch.setattr(api, "render_pdf", lambda _: NOT_TEXT)

    response = handler(ticket_request("b-2026-0001", booking.user_id), Context())  # type: ignore[arg-type]

    assert response["statusCode"] == 200, response["body"]
    assert response["isBase64Encoded"] is True
    assert base64.b64decode(response["body"]) == NOT_TEXT
    assert response["multiValueHeaders"]["Content-Type"] == ["application/pdf"]
