"""The engine counts its work for benches: requests by kind, invocations, transitions, bytes stored."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.e2e.localcloud.running import RunningCloud, wait_for
from tests.e2e.localcloud.test_step_functions import MACHINE


def _stats(cloud: RunningCloud, reset: bool = False) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.post(
        f"{cloud.engine_url}/_localcloud/stats", json={"reset": reset}, timeout=30
    ).json()
    return answer


def _grew(before: dict[str, Any], after: dict[str, Any], kind: str) -> float:
    return float(after["counts"].get(kind, 0) - before["counts"].get(kind, 0))


def test_dynamodb_requests_are_counted_by_operation_with_the_bytes_they_stored(cloud: RunningCloud) -> None:
    table = next(t for t in cloud.client("dynamodb").list_tables()["TableNames"] if t.endswith("-items"))
    before = _stats(cloud)
    dynamodb = cloud.client("dynamodb")
    for version in (1, 2):
        item = {"pk": {"S": "counted"}, "version": {"N": str(version)}, "owner": {"S": "stats"}}
        dynamodb.put_item(TableName=table, Item=item)
    dynamodb.get_item(TableName=table, Key={"pk": {"S": "counted"}, "version": {"N": "1"}})
    after = _stats(cloud)

    assert _grew(before, after, "dynamodb:PutItem") == 2
    assert _grew(before, after, "dynamodb:GetItem") == 1
    assert _grew(before, after, f"stored:{table}:items") == 2
    assert _grew(before, after, f"stored:{table}:bytes") > 0
    assert _grew(before, after, "journal:rows") >= 2 and _grew(before, after, "journal:bytes") > 0
    assert _grew(before, after, "capacity:WriteUnits") >= 2  # two small items, 1 KB unit each (+ TTL sweeps)
    assert _grew(before, after, "capacity:ReadUnits") >= 0.5  # an eventually consistent small read (+ sweeps)


def test_an_execution_counts_its_transitions_and_the_lambda_calls_step_functions_makes(
    cloud: RunningCloud,
) -> None:
    before = _stats(cloud)
    sfn = cloud.client("stepfunctions")
    payload = json.dumps({"order": "counted", "amount": 20})
    arn = sfn.start_execution(stateMachineArn=MACHINE, name="order-counted", input=payload)["executionArn"]
    wait_for(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", deadline=60)
    after = _stats(cloud)
    entered = [
        e for e in sfn.get_execution_history(executionArn=arn)["events"] if e["type"].endswith("StateEntered")
    ]
    tasks = [e for e in entered if e["type"] == "TaskStateEntered"]

    transitions = sum(
        _grew(before, after, kind)
        for kind in after["counts"]
        if kind.startswith("history:") and "Entered" in kind
    )
    assert transitions == len(entered) and tasks
    assert _grew(before, after, "internal:LambdaInvokeFromStepFunctions") >= len(tasks)
    assert _grew(before, after, "states:StartExecution") == 1
    invoked = sum(f["invocations"] for f in after["functions"].values()) - sum(
        f["invocations"] for f in before["functions"].values()
    )
    assert invoked >= len(tasks)


def test_reading_with_reset_starts_a_new_count(cloud: RunningCloud) -> None:
    # DescribeLimits: nothing else sends it (the TTL sweeper lists the tables every second).
    cloud.client("dynamodb").describe_limits()
    assert _stats(cloud, reset=True)["counts"].get("dynamodb:DescribeLimits", 0) == 1
    assert _stats(cloud)["counts"].get("dynamodb:DescribeLimits", 0) == 0


def test_waiting_for_executions_answers_each_one_s_end_status(cloud: RunningCloud) -> None:
    sfn = cloud.client("stepfunctions")
    arns = [
        sfn.start_execution(
            stateMachineArn=MACHINE,
            name=f"order-awaited-{n}",
            input=json.dumps({"order": f"w{n}", "amount": 5}),
        )["executionArn"]
        for n in range(2)
    ]

    def wait(arn: str) -> str:
        answer = httpx.post(
            f"{cloud.engine_url}/_localcloud/wait-execution", json={"arn": arn, "timeout": 60}, timeout=90
        ).json()
        return str(answer["status"])

    with ThreadPoolExecutor(4) as pool:  # two waits on each execution
        statuses = list(pool.map(wait, [*arns, *arns]))
    ended = [sfn.describe_execution(executionArn=arn)["status"] for arn in arns]
    assert statuses == [*ended, *ended] and "RUNNING" not in statuses
