"""The ticket's QR code (segno): its module matrix for the PDF, and SVG or PNG for screens."""

from __future__ import annotations

import io

import segno

ERROR_CORRECTION = "M"  # survives a creased or partly dirty print; the payload stays scannable on a phone


def qr_code(payload: str) -> segno.QRCode:
    return segno.make_qr(payload, error=ERROR_CORRECTION, boost_error=False)


def qr_modules(payload: str) -> list[list[bool]]:
    """Rows of dark (True) and light modules, without the quiet zone."""
    return [[bool(module) for module in row] for row in qr_code(payload).matrix]


def qr_svg(payload: str, scale: int = 4) -> str:
    buffer = io.BytesIO()
    qr_code(payload).save(buffer, kind="svg", scale=scale, border=4, xmldecl=False)
    return buffer.getvalue().decode()


def qr_png(payload: str, scale: int = 6) -> bytes:
    buffer = io.BytesIO()
    qr_code(payload).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()
