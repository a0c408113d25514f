"""Operator tools on the running system: `trainbook replay` reproduces the live read models, `trainbook saga`
shows a booking's compensation path. Runs after the saga tests, so the read models hold real bookings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from boto3.dynamodb.types import TypeDeserializer

from tests.e2e.booking.conftest import Trainbook
from tests.e2e.booking.test_booking_saga import DECLINED_CARD, first_run, second_class_seats
from tests.e2e.localcloud.running import wait_for

READ_MODEL_TABLES = [
    "search-index",
    "seat-map",
    "user-bookings",
    "sales",
    "run-bookings",
    "change-log",
    "notifications",
    "analytics",
]
TRAINBOOK = str(Path(sys.executable).parent / "trainbook")


Snapshot = dict[str, dict[str, Any]]  # table -> item key -> item, plain Python values


def snapshot(trainbook: Trainbook) -> dict[str, Snapshot]:
    dynamodb = trainbook.client("dynamodb")
    plain = TypeDeserializer()
    tables: dict[str, Snapshot] = {}
    for name in READ_MODEL_TABLES:
        table = f"trainbook-dev-{name}"
        keys = [k["AttributeName"] for k in dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]
        items: Snapshot = {}
        request: dict[str, Any] = {"TableName": table}
        while True:
            page = dynamodb.scan(**request)
            for item in page["Items"]:
                value = {attribute: plain.deserialize(typed) for attribute, typed in item.items()}
                items["#".join(str(value[k]) for k in keys)] = value
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        tables[name] = items
    return tables


def quiet(trainbook: Trainbook) -> bool:
    """No saga is running and every stream trigger has delivered every record: nothing can still change
    a read model (an earlier test's saga retrying a step would append events during the replay)."""
    sfn = trainbook.client("stepfunctions")
    for machine in sfn.list_state_machines()["stateMachines"]:
        running = sfn.list_executions(
            stateMachineArn=machine["stateMachineArn"], statusFilter="RUNNING", maxResults=1
        )
        if running["executions"]:
            return False
    streams = httpx.get(f"{trainbook.cloud.url}/health", timeout=30).json()["engine"]["streams"]
    return all(int(stream["backlog"]) == 0 for stream in streams.values())


def settled_read_models(trainbook: Trainbook) -> dict[str, Snapshot]:
    """Read models once nothing is in flight: the system is quiet, and two snapshots a second apart
    are equal (a projector may be mid-batch when its trigger's backlog reads 0)."""
    previous: list[dict[str, Snapshot]] = [{}]

    def stable() -> dict[str, Snapshot] | None:
        if not quiet(trainbook):
            previous[0] = {}
            return None
        current = snapshot(trainbook)
        same = current == previous[0]
        previous[0] = current
        return current if same else None

    result: dict[str, Snapshot] = wait_for(stable, deadline=180, interval=1.0)
    return result


def flat(value: Any, path: str = "") -> dict[str, Any]:
    """A nested item as {"bookings.<id>.state": "sold", ...}: a difference names its own path."""
    if isinstance(value, dict) and value:
        return {
            k: v
            for key, inner in value.items()
            for k, v in flat(inner, f"{path}.{key}" if path else key).items()
        }
    return {path: value}


def differences(live: dict[str, Snapshot], replayed: dict[str, Snapshot]) -> dict[str, Any]:
    """Per table and item, the paths whose values differ (live, replayed): a readable failure."""
    found: dict[str, Any] = {}
    for name in live.keys() | replayed.keys():
        before, after = live.get(name, {}), replayed.get(name, {})
        for key in before.keys() | after.keys():
            old, new = flat(before.get(key, {})), flat(after.get(key, {}))
            changed = {
                path: (old.get(path), new.get(path))
                for path in old.keys() | new.keys()
                if old.get(path) != new.get(path)
            }
            if changed:
                found[f"{name} {key}"] = changed
    return found


def delivery_failures(trainbook: Trainbook) -> dict[str, Any]:
    """Failed batches per stream trigger, and the records the triggers gave up on (dead letters)."""
    streams = httpx.get(f"{trainbook.cloud.url}/health", timeout=30).json()["engine"]["streams"]
    sqs = trainbook.client("sqs")
    queue = sqs.get_queue_url(QueueName="trainbook-dev-projection-failures")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"])
    return {
        "failed batches": {key: s["failed_batches"] for key, s in streams.items() if s["failed_batches"]},
        "dead letters": int(attributes["Attributes"]["ApproximateNumberOfMessages"]),
    }


def tool_environment(trainbook: Trainbook) -> dict[str, str]:
    tables = {
        "EVENTS_TABLE": "events",
        "SEARCH_INDEX_TABLE": "search-index",
        "SEAT_MAP_TABLE": "seat-map",
        "USER_BOOKINGS_TABLE": "user-bookings",
        "SALES_TABLE": "sales",
        "RUN_BOOKINGS_TABLE": "run-bookings",
        "CHANGE_LOG_TABLE": "change-log",
        "NOTIFICATIONS_TABLE": "notifications",
        "ANALYTICS_TABLE": "analytics",
    }
    return {
        **os.environ,
        "AWS_ENDPOINT_URL": trainbook.cloud.engine_url,
        "AWS_DEFAULT_REGION": "eu-central-1",
        **{variable: f"trainbook-dev-{suffix}" for variable, suffix in tables.items()},
    }


def test_replay_rebuilds_every_read_model_identical_to_the_live_one(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=4)
    ala.settled(ala.book(run_id, second_class_seats(trainbook, run_id, 1, skip=90)).json()["booking_id"])
    live = settled_read_models(trainbook)

    done = subprocess.run(
        [TRAINBOOK, "replay", "all"],
        env=tool_environment(trainbook),
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    # On a difference, say whether a trigger gave up on records (its on-failure queue): a dropped record
    # leaves the live model behind the Events table, which is what replay is for.
    failures = delivery_failures(trainbook)
    assert differences(live, snapshot(trainbook)) == {}, failures
    assert all(
        live[name]
        for name in ("search-index", "seat-map", "user-bookings", "sales", "run-bookings", "analytics")
    )


def test_trainbook_saga_prints_the_compensation_path(trainbook: Trainbook) -> None:
    ala = trainbook.passenger()
    run_id = first_run(trainbook, index=5)
    booking_id = ala.book(
        run_id, second_class_seats(trainbook, run_id, 1, skip=95), card=DECLINED_CARD
    ).json()["booking_id"]
    ala.settled(booking_id)

    done = subprocess.run(
        [TRAINBOOK, "saga", booking_id, "--data-dir", str(trainbook.cloud.data_dir)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )

    assert done.returncode == 0, done.stderr
    assert "AuthorizePayment" in done.stdout and "PaymentDeclined" in done.stdout
    assert "ReleaseSeats (compensation)" in done.stdout
    # The saga only ever saw the card's token; the decline names the card by its last four digits.
    assert "4000 0000 0000 0002" not in done.stdout and "4000000000000002" not in done.stdout
    assert '"token": "tok_' in done.stdout and "*0002" in done.stdout


def test_trainbook_invoke_runs_a_function_with_its_sample_event(trainbook: Trainbook) -> None:
    done = subprocess.run(
        [
            TRAINBOOK,
            "invoke",
            "SeatMapProjector",
            "-e",
            "events/projector-stream-batch.json",
            "--data-dir",
            str(trainbook.cloud.data_dir),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert '"batchItemFailures": []' in done.stdout
    seat_map = trainbook.client("dynamodb").get_item(
        TableName="trainbook-dev-seat-map", Key={"run": {"S": "run-3500-2026-11-25"}}
    )
    assert "3f1c2a3e-5d4b-4c8a-9e2f-7a1b3c5d7e9f" in str(seat_map.get("Item"))
