"""The stations Trainbook knows: the five it sells between and the real stops on the way.

The data is `stations.csv` beside this module (copied from the shared station register, plus a
short code per station). Codes are three uppercase letters, stable forever: they are in run ids,
event payloads, search keys and URLs.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.resources import files

from trainbook.catalog.domain import Station
from trainbook.catalog.errors import UnknownStation


def load_stations() -> list[Station]:
    """Every catalog station, in register order (the five product stations first)."""
    return list(_stations())


def station(code: str) -> Station:
    try:
        return _by_code()[code]
    except KeyError:
        raise UnknownStation(f"unknown station {code!r}") from None


@cache
def _by_code() -> dict[str, Station]:
    return {s.code: s for s in _stations()}


@cache
def _stations() -> tuple[Station, ...]:
    text = files("trainbook.catalog").joinpath("stations.csv").read_text(encoding="utf-8")
    stations = tuple(
        Station(
            code=row["code"],
            name=row["name"],
            plk_id=int(row["plk_id"]),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            product=row["product"] == "yes",
        )
        for row in csv.DictReader(io.StringIO(text))
    )
    # A duplicate code would silently shadow a station in every lookup: refuse to start instead.
    codes = [s.code for s in stations]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValueError(f"stations.csv repeats station codes {duplicates}")
    return stations
