"""Nothing `trainbook up` acknowledged is lost when any of its processes is killed with SIGKILL.

One data dir lives through three crashes, in order: kill -9 of the engine, of the gateway (the
`trainbook up` process itself, alone), and of the whole process group, each right after bookings were
answered 202, a registration 201 and searches 200. After each restart every booking exists and ends
CONFIRMED (seats sold, money captured) or FAILED (seats free, money not kept), the seat map agrees, every
trace answers, the registered user can sign in, every search answered is counted exactly once (from the
query function's log lines, delivered after the answer), and no process of the killed cloud is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.booking.conftest import REPO, TOMORROW, Passenger, Trainbook
from tests.e2e.booking.test_booking_saga import (
    DECLINED_CARD,
    first_run,
    held_legs,
    money_kept,
    trace_states,
)
from tests.e2e.localcloud.running import RunningCloud, free_port, processes_naming, wait_for

PASSWORD = "Pociag-2026!"
BOOKINGS_PER_CRASH = 6  # of which every third pays with a declined card
SEARCHES_PER_CRASH = 4  # answered last, just before the kill: their log lines are not delivered yet


@dataclass
class Booked:
    booking_id: str
    run_id: str
    seat: tuple[int, int]


@dataclass
class CrashSite:
    """One data dir, the cloud currently running on it, and everything acknowledged so far."""

    data_dir: Path
    cloud: RunningCloud
    trainbook: Trainbook
    passenger: Passenger
    run_id: str
    booked: list[Booked] = field(default_factory=list)
    registered: list[str] = field(default_factory=list)
    searched: int = 0

    def start(self, *extra: str) -> None:
        options = ["--timetable-days", "2", "--quiet", *extra]
        self.cloud = RunningCloud(REPO / "template.yaml", self.data_dir, *options, new_session=True)
        self.trainbook = Trainbook(self.cloud, httpx.Client(base_url=self.cloud.api_url, timeout=60))
        self.passenger = Passenger(self.trainbook, self.passenger.token, self.passenger.user_id)

    def acknowledge_work(self) -> None:
        """Book free seats (each answered 202), then register a user (answered 201); their sagas run on.

        One request at a time: the restarted cloud's functions have one warm worker each, and on a loaded
        machine more cold starts at once can outlast the authorizer's timeout."""
        seats = _free_seats(self.trainbook, self.run_id, BOOKINGS_PER_CRASH)

        def book(index: int) -> Booked:
            card = DECLINED_CARD if index % 3 == 2 else None
            answer = self.passenger.book(self.run_id, [seats[index]], card=card)
            assert answer.status_code == 202, answer.text
            return Booked(answer.json()["booking_id"], self.run_id, seats[index])

        self.booked += [book(index) for index in range(BOOKINGS_PER_CRASH)]
        email = f"{uuid.uuid4().hex[:10]}@example.com"
        answer = self.trainbook.http.post(
            "/auth/register", json={"email": email, "password": PASSWORD, "name": "Zofia Nowak"}
        )
        assert answer.status_code == 201, answer.text
        self.registered.append(email)
        for _ in range(SEARCHES_PER_CRASH):
            query = {"from": "GDG", "to": "KRK", "date": TOMORROW.isoformat()}
            answer = self.trainbook.http.get("/search", params=query)
            assert answer.status_code == 200, answer.text
            self.searched += 1

    def crashed(self, kill: Callable[[RunningCloud], None]) -> None:
        """Kill, then wait until no process naming the data dir is left (an orphan fails the test)."""
        kill(self.cloud)
        self.cloud.process.wait(30)
        self.trainbook.http.close()
        wait_for(lambda: not processes_naming(self.data_dir), deadline=20)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashSite]:
    data_dir = Path(tmp_path_factory.mktemp("crash"))
    cloud = RunningCloud(
        REPO / "template.yaml", data_dir, "--reset", "--timetable-days", "2", "--quiet", new_session=True
    )
    try:
        trainbook = Trainbook(cloud, httpx.Client(base_url=cloud.api_url, timeout=60))
        crash_site = CrashSite(data_dir, cloud, trainbook, trainbook.passenger(), first_run(trainbook))
        crash_site.searched = 1  # first_run's
    except BaseException:
        cloud.stop()
        raise
    try:
        yield crash_site
    finally:
        crash_site.cloud.stop()


def _kill_engine(cloud: RunningCloud) -> None:
    engines = [pid for pid, command in processes_naming(cloud.data_dir) if "localcloud.engine" in command]
    assert len(engines) == 1, processes_naming(cloud.data_dir)
    os.kill(engines[0], signal.SIGKILL)


def _kill_gateway(cloud: RunningCloud) -> None:
    cloud.process.kill()  # `trainbook up` alone: the gateway runs in it, the engine is its child


def _kill_process_group(cloud: RunningCloud) -> None:
    os.killpg(cloud.process.pid, signal.SIGKILL)


