"""Live updates over the real template on `trainbook up`, with real WebSocket clients.

Seat maps, booking progress, access rules, Gone handling and abuse, each checked by what the clients
received and what the connections table holds afterwards.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as open_socket
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.e2e.booking.conftest import Passenger, Trainbook
from tests.e2e.booking.test_booking_saga import DECLINED_CARD, first_run, second_class_seats, trace_states
from tests.e2e.localcloud.running import wait_for
from trainbook.booking.api import BOOKING_NAMESPACE

CONNECTIONS = "trainbook-dev-connections"
DEADLINE = 90.0

Pushes = list[dict[str, Any]]


def connect(url: str, **options: Any) -> Any:
    # A loaded machine may take more than the library's 10 s to run the authorizer and $connect.
    return open_socket(url, open_timeout=DEADLINE, **options)


def socket_url(trainbook: Trainbook, token: str | None = None) -> str:
    # The WebSocket path, not a REST path: it stays /ws when the REST API moves under /api/.
    url = trainbook.cloud.url.replace("http", "ws", 1) + "/ws"
    return f"{url}?token={token}" if token else url


class Live:
    """One client: what the server pushed (`pushes`) and answered (`replies`), read as it arrives."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.pushes: Pushes = []
        self.replies: list[dict[str, Any]] = []

    async def read_one(self) -> None:
        body = json.loads(await self.socket.recv())
        (self.pushes if "seq" in body else self.replies).append(body)

    async def ask(self, action: str, topic: str | None = None) -> dict[str, Any]:
        seen = len(self.replies)
        await self.socket.send(json.dumps({"action": action, **({"topic": topic} if topic else {})}))
        while len(self.replies) == seen:
            await asyncio.wait_for(self.read_one(), DEADLINE)
        return self.replies[seen]

    async def until(self, done: Callable[[Pushes], bool]) -> Pushes:
        async def read() -> None:
            while not done(self.pushes):
                await self.read_one()

        await asyncio.wait_for(read(), DEADLINE)
        return self.pushes


def seat_key(seat: tuple[int, int]) -> str:
    return f"{seat[0]:02d}-{seat[1]:03d}"


def seat_kinds(pushes: Pushes, seat: str) -> list[str]:
    return [p["type"] for p in pushes if p["type"].startswith("seats_") and seat in p["data"]["seats"]]


def seat_state(trainbook: Trainbook, run_id: str, seat: tuple[int, int]) -> str:
    answer = trainbook.http.get(f"/runs/{run_id}/seatmap", params={"from": "GDG", "to": "KRK"})
    assert answer.status_code == 200, answer.text
    return next(
        str(s["state"])
        for car in answer.json()["cars"]
        if car["number"] == seat[0]
        for s in car["seats"]
        if s["seat"] == seat[1]
    )


def connection_items(trainbook: Trainbook) -> list[dict[str, Any]]:
    return list(trainbook.client("dynamodb").scan(TableName=CONNECTIONS, ConsistentRead=True)["Items"])


def subscribers_of(trainbook: Trainbook, topic: str) -> list[str]:
    answer = trainbook.client("dynamodb").query(
        TableName=CONNECTIONS,
        IndexName="by-topic",
        KeyConditionExpression="topic = :t",
        ExpressionAttributeValues={":t": {"S": topic}},
    )
    return sorted(item["connection_id"]["S"] for item in answer["Items"])


