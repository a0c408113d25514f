"""Fares: band prices, statutory discounts exact to the grosz, free children, and refused input."""

from __future__ import annotations

import pytest

from trainbook.catalog.domain import Category
from trainbook.catalog.errors import InvalidFareRequest, UnknownDiscount
from trainbook.catalog.fares import Discount, Passenger, base_fare, discounted, pln, quote
from trainbook.errors import DomainError

WARSZAWA_KRAKOW_KM = 290.0


def test_eip_second_class_warszawa_krakow_costs_169_zl() -> None:
    assert base_fare(Category.EIP, 2, WARSZAWA_KRAKOW_KM) == 16900


def test_ic_second_class_warszawa_krakow_costs_76_zl_as_does_tlk() -> None:
    assert base_fare(Category.IC, 2, WARSZAWA_KRAKOW_KM) == 7600
    assert base_fare(Category.TLK, 2, WARSZAWA_KRAKOW_KM) == 7600


def test_first_class_costs_one_and_a_half_times_second() -> None:
    assert base_fare(Category.EIP, 1, WARSZAWA_KRAKOW_KM) == 25350
    assert base_fare(Category.IC, 1, 5) == 1575  # 10.50 zł * 1.5


def test_eic_and_ec_sit_between_ic_and_eip() -> None:
    ic, eic, ec, eip = (base_fare(c, 2, 305) for c in (Category.IC, Category.EIC, Category.EC, Category.EIP))

    assert ic < eic == ec < eip


def test_part_of_a_km_counts_as_a_whole_km() -> None:
    assert base_fare(Category.IC, 2, 300.0) == 7600
    assert base_fare(Category.IC, 2, 300.1) == 8200


def test_a_longer_journey_never_costs_less() -> None:
    for category in Category:
        prices = [base_fare(category, 2, km) for km in range(1, 1200, 7)]
        assert prices == sorted(prices), category


def test_a_student_pays_49_percent_of_the_fare() -> None:
    result = quote(Category.EIP, 2, WARSZAWA_KRAKOW_KM, [Passenger("Ola", Discount.U51, age=21)])

    assert result.lines[0].price_grosze == 8281  # 169.00 zł * 0.49
    assert result.lines[0].discount_grosze == 8619
    assert result.total_grosze == 8281


@pytest.mark.parametrize(
    ("discount", "expected"),
    [
        (Discount.NORMAL, 7600),
        (Discount.U37, 4788),
        (Discount.U49, 3876),
        (Discount.U51, 3724),
        (Discount.U78, 1672),
        (Discount.U93, 532),
        (Discount.U95, 380),
        (Discount.U100, 0),
    ],
)
def test_each_statutory_discount_is_exact_in_grosze(discount: Discount, expected: int) -> None:
    result = quote(Category.IC, 2, WARSZAWA_KRAKOW_KM, [Passenger("Jan", discount)])

    assert result.lines[0].price_grosze == expected


def test_prices_round_to_the_nearest_grosz_halves_up() -> None:
    assert discounted(1050, 37) == 662  # 661.5 gr
    assert discounted(1050, 51) == 515  # 514.5 gr
    assert discounted(1575, 93) == 110  # 110.25 gr


def test_a_child_under_4_travels_free_whatever_the_discount() -> None:
    result = quote(
        Category.EIP,
        1,
        WARSZAWA_KRAKOW_KM,
        [Passenger("Mama", age=34), Passenger("Zosia", Discount.U37, age=3), Passenger("Staś", age=4)],
    )

    assert [line.price_grosze for line in result.lines] == [25350, 0, 25350]
    assert result.lines[1].discount == Discount.U100
    assert "do lat 4" in result.lines[1].reason
    assert result.total_grosze == 50700


def test_a_quote_totals_its_lines_and_says_what_was_priced() -> None:
    result = quote("IC", 2, 289.4, [Passenger("A"), Passenger("B", "u51"), Passenger("C", "U78")])

    assert result.total_grosze == 7600 + 3724 + 1672
    assert (result.category, result.travel_class, result.distance_km, result.base_grosze) == (
        Category.IC,
        2,
        290,
        7600,
    )
    assert result.lines[1].passenger.discount == Discount.U51


def test_every_discount_has_a_polish_meaning_and_its_percent() -> None:
    assert [d.percent for d in Discount] == [0, 37, 49, 51, 78, 93, 95, 100]
    assert all(d.meaning for d in Discount)
    assert "studenci do ukończenia 26 lat" in Discount.U51.meaning


def test_amounts_read_in_polish_notation() -> None:
    assert pln(16900) == "169,00 zł"
    assert pln(8281) == "82,81 zł"
    assert pln(5) == "0,05 zł"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: quote(Category.IC, 2, 100, []), "at least one passenger"),
        (lambda: quote(Category.IC, 3, 100, [Passenger("A")]), "travel class must be 1 or 2, got 3"),
        (lambda: quote(Category.IC, 0, 100, [Passenger("A")]), "travel class must be 1 or 2"),
        (
            lambda: quote(Category.IC, 2, -5, [Passenger("A")]),
            "distance must be a positive number of km, got -5",
        ),
        (lambda: quote(Category.IC, 2, 0, [Passenger("A")]), "distance must be a positive"),
        (lambda: quote(Category.IC, 2, float("nan"), [Passenger("A")]), "distance must be a positive"),
        (lambda: quote("ICE", 2, 100, [Passenger("A")]), "unknown train category 'ICE'"),
        (lambda: Passenger("A", "U50"), "unknown discount 'U50'"),
        (lambda: Passenger("A", age=-1), "age of A must be"),
        (lambda: Passenger(" "), "a passenger needs a name"),
    ],
)
def test_bad_input_is_refused_with_a_clear_domain_error(make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(InvalidFareRequest) as caught:
        make()

    assert message in caught.value.message
    assert isinstance(caught.value, DomainError)
    assert caught.value.status == 400


def test_an_unknown_discount_has_its_own_error_code() -> None:
    with pytest.raises(UnknownDiscount) as caught:
        Discount.parse("U33")

    assert caught.value.code == "unknown_discount"