def test_kill_9_of_the_engine_loses_no_acknowledged_booking_or_user(site: CrashSite) -> None:
    site.acknowledge_work()
    site.crashed(_kill_engine)
    assert site.cloud.process.returncode == 1  # `trainbook up` stops when its engine is gone

    site.start()

    _assert_everything_acknowledged_is_settled(site)


def test_kill_9_of_the_gateway_loses_no_acknowledged_booking_or_user(site: CrashSite) -> None:
    site.acknowledge_work()
    site.crashed(_kill_gateway)

    site.start()

    _assert_everything_acknowledged_is_settled(site)


def test_kill_9_of_the_process_group_loses_no_acknowledged_booking_or_user(site: CrashSite) -> None:
    site.acknowledge_work()
    site.crashed(_kill_process_group)

    site.start("--fsync", "always")

    _assert_everything_acknowledged_is_settled(site)
    oldest = site.booked[0].booking_id  # ended before the second crash: its history is from the journal
    saga = subprocess.run(
        [str(Path(sys.executable).parent / "trainbook"), "saga", oldest, "--data-dir", str(site.data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
        check=False,
    )
    assert saga.returncode == 0, saga.stderr
    assert "QuoteFare" in saga.stdout and "HoldSeats" in saga.stdout


def test_a_second_trainbook_up_on_a_busy_data_dir_exits_1_naming_the_holder(site: CrashSite) -> None:
    trainbook_up = str(Path(sys.executable).parent / "trainbook")
    command = [trainbook_up, "up", "--port", str(free_port()), "--data-dir", str(site.data_dir)]
    command += ["--template", str(REPO / "template.yaml"), "--timetable-days", "0"]

    second = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    assert second.returncode == 1
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and f"pid {site.cloud.process.pid}" in lines[0], second.stderr
    assert httpx.get(f"{site.cloud.url}/health", timeout=30).status_code == 200  # the holder still serves


def _assert_everything_acknowledged_is_settled(site: CrashSite) -> None:
    trainbook, passenger = site.trainbook, site.passenger
    # Every function is cold after a restart; on a loaded machine the authorizer's first start can outlast
    # its timeout (a 500, as API Gateway answers for a failed authorizer): wait until it answers at all.
    wait_for(lambda: passenger.get("/bookings").status_code == 200, deadline=120, interval=1)
    for email in site.registered:
        answer = trainbook.http.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
    for booked in site.booked:
        booking = passenger.settled(booked.booking_id)  # its trace answers, its execution ended
        assert trace_states(passenger, booked.booking_id)[:1] == ["QuoteFare"]  # with its history
        kept, payments = money_kept(trainbook, booked.booking_id)
        if booking["status"] == "CONFIRMED":
            assert len(held_legs(trainbook, booked.booking_id)) >= 1
            assert (kept, payments) == (booking["total_grosze"], ["CAPTURED"])
        else:
            assert booking["status"] == "FAILED", booking
            assert held_legs(trainbook, booked.booking_id) == []
            assert kept == 0 and set(payments) <= {"DECLINED", "VOIDED", "REFUNDED"}, payments
    wait_for(lambda: _seat_map_disagreements(site) == [], deadline=60, interval=0.5)
    wait_for(lambda: _searches_counted(site) == site.searched, deadline=60, interval=0.5)
    time.sleep(2)  # a line delivered twice would show by now
    assert _searches_counted(site) == site.searched


def _searches_counted(site: CrashSite) -> int:
    """Every search counted so far (the SearchStats read model: one item per route and day)."""
    dynamodb = site.trainbook.client("dynamodb")
    items = dynamodb.query(
        TableName="trainbook-dev-search-stats",
        KeyConditionExpression="family = :f",
        ExpressionAttributeValues={":f": {"S": "search"}},
        ConsistentRead=True,
    )["Items"]
    return sum(int(item["searches"]["N"]) for item in items)


def _seat_map_disagreements(site: CrashSite) -> list[Any]:
    """Booked seats whose seat-map state (read model) contradicts the inventory table."""
    answer = site.trainbook.http.get(f"/runs/{site.run_id}/seatmap", params={"from": "GDG", "to": "KRK"})
    assert answer.status_code == 200, answer.text
    shown = {(car["number"], s["seat"]): s["state"] for car in answer.json()["cars"] for s in car["seats"]}
    # A seat freed by a FAILED booking may have been booked again after a later crash.
    occupied = {b.seat for b in site.booked if held_legs(site.trainbook, b.booking_id)}
    return [
        (seat, shown.get(seat), seat in occupied)
        for seat in {b.seat for b in site.booked}
        if (shown.get(seat) != "free") != (seat in occupied)
    ]


def _free_seats(trainbook: Trainbook, run_id: str, count: int) -> list[tuple[int, int]]:
    answer = trainbook.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDG", "to": "KRK"})
    assert answer.status_code == 200, answer.text
    free = [
        (car["number"], s["seat"])
        for car in answer.json()["cars"]
        for s in car["seats"]
        if s["state"] == "free"
    ]
    assert len(free) >= count
    return free[-count:]
