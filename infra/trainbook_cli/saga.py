"""`trainbook saga`: the path a Step Functions execution took (states, times, data, errors, compensations)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from localcloud import endpoints
from localcloud.cloud import DEFAULT_REGION
from trainbook.booking.saga_trace import execution_path


def find_execution(sfn: Any, wanted: str) -> str | None:
    """An execution ARN as given, or the execution NAME (= booking id) in any state machine."""
    if wanted.startswith("arn:"):
        return wanted
    for machine in sfn.list_state_machines()["stateMachines"]:
        arn = machine["stateMachineArn"].replace(":stateMachine:", ":execution:") + f":{wanted}"
        try:
            sfn.describe_execution(executionArn=arn)
            return str(arn)
        except sfn.exceptions.ExecutionDoesNotExist:
            continue
    return None


def saga(
    execution: str = typer.Argument(..., help="execution ARN or name (the booking id)"),
    data_dir: Path = typer.Option(Path(".trainbook"), help="data dir of the running `trainbook up`"),
) -> None:
    """Print the execution path of EXECUTION from the running local cloud."""
    import boto3

    running = endpoints.running(data_dir)
    if running is None:
        print(
            "trainbook saga: no local cloud is running for this data dir: start `trainbook up` first",
            file=sys.stderr,
        )
        raise typer.Exit(code=2)
    region = running.get("region") or os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    sfn = boto3.client(
        "stepfunctions",
        region_name=region,
        endpoint_url=running["engine_url"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    arn = find_execution(sfn, execution)
    if arn is None:
        print(f"trainbook saga: no execution named {execution!r} in any state machine", file=sys.stderr)
        raise typer.Exit(code=1)
    machine_arn, _, name = arn.replace(":execution:", ":stateMachine:").rpartition(":")
    path = execution_path(sfn, machine_arn, name)
    console = Console()
    console.print(f"[bold]{arn}[/bold]  status [bold]{path['status']}[/bold]")
    console.print(f"input (cards masked): {json.dumps(path['input'], ensure_ascii=False)}")
    table = Table("entered", "state", "outcome", "attempts", "error")
    for step in path["steps"]:
        label = f"{step['state']} (compensation)" if step.get("compensation") else step["state"]
        error = f"{step.get('error') or ''} {step.get('cause') or ''}".strip()
        table.add_row(
            str(step.get("entered") or ""), label, step["outcome"], str(step.get("attempts", "")), error[:160]
        )
    console.print(table)
