"""`trainbook invoke`: run one function of template.yaml with an event file, like `sam local invoke`."""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path
from typing import Any

import typer

from localcloud import endpoints
from localcloud.cloud import DEFAULT_REGION, LocalCloud, Options
from localcloud.engine_process import EngineFailed
from localcloud.template.errors import TemplateError


def function_name(template: Path, region: str, wanted: str) -> str:
    """A logical id from the template (or a function name as it is) -> the deployed function name."""
    from localcloud.template.loader import load_template
    from localcloud.template.stack import LocalStack
    from localcloud.template.translate import translate

    stack = LocalStack(
        translate(load_template(template), region), template.parent, region=region, stack_name="trainbook"
    )
    functions = stack.of_type("AWS::Lambda::Function")
    if wanted in functions:
        return stack.name(wanted)
    names = {stack.name(logical_id) for logical_id in functions}
    if wanted in names:
        return wanted
    raise TemplateError(
        f"no function {wanted!r} in {template}; choose one of: {', '.join(sorted(functions))}"
    )


def _invoke(engine_url: str, region: str, name: str, event: Any) -> int:
    import boto3

    client = boto3.client(
        "lambda",
        region_name=region,
        endpoint_url=engine_url,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    answer = client.invoke(FunctionName=name, Payload=json.dumps(event).encode(), LogType="Tail")
    logs = base64.b64decode(answer.get("LogResult", "")).decode(errors="replace")
    if logs.strip():
        print("--- logs ---", file=sys.stderr)
        print(logs.rstrip(), file=sys.stderr)
        print("------------", file=sys.stderr)
    print(answer["Payload"].read().decode())
    if answer.get("FunctionError"):
        print(f"trainbook invoke: {name} failed ({answer['FunctionError']})", file=sys.stderr)
        return 1
    return 0


def invoke(
    function: str = typer.Argument(..., help="LogicalId of the function in the template (or its name)"),
    event: Path = typer.Option(None, "--event", "-e", help="JSON event file (default: {})"),
    template: Path = typer.Option(Path("template.yaml"), help="the SAM template"),
    data_dir: Path = typer.Option(Path(".trainbook"), help="data dir of `trainbook up` (used if none runs)"),
) -> None:
    """Invoke FUNCTION once with the template's environment; prints the result and the logs."""
    region = os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION)
    try:
        payload = json.loads(event.read_text()) if event else {}
        name = function_name(template, region, function)
    except (OSError, ValueError, TemplateError) as error:
        print(f"trainbook invoke: {error}", file=sys.stderr)
        raise typer.Exit(code=2) from None
    running = endpoints.running(data_dir)
    if running is not None:
        raise typer.Exit(code=_invoke(running["engine_url"], region, name, payload))
    # Nothing runs: start the engine with the same data, invoke, stop again.
    cloud = LocalCloud(Options(template=template, data_dir=data_dir, region=region))
    try:
        cloud.start()
        assert cloud.engine is not None
        code = _invoke(cloud.engine.url, region, name, payload)
    except (TemplateError, EngineFailed) as error:
        print(f"trainbook invoke: {error}", file=sys.stderr)
        code = 2
    finally:
        cloud.stop()
    raise typer.Exit(code=code)
