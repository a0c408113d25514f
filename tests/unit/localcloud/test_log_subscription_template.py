"""A template's log groups and subscription filters resolve as CloudFormation resolves them, and a filter
the local cloud cannot run stops the start with its name and pattern."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localcloud.provision import Provisioner
from localcloud.runtime.functions import FunctionSpec
from localcloud.template.errors import TemplateError
from localcloud.template.stack import LocalStack

REGION = "eu-central-1"


def stack_with(pattern: str = '{ $.message = "search" }', destination: Any = None) -> LocalStack:
    resources: dict[str, Any] = {
        "QueriesFunction": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "SearchCounterFunction": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "QueriesLogGroup": {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": "/aws/lambda/${QueriesFunction}"},
                "RetentionInDays": 14,
            },
        },
        "SearchCounterPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": "SearchCounterFunction"},
                "Principal": "logs.amazonaws.com",
                "SourceArn": {"Fn::GetAtt": ["QueriesLogGroup", "Arn"]},
            },
        },
        "SearchesSubscription": {
            "Type": "AWS::Logs::SubscriptionFilter",
            "DependsOn": "SearchCounterPermission",
            "Properties": {
                "LogGroupName": {"Ref": "QueriesLogGroup"},
                "FilterPattern": pattern,
                "DestinationArn": destination or {"Fn::GetAtt": ["SearchCounterFunction", "Arn"]},
            },
        },
    }
    return LocalStack({"Resources": resources}, Path("."), region=REGION, stack_name="trainbook")


def functions(stack: LocalStack) -> list[FunctionSpec]:
    return [
        FunctionSpec(i, stack.name(i), stack.get_att(i, "Arn"), "app.handler", ".")
        for i in ("QueriesFunction", "SearchCounterFunction")
    ]


def test_a_log_group_resolves_to_its_name_and_arn() -> None:
    stack = stack_with()

    assert stack.ref("QueriesLogGroup") == "/aws/lambda/trainbook-QueriesFunction"
    assert stack.get_att("QueriesLogGroup", "Arn") == (
        "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/trainbook-QueriesFunction:*"
    )
    assert stack.properties("SearchCounterPermission")["SourceArn"] == stack.get_att("QueriesLogGroup", "Arn")


def test_a_subscription_filter_names_its_group_pattern_and_destination() -> None:
    stack = stack_with()

    subscription = Provisioner(stack)._subscription("SearchesSubscription", functions(stack))

    assert subscription.log_group == "/aws/lambda/trainbook-QueriesFunction"
    assert subscription.pattern == '{ $.message = "search" }'
    assert subscription.destination_arn.endswith(":function:trainbook-SearchCounterFunction")
    assert subscription.filter_name == stack.ref("SearchesSubscription") == "trainbook-SearchesSubscription"


def test_an_unsupported_pattern_stops_the_start_naming_the_filter_and_the_pattern() -> None:
    stack = stack_with(pattern="[ip, user, status = 404]")

    with pytest.raises(TemplateError) as refused:
        Provisioner(stack)._subscription("SearchesSubscription", functions(stack))

    assert "SearchesSubscription" in str(refused.value)
    assert "'[ip, user, status = 404]'" in str(refused.value)


def test_a_destination_that_is_not_a_function_of_the_template_is_refused() -> None:
    stack = stack_with(destination="arn:aws:kinesis:eu-central-1:123456789012:stream/searches")

    with pytest.raises(TemplateError, match="only Lambda destinations"):
        Provisioner(stack)._subscription("SearchesSubscription", functions(stack))


def test_a_function_s_log_group_is_lambda_s_default_unless_its_logging_config_names_one() -> None:
    default = FunctionSpec("Fn", "fn", "arn", "h.handler", ".")
    named = FunctionSpec("Fn", "fn", "arn", "h.handler", ".", log_group="/shared/queries")

    assert (default.group, named.group) == ("/aws/lambda/fn", "/shared/queries")
    assert FunctionSpec.from_json(named.to_json()) == named
