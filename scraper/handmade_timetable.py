"""Writes scraper/data/timetable.json: the shipped timetable, hand-made from public timetable facts.

Run `.venv/bin/python scraper/handmade_timetable.py` from the repo root. The scraper replaces this
file with scraped data later; until then this is the timetable Trainbook sells.

What is real and what is plausible:
- Real: the stopping patterns (E65 Kraków - Warszawa - Gdynia, Warszawa - Kutno - Konin - Poznań,
  Gdynia - Tczew - Bydgoszcz - Inowrocław - Gniezno - Poznań), journey times (PKP Intercity 2024-25),
  line distances, and the times of the EC trains, which come from the GTFS.de feed (data by
  DELFI e.V., CC BY 4.0; see /work/shared/data/gtfs-ec95).
- Plausible: departure times of the other trains, most train numbers (origin region digit then
  destination region digit: 1 Warszawa, 3 Kraków, 5 Trójmiasto, 7 Poznań), the EC numbers other
  than EC 95, train names, platforms and tracks.
- Kraków - Poznań runs via Katowice, Opole and Wrocław, as PKP Intercity's Kraków - Wrocław -
  Poznań trains do; only catalog stations are listed, so the calls at Opole and Leszno are left
  out, and each train is shown only between its first and last catalog station (EC 95 runs on to
  Berlin, Sedina to Szczecin).
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from timetable_file import writing
from trainbook.catalog.compositions import COMPOSITIONS
from trainbook.catalog.domain import Category, ServiceCalendar, Stop, TrainService
from trainbook.catalog.stations import load_stations
from trainbook.catalog.timetable import Timetable

OUT = Path(__file__).resolve().parent / "data" / "timetable.json"
SOURCE = (
    "Hand-made by scraper/handmade_timetable.py from public timetable facts (PKP Intercity 2024-25 "
    "stopping patterns, journey times and line distances). Realistic, not an official timetable: "
    "departure times, numbers, names and platforms of most trains are plausible. Only calls at "
    "catalog stations are listed. Replaced by scraped data when the scraper runs."
)
ATTRIBUTION = (
    "Times of the EC trains (EC 40-43, EC 94, EC 95) from the GTFS.de feed, data by DELFI e.V., "
    "licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/)."
)
OPERATOR = "PKP Intercity"

FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2027, 12, 31)
CORPUS_CHRISTI = frozenset({date(2026, 6, 4), date(2027, 5, 27)})  # Thursdays before a long weekend
CHRISTMAS_EVE = frozenset({date(2026, 12, 24), date(2027, 12, 24)})

DAILY = ServiceCalendar(frozenset(range(1, 8)), FIRST_DAY, LAST_DAY)
MONDAY_TO_FRIDAY = ServiceCalendar(frozenset(range(1, 6)), FIRST_DAY, LAST_DAY)
NOT_SATURDAY = ServiceCalendar(frozenset({1, 2, 3, 4, 5, 7}), FIRST_DAY, LAST_DAY)
# Weekend extras also run on the Thursday that opens a long weekend.
FRIDAY_TO_SUNDAY = ServiceCalendar(frozenset({5, 6, 7}), FIRST_DAY, LAST_DAY, added=CORPUS_CHRISTI)
# The last evening trains do not run on Christmas Eve.
DAILY_NOT_CHRISTMAS_EVE = ServiceCalendar(frozenset(range(1, 8)), FIRST_DAY, LAST_DAY, removed=CHRISTMAS_EVE)

# Kilometre posts along each corridor; a service's km is the distance from its first stop.
E65 = {
    "KRK": 0.0, "WLP": 100.0, "WZA": 287.0, "WAW": 290.0, "WWS": 294.0, "CIE": 380.0, "DZI": 436.0,
    "ILA": 498.0, "MAL": 566.0, "TCZ": 584.0, "GDG": 617.0, "GDW": 620.9, "GDO": 624.7, "SOP": 628.2,
    "GDY": 637.8,
}  # fmt: skip
WARSZAWA_POZNAN = {"WWS": 0.0, "WAW": 4.0, "WZA": 7.0, "KUT": 131.0, "KON": 208.0, "POZ": 309.0}
GDYNIA_POZNAN = {
    "GDY": 0.0, "SOP": 9.6, "GDO": 13.1, "GDW": 16.9, "GDG": 20.8, "TCZ": 53.8, "BYD": 182.8,
    "INO": 226.8, "GNI": 286.8, "POZ": 337.8,
}  # fmt: skip
KRAKOW_POZNAN = {"KRK": 0.0, "KAT": 78.0, "WRO": 269.0, "POZ": 434.0}

# A pattern: (station, arrival, departure) in minutes after the train leaves its first stop.
Pattern = tuple[tuple[str, int | None, int | None], ...]

# EIP Kraków - Gdynia, the real E65 calls: Kraków - Warszawa 2:27, Warszawa - Gdańsk 2:36.
EIP_KRAKOW_GDYNIA: Pattern = (
    ("KRK", None, 0), ("WZA", 141, 142), ("WAW", 147, 151), ("WWS", 156, 158), ("ILA", 243, 244),
    ("MAL", 272, 273), ("TCZ", 285, 286), ("GDG", 307, 310), ("GDW", 314, 315), ("GDO", 319, 320),
    ("SOP", 324, 325), ("GDY", 334, None),
)  # fmt: skip
# EIP Warszawa - Gdynia non-stop to Gdańsk (2:28) and with the line 9 calls (2:36).
EIP_WARSZAWA_GDYNIA_FAST: Pattern = (
    ("WAW", None, 0), ("WWS", 5, 7), ("GDG", 148, 151), ("GDW", 155, 156), ("SOP", 164, 165),
    ("GDY", 174, None),
)  # fmt: skip
EIP_WARSZAWA_GDYNIA: Pattern = (
    ("WAW", None, 0), ("WWS", 5, 7), ("ILA", 92, 93), ("MAL", 121, 122), ("TCZ", 134, 135),
    ("GDG", 156, 159), ("GDW", 163, 164), ("GDO", 168, 169), ("SOP", 173, 174), ("GDY", 183, None),
)  # fmt: skip
# IC Warszawa - Gdynia over all of line 9 (Ciechanów, Działdowo): 3:19 to Gdańsk.
IC_WARSZAWA_GDYNIA: Pattern = (
    ("WAW", None, 0), ("WWS", 5, 7), ("CIE", 58, 59), ("DZI", 92, 93), ("ILA", 128, 129),
    ("MAL", 162, 163), ("TCZ", 176, 177), ("GDG", 199, 202), ("GDW", 206, 207), ("GDO", 211, 212),
    ("SOP", 216, 218), ("GDY", 228, None),
)  # fmt: skip
# EC Warszawa - Berlin as far as Poznań, from the GTFS feed: Warszawa Wschodnia 06:44 ... Poznań 09:24.
EC_WARSZAWA_POZNAN: Pattern = (
    ("WWS", None, 0), ("WAW", 6, 16), ("WZA", 20, 21), ("KUT", 77, 78), ("KON", 114, 115), ("POZ", 160, None),
)  # fmt: skip
# EC Berlin - Warszawa from Poznań, from the GTFS feed: Poznań 08:35 ... Warszawa Wschodnia 11:16.
EC_POZNAN_WARSZAWA: Pattern = (
    ("POZ", None, 0), ("KON", 45, 46), ("KUT", 81, 82), ("WZA", 139, 141), ("WAW", 145, 155),
    ("WWS", 161, None),
)  # fmt: skip
EIC_WARSZAWA_POZNAN: Pattern = (
    ("WAW", None, 0), ("WZA", 4, 5), ("KUT", 58, 59), ("KON", 94, 95), ("POZ", 139, None),
)  # fmt: skip
EIC_WARSZAWA_POZNAN_FAST: Pattern = (("WAW", None, 0), ("WZA", 4, 5), ("KON", 91, 92), ("POZ", 138, None))
IC_WARSZAWA_POZNAN: Pattern = (
    ("WAW", None, 0), ("WZA", 4, 5), ("KUT", 62, 63), ("KON", 101, 102), ("POZ", 160, None),
)  # fmt: skip
# EC 95 as in the GTFS feed: Gdynia 07:01, Gdańsk Wrzeszcz 07:18/07:20, Gdańsk Gł. 07:25/07:28, Poznań 10:20.
EC_GDYNIA_POZNAN: Pattern = (
    ("GDY", None, 0), ("SOP", 8, 9), ("GDO", 13, 14), ("GDW", 17, 19), ("GDG", 24, 27), ("TCZ", 42, 43),
    ("BYD", 106, 115), ("INO", 142, 143), ("GNI", 172, 173), ("POZ", 199, None),
)  # fmt: skip
# The opposite EC from the GTFS feed: Poznań 17:40 ... Gdańsk Gł. 20:23/20:27 ... Gdynia 20:50.
EC_POZNAN_GDYNIA: Pattern = (
    ("POZ", None, 0), ("GNI", 25, 26), ("INO", 55, 56), ("BYD", 81, 84), ("TCZ", 147, 148), ("GDG", 163, 167),
    ("GDW", 170, 172), ("GDO", 176, 177), ("SOP", 180, 182), ("GDY", 190, None),
)  # fmt: skip
IC_GDYNIA_POZNAN: Pattern = (
    ("GDY", None, 0), ("SOP", 8, 9), ("GDO", 13, 14), ("GDW", 17, 19), ("GDG", 24, 27), ("TCZ", 42, 43),
    ("BYD", 106, 110), ("INO", 136, 137), ("GNI", 166, 167), ("POZ", 194, None),
)  # fmt: skip
TLK_GDYNIA_POZNAN: Pattern = (
    ("GDY", None, 0), ("SOP", 8, 9), ("GDO", 13, 14), ("GDW", 17, 19), ("GDG", 24, 27), ("TCZ", 42, 43),
    ("BYD", 108, 113), ("INO", 141, 142), ("GNI", 172, 173), ("POZ", 201, None),
)  # fmt: skip
# Kraków - Katowice - (Opole) - Wrocław - (Leszno) - Poznań: 5:22.
IC_KRAKOW_POZNAN: Pattern = (("KRK", None, 0), ("KAT", 52, 55), ("WRO", 170, 180), ("POZ", 322, None))
# IC Kraków - Warszawa over the CMK with a Dart, calling at Włoszczowa Północ: 2:37.
IC_KRAKOW_WARSZAWA: Pattern = (
    ("KRK", None, 0), ("WLP", 62, 63), ("WZA", 150, 152), ("WAW", 157, 160), ("WWS", 166, None),
)  # fmt: skip

# (platform, track) a train may use; small stations have one track per direction.
PLATFORMS: dict[str, tuple[tuple[str, str], ...]] = {
    "KRK": (("I", "1"), ("II", "3"), ("II", "4"), ("III", "5"), ("III", "6"), ("IV", "7"), ("IV", "8")),
    "WAW": (("I", "1"), ("I", "2"), ("II", "3"), ("II", "4"), ("III", "5"), ("III", "6"), ("IV", "7")),
    "WWS": (("II", "3"), ("III", "6"), ("IV", "8"), ("V", "10")),
    "WZA": (("II", "3"), ("III", "5"), ("IV", "8")),
    "GDG": (("I", "1"), ("II", "3"), ("II", "4"), ("III", "5"), ("III", "6")),
    "GDW": (("I", "1"), ("I", "2"), ("II", "3"), ("II", "4")),
    "GDY": (("I", "1"), ("II", "3"), ("II", "4"), ("III", "5")),
    "POZ": (("I", "1"), ("II", "2"), ("III", "4"), ("IV", "6"), ("V", "8")),
    "WRO": (("I", "1"), ("II", "2"), ("III", "4"), ("IV", "6")),
    "KAT": (("I", "1"), ("II", "3"), ("III", "5"), ("IV", "7")),
    "BYD": (("I", "1"), ("II", "2"), ("III", "4"), ("IV", "6")),
}
TWO_TRACKS = (("I", "1"), ("II", "2"))


@dataclass(frozen=True)
class Train:
    number: str
    category: Category
    name: str | None
    composition: str
    start: str  # departure from the first stop, "HH:MM"
    pattern: Pattern
    posts: dict[str, float]
    calendar: ServiceCalendar = DAILY


def reverse(pattern: Pattern) -> Pattern:
    """The same calls the other way, with the same running and standing times."""
    total = pattern[-1][1]
    assert total is not None
    return tuple(
        (station, None if depart is None else total - depart, None if arrive is None else total - arrive)
        for station, arrive, depart in reversed(pattern)
    )


def platform(station: str, number: str) -> tuple[str, str]:
    options = PLATFORMS.get(station, TWO_TRACKS)
    # Odd and even numbers run in opposite directions, so small stations keep one track per direction.
    pick = int(number) % 2 if options is TWO_TRACKS else (int(number) // 10 + int(number)) % len(options)
    return options[pick]


def service(train: Train) -> TrainService:
    hours, minutes = train.start.split(":")
    start = int(hours) * 60 + int(minutes)
    origin = train.pattern[0][0]
    stops = []
    for station, arrive, depart in train.pattern:
        where, track = platform(station, train.number)
        stops.append(
            Stop(
                station=station,
                arrive=None if arrive is None else start + arrive,
                depart=None if depart is None else start + depart,
                km=round(abs(train.posts[station] - train.posts[origin]), 1),
                platform=where,
                track=track,
            )
        )
    return TrainService(
        number=train.number,
        category=train.category,
        name=train.name,
        operator=OPERATOR,
        stops=tuple(stops),
        composition=train.composition,
        calendar=train.calendar,
    )


def trains() -> list[Train]:
    eip, eic, ec, ic, tlk = Category.EIP, Category.EIC, Category.EC, Category.IC, Category.TLK
    north, south = EIP_KRAKOW_GDYNIA, reverse(EIP_KRAKOW_GDYNIA)
    result = [
        # E65 Kraków - Gdynia Pendolinos every two hours, both ways.
        *(Train(f"35{i}0", eip, None, "ED250", f"{5 + 2 * i:02d}:48", north, E65) for i in range(6)),
        *(Train(f"35{i}1", eip, None, "ED250", f"{5 + 2 * i:02d}:58", south, E65) for i in range(6)),
        # Warszawa - Gdynia Pendolinos between them.
        Train("1500", eip, None, "ED250", "06:20", EIP_WARSZAWA_GDYNIA, E65, MONDAY_TO_FRIDAY),
        Train("1501", eip, None, "ED250", "05:05", reverse(EIP_WARSZAWA_GDYNIA_FAST), E65, MONDAY_TO_FRIDAY),
        Train("1510", eip, None, "ED250", "11:20", EIP_WARSZAWA_GDYNIA_FAST, E65),
        Train("1511", eip, None, "ED250", "09:05", reverse(EIP_WARSZAWA_GDYNIA), E65),
        Train("1520", eip, None, "ED250", "17:20", EIP_WARSZAWA_GDYNIA_FAST, E65),
        Train("1521", eip, None, "ED250", "17:05", reverse(EIP_WARSZAWA_GDYNIA_FAST), E65),
        # The last one reaches Gdynia after midnight.
        Train("1530", eip, None, "ED250", "21:20", EIP_WARSZAWA_GDYNIA, E65, DAILY_NOT_CHRISTMAS_EVE),
        Train("1531", eip, None, "ED250", "19:05", reverse(EIP_WARSZAWA_GDYNIA), E65),
        Train("15100", ic, "Gałczyński", "IC-5", "12:45", IC_WARSZAWA_GDYNIA, E65),
        Train("15101", ic, "Gałczyński", "IC-5", "07:45", reverse(IC_WARSZAWA_GDYNIA), E65),
        # Kraków - Warszawa Darts over the CMK.
        Train("31100", ic, "Krakus", "ED161", "06:50", IC_KRAKOW_WARSZAWA, E65),
        Train("31101", ic, "Krakus", "ED161", "08:05", reverse(IC_KRAKOW_WARSZAWA), E65),
        Train("31102", ic, None, "ED161", "16:50", IC_KRAKOW_WARSZAWA, E65),
        Train("31103", ic, None, "ED161", "18:05", reverse(IC_KRAKOW_WARSZAWA), E65),
        # Warszawa - Poznań: EIC, the EC trains to and from Berlin, IC.
        Train("1710", eic, "Sedina", "EIC-6", "06:05", EIC_WARSZAWA_POZNAN_FAST, WARSZAWA_POZNAN),
        Train("1711", eic, "Sedina", "EIC-6", "05:25", reverse(EIC_WARSZAWA_POZNAN_FAST), WARSZAWA_POZNAN),
        Train("1720", eic, "Chrobry", "EIC-6", "15:05", EIC_WARSZAWA_POZNAN, WARSZAWA_POZNAN),
        Train("1721", eic, "Chrobry", "EIC-6", "11:30", reverse(EIC_WARSZAWA_POZNAN), WARSZAWA_POZNAN),
        Train("41", ec, None, "EIC-6", "06:44", EC_WARSZAWA_POZNAN, WARSZAWA_POZNAN),
        Train("40", ec, None, "EIC-6", "08:35", EC_POZNAN_WARSZAWA, WARSZAWA_POZNAN),
        Train("43", ec, None, "EIC-6", "12:44", EC_WARSZAWA_POZNAN, WARSZAWA_POZNAN),
        Train("42", ec, None, "EIC-6", "16:35", EC_POZNAN_WARSZAWA, WARSZAWA_POZNAN),
        Train("17100", ic, "Lech", "IC-5", "09:05", IC_WARSZAWA_POZNAN, WARSZAWA_POZNAN),
        Train("17101", ic, "Lech", "IC-5", "07:30", reverse(IC_WARSZAWA_POZNAN), WARSZAWA_POZNAN),
        Train("17102", ic, None, "IC-5", "18:05", IC_WARSZAWA_POZNAN, WARSZAWA_POZNAN, NOT_SATURDAY),
        Train("17103", ic, None, "IC-5", "18:30", reverse(IC_WARSZAWA_POZNAN), WARSZAWA_POZNAN, NOT_SATURDAY),
        # Gdynia - Gdańsk - Bydgoszcz - Poznań.
        Train("95", ec, None, "EIC-6", "07:01", EC_GDYNIA_POZNAN, GDYNIA_POZNAN),
        Train("94", ec, None, "EIC-6", "17:40", EC_POZNAN_GDYNIA, GDYNIA_POZNAN),
        Train("57100", ic, "Mewa", "IC-5", "05:12", IC_GDYNIA_POZNAN, GDYNIA_POZNAN),
        Train("57101", ic, "Mewa", "IC-5", "06:40", reverse(IC_GDYNIA_POZNAN), GDYNIA_POZNAN),
        Train("57102", ic, "Rejewski", "IC-5", "10:12", IC_GDYNIA_POZNAN, GDYNIA_POZNAN),
        Train("57103", ic, "Rejewski", "IC-5", "10:40", reverse(IC_GDYNIA_POZNAN), GDYNIA_POZNAN),
        Train("57104", ic, "Lednica", "IC-5", "13:12", IC_GDYNIA_POZNAN, GDYNIA_POZNAN),
        Train("57105", ic, "Lednica", "IC-5", "13:40", reverse(IC_GDYNIA_POZNAN), GDYNIA_POZNAN),
        Train("57106", tlk, "Wybicki", "TLK-5", "16:12", TLK_GDYNIA_POZNAN, GDYNIA_POZNAN, FRIDAY_TO_SUNDAY),
        Train(
            "57107",
            tlk,
            "Wybicki",
            "TLK-5",
            "19:10",
            reverse(TLK_GDYNIA_POZNAN),
            GDYNIA_POZNAN,
            FRIDAY_TO_SUNDAY,
        ),
        # Kraków - Katowice - Wrocław - Poznań.
        Train("37100", ic, "Matejko", "IC-5", "05:40", IC_KRAKOW_POZNAN, KRAKOW_POZNAN),
        Train("37101", ic, "Matejko", "IC-5", "15:10", reverse(IC_KRAKOW_POZNAN), KRAKOW_POZNAN),
        Train("37102", tlk, None, "TLK-5", "08:40", IC_KRAKOW_POZNAN, KRAKOW_POZNAN),
        Train("37103", tlk, None, "TLK-5", "06:10", reverse(IC_KRAKOW_POZNAN), KRAKOW_POZNAN),
        Train("37104", ic, "Wyspiański", "IC-5", "11:40", IC_KRAKOW_POZNAN, KRAKOW_POZNAN),
        Train("37105", ic, "Wyspiański", "IC-5", "09:10", reverse(IC_KRAKOW_POZNAN), KRAKOW_POZNAN),
        Train("37106", ic, None, "IC-5", "14:40", IC_KRAKOW_POZNAN, KRAKOW_POZNAN),
        Train("37107", ic, None, "IC-5", "12:10", reverse(IC_KRAKOW_POZNAN), KRAKOW_POZNAN),
        # Weekend extra; the Friday and Sunday one reaches Poznań after midnight.
        Train("37108", tlk, None, "TLK-5", "18:40", IC_KRAKOW_POZNAN, KRAKOW_POZNAN, FRIDAY_TO_SUNDAY),
        Train(
            "37109", tlk, None, "TLK-5", "17:40", reverse(IC_KRAKOW_POZNAN), KRAKOW_POZNAN, FRIDAY_TO_SUNDAY
        ),
    ]
    return result


def build(definitions: Sequence[Train]) -> Timetable:
    return Timetable(load_stations(), COMPOSITIONS.values(), [service(t) for t in definitions])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT})")
    args = parser.parse_args()
    timetable = build(trains())
    writing.write(timetable, args.out, source=SOURCE, attribution=ATTRIBUTION)
    per_weekday = Counter(
        day.strftime("%a")
        for day in (date(2026, 11, 23 + i) for i in range(7))
        for _ in timetable.runs_on(day)
    )
    print(f"wrote {len(timetable.services)} services to {args.out}")
    print("runs per day, week of 2026-11-23: " + ", ".join(f"{d} {n}" for d, n in per_weekday.items()))
    print("check it: .venv/bin/pytest tests/unit/catalog -q")


if __name__ == "__main__":
    main()