def test_two_watchers_of_a_run_see_a_seat_held_then_sold_and_a_declined_one_released(
    trainbook: Trainbook,
) -> None:
    run_id = first_run(trainbook, index=3)
    sold, declined = second_class_seats(trainbook, run_id, 2, skip=20)
    stops = [stop["station"] for stop in trainbook.http.get(f"/runs/{run_id}").json()["stops"]]
    ala = trainbook.passenger()
    seen_when_held: list[str] = []

    async def scenario() -> tuple[Pushes, Pushes]:
        async with connect(socket_url(trainbook)) as first, connect(socket_url(trainbook)) as second:
            watchers = [Live(first), Live(second)]
            for watcher in watchers:
                assert await watcher.ask("subscribe", f"run:{run_id}") == {
                    "type": "subscribed",
                    "topic": f"run:{run_id}",
                }
            await asyncio.to_thread(ala.book, run_id, [sold])
            await watchers[0].until(lambda p: "seats_held" in seat_kinds(p, seat_key(sold)))
            # The push is never newer than the read model: the seat map already shows the seat taken.
            seen_when_held.append(await asyncio.to_thread(seat_state, trainbook, run_id, sold))
            for watcher in watchers:
                await watcher.until(lambda p: "seats_sold" in seat_kinds(p, seat_key(sold)))
            await asyncio.to_thread(lambda: ala.book(run_id, [declined], card=DECLINED_CARD))
            for watcher in watchers:
                await watcher.until(lambda p: "seats_released" in seat_kinds(p, seat_key(declined)))
            return watchers[0].pushes, watchers[1].pushes

    first_pushes, second_pushes = asyncio.run(scenario())

    assert seen_when_held == ["taken"]
    for pushes in (first_pushes, second_pushes):
        assert seat_kinds(pushes, seat_key(sold)) == ["seats_held", "seats_sold"]
        assert seat_kinds(pushes, seat_key(declined)) == ["seats_held", "seats_released"]
        held = next(p for p in pushes if p["type"] == "seats_held" and seat_key(sold) in p["data"]["seats"])
        assert held["topic"] == f"run:{run_id}"
        assert held["data"] == {
            "run_id": run_id,
            "seats": [seat_key(sold)],
            "first_leg": stops.index("GDG"),
            "end_leg": stops.index("KRK"),
            "from": "GDG",
            "to": "KRK",
        }
        seqs = [p["seq"] for p in pushes]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert seat_state(trainbook, run_id, declined) == "free"


BOOKING_STEPS = [
    "QuoteFare",
    "HoldSeats",
    "AuthorizePayment",
    "ConfirmBooking",
    "CapturePayment",
    "IssueTicket",
]
DECLINED_STEPS = [
    "QuoteFare",
    "HoldSeats",
    "AuthorizePayment",
    "CompensatePayment",
    "ReleaseSeats",
    "MarkBookingFailed",
]


def follow_booking(
    trainbook: Trainbook, owner: Passenger, run_id: str, seat: tuple[int, int], card: dict[str, Any] | None
) -> tuple[str, Pushes]:
    """Follow a booking from before it exists (its id derives from the owner and the key), then book."""
    key = uuid.uuid4().hex
    booking_id = str(uuid.uuid5(BOOKING_NAMESPACE, f"{owner.user_id}:{key}"))

    async def scenario() -> Pushes:
        async with connect(socket_url(trainbook, owner.token)) as socket:
            live = Live(socket)
            assert (await live.ask("subscribe", f"booking:{booking_id}"))["type"] == "subscribed"
            answer = await asyncio.to_thread(lambda: owner.book(run_id, [seat], card=card, key=key))
            assert answer.json()["booking_id"] == booking_id, answer.text
            return await live.until(lambda p: any(m["type"] == "status" for m in p))

    return booking_id, asyncio.run(scenario())


def steps_of(pushes: Pushes) -> list[tuple[str, str]]:
    return [(p["type"], p["data"]["step"]) for p in pushes if p["type"].startswith("step_")]


def test_the_owner_follows_every_saga_step_in_order_and_the_final_status(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=4)
    confirmed_seat, declined_seat = second_class_seats(trainbook, run_id, 2, skip=30)

    booking_id, pushes = follow_booking(trainbook, ala, run_id, confirmed_seat, None)
    failed_id, failed_pushes = follow_booking(trainbook, ala, run_id, declined_seat, DECLINED_CARD)

    assert steps_of(pushes) == [
        (kind, step) for step in BOOKING_STEPS for kind in ("step_started", "step_ended")
    ]
    assert all(p["data"]["outcome"] == "succeeded" for p in pushes if p["type"] == "step_ended")
    final = pushes[-1]
    assert final["type"] == "status" and final["topic"] == f"booking:{booking_id}"
    assert final["data"]["status"] == "CONFIRMED"
    assert final["data"]["ticket_number"] == ala.get(f"/bookings/{booking_id}/ticket").json()["ticket_number"]
    assert [p["seq"] for p in pushes] == list(range(1, len(pushes) + 1))
    assert trace_states(ala, booking_id) == [*BOOKING_STEPS, "BookingSucceeded"]  # what really ran

    assert [step for kind, step in steps_of(failed_pushes) if kind == "step_started"] == DECLINED_STEPS
    authorize = [
        p for p in failed_pushes if p["type"] == "step_ended" and p["data"]["step"] == "AuthorizePayment"
    ]
    assert authorize[0]["data"]["outcome"] == "failed"
    assert failed_pushes[-1]["data"]["status"] == "FAILED"
    assert failed_pushes[-1]["data"]["reason"] == failure_reason(trainbook, failed_id)


