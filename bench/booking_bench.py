"""The booking bench on `trainbook up` (issue 15): every figure in one run, each beside its goal.

On the real template.yaml: fresh start and restart times; booking throughput and latency (POST /bookings
to the end of its saga) at 1, 2, 4, 8 and 16 concurrent clients; requests per booking by kind and
CPU-seconds per booking by process, counted by the engine and the gateway (`POST /_localcloud/stats`
on each: the gateway invokes its own functions) and read from
/proc, not estimated; the engine's raw limit measured in the same run (PutItem and two-item
transactions per second) divided by the requests one booking costs; search and seat-map p99 and the
live-update p99 (seat messages on `run:<id>` topics) while 8 clients book. Writes the counts to
`bench/results/booking.json` (read by `bench/cost.py`). Asserts nothing.

Run: `.venv/bin/python -m bench.booking_bench [--per-client 5] [--timetable-days 30]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from tests.e2e.localcloud.running import RunningCloud

from bench.passengers import CARD
from bench.realtime_bench import open_followers

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "booking.json"
LEVELS = (1, 2, 4, 8, 16)
COUNTED_LEVEL = 8
# Rounds of the 8-client level with the readers and live followers beside it: one round (40 bookings,
# about 3 s) gave some 35 reads of each kind, so its "p99" was the slowest read; three give about 100.
UNDER_LOAD_ROUNDS = 3
ORIGIN, DESTINATION = "WAW", "KRK"
TICKS = os.sysconf("SC_CLK_TCK")


# Additions of a pure-Python loop timed before the run: one core's speed, so runs on different machines (or
# on one machine whose speed changed, as seen) can be compared (docs/benchmarks.md).
REFERENCE_ADDITIONS = 3_000_000


def reference_loop_ms() -> float:
    """The fastest of three runs of a fixed pure-Python loop, in ms."""
    fastest = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(REFERENCE_ADDITIONS):
            total += number
        fastest = min(fastest, time.perf_counter() - started)
    return fastest * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def descendants(pid: int) -> list[int]:
    """Children, grandchildren, ...: Lambda workers are forked by a zygote, a child of the engine or of
    the gateway."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(parent, []).append(int(entry.name))
    found, queue = [], list(parents.get(pid, []))
    while queue:
        child = queue.pop()
        found.append(child)
        queue.extend(parents.get(child, []))
    return found


