"""A small valid timetable document for loader tests: EC 95 Gdynia - Poznań and EIP 3501 Gdynia - Kraków."""

from __future__ import annotations

from typing import Any


def document() -> dict[str, Any]:
    """A fresh copy each call, so a test can break one field without touching the others."""
    return {
        "format": "trainbook-timetable/1",
        "source": "test builder",
        "generated_at": "2026-11-24T10:00:00Z",
        "attribution": None,
        "stations": ["GDG", "GDW", "GDY", "KRK", "POZ", "TCZ", "WAW"],
        "services": [
            {
                "number": "95",
                "category": "EC",
                "name": None,
                "operator": "PKP Intercity",
                "composition": "EIC-6",
                "calendar": calendar(),
                "stops": [
                    stop("GDY", None, "07:01", 0),
                    stop("GDW", "07:18", "07:20", 16.9),
                    stop("GDG", "07:25", "07:28", 20.8),
                    stop("TCZ", "07:43", "07:44", 53.8),
                    stop("POZ", "10:20", None, 337.8),
                ],
            },
            {
                "number": "3501",
                "category": "EIP",
                "name": None,
                "operator": "PKP Intercity",
                "composition": "ED250",
                "calendar": calendar(weekdays=[1, 2, 3, 4, 5], removed=["2026-12-24"]),
                "stops": [
                    stop("GDY", None, "21:58", 0),
                    stop("GDW", "22:17", "22:18", 16.9),
                    stop("GDG", "22:22", "22:25", 20.8),
                    # Stands over midnight at Warszawa: arrives 23:58, leaves 00:02 the next day.
                    stop("WAW", "23:58", "00:02", 347.8, day=0),
                    stop("KRK", "02:29", None, 637.8, day=1),
                ],
            },
        ],
    }


def calendar(
    weekdays: list[int] | None = None, added: list[str] | None = None, removed: list[str] | None = None
) -> dict[str, Any]:
    return {
        "weekdays": [1, 2, 3, 4, 5, 6, 7] if weekdays is None else weekdays,
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
        "added": added or [],
        "removed": removed or [],
    }


def stop(
    station: str,
    arrive: str | None,
    depart: str | None,
    km: float,
    day: int = 0,
    platform: str | None = "II",
    track: str | None = "3",
) -> dict[str, Any]:
    return {
        "station": station,
        "arrive": arrive,
        "depart": depart,
        "day": day,
        "km": km,
        "platform": platform,
        "track": track,
    }
