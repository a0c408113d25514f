"""Refund policy for a cancellation: 15 % fee unless the carrier is at fault, nothing after departure."""

from __future__ import annotations

from datetime import datetime

from trainbook.booking.domain import Booking
from trainbook.errors import Conflict

CANCELLATION_FEE_PERCENT = 15


class CancellationRefused(Conflict):
    code = "cancellation_refused"


def refund_for(booking: Booking, now: datetime, carrier_at_fault: bool = False) -> int:
    """Grosze to give back. A cancelled or delayed train (carrier at fault) refunds in full."""
    if now >= datetime.fromisoformat(booking.departs_at) and not carrier_at_fault:
        raise CancellationRefused("the train has departed: an unused ticket is no longer refunded here")
    if carrier_at_fault:
        return booking.total_grosze
    fee = (booking.total_grosze * CANCELLATION_FEE_PERCENT + 50) // 100  # whole grosze, half up
    return booking.total_grosze - fee
