"""Live updates benchmark on `trainbook up`: event appended -> message received, and pushes per second.

1. Latency: subscribers follow the runs being booked; passengers book over HTTP (real sagas). For every
   seat message each subscriber receives, latency = receipt time - the event's append time (`at` in the
   message, stamped when the event was written; one machine, one clock). It includes waiting until the
   seat map shows the change (docs/decisions.md).
2. Fan-out: connections follow one topic; schedule-change events are appended straight to the Events
   table; pushes/s = messages received by all connections / time from first append to last receipt.

Prints figures beside the goal; asserts nothing. Run:
`.venv/bin/python -m bench.realtime_bench [--bookings 500 --rate 1 --subscribers 50 --connections 500]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from tests.e2e.localcloud.running import RunningCloud
from websockets.asyncio.client import ClientConnection, connect

from bench.passengers import CARD

REPO = Path(__file__).resolve().parents[1]
GOAL_P99_MS = 300.0
IDLE_SECONDS = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=500)
    parser.add_argument("--subscribers", type=int, default=50)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients booking")
    parser.add_argument("--rate", type=float, default=1.0, help="bookings started per second (open loop)")
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--events", type=int, default=20, help="events appended for the fan-out test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        cloud = RunningCloud(
            REPO / "template.yaml", Path(data), "--reset", "--timetable-days", "2", "--quiet"
        )
        try:
            caught_up(cloud)
            latency(cloud, args.bookings, args.subscribers, args.clients, args.rate)
            print_triggers(cloud)
            fan_out(cloud, args.connections, args.events)
        finally:
            cloud.stop()


def triggers(cloud: RunningCloud) -> dict[str, dict[str, int]]:
    streams: dict[str, dict[str, int]] = httpx.get(f"{cloud.url}/health", timeout=30).json()["engine"][
        "streams"
    ]
    return streams


def caught_up(cloud: RunningCloud) -> None:
    """Measure the steady state: wait until every stream trigger has delivered the startup backlog."""
    started = time.perf_counter()
    while any(t["backlog"] for t in triggers(cloud).values()):
        time.sleep(0.5)
    print(f"stream triggers caught up with the startup backlog in {time.perf_counter() - started:.0f} s")


def print_triggers(cloud: RunningCloud) -> None:
    for name, trigger in sorted(triggers(cloud).items()):
        print(f"  {name}: delivered {trigger['delivered']}, failed batches {trigger['failed_batches']}")


def socket_url(cloud: RunningCloud) -> str:
    return cloud.url.replace("http", "ws", 1) + "/ws"


async def open_followers(cloud: RunningCloud, count: int, topics: list[str]) -> list[ClientConnection]:
    sockets: list[ClientConnection] = []
    for start in range(0, count, 25):
        batch = await asyncio.gather(
            *(
                connect(socket_url(cloud), max_queue=None, open_timeout=120)
                for _ in range(start, min(count, start + 25))
            )
        )
        for socket in batch:
            for topic in topics:
                await socket.send(json.dumps({"action": "subscribe", "topic": topic}))
        for socket in batch:
            for _ in topics:
                reply = json.loads(await asyncio.wait_for(socket.recv(), 60))
                assert reply["type"] == "subscribed", reply
        sockets += batch
    return sockets


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency(cloud: RunningCloud, bookings: int, subscribers: int, clients: int, rate: float) -> None:
    http = httpx.Client(base_url=cloud.api_url, timeout=120)
    day = (date.today() + timedelta(days=1)).isoformat()
    runs = [
        d["run_id"]
        for d in http.get("/search", params={"from": "GDG", "to": "KRK", "date": day}).json()["departures"]
    ]
    seats: list[tuple[str, int, int]] = []
    for run_id in runs:
        cars = http.get(f"/runs/{run_id}/seatmap", params={"from": "GDG", "to": "KRK"}).json()["cars"]
        seats += [
            (run_id, car["number"], s["seat"]) for car in cars for s in car["seats"] if s["state"] == "free"
        ]
        if len(seats) >= bookings:
            break
    seats = seats[:bookings]
    used_runs = sorted({run for run, _, _ in seats})
    tokens = []
    for _ in range(clients):
        email = f"{uuid.uuid4().hex[:10]}@bench.example"
        answer = http.post(
            "/auth/register", json={"email": email, "password": "Pociag-2026!", "name": "Bench"}
        )
        tokens.append(answer.json()["access_token"])

    def tokenize() -> str:
        """A card token, as each card form gets it before booking (not timed: waits out the rate limit)."""
        while True:
            answer = http.post("/payments/tokens", json=CARD)
            if answer.status_code != 429:
                return str(answer.json()["token"])
            time.sleep(float(answer.headers["Retry-After"]))

    payment_tokens = [tokenize() for _ in seats]

    def book(index: int) -> int:
        # Open loop at `rate`: latency under a steady load, not the queue of a burst.
        time.sleep(max(0.0, started + index / rate - time.perf_counter()))
        run_id, car, seat = seats[index]
        body = {
            "run_id": run_id,
            "origin": "GDG",
            "destination": "KRK",
            "seats": [{"car": car, "seat": seat}],
            "passengers": [{"name": "Jan Bench"}],
            "payment_token": payment_tokens[index],
        }
        headers = {"Authorization": f"Bearer {tokens[index % clients]}", "Idempotency-Key": uuid.uuid4().hex}
        return http.post("/bookings", json=body, headers=headers).status_code

    started = time.perf_counter()

    async def scenario() -> tuple[list[float], float, int]:
        sockets = await open_followers(cloud, subscribers, [f"run:{run}" for run in used_runs])
        expected = 2 * len(seats)  # seats_held then seats_sold (or released) per booking
        samples: list[float] = []

        async def receive(socket: ClientConnection) -> None:
            got = 0
            while got < expected:
                try:
                    body = json.loads(await asyncio.wait_for(socket.recv(), IDLE_SECONDS))
                except TimeoutError:
                    return  # a booking that failed sends seats_released instead of seats_sold
                received = datetime.now(UTC)
                if body.get("type") in ("seats_held", "seats_sold", "seats_released"):
                    got += 1
                    at = datetime.fromisoformat(body["at"].replace("Z", "+00:00"))
                    samples.append((received - at).total_seconds() * 1000)

        nonlocal started
        started = time.perf_counter()
        readers = asyncio.gather(*(receive(s) for s in sockets))
        with ThreadPoolExecutor(clients) as pool:
            statuses = await asyncio.gather(
                *(asyncio.wrap_future(pool.submit(book, i)) for i in range(len(seats)))
            )
        await readers
        elapsed = time.perf_counter() - started
        for socket in sockets:
            await socket.close()
        return samples, elapsed, sum(1 for s in statuses if s == 202)

    samples, elapsed, accepted = asyncio.run(scenario())
    print(
        f"\nLatency: {accepted} bookings on {len(used_runs)} runs at {rate:g}/s, "
        f"{subscribers} subscribers, {elapsed:.0f} s"
    )
    expected = 2 * len(seats) * subscribers
    print(f"  messages received   {len(samples)} of {expected} (seat messages, every subscriber)")
    print(
        f"  appended -> received p50 {statistics.median(samples):.0f} ms, "
        f"p99 {percentile(samples, 0.99):.0f} ms (goal <= {GOAL_P99_MS:.0f} ms), max {max(samples):.0f} ms"
    )


def fan_out(cloud: RunningCloud, connections: int, events: int) -> None:
    from trainbook.catalog.events import TrainDelayed
    from trainbook.eventstore.events import encode, format_instant

    run_id = f"bench-{uuid.uuid4().hex[:8]}"
    dynamodb = cloud.client("dynamodb")

    def append(version: int) -> None:
        event = TrainDelayed(
            change_id=f"c{version}",
            run_id=run_id,
            train="5300",
            day=date.today().isoformat(),
            label="EIP 5300",
            source="bench",
            observed_at=format_instant(datetime.now(UTC)),
            station="WAW",
            minutes=version,
            previous_minutes=version - 1,
        )
        dynamodb.put_item(
            TableName="trainbook-dev-events",
            Item={
                "stream": {"S": f"run-{run_id}"},
                "version": {"N": str(version)},
                "type": {"S": "TrainDelayed"},
                "schema": {"N": "1"},
                "data": {"S": encode(event)},
                "at": {"S": format_instant(datetime.now(UTC))},
                "meta": {
                    "M": {
                        "correlation_id": {"S": "bench"},
                        "causation_id": {"S": ""},
                        "actor": {"S": "bench"},
                    }
                },
            },
        )

    async def scenario() -> tuple[float, int, float]:
        opened = time.perf_counter()
        sockets = await open_followers(cloud, connections, [f"run:{run_id}"])
        setup = time.perf_counter() - opened

        async def receive(socket: ClientConnection) -> int:
            got = 0
            while got < events:
                body = json.loads(await asyncio.wait_for(socket.recv(), 300))
                got += body.get("type") == "train_delayed"
            return got

        readers = asyncio.gather(*(receive(s) for s in sockets))
        started = time.perf_counter()
        for version in range(1, events + 1):
            await asyncio.to_thread(append, version)
        received = sum(await readers)
        elapsed = time.perf_counter() - started
        for socket in sockets:
            await socket.close()
        return elapsed, received, setup

    elapsed, received, setup = asyncio.run(scenario())
    print(
        f"\nFan-out: {connections} connections on one topic (opened and subscribed in {setup:.0f} s), "
        f"{events} events"
    )
    print(f"  {received} pushes in {elapsed:.1f} s = {received / elapsed:.0f} pushes/s")


if __name__ == "__main__":
    main()