def failure_reason(trainbook: Trainbook, booking_id: str) -> str:
    items = trainbook.client("dynamodb").query(
        TableName="trainbook-dev-events",
        KeyConditionExpression="#s = :s",
        ExpressionAttributeNames={"#s": "stream"},
        ExpressionAttributeValues={":s": {"S": f"booking-{booking_id}"}},
    )["Items"]
    return str(next(json.loads(i["data"]["S"])["reason"] for i in items if i["type"]["S"] == "BookingFailed"))


def test_only_the_owner_may_follow_a_booking_and_only_a_signed_in_user_their_user_topic(
    trainbook: Trainbook,
) -> None:
    ala, ola = trainbook.passenger(), trainbook.passenger("Ola Nowak")
    run_id = first_run(trainbook, index=4)
    [seat] = second_class_seats(trainbook, run_id, 1, skip=40)
    booking_id = ala.book(run_id, [seat]).json()["booking_id"]

    async def scenario() -> list[dict[str, Any]]:
        async with (
            connect(socket_url(trainbook, ola.token)) as other,
            connect(socket_url(trainbook)) as anonymous,
        ):
            return [
                await Live(other).ask("subscribe", f"booking:{booking_id}"),
                await Live(anonymous).ask("subscribe", "user"),
                await Live(anonymous).ask("subscribe", f"booking:{booking_id}"),
                await Live(other).ask("subscribe", "user"),
            ]

    answers = asyncio.run(scenario())
    assert [a["type"] for a in answers] == ["error", "error", "error", "subscribed"]
    assert {a["error"]["code"] for a in answers[:3]} == {"forbidden"}

    async def forged() -> None:
        async with connect(socket_url(trainbook, ala.token[:-4] + "AAAA")):
            pass

    with pytest.raises(InvalidStatus) as refusal:
        asyncio.run(forged())
    assert refusal.value.response.status_code == 403
    ala.settled(booking_id)


def test_two_hundred_followers_all_get_the_push_and_only_the_gone_connection_is_deleted(
    trainbook: Trainbook,
) -> None:
    run_id = first_run(trainbook, index=5)
    [seat] = second_class_seats(trainbook, run_id, 1, skip=10)
    topic = f"run:{run_id}"
    ala = trainbook.passenger()
    dynamodb = trainbook.client("dynamodb")
    # A client whose $disconnect never arrived (API Gateway delivers it on a best-effort basis).
    stale = f"stale{uuid.uuid4().hex[:8]}="
    for entry, extra in (("connection", {}), (f"topic#{topic}", {"topic": {"S": topic}})):
        dynamodb.put_item(
            TableName=CONNECTIONS,
            Item={
                "connection_id": {"S": stale},
                "entry": {"S": entry},
                "expires": {"N": "4102444800"},
                **extra,
            },
        )

    def subscribers_when(condition: Callable[[list[str]], bool]) -> list[str] | None:
        found = subscribers_of(trainbook, topic)
        return found if condition(found) else None

    async def scenario() -> tuple[list[Pushes], list[str]]:
        sockets = []
        for start in range(0, 200, 25):
            sockets += await asyncio.gather(
                *(connect(socket_url(trainbook)) for _ in range(start, start + 25))
            )
        clients = [Live(s) for s in sockets]
        for start in range(0, 200, 25):
            answers = await asyncio.gather(*(c.ask("subscribe", topic) for c in clients[start : start + 25]))
            assert {a["type"] for a in answers} == {"subscribed"}
        async with connect(socket_url(trainbook)) as leaving:
            assert (await Live(leaving).ask("subscribe", topic))["type"] == "subscribed"
        # Once its $disconnect ran, the client that left is nowhere to post to: 200 live + the stale one.
        before = await asyncio.to_thread(
            wait_for, lambda: subscribers_when(lambda s: len(s) == 201), DEADLINE
        )
        await asyncio.to_thread(ala.book, run_id, [seat])
        received = await asyncio.gather(
            *(c.until(lambda p: "seats_held" in seat_kinds(p, seat_key(seat))) for c in clients)
        )
        after = await asyncio.to_thread(
            wait_for, lambda: subscribers_when(lambda s: stale not in s), DEADLINE
        )
        for s in sockets:
            await s.close()
        return list(received), [*before, "|", *after]

    received, seen = asyncio.run(scenario())
    split = seen.index("|")
    before, after = seen[:split], seen[split + 1 :]
    assert all("seats_held" in seat_kinds(pushes, seat_key(seat)) for pushes in received)
    assert len(received) == 200
    assert stale in before and stale not in after
    assert len(after) == 200  # the 200 live followers are all still subscribed: nobody else was deleted
    assert not [i for i in connection_items(trainbook) if i["connection_id"]["S"] == stale]
    wait_for(lambda: subscribers_of(trainbook, topic) == [], DEADLINE)


