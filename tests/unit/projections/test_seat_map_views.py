"""A seat map's seats: built once per composition, each seat shown free or taken as the request finds it."""

from __future__ import annotations

import pytest

from trainbook.catalog.compositions import COMPOSITIONS, seat_position
from trainbook.projections.api import SeatView, _seat_views


@pytest.mark.parametrize("code", sorted(COMPOSITIONS))
def test_every_seat_of_a_composition_shows_its_number_key_and_position_free_or_taken(code: str) -> None:
    composition = COMPOSITIONS[code]
    views = _seat_views(composition)
    assert [car for car, _ in views] == list(composition.cars)
    shown = [(key, free, taken) for _, seats in views for key, free, taken in seats]
    expected = [
        (ref.key, ref.seat, seat_position(composition.car(ref.car), ref.seat).value)
        for ref in composition.seats()
    ]
    assert [(key, free.seat, free.position) for key, free, _ in shown] == expected
    assert all(free.key == taken.key == key for key, free, taken in shown)
    assert all((free.state, taken.state) == ("free", "taken") for _, free, taken in shown)
    assert all(free.model_copy(update={"state": "taken"}) == taken for _, free, taken in shown)


def test_a_seat_view_serves_many_seat_maps_so_it_cannot_be_changed() -> None:
    view = SeatView(seat=11, key="01-011", position="window", state="free")
    with pytest.raises(ValueError, match="frozen"):
        view.state = "taken"
