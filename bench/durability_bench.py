"""Durability figures of `trainbook up`: cost flat with the data, restart time, journal throughput.

Prints, each beside its goal (issue 8):
- booking latency (POST /bookings -> 202, and POST -> end of the saga) with 1 000 and 100 000 events stored;
- time until `trainbook up` is ready again with 100 000 events stored;
- the engine's resident memory per stored event;
- PutItem writes/s on one engine without a journal and with it in each --fsync mode, in the same run.

Events beyond what the template's own start writes are added straight into the journal while the cloud
is stopped (copies of a real `BookingRequested`, on streams of their own): they are stored like any other
item and restored at start, but no projection reads them. Asserts nothing.
Run: `.venv/bin/python -m bench.durability_bench [--events 100000 --bookings 12]` (about 5 minutes).
"""

from __future__ import annotations

import argparse
import pickle
import sqlite3
import statistics
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
from tests.e2e.localcloud.running import RunningCloud, processes_naming

from bench.passengers import CARD
from localcloud.engine_process import EngineProcess
from localcloud.journal.store import JOURNAL_FILE

REPO = Path(__file__).resolve().parents[1]
REGION = "eu-central-1"
EVENTS_TABLE = "trainbook-dev-events"
OPTIONS = ("--timetable-days", "2", "--quiet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="events stored in the large run")
    parser.add_argument("--bookings", type=int, default=12, help="bookings timed at each size")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each throughput run")
    parser.add_argument("--only", choices=("throughput", "data"), default=None, help="run one half")
    args = parser.parse_args()
    if args.only != "data":
        journal_throughput(args.seconds)
    if args.only == "throughput":
        return
    with tempfile.TemporaryDirectory() as data:
        data_dir = Path(data)
        cloud = RunningCloud(REPO / "template.yaml", data_dir, "--reset", *OPTIONS)
        try:
            token = _passenger(cloud)
        finally:
            cloud.stop()
        small = measure_at(data_dir, 1_000, args.bookings, token)
        large = measure_at(data_dir, args.events, args.bookings, token)
    print()
    _line(
        "booking: POST -> 202, median",
        f"{small['post']:.3f} s at 1k",
        f"{large['post']:.3f} s at {args.events // 1000}k ({large['post'] / small['post']:.2f}x)",
        "within 1.25x",
    )
    _line(
        "booking: POST -> saga end, median",
        f"{small['saga']:.2f} s at 1k",
        f"{large['saga']:.2f} s at {args.events // 1000}k ({large['saga'] / small['saga']:.2f}x)",
        "within 1.25x",
    )
    _line(
        "restart until ready",
        f"{small['restart']:.1f} s at 1k",
        f"{large['restart']:.1f} s at {args.events // 1000}k",
        "< 15 s at 100k",
    )
    per_event = (large["rss"] - small["rss"]) / max(1, large["events"] - small["events"])
    _line(
        "engine memory per stored event",
        f"{per_event / 1024:.1f} KiB",
        f"(RSS {small['rss'] / 2**20:.0f} -> {large['rss'] / 2**20:.0f} MiB)",
        "known",
    )


def _line(what: str, first: str, second: str, goal: str) -> None:
    print(f"{what:<36} {first:<22} {second:<30} goal: {goal}")


def journal_throughput(seconds: float, rounds: int = 3) -> None:
    """PutItem/s from 4 threads on one engine: no journal, then each fsync mode; median of rounds."""
    modes = ("none", "off", "batch", "always")
    rates: dict[str, list[float]] = {mode: [] for mode in modes}
    for _ in range(rounds):  # interleaved, so load from other work on the machine hits every mode alike
        for mode in modes:
            with tempfile.TemporaryDirectory() as data:
                engine = EngineProcess(None if mode == "none" else Path(data), REGION, None, None, mode)
                try:
                    engine.wait_ready()
                    rates[mode].append(_put_rate(engine.url, seconds))
                finally:
                    engine.stop()
    print(f"journal throughput (PutItem, 4 threads, median of {rounds} interleaved {seconds:.0f} s runs):")
    baseline = statistics.median(rates["none"])
    for mode in modes:
        rate = statistics.median(rates[mode])
        label = "no journal" if mode == "none" else f"--fsync {mode}"
        goal = (
            "" if mode == "none" else f"  {rate / baseline:.0%} of no journal; goal: does not cap throughput"
        )
        print(f"  {label:<16} {rate:7.0f} writes/s{goal}")


def _put_rate(url: str, seconds: float, threads: int = 4) -> float:
    ddb = _client("dynamodb", url)
    ddb.create_table(
        TableName="bench",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def writer(index: int) -> None:
        client = _client("dynamodb", url)
        while time.monotonic() < stop:
            key = f"{index}-{counts[index]}"
            client.put_item(TableName="bench", Item={"pk": {"S": key}, "data": {"S": "x" * 200}})
            counts[index] += 1

    pool = [threading.Thread(target=writer, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sum(counts) / seconds


def measure_at(data_dir: Path, events: int, bookings: int, token: str) -> dict[str, float]:
    """Top the events table up to `events` (offline), restart, time bookings, read the engine's RSS."""
    stored = _fill_events(data_dir / JOURNAL_FILE, events)
    started = time.perf_counter()
    cloud = RunningCloud(REPO / "template.yaml", data_dir, *OPTIONS)
    restart = time.perf_counter() - started
    try:
        post, saga = _book(cloud, token, bookings)
        rss = _engine_rss(data_dir)
    finally:
        cloud.stop()
    print(
        f"{stored} events stored: restart {restart:.1f} s, POST {post:.3f} s, saga {saga:.2f} s, "
        f"engine RSS {rss / 2**20:.0f} MiB"
    )
    return {"events": stored, "restart": restart, "post": post, "saga": saga, "rss": rss}


def _fill_events(journal: Path, wanted: int) -> int:
    """Add copies of a stored BookingRequested (or any event) until the events table holds `wanted`."""
    db = sqlite3.connect(journal)
    try:
        (count,) = db.execute("SELECT COUNT(*) FROM items WHERE tbl = ?", (EVENTS_TABLE,)).fetchone()
        rows = db.execute("SELECT attrs FROM items WHERE tbl = ? LIMIT 200", (EVENTS_TABLE,)).fetchall()
        model = next(
            (
                a
                for (blob,) in rows
                if (a := pickle.loads(blob)).get("type", {}).get("S") == "BookingRequested"
            ),
            pickle.loads(rows[0][0]),
        )
        batch = []
        for number in range(count, wanted):
            stream, version = f"bench-{number // 10}", number % 10 + 1
            attrs = {**model, "stream": {"S": stream}, "version": {"N": str(version)}}
            batch.append((EVENTS_TABLE, f"S:{stream}", f"N:{version}", pickle.dumps(attrs, 5)))
        db.executemany("INSERT OR REPLACE INTO items VALUES (?, ?, ?, ?)", batch)
        db.commit()
        (count,) = db.execute("SELECT COUNT(*) FROM items WHERE tbl = ?", (EVENTS_TABLE,)).fetchone()
        return int(count)
    finally:
        db.close()


def _passenger(cloud: RunningCloud) -> str:
    email = f"{uuid.uuid4().hex[:10]}@bench.example"
    answer = httpx.post(
        f"{cloud.api_url}/auth/register",
        json={"email": email, "password": "Pociag-2026!", "name": "Bench"},
        timeout=120,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def _book(cloud: RunningCloud, token: str, count: int) -> tuple[float, float]:
    """Median POST latency and median POST-to-saga-end of `count` one-seat bookings, one at a time."""
    http = httpx.Client(base_url=cloud.api_url, timeout=120)
    day = (date.today() + timedelta(days=1)).isoformat()
    run_id = http.get("/search", params={"from": "WAW", "to": "KRK", "date": day}).json()["departures"][0][
        "run_id"
    ]
    seatmap = http.get(f"/runs/{run_id}/seatmap", params={"from": "WAW", "to": "KRK"}).json()
    free = [(c["number"], s["seat"]) for c in seatmap["cars"] for s in c["seats"] if s["state"] == "free"]
    sfn = cloud.client("stepfunctions")
    machine = next(
        m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"] if "booking" in m["name"]
    )
    posts, sagas = [], []
    for index in range(count + 1):  # the first books with cold workers: not counted
        car, seat = free[index]
        body = {
            "run_id": run_id,
            "origin": "WAW",
            "destination": "KRK",
            "seats": [{"car": car, "seat": seat}],
            "passengers": [{"name": "Jan Bench"}],
            "payment_token": http.post("/payments/tokens", json=CARD).json()["token"],  # not timed
        }
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
        started = time.perf_counter()
        answer = http.post("/bookings", json=body, headers=headers)
        posted = time.perf_counter() - started
        arn = machine.replace(":stateMachine:", ":execution:") + f":{answer.json()['booking_id']}"
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            time.sleep(0.02)
        if index:
            posts.append(posted)
            sagas.append(time.perf_counter() - started)
    return statistics.median(posts), statistics.median(sagas)


def _engine_rss(data_dir: Path) -> int:
    engine = next(pid for pid, command in processes_naming(data_dir) if "localcloud.engine" in command)
    for line in Path(f"/proc/{engine}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _client(service: str, url: str) -> Any:
    return boto3.client(
        service, region_name=REGION, endpoint_url=url, aws_access_key_id="b", aws_secret_access_key="b"
    )


if __name__ == "__main__":
    main()
