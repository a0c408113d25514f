"""Issue 12 live, over the real template on `trainbook up` with real WebSocket clients.

An admin delays a run: the passenger following `user` gets one notification push, as the inbox then shows
it; the `changes` and `run:<id>` topics carry the change; marking it read pushes the unread count; after
arrival the compensation reaches `user` and `booking:<id>`. An admin following `analytics` gets the day's
figures when a booking is confirmed, equal to `GET /admin/analytics` read afterwards.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.booking.conftest import Passenger, Trainbook
from tests.e2e.booking.test_live_updates import Live, Pushes, connect, socket_url
from tests.e2e.booking.test_schedule_changes import (
    admin,  # noqa: F401 (the module's admin fixture)
    confirmed,
    free_seats,
    inbox,
    notices_for,
    post,
    run_through_warsaw,
)

WARSAW = ZoneInfo("Europe/Warsaw")


def of_type(pushes: Pushes, kind: str) -> Pushes:
    return [p for p in pushes if p["type"] == kind]


def day_figures(who: Passenger, day: str) -> dict[str, Any]:
    answer = who.get("/admin/analytics", params={"from": day, "to": day})
    assert answer.status_code == 200, answer.text
    dashboard = answer.json()
    [figures] = dashboard["days"]
    return {**figures, "failure_reasons": dashboard["failure_reasons"]}


def test_a_delay_notifies_its_passenger_live_once_and_admins_see_the_figures_of_a_confirmed_booking(
    trainbook: Trainbook,
    admin: Passenger,  # noqa: F811
) -> None:
    run_id, _ = run_through_warsaw(trainbook, 4)
    [seat] = free_seats(trainbook, run_id, 1)
    ala = trainbook.passenger()

    async def scenario() -> tuple[Live, Live, dict[str, Any], dict[str, Any]]:
        async with (
            connect(socket_url(trainbook, ala.token)) as own,
            connect(socket_url(trainbook, admin.token)) as office,
            connect(socket_url(trainbook)) as public,
        ):
            passenger, dashboard, watcher = Live(own), Live(office), Live(public)
            assert (await passenger.ask("subscribe", "user"))["type"] == "subscribed"
            assert (await dashboard.ask("subscribe", "analytics"))["type"] == "subscribed"
            for topic in ("changes", f"run:{run_id}"):
                assert (await watcher.ask("subscribe", topic))["type"] == "subscribed"

            today = datetime.now(WARSAW).date().isoformat()
            before = (await asyncio.to_thread(day_figures, admin, today))["confirmed"]
            booking = await asyncio.to_thread(confirmed, ala, run_id, seat, "GDG", "KRK")
            assert (await passenger.ask("subscribe", f"booking:{booking['booking_id']}"))[
                "type"
            ] == "subscribed"

            # The booking's confirmation: the `figures` push counting it (the last booking event counted).
            # Not any push of the run: its request's push comes first, and the run may carry other
            # tests' passenger-km.
            def counts_it(push: dict[str, Any]) -> bool:
                return bool(push["data"]["run"]["run_id"] == run_id and push["data"]["confirmed"] > before)

            await dashboard.until(lambda pushes: any(counts_it(p) for p in of_type(pushes, "figures")))
            pushed = [p for p in of_type(dashboard.pushes, "figures") if counts_it(p)][-1]["data"]
            shown = await asyncio.to_thread(day_figures, admin, pushed["date"])

            delay = {"kind": "delay", "station": "WAW", "minutes": 75}
            answer = await asyncio.to_thread(post, admin, f"/admin/runs/{run_id}/changes", delay)
            assert answer.status_code == 201, answer.text
            await watcher.until(lambda pushes: bool(of_type(pushes, "schedule_change")))
            [notice] = of_type(
                await passenger.until(lambda p: bool(of_type(p, "notification"))), "notification"
            )
            listed = await asyncio.to_thread(inbox, ala)

            read = await asyncio.to_thread(
                post, ala, f"/me/notifications/{notice['data']['notification']['id']}/read"
            )
            assert read.status_code == 200, read.text
            await passenger.until(lambda p: bool(of_type(p, "notification_read")))

            arrived = await asyncio.to_thread(post, admin, f"/admin/runs/{run_id}/arrival")
            assert arrived.status_code == 201, arrived.text
            await passenger.until(
                lambda p: (
                    any("compensation_grosze" in x["data"] for x in p if x["topic"] == "user")
                    and any(
                        "compensation_grosze" in x["data"] for x in p if x["topic"].startswith("booking:")
                    )
                )
            )
            return passenger, watcher, booking, {"pushed": pushed, "shown": shown, "listed": listed}

    passenger, watcher, booking, seen = asyncio.run(scenario())

    # Analytics: the figures pushed for the confirmation are what the dashboard then answers for that day.
    pushed = seen["pushed"]
    assert {k: v for k, v in pushed.items() if k != "run"} == seen["shown"]
    assert pushed["confirmed"] >= 1 and pushed["revenue"]["gross_grosze"] >= booking["total_grosze"]

    # The change reached `changes` and `run:<id>`.
    changes = [p for p in watcher.pushes if not p["type"].startswith("seats_")]  # the booking's seats too
    assert [(p["topic"], p["type"]) for p in changes[:2]] == [
        (f"run:{run_id}", "train_delayed"),
        ("changes", "schedule_change"),
    ]
    assert changes[1]["data"]["kind"] == "delay" and changes[1]["data"]["minutes"] == 75

    # The notification: exactly one push before the read mark, as the inbox then listed it.
    before_read = passenger.pushes[
        : passenger.pushes.index(of_type(passenger.pushes, "notification_read")[0])
    ]
    [notice] = of_type(before_read, "notification")
    listed = seen["listed"]
    assert notice["topic"] == "user"
    assert notice["data"] == {"notification": listed["notifications"][0], "unread": listed["unread"]}
    assert listed["unread"] == 1 and notice["data"]["notification"]["booking_id"] == booking["booking_id"]
    assert "75 min" in notice["data"]["notification"]["text"]
    assert notices_for(trainbook, booking["booking_id"]).count("delay") == 1
    [marked] = of_type(passenger.pushes, "notification_read")
    assert marked["data"] == {"id": notice["data"]["notification"]["id"], "unread": 0}

    # Compensation after arrival: a status update on both of the owner's topics.
    owed = (booking["total_grosze"] * 25 + 50) // 100
    paid = [p for p in passenger.pushes if "compensation_grosze" in p["data"]]
    assert sorted((p["topic"], p["type"]) for p in paid) == [
        (f"booking:{booking['booking_id']}", "status"),
        ("user", "booking_status"),
    ]
    expected = {
        "booking_id": booking["booking_id"],
        "status": "CONFIRMED",
        "compensation_grosze": owed,
        "delay_minutes": 75,
        "percent": 25,
    }
    assert [p["data"] for p in paid] == [expected, expected]
