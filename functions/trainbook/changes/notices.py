"""What a schedule change means for one passenger's journey, in Polish and English (pure, no I/O).

`affects` decides whether a change touches a journey (legs first_leg .. end_leg - 1 of the run);
`notice` writes the text a passenger reads; `compensation` applies Regulation (EU) 2021/782, Art. 19.
Times are wall-clock Europe/Warsaw, amounts whole grosze.
"""

from __future__ import annotations

from dataclasses import dataclass

from trainbook.catalog.domain import TrainRun
from trainbook.catalog.events import (
    PlatformChanged,
    ScheduleChangeEvent,
    TrainDelayed,
    TrainRunCancelled,
    TrainRunRemoved,
)
from trainbook.catalog.stations import station

COMPENSATION_BANDS = ((120, 50), (60, 25))  # (minutes late at the destination, at least) -> percent


@dataclass(frozen=True)
class Journey:
    """A confirmed booking's trip on a run: what a notice is written for."""

    booking_id: str
    user_id: str
    origin: str
    destination: str
    first_leg: int
    end_leg: int
    total_grosze: int


@dataclass(frozen=True)
class Notice:
    kind: str  # delay, platform, cancel, compensation
    pl: str
    en: str


def affects(change: ScheduleChangeEvent, run: TrainRun, journey: Journey) -> bool:
    """A delay from a station at or before the journey's end, a platform change at one of its stations,
    a cancellation taking any of its legs."""
    if isinstance(change, TrainDelayed):
        return run.service.stop_index(change.station) <= journey.end_leg
    if isinstance(change, PlatformChanged):
        return journey.first_leg <= run.service.stop_index(change.station) <= journey.end_leg
    if isinstance(change, TrainRunRemoved):
        return True  # gone from the timetable: cancelled as a whole
    if isinstance(change, TrainRunCancelled):
        if change.from_station is None:
            return True
        return run.service.stop_index(change.from_station) < journey.end_leg
    return False


def notice(change: ScheduleChangeEvent, run: TrainRun, journey: Journey) -> Notice:
    """The change as this passenger should read it; `run` is the run with the change applied."""
    train = change.label
    to_pl, to_en = f"{train} do stacji {_name(run.terminus())}", f"{train} to {_name(run.terminus())}"
    if isinstance(change, TrainDelayed):
        at = _name(change.station)
        arrival = f"{run.expected_arrival(journey.destination):%H:%M}"
        if change.minutes == 0:
            return Notice(
                "delay",
                f"{to_pl} jedzie już punktualnie od stacji {at}; Twój przyjazd: {arrival}",
                f"{to_en} is on time again from {at}; your arrival is {arrival}",
            )
        return Notice(
            "delay",
            f"{to_pl} ma {change.minutes} min opóźnienia od stacji {at}; Twój nowy przyjazd: {arrival}",
            f"{to_en} is {change.minutes} min late from {at}; your new arrival is {arrival}",
        )
    if isinstance(change, PlatformChanged):
        at = _name(change.station)
        where_pl = f"peron {change.platform}" + (f", tor {change.track}" if change.track else "")
        where_en = f"platform {change.platform}" + (f", track {change.track}" if change.track else "")
        return Notice(
            "platform",
            f"{to_pl} na stacji {at}: zmiana peronu, teraz {where_pl}",
            f"{to_en} at {at}: platform changed, now {where_en}",
        )
    if isinstance(change, TrainRunCancelled | TrainRunRemoved):
        day = run.day.isoformat()
        start = change.from_station if isinstance(change, TrainRunCancelled) else None
        part_pl = f" od stacji {_name(start)}" if start else ""
        part_en = f" from {_name(start)}" if start else ""
        return Notice(
            "cancel",
            f"{to_pl} w dniu {day} został odwołany{part_pl}; Twoja rezerwacja zostaje anulowana, "
            f"zwracamy całe {_pln_pl(journey.total_grosze)}",
            f"{to_en} on {day} is cancelled{part_en}; your booking is cancelled and "
            f"{_pln_en(journey.total_grosze)} refunded in full",
        )
    raise ValueError(f"no notice for {type(change).__name__}")


def compensation(total_grosze: int, delay_minutes: int) -> tuple[int, int]:
    """(percent, grosze) owed for arriving `delay_minutes` late: 25 % from 60 min, 50 % from 120 min."""
    for minutes, percent in COMPENSATION_BANDS:
        if delay_minutes >= minutes:
            return percent, (total_grosze * percent + 50) // 100  # whole grosze, half up
    return 0, 0


def compensation_notice(
    label: str, destination: str, delay_minutes: int, percent: int, grosze: int
) -> Notice:
    at = _name(destination)
    return Notice(
        "compensation",
        f"{label} przyjechał do stacji {at} z opóźnieniem {delay_minutes} min; zwracamy "
        f"{_pln_pl(grosze)} ({percent} % ceny biletu) jako odszkodowanie",
        f"{label} reached {at} {delay_minutes} min late; {_pln_en(grosze)} ({percent} % of your fare) "
        "is refunded as compensation",
    )


def _name(code: str | None) -> str:
    return station(code).name if code else ""


def _pln_pl(grosze: int) -> str:
    return f"{grosze // 100},{grosze % 100:02d} zł"


def _pln_en(grosze: int) -> str:
    return f"PLN {grosze // 100}.{grosze % 100:02d}"
