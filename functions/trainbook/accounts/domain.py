"""The account model (pure): a user, their role, and the rules for e-mails, passwords and profiles.

A passenger's profile holds what a booking form can pre-fill: the name printed on tickets, a phone
number, and the statutory discount they usually travel with. Roles are `passenger` and `admin`;
nobody changes their own role (an operator promotes with `trainbook admin create`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from trainbook.accounts.errors import InvalidEmail, InvalidProfile, WeakPassword
from trainbook.catalog.fares import Discount
from trainbook.errors import DomainError

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128  # argon2 hashes any length; a cap keeps a sign-in from being a CPU sink
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 100
DISPLAY_NAME_MAX_LENGTH = 40
PROFILE_FIELDS = frozenset({"name", "display_name", "phone", "default_discount", "language"})
LANGUAGES = ("pl", "en")  # of notices and the app; Polish unless the user chooses English

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9]{9,15}")
_PHONE_SEPARATORS = re.compile(r"[\s\-().]")


class Role(StrEnum):
    PASSENGER = "passenger"
    ADMIN = "admin"


@dataclass(frozen=True)
class User:
    id: str
    email: str  # normalised: trimmed, lower case
    name: str  # full name, as printed on tickets
    display_name: str  # how the app greets the user
    role: Role
    created_at: datetime
    phone: str | None = None  # digits with an optional leading +
    default_discount: str | None = None  # a catalog Discount code, e.g. "U51"
    language: str = "pl"  # one of LANGUAGES: the language of the notices this user gets

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def stream(self) -> str:
        return user_stream(self.id)

    def with_profile(self, changes: Mapping[str, str | None]) -> User:
        """This user with the given profile fields changed (None clears an optional field)."""
        if "role" in changes:
            raise InvalidProfile("your role cannot be changed from your profile; ask an administrator")
        unknown = sorted(set(changes) - PROFILE_FIELDS)
        if unknown:
            allowed = ", ".join(sorted(PROFILE_FIELDS))
            raise InvalidProfile(f"unknown profile field {unknown[0]!r} (you can change: {allowed})")
        user = self
        if "name" in changes:
            user = replace(user, name=check_name(changes["name"], "name", NAME_MAX_LENGTH))
        if "display_name" in changes:
            display_name = check_name(changes["display_name"], "display name", DISPLAY_NAME_MAX_LENGTH)
            user = replace(user, display_name=display_name)
        if "phone" in changes:
            user = replace(user, phone=check_phone(changes["phone"]))
        if "default_discount" in changes:
            user = replace(user, default_discount=check_discount(changes["default_discount"]))
        if "language" in changes:
            if changes["language"] not in LANGUAGES:
                raise InvalidProfile(f"language is one of {', '.join(LANGUAGES)}")
            user = replace(user, language=str(changes["language"]))
        return user

    def promoted(self) -> User:
        return replace(self, role=Role.ADMIN)


@dataclass(frozen=True)
class Account:
    """A user as the store keeps them: with their password hash and the version of their stream."""

    user: User
    password_hash: str
    version: int  # events on stream `user-<id>` so far


def user_stream(user_id: str) -> str:
    return f"user-{user_id}"


def new_user(
    user_id: str,
    email: str,
    password: str,
    name: str,
    created_at: datetime,
    *,
    display_name: str | None = None,
    phone: str | None = None,
    default_discount: str | None = None,
    role: Role = Role.PASSENGER,
) -> User:
    """A user about to register, every field checked; the password is checked, never kept."""
    address = normalize_email(email)
    check_password(password, address)
    full_name = check_name(name, "name", NAME_MAX_LENGTH)
    return User(
        id=user_id,
        email=address,
        name=full_name,
        display_name=check_name(
            display_name or _first_name(full_name), "display name", DISPLAY_NAME_MAX_LENGTH
        ),
        role=role,
        created_at=created_at,
        phone=check_phone(phone),
        default_discount=check_discount(default_discount),
    )


def normalize_email(email: str) -> str:
    """The e-mail as stored and compared: trimmed and lower case (InvalidEmail when it is not one)."""
    address = email.strip().lower()
    if len(address) > EMAIL_MAX_LENGTH or not _EMAIL.fullmatch(address):
        raise InvalidEmail(f"{email.strip()!r} is not an e-mail address (expected name@example.com)")
    return address


def check_password(password: str, email: str = "") -> None:
    """WeakPassword, saying what to fix, unless the password is long and varied enough."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise WeakPassword(f"use at least {PASSWORD_MIN_LENGTH} characters for your password")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise WeakPassword(f"use at most {PASSWORD_MAX_LENGTH} characters for your password")
    if len({_character_class(c) for c in password}) < 2:
        raise WeakPassword(
            "mix at least two kinds of characters in your password: "
            "lower-case letters, capitals, digits, symbols or spaces"
        )
    lowered = password.strip().lower()
    if email and lowered in (email.lower(), email.lower().split("@", 1)[0]):
        raise WeakPassword("your password must not be your e-mail address")


def check_name(name: str | None, what: str, max_length: int) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise InvalidProfile(f"the {what} must not be empty")
    if len(cleaned) > max_length:
        raise InvalidProfile(f"the {what} is longer than {max_length} characters")
    if any(unicodedata.category(c).startswith("C") for c in cleaned):
        raise InvalidProfile(f"the {what} contains control characters")
    return cleaned


def check_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    digits = _PHONE_SEPARATORS.sub("", phone)
    if not _PHONE.fullmatch(digits):
        raise InvalidProfile(
            f"{phone!r} is not a phone number: use 9 to 15 digits, optionally after a +, e.g. +48 600 100 200"
        )
    return digits


def check_discount(code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    try:
        return Discount.parse(code).value
    except DomainError as error:
        raise InvalidProfile(f"default discount: {error.message}") from None


def _character_class(c: str) -> str:
    if c.isdigit():
        return "digit"
    if c.isalpha():
        return "capital" if c.isupper() else "letter"
    return "symbol"


def _first_name(full_name: str) -> str:
    return full_name.split(" ", 1)[0][:DISPLAY_NAME_MAX_LENGTH]
