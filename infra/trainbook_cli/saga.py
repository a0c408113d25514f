"""`trainbook saga`: the path a Step Functions execution took (states, times, data, errors, compensations)."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from localcloud import endpoints
from localcloud.cloud import DEFAULT_REGION

_FAILURES = (
    "LambdaFunctionFailed",
    "LambdaFunctionTimedOut",
    "TaskFailed",
    "TaskTimedOut",
    "ExecutionFailed",
)


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


def _short(value: Any, limit: int = 90) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def path_rows(history: Any) -> list[tuple[str, str, str, str]]:
    """(offset, event, state, details) rows; states entered after a caught failure are compensations."""
    rows = []
    start: datetime | None = None
    failed_state: str | None = None
    compensating = False
    current = ""
    for event in history:
        stamp = event["timestamp"]
        start = start or stamp
        offset = f"+{(stamp - start).total_seconds() * 1000:.0f} ms"
        kind = event["type"]
        details = ""
        if "stateEnteredEventDetails" in event:
            current = event["stateEnteredEventDetails"]["name"]
            if failed_state is not None and current != failed_state:
                compensating = True
            details = "input " + _short(event["stateEnteredEventDetails"].get("input", ""))
        elif "stateExitedEventDetails" in event:
            details = "output " + _short(event["stateExitedEventDetails"].get("output", ""))
        for key, value in event.items():
            if key.endswith("FailedEventDetails") or key.endswith("TimedOutEventDetails"):
                details = f"{value.get('error', '')}: {_short(value.get('cause', ''))}"
        if kind in _FAILURES and kind != "ExecutionFailed":
            failed_state = current
        label = f"{current} (compensation)" if compensating and "State" in kind else current
        rows.append((offset, kind, label, details))
    return rows


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
    described = sfn.describe_execution(executionArn=arn)
    history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    console = Console()
    console.print(f"[bold]{arn}[/bold]  status [bold]{described['status']}[/bold]")
    table = Table("time", "event", "state", "details")
    for row in path_rows(history):
        table.add_row(*row)
    console.print(table)
    if described.get("output"):
        console.print(f"output: {_short(described['output'], 400)}")
    if described.get("error"):
        console.print(f"[red]error {described['error']}: {_short(described.get('cause', ''), 400)}[/red]")
