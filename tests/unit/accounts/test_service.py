"""Account commands on an in-memory store: register, sign in, profile, administrators."""

from __future__ import annotations

import pytest

from tests.unit.accounts.support import FakeUsers, cheap_passwords, stronger_passwords
from trainbook.accounts import service
from trainbook.accounts.domain import Role
from trainbook.accounts.errors import EmailTaken, InvalidCredentials, UnknownUser, WeakPassword
from trainbook.accounts.events import UserRegistered, UserRoleChanged
from trainbook.accounts.passwords import Passwords
from trainbook.accounts.service import AdminOutcome

PASSWORD = "Pociag-do-Gdanska-7"


def registered(users: FakeUsers, passwords: Passwords, email: str = "ala@example.com") -> str:
    return service.register(users, passwords, email=email, password=PASSWORD, name="Ala Nowak").id


def test_a_registered_passenger_signs_in_with_their_password_and_any_case_of_their_email() -> None:
    users, passwords = FakeUsers(), cheap_passwords()
    user_id = registered(users, passwords)
    user = service.sign_in(users, passwords, " ALA@example.com", PASSWORD)
    assert (user.id, user.role) == (user_id, Role.PASSENGER)
    assert users.accounts[user_id].password_hash.startswith("$argon2id$")
    assert users.events[0][:3] == (f"user-{user_id}", 1, UserRegistered(user_id, "passenger"))


def test_a_wrong_password_and_an_unknown_email_are_refused_with_the_same_message() -> None:
    users, passwords = FakeUsers(), cheap_passwords()
    registered(users, passwords)
    with pytest.raises(InvalidCredentials) as wrong_password:
        service.sign_in(users, passwords, "ala@example.com", "Pociag-do-Krakowa-7")
    with pytest.raises(InvalidCredentials) as unknown_email:
        service.sign_in(users, passwords, "ola@example.com", PASSWORD)
    with pytest.raises(InvalidCredentials) as malformed_email:
        service.sign_in(users, passwords, "not an email", PASSWORD)
    assert wrong_password.value.message == unknown_email.value.message == malformed_email.value.message


def test_the_same_email_cannot_register_twice() -> None:
    users, passwords = FakeUsers(), cheap_passwords()
    registered(users, passwords)
    with pytest.raises(EmailTaken):
        registered(users, passwords, email="Ala@Example.com")
    assert len(users.accounts) == 1


def test_signing_in_rehashes_a_password_hashed_with_old_parameters() -> None:
    users, old = FakeUsers(), cheap_passwords()
    user_id = registered(users, old)
    stronger = stronger_passwords()
    service.sign_in(users, stronger, "ala@example.com", PASSWORD)
    new_hash = users.accounts[user_id].password_hash
    assert not stronger.needs_rehash(new_hash) and stronger.verify(new_hash, PASSWORD)


def test_a_profile_update_keeps_the_role_and_the_fields_not_given() -> None:
    users, passwords = FakeUsers(), cheap_passwords()
    user_id = registered(users, passwords)
    service.update_profile(users, user_id, {"phone": "+48 600 100 200", "default_discount": "u51"})
    user = service.profile(users, user_id)
    assert (user.name, user.phone, user.default_discount, user.role) == (
        "Ala Nowak",
        "+48600100200",
        "U51",
        Role.PASSENGER,
    )


def test_make_admin_creates_an_administrator_when_the_email_is_new() -> None:
    users, passwords = FakeUsers(), cheap_passwords()
    result = service.make_admin(users, passwords, email="boss@example.com", password=PASSWORD, name="Szef")
    assert result.outcome is AdminOutcome.CREATED and result.user.is_admin
    assert users.events[0][2] == UserRegistered(result.user.id, "admin")


def test_make_admin_promotes_a_passenger_and_keeps_their_password() -> None:
    users, passwords = FakeUsers(), cheap_passwords()
    user_id = registered(users, passwords)
    result = service.make_admin(
        users, passwords, email="ala@example.com", password="Other-pass-99", name=None
    )
    assert result.outcome is AdminOutcome.PROMOTED and not result.password_changed
    assert users.accounts[user_id].user.role is Role.ADMIN
    assert users.events[-1][1:3] == (2, UserRoleChanged(user_id, "admin", "passenger"))
    assert service.sign_in(users, passwords, "ala@example.com", PASSWORD).is_admin


def test_make_admin_on_an_administrator_changes_nothing_but_can_reset_the_password() -> None:
    users, passwords = FakeUsers(), cheap_passwords()
    service.make_admin(users, passwords, email="boss@example.com", password=PASSWORD, name="Szef")
    again = service.make_admin(
        users, passwords, email="boss@example.com", password="Nowe-haslo-2026", name=None, reset_password=True
    )
    assert again.outcome is AdminOutcome.ALREADY_ADMIN and again.password_changed
    assert len(users.events) == 1
    assert service.sign_in(users, passwords, "boss@example.com", "Nowe-haslo-2026").is_admin


def test_make_admin_refuses_a_weak_reset_password() -> None:
    users, passwords = FakeUsers(), cheap_passwords()
    registered(users, passwords)
    with pytest.raises(WeakPassword):
        service.make_admin(
            users, passwords, email="ala@example.com", password="short", name=None, reset_password=True
        )


def test_make_admin_without_a_password_cannot_create_an_account() -> None:
    with pytest.raises(UnknownUser, match="give a name and a password"):
        service.make_admin(FakeUsers(), cheap_passwords(), email="boss@example.com", password=None, name=None)
