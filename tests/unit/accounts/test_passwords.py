"""argon2id hashing: verify, refuse, rehash when the parameters change."""

from __future__ import annotations

from argon2 import Type

from tests.unit.accounts.support import cheap_passwords, stronger_passwords
from trainbook.accounts.passwords import Passwords


def test_a_hash_verifies_its_own_password_and_no_other() -> None:
    passwords = cheap_passwords()
    stored = passwords.hash("Pociag-do-Gdanska-7")
    assert passwords.verify(stored, "Pociag-do-Gdanska-7")
    assert not passwords.verify(stored, "pociag-do-gdanska-7")


def test_hashes_are_salted_argon2id() -> None:
    passwords = cheap_passwords()
    first, second = passwords.hash("Pociag-do-Gdanska-7"), passwords.hash("Pociag-do-Gdanska-7")
    assert first.startswith("$argon2id$") and first != second


def test_a_hash_made_with_older_parameters_needs_a_rehash_and_todays_does_not() -> None:
    old = cheap_passwords()
    today = stronger_passwords()
    assert today.needs_rehash(old.hash("Pociag-do-Gdanska-7"))
    assert not today.needs_rehash(today.hash("Pociag-do-Gdanska-7"))


def test_a_damaged_hash_never_verifies_and_needs_replacing() -> None:
    passwords = cheap_passwords()
    assert not passwords.verify("not-a-hash", "Pociag-do-Gdanska-7")
    assert passwords.needs_rehash("not-a-hash")


def test_production_hashing_is_argon2id_with_at_least_64_mib() -> None:
    hasher = Passwords().hasher
    assert hasher.type is Type.ID and hasher.memory_cost >= 64 * 1024
