"""What other contexts ask of accounts (accounts.wiring), answered from the Users table on moto."""

from __future__ import annotations

import pytest

from tests.unit.accounts.support import NOW
from trainbook.accounts.domain import new_user
from trainbook.accounts.service import update_profile
from trainbook.accounts.wiring import language_of, users

pytestmark = pytest.mark.usefixtures("accounts")


def test_a_users_language_is_the_one_their_profile_chose() -> None:
    users().add(new_user("id-1", "ala@example.com", "Pociag-do-Gdanska-7", "Ala Nowak", NOW), "hash-1")
    assert language_of("id-1") == "pl"  # a new account reads Polish notices
    update_profile(users(), "id-1", {"language": "en"})
    assert language_of("id-1") == "en"


def test_an_unknown_user_reads_polish() -> None:
    assert language_of("nobody") == "pl"
