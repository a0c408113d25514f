"""What can be done to an account: register, sign in, update the profile, make an administrator.

Each command loads through a `UserStore` (DynamoDB in production, an in-memory fake in unit tests),
applies the domain rules and saves once. Registration saves the user, the claim on their e-mail
and the `UserRegistered` event in one transaction, so an e-mail can never belong to two accounts.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from trainbook.accounts.domain import Account, Role, User, check_password, new_user, normalize_email
from trainbook.accounts.errors import InvalidCredentials, InvalidEmail, UnknownUser, WrongPassword
from trainbook.accounts.passwords import Passwords
from trainbook.eventstore.events import NO_META, Meta


class UserStore(Protocol):
    def add(self, user: User, password_hash: str, meta: Meta = NO_META) -> None:
        """Save a new user, their e-mail claim and UserRegistered at once; EmailTaken if claimed."""

    def get(self, user_id: str) -> Account:
        """The account of `user_id`; UnknownUser when there is none."""

    def by_email(self, email: str) -> Account | None:
        """The account with this (normalised) e-mail, if any."""

    def save_profile(self, user: User) -> None:
        """Store the user's profile fields (name, display name, phone, default discount)."""

    def replace_password_hash(self, user_id: str, password_hash: str) -> None: ...

    def change_role(self, account: Account, role: Role, meta: Meta = NO_META) -> User:
        """Set the role and append UserRoleChanged; ConcurrencyConflict if the account changed meanwhile."""


def _now() -> datetime:
    return datetime.now(UTC)


def register(
    users: UserStore,
    passwords: Passwords,
    *,
    email: str,
    password: str,
    name: str,
    display_name: str | None = None,
    phone: str | None = None,
    default_discount: str | None = None,
    role: Role = Role.PASSENGER,
    meta: Meta = NO_META,
    clock: Callable[[], datetime] = _now,
) -> User:
    """A new account; EmailTaken when the e-mail already has one (and then nothing is written)."""
    user = new_user(
        uuid.uuid4().hex,
        email,
        password,
        name,
        clock(),
        display_name=display_name,
        phone=phone,
        default_discount=default_discount,
        role=role,
    )
    users.add(user, passwords.hash(password), meta)
    return user


def sign_in(users: UserStore, passwords: Passwords, email: str, password: str) -> User:
    """The user with this e-mail and password; InvalidCredentials (one message) when either is wrong."""
    try:
        account = users.by_email(normalize_email(email))
    except InvalidEmail:
        account = None
    if account is None:
        passwords.verify_nobody(password)
        raise InvalidCredentials()
    if not passwords.verify(account.password_hash, password):
        raise InvalidCredentials()
    if passwords.needs_rehash(account.password_hash):
        users.replace_password_hash(account.user.id, passwords.hash(password))
    return account.user


def profile(users: UserStore, user_id: str) -> User:
    return users.get(user_id).user


def update_profile(users: UserStore, user_id: str, changes: Mapping[str, str | None]) -> User:
    """The user with the profile fields in `changes` changed (None clears phone or discount)."""
    user = users.get(user_id).user.with_profile(changes)
    users.save_profile(user)
    return user


def change_password(
    users: UserStore, passwords: Passwords, user_id: str, current_password: str, new_password: str
) -> None:
    """Replace the password once the current one is proven; WrongPassword or WeakPassword otherwise."""
    account = users.get(user_id)
    if not passwords.verify(account.password_hash, current_password):
        raise WrongPassword()
    check_password(new_password, account.user.email)
    users.replace_password_hash(user_id, passwords.hash(new_password))


class AdminOutcome(StrEnum):
    CREATED = "created"
    PROMOTED = "promoted"
    ALREADY_ADMIN = "already an administrator"


@dataclass(frozen=True)
class AdminResult:
    user: User
    outcome: AdminOutcome
    password_changed: bool


def make_admin(
    users: UserStore,
    passwords: Passwords,
    *,
    email: str,
    password: str | None,
    name: str | None,
    reset_password: bool = False,
    meta: Meta = NO_META,
) -> AdminResult:
    """Create an administrator, or promote the account that has this e-mail.

    An existing account keeps its password unless `reset_password` (an operator typing a password
    for an account must not silently change how its owner signs in).
    """
    existing = users.by_email(normalize_email(email))
    if existing is None:
        if not password or not name:
            raise UnknownUser(f"no account has {email!r}: give a name and a password to create it")
        user = register(
            users, passwords, email=email, password=password, name=name, role=Role.ADMIN, meta=meta
        )
        return AdminResult(user, AdminOutcome.CREATED, password_changed=True)
    user, outcome = existing.user, AdminOutcome.ALREADY_ADMIN
    if not user.is_admin:
        user, outcome = users.change_role(existing, Role.ADMIN, meta), AdminOutcome.PROMOTED
    if reset_password and password:
        check_password(password, user.email)
        users.replace_password_hash(user.id, passwords.hash(password))
    return AdminResult(user, outcome, password_changed=bool(reset_password and password))