class Processes:
    """CPU-seconds of `trainbook up` (the gateway), the engine and the Lambda workers of both."""

    def __init__(self, cloud: RunningCloud) -> None:
        self.gateway = cloud.process.pid
        self.engine = next(
            p
            for p in children(self.gateway)
            if b"localcloud.engine" in Path(f"/proc/{p}/cmdline").read_bytes()
        )

    def sample(self) -> dict[str, Any]:
        return {
            "gateway": cpu_seconds(self.gateway),
            "engine": cpu_seconds(self.engine),
            # The engine's workers and the gateway's (it runs the functions its routes name), zygotes too.
            "workers": {w: cpu_seconds(w) for w in descendants(self.gateway) if w != self.engine},
        }

    @staticmethod
    def spent(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
        workers = sum(cpu - before["workers"].get(pid, 0.0) for pid, cpu in after["workers"].items())
        return {
            "gateway": after["gateway"] - before["gateway"],
            "engine": after["engine"] - before["engine"],
            "workers": workers,
        }


class Bench:
    def __init__(self, cloud: RunningCloud) -> None:
        self.cloud = cloud
        self.http = httpx.Client(base_url=cloud.api_url, timeout=120)
        self.engine_http = httpx.Client(base_url=f"{cloud.engine_url}/_localcloud", timeout=300)
        self.processes = Processes(cloud)
        day = (date.today() + timedelta(days=1)).isoformat()
        found = self.http.get("/search", params={"from": ORIGIN, "to": DESTINATION, "date": day}).json()
        self.runs = [d["run_id"] for d in found["departures"]]
        self.seats = self._free_seats()
        self.users = [self._register() for _ in range(max(LEVELS))]
        sfn = cloud.client("stepfunctions")
        self.machine = next(
            m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"] if "booking" in m["name"]
        )

    def stats(self, reset: bool = False) -> dict[str, Any]:
        """What the engine and the gateway counted (the gateway invokes its own functions), added up."""
        parts = [
            self.engine("stats", {"reset": reset}),
            self.http.post(f"{self.cloud.url}/_localcloud/stats", json={"reset": reset}).json(),
        ]
        counts: dict[str, float] = {}
        functions: dict[str, dict[str, float]] = {}
        for part in parts:
            for kind, amount in part["counts"].items():
                counts[kind] = counts.get(kind, 0) + amount
            for name, usage in part["functions"].items():
                total = functions.setdefault(
                    name, {**usage, "invocations": 0, "duration_ms": 0, "cold_starts": 0}
                )
                for key in ("invocations", "duration_ms", "cold_starts"):
                    total[key] += usage[key]
        return {"counts": counts, "functions": functions}

    def engine(self, name: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer: dict[str, Any] = self.engine_http.post(f"/{name}", json=body or {}).json()
        return answer

    def _free_seats(self) -> list[tuple[str, int, int]]:
        seats: list[tuple[str, int, int]] = []
        for run_id in self.runs:
            params = {"from": ORIGIN, "to": DESTINATION}
            cars = self.http.get(f"/runs/{run_id}/seatmap", params=params).json()["cars"]
            seats += [
                (run_id, c["number"], s["seat"]) for c in cars for s in c["seats"] if s["state"] == "free"
            ]
        # Interleave runs so concurrent bookings spread over trains, as real passengers do.
        seats.sort(key=lambda seat: (seat[1], seat[2], seat[0]))
        return seats

    def _register(self) -> str:
        email = f"{uuid.uuid4().hex[:10]}@bench.example"
        body = {"email": email, "password": "Pociag-2026!", "name": "Bench"}
        return str(self.http.post("/auth/register", json=body).json()["access_token"])

    def tokenize(self) -> str:
        """A card token, as the card form gets it before booking (not timed; waits out the rate limit)."""
        while True:
            answer = self.http.post("/payments/tokens", json=CARD)
            if answer.status_code != 429:
                return str(answer.json()["token"])
            time.sleep(float(answer.headers["Retry-After"]))

    def book(self, user: str, seat: tuple[str, int, int], token: str) -> tuple[float, str]:
        """POST /bookings, then wait (engine long poll, no request per poll) for the saga's end."""
        run_id, car, number = seat
        body = {
            "run_id": run_id,
            "origin": ORIGIN,
            "destination": DESTINATION,
            "seats": [{"car": car, "seat": number}],
            "passengers": [{"name": "Jan Bench"}],
            "payment_token": token,
        }
        headers = {"Authorization": f"Bearer {user}", "Idempotency-Key": uuid.uuid4().hex}
        started = time.perf_counter()
        answer = self.http.post("/bookings", json=body, headers=headers)
        if answer.status_code != 202:  # counted as not succeeded (a loaded machine's 504, say)
            return time.perf_counter() - started, f"HTTP {answer.status_code}"
        booking_id = answer.json()["booking_id"]
        arn = self.machine.replace(":stateMachine:", ":execution:") + f":{booking_id}"
        status = self.engine("wait-execution", {"arn": arn, "timeout": 120})["status"]
        return time.perf_counter() - started, status

    def drained(self) -> None:
        """Until every stream trigger delivered what the bookings appended (their projections' work)."""
        while sum(int(s["backlog"]) for s in self.engine("health")["streams"].values()):
            time.sleep(0.05)

    def level(self, clients: int, bookings: int, booking: threading.Event | None = None) -> dict[str, Any]:
        """`booking` (if given) is set while the bookings run: not while cards are tokenized or drained."""
        seats = [self.seats.pop(0) for _ in range(bookings)]
        tokens = [self.tokenize() for _ in seats]
        self.drained()
        self.stats(reset=True)
        cpu_before = self.processes.sample()
        started = time.perf_counter()
        if booking is not None:
            booking.set()
        with ThreadPoolExecutor(clients) as pool:
            futures = [
                pool.submit(self.book, self.users[i % clients], seat, tokens[i])
                for i, seat in enumerate(seats)
            ]
            results = [f.result() for f in futures]
        elapsed = time.perf_counter() - started
        if booking is not None:
            booking.clear()
        self.drained()
        counted = self.stats()
        cpu = Processes.spent(cpu_before, self.processes.sample())
        latencies = [r[0] for r in results]
        return {
            "clients": clients,
            "bookings": bookings,
            "succeeded": sum(1 for r in results if r[1] == "SUCCEEDED"),
            "throughput_per_s": bookings / elapsed,
            "p50_s": statistics.median(latencies),
            "p99_s": percentile(latencies, 0.99),
            "stats": counted,
            "cpu_seconds": cpu,
        }

    def raw_limit(self, seconds: float = 3.0, threads: int = 8) -> dict[str, float]:
        """The engine's raw rate in this run: PutItem and two-item TransactWriteItems from 8 threads."""
        ddb = self.cloud.client("dynamodb")
        table = f"bench-raw-{uuid.uuid4().hex[:6]}"
        ddb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

        def rate(call: Callable[[Any, int], None]) -> float:
            done = [0] * threads
            end = time.perf_counter() + seconds

            def run(slot: int) -> None:
                client = self.cloud.client("dynamodb")
                while time.perf_counter() < end:
                    call(client, done[slot] * threads + slot)
                    done[slot] += 1

            workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
            began = time.perf_counter()
            for w in workers:
                w.start()
            for w in workers:
                w.join()
            return sum(done) / (time.perf_counter() - began)

        def put(client: Any, n: int) -> None:
            client.put_item(TableName=table, Item={"pk": {"S": f"p{n}"}, "v": {"N": str(n)}})

        def transact(client: Any, n: int) -> None:
            items = [
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": f"t{n}-{leg}"}, "v": {"N": str(n)}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
                for leg in (0, 1)
            ]
            client.transact_write_items(TransactItems=items)

        puts, transactions = rate(put), rate(transact)
        ddb.delete_table(TableName=table)
        return {
            "putitem_per_s": puts,
            "transact2_per_s": transactions,
            "raw_requests_per_s": (puts + transactions) / 2,
        }

    def readers(self, stop: threading.Event, booking: threading.Event) -> dict[str, list[float]]:
        """Search and seat map, one after the other, until `stop`: their latencies in ms, counted only for
        reads made entirely while `booking` is set (a level's tokenizing can wait out the card rate limit
        for many seconds, and reads of that quiet time are not reads under load)."""
        found: dict[str, list[float]] = {"search": [], "seatmap": []}
        day = (date.today() + timedelta(days=1)).isoformat()
        client = httpx.Client(base_url=self.cloud.api_url, timeout=60)
        while not stop.is_set():
            if not booking.wait(0.2):
                continue
            for kind, path, params in (
                ("search", "/search", {"from": ORIGIN, "to": DESTINATION, "date": day}),
                ("seatmap", f"/runs/{self.runs[0]}/seatmap", {"from": ORIGIN, "to": DESTINATION}),
            ):
                started = time.perf_counter()
                client.get(path, params=params).raise_for_status()
                if booking.is_set():
                    found[kind].append((time.perf_counter() - started) * 1000)
        return found

    def live(self, runs: list[str], stop: threading.Event, ready: threading.Event) -> list[float]:
        """Seat messages on `run:<id>` topics: received - appended (`at`), in ms. `ready` once subscribed."""
        samples: list[float] = []

        async def follow() -> None:
            sockets = await open_followers(self.cloud, 1, [f"run:{run}" for run in runs])
            socket = sockets[0]
            ready.set()
            while not stop.is_set():
                try:
                    body = json.loads(await asyncio.wait_for(socket.recv(), 0.5))
                except TimeoutError:
                    continue
                if body.get("type") in ("seats_held", "seats_sold", "seats_released"):
                    at = datetime.fromisoformat(body["at"].replace("Z", "+00:00"))
                    samples.append((datetime.now(UTC) - at).total_seconds() * 1000)
            await socket.close()

        try:
            asyncio.run(follow())
        finally:
            ready.set()
        return samples


def timed_start(template: Path, data: Path, *extra: str) -> tuple[RunningCloud, float]:
    started = time.perf_counter()
    cloud = RunningCloud(template, data, *extra, "--quiet", deadline=300)
    return cloud, time.perf_counter() - started


def start_phases(cloud: RunningCloud) -> dict[str, float]:
    """The phases `trainbook up` printed on its `start` line (engine, resources, timetable, ...)."""
    line = next((ln for ln in cloud.output if ln.strip().startswith("start ")), "")
    line = line.strip().removeprefix("start")
    return {name.strip(): float(s) for name, s in re.findall(r"([a-z ]+) (\d+(?:\.\d+)?) s", line)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-client", type=int, default=5, help="bookings per client at each level")
    parser.add_argument("--timetable-days", type=int, default=30)
    args = parser.parse_args()
    load_before = os.getloadavg()
    reference_ms = reference_loop_ms()
    with tempfile.TemporaryDirectory() as data:
        days = ("--timetable-days", str(args.timetable_days))
        cloud, fresh = timed_start(REPO / "template.yaml", Path(data), "--reset", *days)
        fresh_phases = start_phases(cloud)
        cloud.stop()
        cloud, restart = timed_start(REPO / "template.yaml", Path(data), *days)
        restart_phases = start_phases(cloud)
        try:
            results = run(cloud, args.per_client)
        finally:
            cloud.stop()
    results["start"] = {
        "fresh_s": fresh,
        "restart_s": restart,
        "timetable_days": args.timetable_days,
        "fresh_phases_s": fresh_phases,
        "restart_phases_s": restart_phases,
    }
    results["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "reference_loop_ms": reference_ms,
        "load_average_after": os.getloadavg(),
    }
    report(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=1, default=str))
    print(f"\ncounts written to {RESULTS.relative_to(REPO)}")


def run(cloud: RunningCloud, per_client: int) -> dict[str, Any]:
    bench = Bench(cloud)
    # Warm-up at the highest concurrency: every function gets the warm workers the levels need.
    bench.level(max(LEVELS), max(LEVELS))
    levels = []
    for clients in LEVELS:
        # At least 20 bookings a level: a level of 10 lasted under a second at 1-2 clients, its rate +-15 %.
        levels.append(bench.level(clients, max(20, clients * per_client)))
        done = levels[-1]
        print(
            f"level {clients:>2} clients: {done['bookings']} bookings, {done['succeeded']} succeeded, "
            f"{done['throughput_per_s']:.2f}/s, p50 {done['p50_s']:.2f} s, p99 {done['p99_s']:.2f} s "
            f"(load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    counted = next(level for level in levels if level["clients"] == COUNTED_LEVEL)
    limit = bench.raw_limit()

    # Search, seat map and live updates while 8 clients book: followers subscribe before it starts.
    stop, subscribed, booking = threading.Event(), threading.Event(), threading.Event()
    runs_used = sorted({seat[0] for seat in bench.seats[: COUNTED_LEVEL * per_client * UNDER_LOAD_ROUNDS]})
    outcome: dict[str, Any] = {}

    def readers() -> None:
        outcome["reads"] = bench.readers(stop, booking)

    def live() -> None:
        outcome["live"] = bench.live(runs_used, stop, subscribed)

    threads = [threading.Thread(target=live), threading.Thread(target=readers)]
    threads[0].start()
    subscribed.wait(120)
    threads[1].start()
    mixed = [
        bench.level(COUNTED_LEVEL, COUNTED_LEVEL * per_client, booking) for _ in range(UNDER_LOAD_ROUNDS)
    ]
    mixed_bookings = sum(level["bookings"] for level in mixed)
    time.sleep(1.0)  # the last seat messages of the level
    stop.set()
    for thread in threads:
        thread.join()
    each = per_booking(counted)
    # One follower per run topic: the seat messages one booking pushes to each subscriber of its run.
    each["ws_messages"] = len(outcome["live"]) / mixed_bookings
    each["saga_seconds"] = next(level["p50_s"] for level in levels if level["clients"] == 1)
    return {
        "levels": [{k: v for k, v in level.items() if k != "stats"} for level in levels],
        "per_booking": each,
        "engine_limit": limit,
        "under_load": {
            "bookings": mixed_bookings,
            "throughput_per_s": statistics.mean(level["throughput_per_s"] for level in mixed),
            "search_p50_ms": statistics.median(outcome["reads"]["search"]),
            "search_p99_ms": percentile(outcome["reads"]["search"], 0.99),
            "seatmap_p50_ms": statistics.median(outcome["reads"]["seatmap"]),
            "seatmap_p99_ms": percentile(outcome["reads"]["seatmap"], 0.99),
            "reads": len(outcome["reads"]["search"]) + len(outcome["reads"]["seatmap"]),
            "live_messages": len(outcome["live"]),
            "live_p50_ms": statistics.median(outcome["live"]) if outcome["live"] else float("nan"),
            "live_p99_ms": percentile(outcome["live"], 0.99),
        },
    }


def per_booking(level: dict[str, Any]) -> dict[str, Any]:
    """The counted level's work divided by its bookings (projections included: counted once drained)."""
    n = level["bookings"]
    counts: dict[str, float] = level["stats"]["counts"]
    functions: dict[str, dict[str, float]] = level["stats"]["functions"]
    http = {k: v for k, v in counts.items() if ":" in k and k.split(":", 1)[0] in _HTTP_SERVICES}
    http.pop("lambda:Invoke", None)  # every invocation is counted once, below, whoever asked for it
    invocations = sum(f["invocations"] for f in functions.values())
    transitions = sum(v for k, v in counts.items() if k.startswith("history:") and k.endswith("StateEntered"))
    stream_reads = counts.get("internal:StreamGetRecords", 0)
    by_kind = {
        **{k: v / n for k, v in http.items()},
        "lambda:Invoke (all callers)": invocations / n,
        "states:StateTransition": transitions / n,
        "dynamodbstreams:GetRecords": stream_reads / n,
    }
    stored = {k: v / n for k, v in counts.items() if k.startswith("stored:")}
    return {
        "bookings": n,
        "requests_by_kind": dict(sorted(by_kind.items())),
        "requests_total": sum(by_kind.values()),
        "dynamodb_requests": sum(v for k, v in by_kind.items() if k.startswith("dynamodb:")),
        "lambda_invocations": invocations / n,
        "state_transitions": transitions / n,
        "stream_reads": stream_reads / n,
        "stream_records": counts.get("internal:StreamRecords", 0) / n,
        "lambda": {
            name: {
                "invocations": f["invocations"] / n,
                "duration_ms": f["duration_ms"] / n,
                "memory_mb": f["memory_mb"],
                "gb_seconds": f["duration_ms"] / 1000 * f["memory_mb"] / 1024 / n,
            }
            for name, f in functions.items()
        },
        "stored": {
            "dynamodb_items": sum(v for k, v in stored.items() if k.endswith(":items")),
            "dynamodb_bytes": sum(v for k, v in stored.items() if k.endswith(":bytes")),
            "by_table": stored,
            "journal_rows": counts.get("journal:rows", 0) / n,
            "journal_bytes": counts.get("journal:bytes", 0) / n,
        },
        "cpu_seconds": {k: v / n for k, v in level["cpu_seconds"].items()},
        # Flat figures `bench/cost.py` prices (ws_messages and saga_seconds are set by `run`).
        "rest_requests": 2.0,  # what the client sends per booking: a card token, then POST /bookings
        "lambda_gb_seconds": sum(f["duration_ms"] / 1000 * f["memory_mb"] / 1024 for f in functions.values())
        / n,
        "ddb_write_units": counts.get("capacity:WriteUnits", 0) / n,
        "ddb_read_units": counts.get("capacity:ReadUnits", 0) / n,
        "stored_bytes": sum(v for k, v in stored.items() if k.endswith(":bytes")),
        "secrets_calls": sum(v for k, v in counts.items() if k.startswith("secretsmanager:")) / n,
        "log_bytes": counts.get("internal:LambdaLogBytes", 0) / n,
    }


_HTTP_SERVICES = ("dynamodb", "lambda", "states", "ssm", "secretsmanager", "sqs", "apigateway", "execute-api")


def report(results: dict[str, Any]) -> None:
    goals: list[tuple[str, str, str, bool]] = []

    def goal(figure: str, value: str, target: str, met: bool) -> None:
        goals.append((figure, value, target, met))

    machine = results["machine"]
    print(
        f"\nBooking bench on `trainbook up` ({machine['cpus']} cores, load average "
        f"{machine['load_average_before'][0]:.1f} before, {machine['load_average_after'][0]:.1f} after; "
        f"{REFERENCE_ADDITIONS / 1e6:.0f} M pure-Python additions in {machine['reference_loop_ms']:.0f} ms)"
    )
    print("\nclients  bookings  succeeded  bookings/s   p50 s   p99 s")
    for level in results["levels"]:
        print(
            f"{level['clients']:>7}  {level['bookings']:>8}  {level['succeeded']:>9}  "
            f"{level['throughput_per_s']:>10.2f}  {level['p50_s']:>6.2f}  {level['p99_s']:>6.2f}"
        )
    levels = {level["clients"]: level for level in results["levels"]}
    eight, one = levels[COUNTED_LEVEL], levels[1]
    goal(
        "throughput at 8 clients",
        f"{eight['throughput_per_s']:.2f}/s",
        ">= 10/s",
        eight["throughput_per_s"] >= 10,
    )
    goal("p50 at 8 clients", f"{eight['p50_s']:.2f} s", "<= 0.5 s", eight["p50_s"] <= 0.5)
    goal("p99 at 8 clients", f"{eight['p99_s']:.2f} s", "<= 1.5 s", eight["p99_s"] <= 1.5)
    goal("p50 at 1 client", f"{one['p50_s']:.2f} s", "<= 0.15 s", one["p50_s"] <= 0.15)
    rates = [level["throughput_per_s"] for level in results["levels"]]
    holds = all(later >= 0.9 * max(rates[:i]) for i, later in enumerate(rates) if i)
    goal("throughput 1 -> 16 clients", " -> ".join(f"{r:.1f}" for r in rates), "rises or holds", holds)

    each = results["per_booking"]
    print(f"\nrequests per booking (8 clients, {each['bookings']} bookings, projections included), by kind:")
    for kind, value in each["requests_by_kind"].items():
        print(f"  {kind:<40} {value:8.2f}")
    print(f"  {'total':<40} {each['requests_total']:8.2f}")
    cpu = each["cpu_seconds"]
    print(
        "CPU-seconds per booking: "
        + ", ".join(f"{k} {v:.3f}" for k, v in cpu.items())
        + f" (total {sum(cpu.values()):.3f})"
    )
    stored = each["stored"]
    print(
        f"stored per booking: {stored['dynamodb_items']:.1f} DynamoDB items written "
        f"({stored['dynamodb_bytes'] / 1024:.1f} KiB), journal {stored['journal_rows']:.1f} rows "
        f"({stored['journal_bytes'] / 1024:.1f} KiB)"
    )
    limit = results["engine_limit"]
    bookings_limit = limit["raw_requests_per_s"] / each["requests_total"]
    share = 100 * eight["throughput_per_s"] / bookings_limit
    limit["bookings_per_s"], limit["booking_share_pct"] = bookings_limit, share
    print(
        f"engine raw rate in this run: PutItem {limit['putitem_per_s']:.0f}/s, two-item transactions "
        f"{limit['transact2_per_s']:.0f}/s (mean {limit['raw_requests_per_s']:.0f} requests/s) / "
        f"{each['requests_total']:.1f} requests per booking = limit {bookings_limit:.2f} bookings/s"
    )
    goal("share of the engine's limit at 8 clients", f"{share:.0f} %", ">= 50 %", share >= 50)
    load = results["under_load"]
    print(
        f"\nwhile 8 clients book ({load['bookings']} bookings, {load['throughput_per_s']:.2f}/s): "
        f"{load['reads']} reads (search p50 {load['search_p50_ms']:.0f} ms, seat map p50 "
        f"{load['seatmap_p50_ms']:.0f} ms), {load['live_messages']} live seat messages "
        f"(p50 {load['live_p50_ms']:.0f} ms)"
    )
    goal("search p99 under load", f"{load['search_p99_ms']:.0f} ms", "<= 50 ms", load["search_p99_ms"] <= 50)
    goal(
        "seat map p99 under load",
        f"{load['seatmap_p99_ms']:.0f} ms",
        "<= 50 ms",
        load["seatmap_p99_ms"] <= 50,
    )
    goal(
        "live update p99 under load", f"{load['live_p99_ms']:.0f} ms", "<= 300 ms", load["live_p99_ms"] <= 300
    )
    start = results["start"]
    goal(
        f"fresh start ({start['timetable_days']} days)",
        f"{start['fresh_s']:.1f} s",
        "<= 8 s",
        start["fresh_s"] <= 8,
    )
    goal("restart", f"{start['restart_s']:.1f} s", "<= 3 s", start["restart_s"] <= 3)
    for kind in ("fresh", "restart"):
        phases = ", ".join(f"{name} {s:.1f} s" for name, s in start.get(f"{kind}_phases_s", {}).items())
        print(f"{kind} start phases: {phases}")
    print(f"\n{'figure':<42}{'value':<30} {'goal':<15}")
    for figure, value, target, met in goals:
        print(f"{figure:<42}{value:<30} {target:<15}{'MET' if met else 'NOT MET'}")
    results["goals"] = [{"figure": f, "value": v, "goal": g, "met": m} for f, v, g, m in goals]


if __name__ == "__main__":
    main()
