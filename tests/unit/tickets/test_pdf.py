"""The PDF ticket and the QR code: a valid PDF naming the ticket, Polish text intact, stable bytes."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from tests.unit.tickets.builders import POLISH_NAME, booked
from tests.unit.tickets.test_service import FakeTicketStore, issuer
from trainbook.tickets.domain import Ticket
from trainbook.tickets.pdf import format_zloty, polish_date, render_pdf
from trainbook.tickets.qr import qr_modules, qr_png, qr_svg


@pytest.fixture(scope="module")
def ticket() -> Ticket:
    events, _ = booked()
    return issuer(events, FakeTicketStore()).issue("b-2026-0001")


@pytest.fixture(scope="module")
def pdf(ticket: Ticket) -> bytes:
    return render_pdf(ticket)


def test_the_ticket_is_a_pdf_that_names_its_ticket_number(ticket: Ticket, pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert f"Trainbook ticket {ticket.number}".encode() in pdf  # the document title
    assert b"/FontFile2" in pdf  # the DejaVu font is embedded, not a Latin-1 built-in


def test_rendering_the_same_ticket_gives_the_same_bytes(ticket: Ticket, pdf: bytes) -> None:
    assert render_pdf(ticket) == pdf


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")
def test_the_text_keeps_its_polish_letters(ticket: Ticket, pdf: bytes) -> None:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    for expected in (ticket.number, "Kraków Główny", "Gdańsk Główny", POLISH_NAME, "341,21 zł", "ulga 51%"):
        assert expected in text


def test_prices_print_the_polish_way() -> None:
    assert format_zloty(34_121) == "341,21\u00a0zł"
    assert format_zloty(1_234_550) == "12\u00a0345,50\u00a0zł"
    assert format_zloty(5) == "0,05\u00a0zł"


def test_dates_print_in_polish() -> None:
    assert polish_date(date(2026, 11, 25)) == "środa, 25 listopada 2026"


def test_the_qr_code_carries_the_payload_in_svg_and_png(ticket: Ticket) -> None:
    modules = qr_modules(ticket.qr_payload)
    assert len(modules) == len(modules[0]) >= 21
    assert qr_svg(ticket.qr_payload).startswith("<svg")
    assert qr_png(ticket.qr_payload).startswith(b"\x89PNG")
