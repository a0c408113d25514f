"""The account rules: e-mails, the password policy, profiles and roles."""

from __future__ import annotations

import pytest

from tests.unit.accounts.support import NOW
from trainbook.accounts.domain import Role, User, check_password, new_user, normalize_email
from trainbook.accounts.errors import InvalidEmail, InvalidProfile, WeakPassword


def a_passenger(phone: str | None = None, default_discount: str | None = None) -> User:
    return new_user(
        "u1",
        "ala.nowak@example.com",
        "Pociag-do-Gdanska-7",
        "Ala Nowak",
        NOW,
        phone=phone,
        default_discount=default_discount,
    )


def test_an_email_is_kept_trimmed_and_in_lower_case() -> None:
    assert normalize_email("  Ala.Nowak@Example.COM ") == "ala.nowak@example.com"


@pytest.mark.parametrize("email", ["", "ala", "ala@", "@example.com", "ala@example", "ala nowak@example.com"])
def test_something_that_is_not_an_email_is_refused(email: str) -> None:
    with pytest.raises(InvalidEmail, match="not an e-mail address"):
        normalize_email(email)


def test_a_password_shorter_than_ten_characters_is_refused_saying_how_long_it_must_be() -> None:
    with pytest.raises(WeakPassword, match="at least 10 characters"):
        check_password("Short-1")


@pytest.mark.parametrize(
    "password", ["onlyletterswithoutanything", "12345678901234", "ALLCAPITALSHERE", "!!!!!!!!!!!!"]
)
def test_a_password_of_one_kind_of_character_is_refused(password: str) -> None:
    with pytest.raises(WeakPassword, match="two kinds of characters"):
        check_password(password)


@pytest.mark.parametrize(
    "password", ["pociag do gdanska", "trainbook2026", "Zażółć-Gęślą", "Pociag-do-Gdanska-7"]
)
def test_a_long_varied_password_is_accepted(password: str) -> None:
    check_password(password, "ala@example.com")


def test_a_password_longer_than_128_characters_is_refused() -> None:
    with pytest.raises(WeakPassword, match="at most 128"):
        check_password("a1" * 65)


def test_the_email_address_is_not_a_password() -> None:
    with pytest.raises(WeakPassword, match="e-mail"):
        check_password("ala.nowak2026@example.com", "ala.nowak2026@example.com")


def test_a_new_user_is_a_passenger_greeted_by_their_first_name() -> None:
    user = a_passenger()
    assert (user.role, user.display_name, user.email, user.phone, user.default_discount) == (
        Role.PASSENGER,
        "Ala",
        "ala.nowak@example.com",
        None,
        None,
    )
    assert user.stream == "user-u1"


def test_a_phone_number_is_kept_as_digits_and_an_optional_plus() -> None:
    assert a_passenger(phone="+48 600-100 (200)").phone == "+48600100200"


@pytest.mark.parametrize("phone", ["12345", "call me", "+48 600 100 200 300 400 500"])
def test_something_that_is_not_a_phone_number_is_refused(phone: str) -> None:
    with pytest.raises(InvalidProfile, match="not a phone number"):
        a_passenger(phone=phone)


def test_a_default_discount_is_a_known_statutory_discount() -> None:
    assert a_passenger(default_discount=" u51 ").default_discount == "U51"
    with pytest.raises(InvalidProfile, match="unknown discount 'U50'"):
        a_passenger(default_discount="U50")


def test_a_profile_change_changes_only_the_fields_given() -> None:
    user = a_passenger(phone="+48600100200", default_discount="U51")
    changed = user.with_profile({"display_name": "  Ola  ", "phone": None})
    assert changed == User(
        id="u1",
        email="ala.nowak@example.com",
        name="Ala Nowak",
        display_name="Ola",
        role=Role.PASSENGER,
        created_at=NOW,
        phone=None,
        default_discount="U51",
    )


def test_nobody_changes_their_own_role_through_the_profile() -> None:
    with pytest.raises(InvalidProfile, match="role cannot be changed"):
        a_passenger().with_profile({"role": "admin"})


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Ala\x00Nowak"])
def test_a_name_must_be_printable_and_fit_on_a_ticket(name: str) -> None:
    with pytest.raises(InvalidProfile, match="name"):
        a_passenger().with_profile({"name": name})


def test_promotion_makes_an_administrator() -> None:
    assert a_passenger().promoted().is_admin
