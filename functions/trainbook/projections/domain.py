"""What a read model is to the machinery that feeds it: a named table that plans a batch's writes."""

from __future__ import annotations

from trainbook.eventstore.batch import Plan, Projection, Write

__all__ = ["Plan", "Projection", "Write"]
