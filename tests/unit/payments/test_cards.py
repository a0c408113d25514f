"""Card rules: Luhn, brands, expiry, and that a full card number is never kept."""

from __future__ import annotations

from datetime import date

import pytest

from trainbook.payments.cards import TEST_CARDS, Card, CardBehaviour, luhn_valid
from trainbook.payments.errors import InvalidCard


def card(number: str = "4242 4242 4242 4242", **changes: object) -> Card:
    return Card.parse({"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123", **changes})


@pytest.mark.parametrize("number", sorted(TEST_CARDS))
def test_every_test_card_passes_the_luhn_check(number: str) -> None:
    assert luhn_valid(number)


def test_a_mistyped_card_number_is_refused_before_anything_is_tried() -> None:
    with pytest.raises(InvalidCard, match="check digit"):
        card("4242 4242 4242 4241")


@pytest.mark.parametrize("number", ["", "4242", "4242-4242-4242-424x", "1" * 20])
def test_a_number_that_is_not_a_card_number_is_invalid(number: str) -> None:
    with pytest.raises(InvalidCard, match="12 to 19 digits"):
        card(number)


def test_spaces_and_dashes_in_the_number_are_ignored() -> None:
    assert card("4000-0000-0000-0002").behaviour is CardBehaviour.DECLINE
    assert card("4000 0000 0000 9995").behaviour is CardBehaviour.INSUFFICIENT_FUNDS


def test_any_other_valid_number_is_approved() -> None:
    assert card("4111 1111 1111 1111").behaviour is CardBehaviour.APPROVE


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "card"),
    ],
)
def test_the_brand_follows_the_number_prefix(number: str, brand: str) -> None:
    assert card(number).brand == brand


def test_only_brand_last4_and_expiry_are_kept_and_the_number_stays_out_of_repr() -> None:
    parsed = card()
    assert parsed.summary.as_json() == {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2030}
    assert "4242424242424242" not in repr(parsed)


@pytest.mark.parametrize(
    "changes",
    [{"exp_month": 13}, {"exp_month": "12"}, {"exp_year": 30}, {"exp_month": True}, {"cvc": "12a"}],
)
def test_malformed_expiry_or_cvc_is_invalid(changes: dict[str, object]) -> None:
    with pytest.raises(InvalidCard):
        card(**changes)


def test_a_card_is_valid_to_the_end_of_its_expiry_month() -> None:
    expiring = card(exp_month=11, exp_year=2026)
    assert not expiring.expired_on(date(2026, 11, 30))
    assert expiring.expired_on(date(2026, 12, 1))
