"""The printable ticket: an A4 PDF (fpdf2) with the signed QR code, journey, seats, passengers and price.

Text is set in DejaVu Sans, bundled in `fonts/` (taken from the matplotlib wheel on PyPI, licence
in fonts/LICENSE_DEJAVU): PDF's built-in fonts are Latin-1 and cannot print ą ę ł ń ś ź ż. The
QR code is drawn as vector squares, so it stays sharp at any print size. The output depends only
on the ticket: rendering the same ticket twice gives the same bytes.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import jwt
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from trainbook.catalog.domain import WARSAW
from trainbook.catalog.fares import Discount
from trainbook.tickets.domain import Ticket
from trainbook.tickets.qr import qr_modules

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
NAVY = (22, 43, 84)
GREY = (110, 110, 110)
LIGHT = (236, 240, 246)
WEEKDAYS = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")
MONTHS = (
    "stycznia",
    "lutego",
    "marca",
    "kwietnia",
    "maja",
    "czerwca",
    "lipca",
    "sierpnia",
    "września",
    "października",
    "listopada",
    "grudnia",
)
QR_SIZE_MM = 58.0


def render_pdf(ticket: Ticket) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"Trainbook ticket {ticket.number}")
    pdf.set_subject(f"{ticket.train} {ticket.origin}-{ticket.destination} {ticket.valid_on}")
    pdf.set_producer("Trainbook")
    pdf.set_creation_date(_instant(ticket.issued_at))
    pdf.add_page()
    _header(pdf)
    _identity(pdf, ticket)
    _qr(pdf, ticket.qr_payload, x=pdf.w - 15 - QR_SIZE_MM, y=40)
    _journey(pdf, ticket)
    _passengers(pdf, ticket)
    _footer(pdf, ticket)
    return bytes(pdf.output())


def format_zloty(grosze: int) -> str:
    """1234550 -> "12 345,50 zł" (Polish style: space between thousands, decimal comma)."""
    zloty, rest = divmod(grosze, 100)
    return f"{zloty:,}".replace(",", "\u00a0") + f",{rest:02d}\u00a0zł"


def polish_date(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}"


def discount_label(code: str) -> str:
    try:
        discount = Discount.parse(code)
    except Exception:  # a code the tariff no longer knows still prints as written
        return code
    return "normalny" if discount.percent == 0 else f"ulga {discount.percent}%"


def _local(instant: str) -> str:
    return _instant(instant).astimezone(WARSAW).strftime("%d.%m.%Y %H:%M")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _header(pdf: FPDF) -> None:
    pdf.set_fill_color(*NAVY)
    pdf.rect(0, 0, pdf.w, 26, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_xy(15, 7)
    pdf.set_font(FONT, "B", 20)
    pdf.cell(90, 12, "Trainbook")
    pdf.set_font(FONT, "", 11)
    pdf.set_xy(pdf.w - 15 - 100, 7)
    pdf.cell(100, 12, "Bilet na przejazd · Ticket", align="R")
    pdf.set_text_color(0, 0, 0)


def _label(pdf: FPDF, text: str, width: float = 110) -> None:
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(width, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def _identity(pdf: FPDF, ticket: Ticket) -> None:
    pdf.set_xy(15, 38)
    _label(pdf, "Numer biletu / Ticket number")
    pdf.set_font(FONT, "B", 18)
    pdf.cell(110, 9, ticket.number, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    _label(pdf, "Pociąg / Train")
    pdf.set_font(FONT, "B", 13)
    pdf.cell(110, 7, f"{ticket.train}  ·  {ticket.operator}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    _label(pdf, "Data podróży / Date of travel")
    pdf.set_font(FONT, "", 12)
    pdf.cell(110, 7, polish_date(date.fromisoformat(ticket.valid_on)), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _qr(pdf: FPDF, payload: str, x: float, y: float) -> None:
    modules = qr_modules(payload)
    size = QR_SIZE_MM / len(modules)
    pdf.set_fill_color(0, 0, 0)
    for row, line in enumerate(modules):
        column = 0
        while column < len(line):  # one rectangle per run of dark modules keeps the PDF small
            if not line[column]:
                column += 1
                continue
            start = column
            while column < len(line) and line[column]:
                column += 1
            pdf.rect(x + start * size, y + row * size, (column - start) * size, size, style="F")
    pdf.set_xy(x, y + QR_SIZE_MM + 1)
    pdf.set_font(FONT, "", 7)
    pdf.set_text_color(*GREY)
    pdf.cell(QR_SIZE_MM, 4, "Kod podpisany cyfrowo · signed", align="C")
    pdf.set_text_color(0, 0, 0)


def _journey(pdf: FPDF, ticket: Ticket) -> None:
    pdf.set_xy(15, 108)
    for leg in ticket.legs:
        pdf.set_fill_color(*LIGHT)
        top = pdf.get_y()
        pdf.rect(15, top, pdf.w - 30, 30, style="F")
        for label, name, at, platform, y in (
            ("Z / From", leg.origin_name, leg.departs_at, leg.origin_platform, top + 2),
            ("Do / To", leg.destination_name, leg.arrives_at, leg.destination_platform, top + 16),
        ):
            pdf.set_xy(19, y)
            pdf.set_font(FONT, "", 8)
            pdf.set_text_color(*GREY)
            pdf.cell(25, 5, label)
            pdf.set_text_color(0, 0, 0)
            pdf.set_font(FONT, "B", 16)
            pdf.set_xy(19, y + 4)
            pdf.cell(30, 8, datetime.fromisoformat(at).strftime("%H:%M"))
            pdf.set_font(FONT, "B", 14)
            pdf.cell(80, 8, name)
            pdf.set_font(FONT, "", 10)
            pdf.cell(pdf.w - 30 - 118, 8, platform or "", align="R")
        pdf.set_xy(15, top + 34)


def _passengers(pdf: FPDF, ticket: Ticket) -> None:
    _label(pdf, "Pasażerowie i miejsca / Passengers and seats")
    pdf.set_font(FONT, "", 10)
    pdf.set_draw_color(200, 200, 200)
    with pdf.table(
        col_widths=(62, 26, 18, 20, 16, 38),
        text_align=("LEFT", "LEFT", "CENTER", "CENTER", "CENTER", "RIGHT"),
        headings_style=FontFace(family=FONT, emphasis="BOLD", size_pt=9, fill_color=LIGHT),
        line_height=7,
        first_row_as_headings=True,
    ) as table:
        table.row(("Pasażer / Passenger", "Ulga", "Wagon", "Miejsce", "Klasa", "Cena"))
        for passenger in ticket.passengers:
            table.row(
                (
                    passenger.name,
                    discount_label(passenger.discount),
                    str(passenger.car),
                    str(passenger.seat),
                    str(passenger.travel_class),
                    format_zloty(passenger.price_grosze),
                )
            )
    pdf.ln(2)
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 9, f"Razem / Total:  {format_zloty(ticket.total_grosze)}", align="R")
    pdf.ln(12)


def _footer(pdf: FPDF, ticket: Ticket) -> None:
    kid = jwt.get_unverified_header(ticket.qr_payload).get("kid", "") if ticket.qr_payload else ""
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(
        0,
        4.2,
        "Bilet imienny: ważny z dokumentem tożsamości i, przy ulgach, z dokumentem uprawniającym "
        "do ulgi. Kod QR jest podpisany cyfrowo (Ed25519, klucz "
        f"{kid}); konduktor sprawdza go offline kluczem publicznym Trainbook.\n"
        f"Rezerwacja {ticket.booking_id} · przejazd {ticket.run_id} · wystawiono {_local(ticket.issued_at)}",
    )
    pdf.set_text_color(0, 0, 0)
