"""Builders and fakes for the accounts tests: cheap argon2 parameters, an in-memory user store, events."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from trainbook.accounts.domain import Account, Role, User
from trainbook.accounts.errors import EmailTaken, UnknownUser
from trainbook.accounts.events import UserRegistered, UserRoleChanged
from trainbook.accounts.passwords import Passwords
from trainbook.eventstore.events import NO_META, ConcurrencyConflict, Event, Meta

EVENTS = Path(__file__).resolve().parents[3] / "events"
SECRET = "a-test-signing-secret-long-enough-for-hs256-and-even-for-hs512-keys-xyz"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def cheap_passwords() -> Passwords:
    """argon2id with tiny costs: the same code path, milliseconds instead of a fifth of a second."""
    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def stronger_passwords() -> Passwords:
    """Cheap too, but with other parameters than `cheap_passwords`: what a parameter upgrade looks like."""
    return Passwords(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))


def sample_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


@dataclass
class LambdaContext:
    function_name: str = "trainbook-dev-authorizer"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-central-1:123456789012:function:trainbook-dev-authorizer"
    aws_request_id: str = "5f0d7a0e-0000-4000-8000-000000000001"


class FakeUsers:
    """The UserStore port in memory, proven equal to DynamoUsers by
    tests/integration/accounts/test_users_contract.py."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.events: list[tuple[str, int, Event, Meta]] = []

    def add(self, user: User, password_hash: str, meta: Meta = NO_META) -> None:
        if any(a.user.email == user.email for a in self.accounts.values()):
            raise EmailTaken(f"{user.email} already has an account: sign in instead")
        if user.id in self.accounts:
            raise ConcurrencyConflict(f"user id {user.id} is already taken; try again")
        self.accounts[user.id] = Account(user, password_hash, 1)
        self.events.append((user.stream, 1, UserRegistered(user.id, user.role.value), meta))

    def get(self, user_id: str) -> Account:
        if user_id not in self.accounts:
            raise UnknownUser(f"no user {user_id}")
        return self.accounts[user_id]

    def by_email(self, email: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.user.email == email), None)

    def save_profile(self, user: User) -> None:
        account = self.get(user.id)
        profile = replace(
            account.user,
            name=user.name,
            display_name=user.display_name,
            phone=user.phone,
            default_discount=user.default_discount,
            language=user.language,
        )
        self.accounts[user.id] = replace(account, user=profile)

    def replace_password_hash(self, user_id: str, password_hash: str) -> None:
        self.accounts[user_id] = replace(self.get(user_id), password_hash=password_hash)

    def change_role(self, account: Account, role: Role, meta: Meta = NO_META) -> User:
        if self.get(account.user.id).version != account.version:
            raise ConcurrencyConflict("changed meanwhile")
        user = replace(account.user, role=role)
        self.accounts[user.id] = Account(user, account.password_hash, account.version + 1)
        event = UserRoleChanged(user.id, role.value, account.user.role.value)
        self.events.append((user.stream, account.version + 1, event, meta))
        return user
