"""Kilometres along the line between stations, for timetables whose source does not print them.

Neither the timetable site nor a GTFS feed without `shape_dist_traveled` gives distances. Known
legs are taken from a reference timetable (the catalog's, whose distances come from line data);
an unknown leg is estimated from the stations' coordinates, as the crow flies times a detour
factor typical of Polish main lines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from trainbook.catalog.domain import Station, TrainService

DETOUR = 1.2  # rail km per great-circle km on the five stations' main lines (Gdańsk-Warszawa 323 vs 283)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


class LineDistances:
    def __init__(self, stations: Mapping[str, Station], reference: Iterable[TrainService] = ()) -> None:
        self.stations = stations
        self.legs: dict[frozenset[str], float] = {}
        for service in reference:
            for a, b in zip(service.stops, service.stops[1:], strict=False):
                self.legs.setdefault(frozenset((a.station, b.station)), b.km - a.km)

    def leg(self, a: str, b: str) -> float:
        known = self.legs.get(frozenset((a, b)))
        if known is not None and known > 0:
            return known
        sa, sb = self.stations[a], self.stations[b]
        return max(0.1, great_circle_km(sa.lat, sa.lon, sb.lat, sb.lon) * DETOUR)

    def along(self, codes: Iterable[str]) -> list[float]:
        """Kilometres from the first station for each station of a stopping pattern."""
        result: list[float] = []
        previous: str | None = None
        for code in codes:
            result.append(0.0 if previous is None else round(result[-1] + self.leg(previous, code), 1))
            previous = code
        return result
