"""Compositions: seat counts of the real rolling stock and UIC 580 seat numbering."""

from __future__ import annotations

import pytest

from trainbook.catalog.compositions import COMPOSITIONS, SeatPosition, composition, seat_position
from trainbook.catalog.errors import UnknownComposition, UnknownSeat


def test_a_pendolino_has_402_seats_45_first_and_357_second_class() -> None:
    pendolino = composition("ED250")

    assert pendolino.seat_count(1) == 45
    assert pendolino.seat_count(2) == 357
    assert pendolino.seat_count() == len(list(pendolino.seats())) == 402


def test_a_pendolino_numbers_its_cars_1_to_7_with_the_bistro_in_car_4() -> None:
    assert [car.number for car in composition("ED250").cars] == [1, 2, 3, 5, 6, 7]


def test_a_dart_has_352_seats_about_60_first_class() -> None:
    dart = composition("ED161")

    assert dart.seat_count(1) + dart.seat_count(2) == 352
    assert 55 <= dart.seat_count(1) <= 65


def test_the_hauled_sets_mix_the_layouts_they_are_known_for() -> None:
    assert {car.layout for car in composition("EIC-6").cars} == {"open", "compartment"}
    assert {car.layout for car in composition("IC-5").cars} == {"open", "compartment"}
    assert {car.layout for car in composition("TLK-5").cars} == {"compartment"}


@pytest.mark.parametrize("code", sorted(COMPOSITIONS))
def test_no_seat_number_ends_in_9_or_0(code: str) -> None:
    numbers = [ref.seat for ref in composition(code).seats()]

    assert numbers
    assert all(n % 10 not in (0, 9) for n in numbers)


@pytest.mark.parametrize("code", sorted(COMPOSITIONS))
def test_seat_numbers_are_unique_within_a_car_and_cars_within_a_train(code: str) -> None:
    train = composition(code)

    assert len({car.number for car in train.cars}) == len(train.cars)
    assert all(len(set(car.seats)) == len(car.seats) for car in train.cars)


def test_compartments_hold_8_or_6_seats_and_coaches_10_or_11_second_class_compartments() -> None:
    for train in COMPOSITIONS.values():
        for car in train.cars:
            if car.layout != "compartment":
                continue
            compartments: dict[int, int] = {}
            for seat in car.seats:
                compartments[seat // 10] = compartments.get(seat // 10, 0) + 1
            assert set(compartments.values()) <= {6, 8}, (train.code, car.number)
            assert len(compartments) in ((9, 10) if car.travel_class == 1 else (10, 11)), (
                train.code,
                car.number,
            )


def test_open_coach_seats_ending_1_2_5_6_are_by_the_window_and_3_4_7_8_by_the_aisle() -> None:
    car = composition("ED250").car(3)

    assert [seat_position(car, s) for s in (11, 12, 15, 16)] == [SeatPosition.WINDOW] * 4
    assert [seat_position(car, s) for s in (13, 14, 17, 18)] == [SeatPosition.AISLE] * 4


def test_first_class_single_seats_are_by_the_window() -> None:
    car = composition("ED250").car(1)

    assert seat_position(car, 11) == SeatPosition.WINDOW
    assert seat_position(car, 13) == SeatPosition.AISLE
    assert 17 not in car.seats


def test_in_a_compartment_5_6_are_by_the_window_1_2_by_the_corridor_the_rest_between() -> None:
    car = composition("TLK-5").car(2)

    assert seat_position(car, 35) == SeatPosition.WINDOW
    assert seat_position(car, 32) == SeatPosition.AISLE
    assert seat_position(car, 37) == SeatPosition.MIDDLE
    assert seat_position(car, 104) == SeatPosition.MIDDLE  # compartment 10


def test_asking_for_a_seat_the_car_does_not_have_is_an_error() -> None:
    with pytest.raises(UnknownSeat, match="seat 19 does not exist in car 3"):
        seat_position(composition("ED250").car(3), 19)


def test_an_unknown_composition_is_a_clear_error() -> None:
    with pytest.raises(UnknownComposition, match="unknown composition 'ED999'"):
        composition("ED999")


@pytest.mark.parametrize("code", sorted(COMPOSITIONS))
def test_a_train_s_seat_count_is_its_seats_of_both_classes(code: str) -> None:
    train = composition(code)

    assert train.seat_count() == len(list(train.seats())) == train.seat_count(1) + train.seat_count(2)
