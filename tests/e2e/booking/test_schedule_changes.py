"""Schedule changes end to end on `trainbook up`: an operator delays or cancels a run, the passengers it
touches are told once, money follows the law (full refund on cancellation, Art. 19 compensation on a late
arrival), and the analytics read model equals figures computed here from the events, also after replay.

Runs of the day after tomorrow are used, so the other tests of the package (tomorrow's runs) are untouched.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.booking.conftest import TOMORROW, Passenger, Trainbook
from tests.e2e.booking.test_booking_saga import DECLINED_CARD, event_types, held_legs, money_kept
from tests.e2e.localcloud.running import wait_for
from trainbook.catalog.domain import WARSAW
from trainbook.eventstore.store import recorded_from_image

DAY = TOMORROW + timedelta(days=1)
TRAINBOOK = str(Path(sys.executable).parent / "trainbook")


@pytest.fixture(scope="module")
def admin(trainbook: Trainbook) -> Passenger:
    email, password = f"admin-{uuid.uuid4().hex[:8]}@example.com", "Dyspozytor-2026!"
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": trainbook.cloud.engine_url,
        "AWS_DEFAULT_REGION": "eu-central-1",
        "USERS_TABLE": "trainbook-dev-users",
        "EVENTS_TABLE": "trainbook-dev-events",
    }
    done = subprocess.run(
        [TRAINBOOK, "admin", "create", "--email", email, "--name", "Dyspozytor", "--password", password],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    login = trainbook.http.post("/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    return Passenger(trainbook, login.json()["access_token"], login.json()["user"]["id"])


def post(who: Passenger, path: str, body: dict[str, Any] | None = None) -> Any:
    return who.trainbook.http.post(path, json=body, headers=who.headers)


def run_through_warsaw(trainbook: Trainbook, index: int) -> tuple[str, list[str]]:
    """A Gdańsk -> Kraków run of DAY calling at Warszawa with a stop between Gdańsk and Warszawa."""
    found = trainbook.http.get("/search", params={"from": "GDG", "to": "KRK", "date": DAY.isoformat()})
    assert found.status_code == 200, found.text
    candidates = []
    for departure in found.json()["departures"]:
        stops = [s["station"] for s in trainbook.http.get(f"/runs/{departure['run_id']}").json()["stops"]]
        if "WAW" in stops and stops.index("WAW") - stops.index("GDG") >= 2:
            candidates.append((departure["run_id"], stops))
    assert len(candidates) > index, candidates
    return candidates[index]


def free_seats(trainbook: Trainbook, run_id: str, count: int) -> list[tuple[int, int]]:
    answer = trainbook.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDG", "to": "KRK"})
    assert answer.status_code == 200, answer.text
    free = [
        (car["number"], s["seat"])
        for car in answer.json()["cars"]
        if car["travel_class"] == 2
        for s in car["seats"]
        if s["state"] == "free"
    ]
    return free[:count]


def confirmed(passenger: Passenger, run_id: str, seat: tuple[int, int], origin: str, destination: str) -> Any:
    answer = passenger.book(run_id, [seat], origin=origin, destination=destination)
    assert answer.status_code == 202, answer.text
    booking = passenger.settled(answer.json()["booking_id"])
    assert booking["status"] == "CONFIRMED", booking
    return booking


def inbox(passenger: Passenger) -> Any:
    answer = passenger.get("/me/notifications")
    assert answer.status_code == 200, answer.text
    return answer.json()


def events_table(trainbook: Trainbook) -> list[dict[str, Any]]:
    dynamodb = trainbook.client("dynamodb")
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": "trainbook-dev-events"}
    while True:
        page = dynamodb.scan(**request)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def notices_for(trainbook: Trainbook, booking_id: str) -> list[str]:
    """Kinds of the PassengerNotified events about a booking, from the event store itself."""
    return sorted(
        json.loads(item["data"]["S"])["kind"]
        for item in events_table(trainbook)
        if item["type"]["S"] == "PassengerNotified"
        and json.loads(item["data"]["S"])["booking_id"] == booking_id
    )


def test_a_delay_from_warsaw_tells_the_passengers_through_it_and_pays_compensation_after_arrival(
    trainbook: Trainbook, admin: Passenger
) -> None:
    run_id, stops = run_through_warsaw(trainbook, 0)
    before_warsaw = stops[stops.index("WAW") - 1]
    seats = free_seats(trainbook, run_id, 3)
    through, from_warsaw, short = trainbook.passenger(), trainbook.passenger(), trainbook.passenger()
    a = confirmed(through, run_id, seats[0], "GDG", "KRK")
    b = confirmed(from_warsaw, run_id, seats[1], "WAW", "KRK")
    english = trainbook.http.patch("/me", json={"language": "en"}, headers=from_warsaw.headers)
    assert english.status_code == 200 and english.json()["language"] == "en", english.text
    c = confirmed(short, run_id, seats[2], "GDG", before_warsaw)

    answer = post(admin, f"/admin/runs/{run_id}/changes", {"kind": "delay", "station": "WAW", "minutes": 75})

    assert answer.status_code == 201, answer.text
    change = answer.json()
    assert (change["kind"], change["station"], change["minutes"], change["run_id"]) == (
        "delay",
        "WAW",
        75,
        run_id,
    )
    told = wait_for(
        lambda: (
            [inbox(p) for p in (through, from_warsaw)]
            if all(inbox(p)["unread"] == 1 for p in (through, from_warsaw))
            else None
        ),
        deadline=60,
    )
    run = trainbook.http.get(f"/runs/{run_id}").json()
    arrival = next(s for s in run["stops"] if s["station"] == "KRK")["arrives_at"]
    new_arrival = f"{datetime.fromisoformat(arrival) + timedelta(minutes=75):%H:%M}"
    [notice] = told[0]["notifications"]
    assert notice["text"].endswith(
        f"75 min opóźnienia od stacji Warszawa Centralna; Twój nowy przyjazd: {new_arrival}"
    )
    assert notice["texts"]["en"].endswith(
        f"is 75 min late from Warszawa Centralna; your new arrival is {new_arrival}"
    )
    assert inbox(short) == {"unread": 0, "notifications": []}
    assert told[1]["notifications"][0]["text"] == told[1]["notifications"][0]["texts"]["en"]
    assert [notices_for(trainbook, x["booking_id"]) for x in (a, b, c)] == [["delay"], ["delay"], []]
    assert {s["station"]: s["delay_minutes"] for s in run["stops"]}["KRK"] == 75
    searched = trainbook.http.get("/search", params={"from": "WAW", "to": "KRK", "date": DAY.isoformat()})
    assert next(d for d in searched.json()["departures"] if d["run_id"] == run_id)["delay_minutes"] == 75
    changes = trainbook.http.get("/changes", params={"date": DAY.isoformat()})
    assert changes.status_code == 200 and changes.json()[0]["change_id"] == change["change_id"]

    read = post(through, f"/me/notifications/{notice['id']}/read")
    assert read.status_code == 200, read.text
    assert inbox(through)["unread"] == 0

    arrived = post(admin, f"/admin/runs/{run_id}/arrival")

    assert arrived.status_code == 201, arrived.text
    for passenger, booking in ((through, a), (from_warsaw, b)):
        owed = (booking["total_grosze"] * 25 + 50) // 100
        wait_for(
            lambda p=passenger, x=booking: p.get(f"/bookings/{x['booking_id']}").json()[
                "compensation_grosze"
            ],
            deadline=60,
        )
        assert passenger.get(f"/bookings/{booking['booking_id']}").json()["compensation_grosze"] == owed
        assert money_kept(trainbook, booking["booking_id"]) == (
            booking["total_grosze"] - owed,
            ["PARTIALLY_REFUNDED"],
        )
        wait_for(lambda p=passenger: inbox(p)["unread"] >= 1, deadline=30)
    assert short.get(f"/bookings/{c['booking_id']}").json()["compensation_grosze"] == 0
    assert notices_for(trainbook, a["booking_id"]) == ["compensation", "delay"]
    assert notices_for(trainbook, c["booking_id"]) == []
    late = post(admin, f"/admin/runs/{run_id}/changes", {"kind": "delay", "station": "WAW", "minutes": 5})
    assert late.status_code == 409 and late.json()["error"]["code"] == "run_arrived"


def test_a_cancelled_run_refunds_every_booking_in_full_once_even_when_delivered_twice_and_out_of_order(
    trainbook: Trainbook, admin: Passenger
) -> None:
    run_id, _ = run_through_warsaw(trainbook, 1)
    seats = free_seats(trainbook, run_id, 2)
    ala, jan = trainbook.passenger(), trainbook.passenger()
    bookings = [
        confirmed(ala, run_id, seats[0], "GDG", "KRK"),
        confirmed(jan, run_id, seats[1], "WAW", "KRK"),
    ]
    post(
        admin,
        f"/admin/runs/{run_id}/changes",
        {"kind": "platform", "station": "WAW", "platform": "IV", "track": "2"},
    )

    answer = post(
        admin, f"/admin/runs/{run_id}/changes", {"kind": "cancel", "from_station": None, "reason": "storm"}
    )

    assert answer.status_code == 201, answer.text
    for passenger, booking in zip((ala, jan), bookings, strict=True):
        wait_for(
            lambda p=passenger, x=booking: (
                p.get(f"/bookings/{x['booking_id']}").json()["status"] == "CANCELLED"
            ),
            deadline=90,
        )
    before = _state(trainbook, bookings)

    # Redeliver the run's change events to the reactor: twice, newest first.
    items = [
        i
        for i in events_table(trainbook)
        if i["stream"]["S"] == run_id and i["type"]["S"] != "TrainRunScheduled"
    ]
    records = [_stream_record(i) for i in sorted(items, key=lambda i: -int(i["version"]["N"]))]
    invoked = trainbook.client("lambda").invoke(
        FunctionName="trainbook-dev-change-reactor", Payload=json.dumps({"Records": records * 2}).encode()
    )
    assert json.loads(invoked["Payload"].read()) == {"batchItemFailures": []}

    assert _state(trainbook, bookings) == before
    for passenger, booking in zip((ala, jan), bookings, strict=True):
        view = passenger.get(f"/bookings/{booking['booking_id']}").json()
        assert (view["status"], view["cancellation_reason"]) == ("CANCELLED", "train_cancelled")
        assert money_kept(trainbook, booking["booking_id"]) == (0, ["REFUNDED"])
        assert held_legs(trainbook, booking["booking_id"]) == []
        assert event_types(trainbook, booking["booking_id"]).count("BookingCancelled") == 1
        assert notices_for(trainbook, booking["booking_id"]) == ["cancel", "platform"]
    executions = trainbook.client("stepfunctions").list_executions(
        stateMachineArn=_machine(trainbook, "cancellation-saga")
    )["executions"]
    names = Counter(e["name"] for e in executions)
    assert all(names[f"cancel-{b['booking_id']}"] == 1 for b in bookings)
    refused = trainbook.passenger().book(run_id, [seats[0]])
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "train_cancelled"


def test_passengers_are_forbidden_and_bad_changes_record_nothing(
    trainbook: Trainbook, admin: Passenger
) -> None:
    run_id, stops = run_through_warsaw(trainbook, 2)
    passenger = trainbook.passenger()
    events_before = [i for i in events_table(trainbook) if i["stream"]["S"] == run_id]
    bad = [
        ({"kind": "delay", "station": "WAW", "minutes": -1}, 400),
        ({"kind": "delay", "station": "POZ" if "POZ" not in stops else "XXX", "minutes": 5}, None),
        ({"kind": "delay", "minutes": 5}, 400),
        ({"kind": "platform", "station": "WAW"}, 400),
        ({"kind": "teleport"}, 400),
        ({"kind": "restore"}, 409),
        ({"kind": "cancel", "from_station": "KRK" if stops[-1] == "KRK" else stops[-1]}, 400),
    ]

    assert (
        post(
            passenger, f"/admin/runs/{run_id}/changes", {"kind": "delay", "station": "WAW", "minutes": 5}
        ).status_code
        == 403
    )
    assert (
        passenger.get("/admin/analytics", params={"from": DAY.isoformat(), "to": DAY.isoformat()}).status_code
        == 403
    )
    assert post(passenger, f"/admin/runs/{run_id}/arrival").status_code == 403
    assert post(passenger, f"/admin/days/{DAY.isoformat()}/close").status_code == 403
    unknown = post(
        admin, "/admin/runs/run-9999-2030-01-01/changes", {"kind": "delay", "station": "WAW", "minutes": 5}
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_train_run"
    for body, status in bad:
        answer = post(admin, f"/admin/runs/{run_id}/changes", body)
        assert 400 <= answer.status_code < 500 and answer.json()["error"]["code"], (body, answer.text)
        assert status is None or answer.status_code == status, (body, answer.text)
    newline = post(admin, "/admin/runs/%0A/arrival")  # a control character in a path parameter
    assert newline.status_code == 404 and newline.json()["error"]["code"], newline.text
    future = post(admin, f"/admin/days/{DAY.isoformat()}/close")
    assert future.status_code == 409
    assert [i for i in events_table(trainbook) if i["stream"]["S"] == run_id] == events_before


def test_analytics_equal_the_figures_computed_from_the_events_and_replay_gives_the_same(
    trainbook: Trainbook, admin: Passenger
) -> None:
    run_id, _ = run_through_warsaw(trainbook, 3)
    seats = free_seats(trainbook, run_id, 4)
    ola = trainbook.passenger()
    kept = confirmed(ola, run_id, seats[0], "GDG", "WAW")
    cancelled = confirmed(ola, run_id, seats[1], "WAW", "KRK")
    failed = ola.book(run_id, [seats[2]], card=DECLINED_CARD)
    ola.settled(failed.json()["booking_id"])
    trainbook.http.delete(f"/bookings/{cancelled['booking_id']}", headers=ola.headers)
    wait_for(
        lambda: ola.get(f"/bookings/{cancelled['booking_id']}").json()["status"] == "CANCELLED", deadline=60
    )
    post(admin, f"/admin/runs/{run_id}/changes", {"kind": "delay", "station": "GDG", "minutes": 130})
    trainbook.http.get("/search", params={"from": "GDG", "to": "WAW", "date": DAY.isoformat()})
    post(admin, f"/admin/runs/{run_id}/arrival")
    wait_for(lambda: ola.get(f"/bookings/{kept['booking_id']}").json()["compensation_grosze"], deadline=60)
    first, last = (datetime.now(WARSAW).date() - timedelta(days=1)).isoformat(), DAY.isoformat()

    def settled() -> Any:
        expected = expected_figures(events_table(trainbook), first, last)
        answer = admin.get("/admin/analytics", params={"from": first, "to": last})
        assert answer.status_code == 200, answer.text
        return answer.json() if comparable(answer.json()) == expected else None

    live = wait_for(settled, deadline=120, interval=1.0)
    assert live["totals"]["revenue"]["compensation_grosze"] > 0
    for run in live["load_factors"]["runs"]:
        assert run["seat_km"] > 0 and run["load_factor"] == round(run["passenger_km"] / run["seat_km"], 6)
    assert any(r["reason"] for r in live["failure_reasons"])
    assert live["totals"]["searches"] >= 1
    assert len(live["days"]) == (DAY - datetime.now(WARSAW).date()).days + 2

    done = subprocess.run(
        [TRAINBOOK, "replay", "analytics"],
        env={
            **os.environ,
            "AWS_ENDPOINT_URL": trainbook.cloud.engine_url,
            "AWS_DEFAULT_REGION": "eu-central-1",
            "EVENTS_TABLE": "trainbook-dev-events",
            "ANALYTICS_TABLE": "trainbook-dev-analytics",
        },
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    replayed = admin.get("/admin/analytics", params={"from": first, "to": last}).json()
    assert replayed == live


# ---- helpers -----------------------------------------------------------------------------------------


def _state(trainbook: Trainbook, bookings: list[Any]) -> Any:
    return [
        (
            event_types(trainbook, b["booking_id"]),
            money_kept(trainbook, b["booking_id"]),
            notices_for(trainbook, b["booking_id"]),
        )
        for b in bookings
    ]


def _stream_record(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "eventID": f"{item['stream']['S']}-{item['version']['N']}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"stream": item["stream"], "version": item["version"]},
            "NewImage": item,
            "SequenceNumber": item["version"]["N"].zfill(21),
            "StreamViewType": "NEW_IMAGE",
        },
    }


def _machine(trainbook: Trainbook, suffix: str) -> str:
    machines = trainbook.client("stepfunctions").list_state_machines()["stateMachines"]
    return str(next(m["stateMachineArn"] for m in machines if m["name"].endswith(suffix)))


def comparable(answer: dict[str, Any]) -> dict[str, Any]:
    """The parts of the dashboard the test recomputes from the events."""
    return {
        "days": {d["date"]: _money(d) for d in answer["days"] if any(_money(d))},
        "routes": {f"{r['origin']}-{r['destination']}": _money(r) for r in answer["top_routes"]},
        "failures": {r["reason"]: r["count"] for r in answer["failure_reasons"]},
        "runs": {r["run_id"]: r["passenger_km"] for r in answer["load_factors"]["runs"] if r["passenger_km"]},
    }


def _money(row: dict[str, Any]) -> tuple[int, ...]:
    money = row["revenue"]
    return (
        row["requested"],
        row["confirmed"],
        row["failed"],
        row["cancelled"],
        row["seats_sold"],
        money["gross_grosze"],
        money["refunds_grosze"],
        money["compensation_grosze"],
        money["net_grosze"],
    )


def expected_figures(items: list[dict[str, Any]], first: str, last: str) -> dict[str, Any]:
    """The dashboard's figures folded here, independently, from every event in the Events table."""
    events = sorted((recorded_from_image(i) for i in items), key=lambda e: (e.stream, e.version))
    requested: dict[str, Any] = {}
    km: dict[str, dict[str, float]] = {}
    days: dict[str, list[int]] = defaultdict(lambda: [0] * 8)
    routes: dict[str, list[int]] = defaultdict(lambda: [0] * 8)
    failures: Counter[str] = Counter()
    pkm: Counter[str] = Counter()
    for e in events:
        if e.type == "TrainRunScheduled":
            data = e.event.__dict__
            km[data["run_id"]] = {s["station"]: float(s["km"]) for s in data["stops"]}
    for e in events:
        data = e.event.__dict__
        if e.type == "BookingRequested":
            requested[data["booking_id"]] = data
        booking = requested.get(data.get("booking_id", ""))
        if booking is None or e.type not in (
            "BookingRequested",
            "BookingConfirmed",
            "BookingFailed",
            "BookingCancelled",
            "DelayCompensationPaid",
        ):
            continue
        day = e.at.astimezone(WARSAW).date().isoformat()
        route = f"{booking['origin']}-{booking['destination']}"
        distance = round(km[booking["run_id"]][booking["destination"]] * 10) - round(
            km[booking["run_id"]][booking["origin"]] * 10
        )
        delta = [0] * 8
        if e.type == "BookingRequested":
            delta[0] = 1
        elif e.type == "BookingConfirmed":
            delta[1], delta[4], delta[5] = 1, data["seat_count"], data["total_grosze"]
            pkm[booking["run_id"]] += distance * len(booking["seats"])
        elif e.type == "BookingFailed":
            delta[2] = 1
            if first <= day <= last:
                failures[data["reason"]] += 1
        elif e.type == "BookingCancelled":
            delta[3], delta[6] = 1, data["refund_grosze"]
            pkm[booking["run_id"]] -= distance * len(booking["seats"])
        else:
            delta[7] = data["compensation_grosze"]
        if first <= day <= last:
            for target in (days[day], routes[route]):
                for i, d in enumerate(delta):
                    target[i] += d

    def money(c: list[int]) -> tuple[int, ...]:
        return (*c, c[5] - c[6] - c[7])

    ranked = sorted(routes.items(), key=lambda kv: (kv[1][1], kv[1][5], kv[1][4]), reverse=True)[:10]
    return {
        "days": {d: money(c) for d, c in days.items() if any(c)},
        "routes": {r: money(c) for r, c in ranked},
        "failures": dict(failures),
        "runs": {r: v / 10 for r, v in pkm.items() if v and first <= r[-10:] <= last},
    }