def test_bad_messages_get_errors_a_flood_is_capped_a_huge_frame_closes_and_others_are_served(
    trainbook: Trainbook,
) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]], int | None, dict[str, Any]]:
        async with (
            connect(socket_url(trainbook)) as noisy_socket,
            connect(socket_url(trainbook)) as calm_socket,
        ):
            noisy, calm = Live(noisy_socket), Live(calm_socket)
            errors = []
            for text in (
                "{not json",
                '{"action": "dance"}',
                '["subscribe"]',
                '{"action": "subscribe", "topic": "lorry:1"}',
            ):
                seen = len(noisy.replies)
                await noisy_socket.send(text)
                while len(noisy.replies) == seen:
                    await asyncio.wait_for(noisy.read_one(), DEADLINE)
                errors.append(noisy.replies[-1])
            # A flood: 1000 subscribes sent at once; meanwhile another client is served.
            await asyncio.gather(
                *(
                    noisy_socket.send(json.dumps({"action": "subscribe", "topic": f"run:flood-{n}"}))
                    for n in range(1000)
                )
            )
            pong = await calm.ask("ping")
            while len(noisy.replies) < len(errors) + 1000:
                await asyncio.wait_for(noisy.read_one(), DEADLINE)
            flood = noisy.replies[len(errors) :]
            still_alive = await noisy.ask("ping")
            assert still_alive["type"] == "pong"
            close_code = None
            async with connect(socket_url(trainbook), max_size=None) as huge:
                await huge.send("x" * 1_048_576)
                try:
                    await asyncio.wait_for(huge.recv(), DEADLINE)
                except ConnectionClosed as closed:
                    close_code = closed.rcvd.code if closed.rcvd else None
            return errors, flood, close_code, {**pong, "after": await calm.ask("ping")}

    errors, flood, close_code, calm = asyncio.run(scenario())

    assert [e["error"]["code"] for e in errors] == ["bad_json", "unknown_action", "bad_json", "unknown_topic"]
    assert all(e["type"] == "error" for e in errors)
    assert [r["type"] for r in flood].count("subscribed") == 50
    assert {r["error"]["code"] for r in flood if r["type"] == "error"} == {"too_many_topics"}
    assert calm["type"] == "pong" and calm["after"]["type"] == "pong"
    assert close_code == 1009
    wait_for(lambda: connection_items(trainbook) == [], DEADLINE)


def test_the_asyncapi_document_is_served_beside_the_openapi_document(trainbook: Trainbook) -> None:
    answer = trainbook.http.get("/asyncapi.json")
    assert answer.status_code == 200
    assert answer.json()["asyncapi"] == "3.0.0"
    assert "asyncapi.json" in trainbook.http.get("/openapi.json").json()["info"]["description"]
