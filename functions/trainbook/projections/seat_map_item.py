"""The seat-map table's item: one per train run, one entry per booking that held, bought or released seats."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from trainbook import tables


class SeatMapItem(Model):
    class Meta(tables.TableMeta):
        table_name = tables.table_name("SEAT_MAP_TABLE")

    run = UnicodeAttribute(hash_key=True)
    bookings = MapAttribute[str, Any](default=dict)  # booking id -> its seats, legs, state, version
    cancelled = BooleanAttribute(default=False)
    cancelled_v = NumberAttribute(null=True)  # the run stream version `cancelled` reflects
    delays = MapAttribute[str, Any](default=dict)  # station -> {"m": minutes late, "v": run stream version}
