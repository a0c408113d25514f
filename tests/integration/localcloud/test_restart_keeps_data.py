"""Stopping and starting `trainbook up` on the same data dir keeps tables, queues and stream positions."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.localcloud.running import FIXTURE_TEMPLATE, RunningCloud, wait_for

GOOD = {"Authorization": "Bearer good"}


def _seen(cloud: RunningCloud, key: str) -> list[int]:
    item = (
        cloud.client("dynamodb")
        .get_item(TableName="trainbook-DeliveriesTable", Key={"pk": {"S": f"seen-{key}"}})
        .get("Item")
    )
    return [] if item is None else [int(value["N"]) for value in item["versions"]["L"]]


def _put_lanes(cloud: RunningCloud, key: str, version: int) -> None:
    cloud.client("dynamodb").put_item(
        TableName="fixture-test-lanes", Item={"pk": {"S": key}, "version": {"N": str(version)}}
    )


def test_kill_and_restart_keeps_data_and_does_not_redeliver_the_stream(tmp_path: Path) -> None:
    first = RunningCloud(FIXTURE_TEMPLATE, tmp_path)
    try:
        assert httpx.post(f"{first.url}/test/items/kept", json={"car": "3"}, headers=GOOD).status_code == 201
        wait_for(lambda: _seen(first, "item-kept") == [1])
        _put_lanes(first, "lanes-kept", 1)  # a trigger with ParallelizationFactor keeps its checkpoint too
        wait_for(lambda: _seen(first, "lanes-kept") == [1])
        sqs = first.client("sqs")
        sqs.send_message(
            QueueUrl=sqs.get_queue_url(QueueName="trainbook-DeadLetters")["QueueUrl"],
            MessageBody="kept message",
        )
    finally:
        assert first.stop() == 0
    assert "Trainbook local cloud stopped" in "".join(first.output)

    second = RunningCloud(FIXTURE_TEMPLATE, tmp_path)
    try:
        read = httpx.get(f"{second.url}/test/items/kept", headers=GOOD)
        sqs = second.client("sqs")
        url = sqs.get_queue_url(QueueName="trainbook-DeadLetters")["QueueUrl"]
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        second.client("dynamodb").put_item(
            TableName="fixture-test-items", Item={"pk": {"S": "item-kept"}, "version": {"N": "2"}}
        )
        _put_lanes(second, "lanes-kept", 2)
        wait_for(lambda: len(_seen(second, "item-kept")) >= 2)
        wait_for(lambda: len(_seen(second, "lanes-kept")) >= 2)
        seen = _seen(second, "item-kept")
        seen_by_lanes = _seen(second, "lanes-kept")
    finally:
        second.stop()
    assert read.json()["item"]["car"] == "3"
    assert [m["Body"] for m in messages] == ["kept message"]
    assert seen == [1, 2]  # version 1 was not delivered again after the restart
    assert seen_by_lanes == [1, 2]


def test_reset_starts_empty(tmp_path: Path) -> None:
    first = RunningCloud(FIXTURE_TEMPLATE, tmp_path)
    try:
        httpx.post(f"{first.url}/test/items/forgotten", json={}, headers=GOOD)
    finally:
        first.stop()
    second = RunningCloud(FIXTURE_TEMPLATE, tmp_path, "--reset")
    try:
        status = httpx.get(f"{second.url}/test/items/forgotten", headers=GOOD).status_code
    finally:
        second.stop()
    assert status == 404
