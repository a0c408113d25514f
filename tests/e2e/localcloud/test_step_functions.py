"""State machines from the template run on moto's interpreter and call the Lambda workers."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.localcloud.running import RunningCloud, wait_for

MACHINE = "arn:aws:states:eu-central-1:123456789012:stateMachine:fixture-test-order"


def _run(cloud: RunningCloud, name: str, payload: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    sfn = cloud.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=MACHINE, name=name, input=json.dumps(payload))["executionArn"]
    status = wait_for(
        lambda: (s := sfn.describe_execution(executionArn=arn)["status"]) != "RUNNING" and s,
        deadline=60,
        interval=0.3,
    )
    return str(status), sfn.get_execution_history(executionArn=arn)["events"]


def _entered(history: list[dict[str, Any]]) -> list[str]:
    return [
        event["stateEnteredEventDetails"]["name"] for event in history if "stateEnteredEventDetails" in event
    ]


def test_a_transient_failure_is_retried_and_the_order_completes(cloud: RunningCloud) -> None:
    status, history = _run(cloud, "order-small", {"order": "small", "amount": 50})
    assert status == "SUCCEEDED"
    assert _entered(history) == ["Reserve", "Charge", "Done"]
    assert [e["type"] for e in history].count("LambdaFunctionFailed") == 1  # the retried hiccup


def test_a_declined_payment_is_caught_and_the_history_shows_the_compensation(cloud: RunningCloud) -> None:
    status, history = _run(cloud, "order-big", {"order": "big", "amount": 500})
    assert status == "FAILED"
    assert _entered(history) == ["Reserve", "Charge", "Release", "Failed"]
    seat = cloud.client("dynamodb").get_item(
        TableName="fixture-test-items", Key={"pk": {"S": "seat-big"}, "version": {"N": "1"}}
    )["Item"]
    assert seat["state"] == {"S": "released"}
