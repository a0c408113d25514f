"""What a read model is to the machinery that feeds it: a named table that applies recorded events."""

from __future__ import annotations

from typing import Protocol

from pynamodb.models import Model

from trainbook.eventstore.events import RecordedEvent


class Projection(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def model(self) -> type[Model]: ...

    def apply(self, recorded: RecordedEvent) -> None: ...
