"""Ticket signatures: the key derived from the secret, QR payloads that verify, and ones that must not."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import date

import jwt
import pytest

from tests.unit.tickets.builders import SECRET, booked
from tests.unit.tickets.test_service import FakeTicketStore, issuer
from trainbook.tickets.domain import InvalidTicket, Ticket
from trainbook.tickets.signing import derive_signing_key, key_id, public_key_pem, sign_ticket, verify

KEY = derive_signing_key(SECRET)


@pytest.fixture(scope="module")
def ticket() -> Ticket:
    events, _ = booked()
    return issuer(events, FakeTicketStore()).issue("b-2026-0001")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(payload: str) -> dict[str, object]:
    body = payload.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def test_the_same_secret_always_derives_the_same_key_and_another_secret_another() -> None:
    assert public_key_pem(derive_signing_key(SECRET)) == public_key_pem(KEY)
    assert key_id(derive_signing_key(SECRET + "x")) != key_id(KEY)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 32"):
        derive_signing_key("too short")


def test_the_qr_payload_verifies_with_the_published_public_key(ticket: Ticket) -> None:
    claims = verify(ticket.qr_payload, public_key_pem(KEY))
    assert (claims.ticket_number, claims.booking_id, claims.run_id) == (
        ticket.number,
        "b-2026-0001",
        "run-3500-2026-11-25",
    )
    assert (claims.origin, claims.destination, claims.day, claims.departs) == (
        "KRK",
        "GDG",
        "2026-11-25",
        "05:58",
    )
    assert claims.seats == ("05-045", "05-046")
    assert claims.passengers == (("Anna Kowalska", "NORMAL"), ("Zażółć Gęślą-Jaźń", "U51"))
    assert claims.key_id == key_id(KEY)
    assert claims.valid_on(date(2026, 11, 25)) and not claims.valid_on(date(2026, 11, 26))


def test_signing_is_deterministic_so_a_reissued_ticket_has_the_same_qr(ticket: Ticket) -> None:
    assert sign_ticket(ticket, KEY) == ticket.qr_payload


def test_a_tampered_payload_is_rejected(ticket: Ticket) -> None:
    header, _, signature = ticket.qr_payload.split(".")
    claims = _claims(ticket.qr_payload)
    claims["to"] = "GDY"  # ride further than paid for
    forged = f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"
    with pytest.raises(InvalidTicket, match="does not verify"):
        verify(forged, KEY.public_key())


def test_a_ticket_signed_with_another_key_is_rejected(ticket: Ticket) -> None:
    other = sign_ticket(ticket, derive_signing_key("someone else's secret, also long enough"))
    with pytest.raises(InvalidTicket):
        verify(other, KEY.public_key())


def test_an_unsigned_token_is_rejected(ticket: Ticket) -> None:
    unsigned = jwt.encode({"iss": "trainbook", **ticket.claims()}, None, algorithm="none")
    with pytest.raises(InvalidTicket):
        verify(unsigned, KEY.public_key())


def test_an_hmac_token_keyed_with_the_public_key_is_rejected(ticket: Ticket) -> None:
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps({"iss": "trainbook", **ticket.claims()}).encode())
    with pytest.raises(InvalidTicket):
        verify(f"{header}.{body}.{_b64(b'x' * 32)}", public_key_pem(KEY))


def test_a_signed_payload_missing_a_claim_is_rejected(ticket: Ticket) -> None:
    incomplete = {"iss": "trainbook", **ticket.claims()}
    del incomplete["seats"]
    token = jwt.encode(incomplete, KEY, algorithm="EdDSA")
    with pytest.raises(InvalidTicket, match="seats"):
        verify(token, KEY.public_key())


def test_names_travel_as_utf8_to_keep_the_qr_code_small(ticket: Ticket) -> None:
    assert "\\u" not in base64.urlsafe_b64decode(ticket.qr_payload.split(".")[1] + "==").decode()
    assert replace(ticket, qr_payload="").claims()["pax"] == [
        ["Anna Kowalska", "NORMAL"],
        ["Zażółć Gęślą-Jaźń", "U51"],
    ]
