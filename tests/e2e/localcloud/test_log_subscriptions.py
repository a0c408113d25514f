"""A subscription filter on an API function's log group delivers every matching line to its destination,
in CloudWatch Logs' payload, and nothing an answered request logged is lost to a kill -9 of the process."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.localcloud.running import RunningCloud, processes_naming, wait_for

TEMPLATE = Path(__file__).parents[2] / "integration" / "localcloud" / "fixtures" / "logsub" / "template.yaml"
GROUP = "/aws/lambda/trainbook-QueriesFunction"


@pytest.fixture(scope="module")
def logsub_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    running = RunningCloud(TEMPLATE, Path(tmp_path_factory.mktemp("logsub")))
    open_gate(running)
    yield running
    running.stop()


def open_gate(cloud: RunningCloud) -> None:
    """From now on the destination succeeds (before, it answers with a function error)."""
    cloud.client("dynamodb").put_item(TableName="trainbook-ReceivedTable", Item={"pk": {"S": "gate"}})


def received(cloud: RunningCloud) -> list[dict[str, Any]]:
    pages = cloud.client("dynamodb").get_paginator("scan").paginate(TableName="trainbook-ReceivedTable")
    return [
        {
            "id": item["pk"]["S"],
            "event": json.loads(item["event"]["S"]),
            "envelope": json.loads(item["envelope"]["S"]),
            "keys": [key["S"] for key in item["keys"]["L"]],
        }
        for page in pages
        for item in page["Items"]
        if item["pk"]["S"] != "gate"
    ]


def searched_words(cloud: RunningCloud) -> set[str]:
    return {json.loads(r["event"]["message"])["word"] for r in received(cloud)}


def search(cloud: RunningCloud, word: str) -> None:
    assert httpx.get(f"{cloud.url}/test/search/{word}", timeout=30).status_code == 200


def test_up_prints_the_subscription(logsub_cloud: RunningCloud) -> None:
    output = "".join(logsub_cloud.output)

    assert "log subscriptions 1" in output
    assert f'{GROUP} {{ $.message = "search" }} -> trainbook-SearchCounterFunction' in output


def test_each_matching_line_arrives_once_in_cloudwatch_s_payload(logsub_cloud: RunningCloud) -> None:
    words = [f"shape-{n}" for n in range(5)]
    for word in words:
        search(logsub_cloud, word)

    wait_for(lambda: set(words) <= searched_words(logsub_cloud), deadline=20)
    mine = [r for r in received(logsub_cloud) if json.loads(r["event"]["message"])["word"] in words]

    assert len(mine) == len(words)  # the plain and the other JSON line of each search are not delivered
    for record in mine:
        assert record["keys"] == [
            "logEvents", "logGroup", "logStream", "messageType", "owner", "subscriptionFilters"
        ]  # fmt: skip
        envelope = record["envelope"]
        assert envelope["messageType"] == "DATA_MESSAGE"
        assert envelope["owner"] == "123456789012"
        assert envelope["logGroup"] == GROUP
        assert envelope["logStream"].split("/")[3].startswith("[$LATEST]")
        assert envelope["subscriptionFilters"] == ["trainbook-SearchesSubscription"]
        event = record["event"]
        assert sorted(event) == ["id", "message", "timestamp"]
        assert event["id"] == record["id"] and event["id"].isdigit()
        assert isinstance(event["timestamp"], int) and event["timestamp"] > 1_700_000_000_000
        assert json.loads(event["message"]) == {
            "message": "search",
            "word": json.loads(event["message"])["word"],
            "legs": 2,
        }


def test_the_destination_runs_in_the_engine_and_is_counted_there(logsub_cloud: RunningCloud) -> None:
    def invocations() -> int:
        stats = httpx.post(f"{logsub_cloud.engine_url}/_localcloud/stats", json={}, timeout=30).json()
        return int(stats["functions"].get("trainbook-SearchCounterFunction", {}).get("invocations", 0))

    before = invocations()
    search(logsub_cloud, "counted")

    wait_for(lambda: "counted" in searched_words(logsub_cloud), deadline=20)
    assert invocations() > before


def test_lines_of_answered_requests_survive_a_kill_9_and_arrive_after_the_restart(tmp_path: Path) -> None:
    first = RunningCloud(TEMPLATE, tmp_path, new_session=True)
    words = [f"killed-{n}" for n in range(12)]
    try:
        for word in words:
            search(first, word)
        # The gate is closed: every delivery so far failed, so all of them are still only spooled.
        wait_for(lambda: "Unhandled" in "".join(first.output), deadline=20)
        assert received(first) == []
    finally:
        os.killpg(first.process.pid, signal.SIGKILL)  # the gateway (its shipper), the engine, the workers
        first.process.wait()
    wait_for(lambda: not processes_naming(tmp_path), deadline=10)

    second = RunningCloud(TEMPLATE, tmp_path)
    try:
        open_gate(second)
        wait_for(lambda: set(words) <= searched_words(second), deadline=20)
        delivered = received(second)
    finally:
        second.stop()

    assert {json.loads(r["event"]["message"])["word"] for r in delivered} == set(words)
    assert len({r["id"] for r in delivered}) == len(words)
