"""Background functions: only windowed stream triggers invoke them, and their workers run niced."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from localcloud.cloud import background_functions
from localcloud.runtime.pool import lower_priority
from localcloud.streams.trigger import StreamTrigger
from localcloud.template.stack import LocalStack
from tests.e2e.localcloud.running import wait_for


def function(handler: str) -> dict[str, Any]:
    return {"Type": "AWS::Lambda::Function", "Properties": {"Handler": handler, "Runtime": "python3.12"}}


def mapping(function_id: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::EventSourceMapping",
        "Properties": {"FunctionName": {"Ref": function_id}, "EventSourceArn": "arn:stream"},
    }


def trigger(logical_id: str, window: int) -> StreamTrigger:
    return StreamTrigger(logical_id, "f", "t", "arn:stream", batching_window_seconds=window)


def test_only_functions_that_nothing_but_windowed_stream_triggers_invoke_are_background() -> None:
    resources = {
        "Analytics": function("a.handler"),
        "AnalyticsEvents": mapping("Analytics"),
        "SeatMap": function("s.handler"),
        "SeatMapEvents": mapping("SeatMap"),  # no window: a passenger watches it live
        "Sales": function("b.handler"),
        "SalesEvents": mapping("Sales"),
        "SalesAgain": mapping("Sales"),  # a second trigger without a window
        "Reports": function("r.handler"),
        "ReportsEvents": mapping("Reports"),
        "ReportsApiPermission": {  # an API calls it too
            "Type": "AWS::Lambda::Permission",
            "Properties": {"FunctionName": {"Fn::GetAtt": ["Reports", "Arn"]}, "Principal": "apigateway"},
        },
        "Saga": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"DefinitionSubstitutions": {"Step": {"Fn::Sub": "${Ledger.Arn}"}}},
        },
        "Ledger": function("l.handler"),
        "LedgerEvents": mapping("Ledger"),  # and a state machine runs it
        "Api": function("api.handler"),  # no trigger at all
    }
    stack = LocalStack({"Resources": resources}, Path("."), region="eu-central-1", stack_name="t")
    triggers = [
        trigger("AnalyticsEvents", 2),
        trigger("SeatMapEvents", 0),
        trigger("SalesEvents", 2),
        trigger("SalesAgain", 0),
        trigger("ReportsEvents", 5),
        trigger("LedgerEvents", 1),
    ]
    assert background_functions(stack, triggers) == {"Analytics"}


def test_a_function_only_a_log_subscription_invokes_is_background_work() -> None:
    resources = {
        "Queries": function("q.handler"),
        "QueriesApiPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"FunctionName": {"Ref": "Queries"}, "Principal": "apigateway.amazonaws.com"},
        },
        "QueriesLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {"LogGroupName": {"Fn::Sub": "/aws/lambda/${Queries}"}},
        },
        "Counter": function("c.handler"),
        "CounterPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"FunctionName": {"Ref": "Counter"}, "Principal": "logs.amazonaws.com"},
        },
        "Searches": {
            "Type": "AWS::Logs::SubscriptionFilter",
            "Properties": {
                "LogGroupName": {"Ref": "QueriesLogGroup"},
                "DestinationArn": {"Fn::GetAtt": ["Counter", "Arn"]},
            },
        },
        "Audit": function("a.handler"),  # a subscription's destination that a state machine runs too
        "AuditSubscription": {
            "Type": "AWS::Logs::SubscriptionFilter",
            "Properties": {"DestinationArn": {"Fn::GetAtt": ["Audit", "Arn"]}},
        },
        "Saga": {
            "Type": "AWS::StepFunctions::StateMachine",
            "Properties": {"DefinitionSubstitutions": {"Step": {"Fn::GetAtt": ["Audit", "Arn"]}}},
        },
    }
    stack = LocalStack({"Resources": resources}, Path("."), region="eu-central-1", stack_name="t")

    assert background_functions(stack, []) == {"Counter"}


def test_a_background_worker_and_the_threads_it_starts_run_at_a_lower_priority() -> None:
    script = "import threading, time; threading.Thread(target=time.sleep, args=(30,)).start(); input()"
    child = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE)
    try:
        tasks = Path(f"/proc/{child.pid}/task")
        wait_for(lambda: len(list(tasks.iterdir())) >= 2, interval=0.01)  # its thread is up
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        lower_priority(child.pid, 5)
        niceness = {os.getpriority(os.PRIO_PROCESS, int(task.name)) for task in tasks.iterdir()}
        assert niceness == {min(19, ours + 5)}
    finally:
        child.kill()
        child.wait()
