"""Events of an account's life, on its stream `user-<id>`.

They carry no e-mail, name or phone: the event log is kept for ever, personal data is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainbook.eventstore.events import Event, event_type


@event_type("UserRegistered")
@dataclass(frozen=True)
class UserRegistered(Event):
    user_id: str
    role: str  # "passenger", or "admin" when an operator created the account


@event_type("UserRoleChanged")
@dataclass(frozen=True)
class UserRoleChanged(Event):
    user_id: str
    role: str
    previous_role: str
