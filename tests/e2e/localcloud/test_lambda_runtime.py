"""Lambda through boto3 against the engine: errors as AWS reports them, timeouts enforced, workers warm."""

from __future__ import annotations

import base64
import json

from tests.e2e.localcloud.running import RunningCloud


def test_an_uncaught_exception_comes_back_as_aws_reports_it(cloud: RunningCloud) -> None:
    answer = cloud.client("lambda").invoke(
        FunctionName="trainbook-BrokenFunction", LogType="Tail", Payload=json.dumps({"seat": "14B"})
    )
    error = json.loads(answer["Payload"].read())
    assert answer["FunctionError"] == "Unhandled"
    assert (error["errorType"], error["errorMessage"]) == ("SeatTaken", "seat 14B is taken")
    assert any("misc.py" in line for line in error["stackTrace"])
    assert "SeatTaken" in base64.b64decode(answer["LogResult"]).decode()


def test_a_function_past_its_timeout_is_stopped_and_the_next_call_gets_a_fresh_worker(
    cloud: RunningCloud,
) -> None:
    lambda_client = cloud.client("lambda")
    timed_out = lambda_client.invoke(
        FunctionName="trainbook-SlowFunction", Payload=json.dumps({"seconds": 5})
    )
    error = json.loads(timed_out["Payload"].read())
    quick = lambda_client.invoke(FunctionName="trainbook-SlowFunction", Payload=json.dumps({"seconds": 0}))
    assert timed_out["FunctionError"] == "Unhandled"
    assert "Task timed out after 1.00 seconds" in error["errorMessage"]
    assert json.loads(quick["Payload"].read()) == "finished"


def test_functions_are_listed_with_the_template_settings(cloud: RunningCloud) -> None:
    configuration = cloud.client("lambda").get_function(FunctionName="trainbook-SlowFunction")[
        "Configuration"
    ]
    assert (configuration["Timeout"], configuration["MemorySize"]) == (1, 256)
    assert configuration["Environment"]["Variables"]["ITEMS_TABLE"] == "fixture-test-items"
