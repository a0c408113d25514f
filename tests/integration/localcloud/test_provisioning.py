"""Provisioning a template again changes only what differs: functions and state machines the engine has are
kept or updated, the ones it lacks (a restart: moto does not journal them) are created."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from localcloud.provision import Provisioner
from localcloud.template.loader import load_template
from localcloud.template.stack import LocalStack
from localcloud.template.translate import translate
from tests.integration.localcloud.ports import free_port

FIXTURE = Path(__file__).parent / "fixtures" / "app" / "template.yaml"
REGION = "eu-central-1"


@pytest.fixture
def engine_url() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _provision(template: dict[str, Any], engine_url: str) -> list[str]:
    """Provision, and return the Lambda and Step Functions writes the engine received (by action)."""
    stack = LocalStack(
        copy.deepcopy(template), FIXTURE.parent, region=REGION, stack_name="t", engine_url=engine_url
    )
    provisioner = Provisioner(stack)
    writes: list[str] = []

    def note(event_name: str, **_: Any) -> None:
        action = event_name.rsplit(".", 1)[-1]
        if action.startswith(("Create", "Update", "Delete")):
            writes.append(action)

    for service in ("lambda", "stepfunctions"):
        provisioner._client(service).meta.events.register("before-call.*.*", note)
    provisioner.run()
    return writes


def test_a_second_provisioning_writes_nothing_and_a_changed_function_is_updated(engine_url: str) -> None:
    template = translate(load_template(FIXTURE), REGION)
    first = _provision(template, engine_url)
    assert first.count("CreateFunction") >= 2 and "CreateStateMachine" in first
    assert _provision(template, engine_url) == []
    changed = copy.deepcopy(template)
    logical_id, function = next(
        (logical_id, r)
        for logical_id, r in changed["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function" and "Environment" in r["Properties"]
    )
    function["Properties"]["Environment"]["Variables"]["CHANGED"] = "yes"
    assert _provision(changed, engine_url) == ["UpdateFunctionConfiguration"]
    name = LocalStack(changed, FIXTURE.parent, region=REGION, stack_name="t").name(logical_id)
    variables = boto3.client(
        "lambda",
        region_name=REGION,
        endpoint_url=engine_url,
        aws_access_key_id="k",
        aws_secret_access_key="s",
    ).get_function(FunctionName=name)["Configuration"]["Environment"]["Variables"]
    assert variables["CHANGED"] == "yes"
