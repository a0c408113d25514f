"""Schedule changes between two scrapes or two timetables: what a passenger would want to be told."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.unit.scraper.builders import EUROCITY, FIRST_DAY, PENDOLINO, SEDINA, STATIONS, retimed, timetable
from tests.unit.scraper.snapshots import connection, seen_run, snapshot_of, with_run
from timetable_scraper.observe import snapshot_view
from timetable_scraper.snapshot import Search, Snapshot
from trainbook.changes.domain import ChangeKind, ScheduleChange, diff, timetable_view

SECOND_DAY = FIRST_DAY + timedelta(days=1)


def changes_between(before: Snapshot, after: Snapshot) -> list[ScheduleChange]:
    return diff(snapshot_view(before, STATIONS), snapshot_view(after, STATIONS))


def test_two_identical_scrapes_show_no_change() -> None:
    seen = snapshot_of(timetable(), FIRST_DAY, 2)

    assert changes_between(seen, seen) == []


def test_a_delay_is_reported_once_where_it_starts_with_its_minutes() -> None:
    before = snapshot_of(timetable(), FIRST_DAY, 1)
    after = with_run(before, seen_run(EUROCITY, FIRST_DAY, delay_from="GDW", minutes=12))

    (change,) = changes_between(before, after)

    assert change == ScheduleChange(
        ChangeKind.DELAY, "95", FIRST_DAY, "EC 95", station="GDW", minutes=12, previous_minutes=0
    )
    assert change.run_id == "run-95-2026-12-01"


def test_a_growing_delay_is_reported_against_the_last_one_seen() -> None:
    first = with_run(
        snapshot_of(timetable(), FIRST_DAY, 1), seen_run(EUROCITY, FIRST_DAY, delay_from="GDG", minutes=5)
    )
    second = with_run(first, seen_run(EUROCITY, FIRST_DAY, delay_from="GDG", minutes=20))

    (change,) = changes_between(first, second)

    assert (change.kind, change.station, change.minutes, change.previous_minutes) == (
        ChangeKind.DELAY,
        "GDG",
        20,
        5,
    )


def test_cancellation_platform_change_new_and_removed_runs() -> None:
    before = snapshot_of(timetable(PENDOLINO, EUROCITY), FIRST_DAY, 1)
    moved = seen_run(EUROCITY, FIRST_DAY)
    moved = replace(
        moved, stops=(*moved.stops[:2], replace(moved.stops[2], platform="IV", track="9"), *moved.stops[3:])
    )
    after = snapshot_of(timetable(PENDOLINO, SEDINA), FIRST_DAY, 1)
    after = with_run(after, replace(seen_run(PENDOLINO, FIRST_DAY), cancelled=True))
    after_with_moved = with_run(after, moved)

    changes = changes_between(before, after_with_moved)
    removed = changes_between(before, after)

    assert [(c.kind, c.train, c.station) for c in changes] == [
        (ChangeKind.CANCELLATION, "5300", None),
        (ChangeKind.NEW_SERVICE, "8302", None),
        (ChangeKind.PLATFORM_CHANGE, "95", "GDG"),
    ]
    platform = changes[2]
    assert (platform.previous_platform, platform.previous_track, platform.platform, platform.track) == (
        "III",
        "5",
        "IV",
        "9",
    )
    assert (ChangeKind.REMOVED_SERVICE, "95") in [(c.kind, c.train) for c in removed]


def test_days_only_one_scrape_covers_are_not_compared() -> None:
    before = snapshot_of(timetable(), FIRST_DAY, 2)
    after = snapshot_of(timetable(), SECOND_DAY, 2)

    assert changes_between(before, after) == []


def test_two_timetables_differ_by_a_retimed_and_a_withdrawn_service() -> None:
    old = timetable_view(timetable(), [FIRST_DAY])
    new = timetable_view(timetable(retimed(PENDOLINO, "WAW", 10), EUROCITY), [FIRST_DAY])

    changes = diff(old, new)

    assert [(c.kind, c.train, c.station, c.minutes) for c in changes] == [
        (ChangeKind.DELAY, "5300", "WAW", 10),
        (ChangeKind.REMOVED_SERVICE, "8302", None, None),
    ]
    assert changes[0].describe() == "10 min late at WAW (was 0)"


def test_runs_only_the_other_scrape_searched_for_are_not_removed_services() -> None:
    to_warsaw = Search("Gdańsk Główny", "Warszawa Centralna", FIRST_DAY)
    to_poznan = Search("Gdańsk Główny", "Poznań Główny", FIRST_DAY)
    wide = replace(
        snapshot_of(timetable(), FIRST_DAY, 1),
        searches=(to_warsaw, to_poznan),
        connections=(
            connection(PENDOLINO, "GDG", "WAW", FIRST_DAY),
            connection(EUROCITY, "GDG", "POZ", FIRST_DAY),
        ),
    )
    narrow = replace(
        snapshot_of(timetable(PENDOLINO), FIRST_DAY, 1),
        searches=(to_warsaw,),
        connections=(connection(PENDOLINO, "GDG", "WAW", FIRST_DAY),),
    )
    common = set(wide.searches) & set(narrow.searches)

    compared = diff(snapshot_view(wide, STATIONS, common), snapshot_view(narrow, STATIONS, common))
    naive = changes_between(wide, narrow)

    assert compared == []
    assert {(c.kind, c.train) for c in naive} == {
        (ChangeKind.REMOVED_SERVICE, "95"),
        (ChangeKind.REMOVED_SERVICE, "8302"),
    }
