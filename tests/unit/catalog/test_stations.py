"""Catalog stations: the shared register with a stable three-letter code per station."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from trainbook.catalog.errors import UnknownStation
from trainbook.catalog.stations import load_stations, station

SHARED_REGISTER = Path("/work/shared/data/stations.csv")


def test_the_five_product_stations_have_their_codes() -> None:
    product = {s.code: s.name for s in load_stations() if s.product}

    assert product == {
        "GDG": "Gdańsk Główny",
        "GDW": "Gdańsk Wrzeszcz",
        "POZ": "Poznań Główny",
        "WAW": "Warszawa Centralna",
        "KRK": "Kraków Główny",
    }


def test_every_code_is_three_uppercase_letters_and_unique() -> None:
    codes = [s.code for s in load_stations()]

    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)
    assert len(set(codes)) == len(codes) == 29


def test_a_station_keeps_its_register_data() -> None:
    warszawa = station("WAW")

    assert (warszawa.plk_id, warszawa.lat, warszawa.lon) == (33605, 52.22884, 21.00327)
    assert not station("GDY").product


@pytest.mark.skipif(not SHARED_REGISTER.exists(), reason="shared register not mounted")
def test_the_package_copy_matches_the_shared_register() -> None:
    with SHARED_REGISTER.open(encoding="utf-8") as f:
        shared = [(r["name"], int(r["plk_id"]), r["seed"] == "yes") for r in csv.DictReader(f)]

    assert [(s.name, s.plk_id, s.product) for s in load_stations()] == shared


def test_an_unknown_code_is_a_clear_error() -> None:
    with pytest.raises(UnknownStation, match="unknown station 'XYZ'"):
        station("XYZ")


def test_callers_get_their_own_list() -> None:
    first = load_stations()
    first.clear()

    assert len(load_stations()) == 29
