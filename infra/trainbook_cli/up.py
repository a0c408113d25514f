"""`trainbook up`: run everything template.yaml declares on this machine, with no Docker."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from localcloud.cloud import DEFAULT_REGION, Options
from localcloud.serve import StartupError, run


def up(
    port: int = typer.Option(3000, help="the one port for REST, WebSocket, @connections and the front end"),
    data_dir: Path = typer.Option(Path(".trainbook"), help="where data survives restarts"),
    reset: bool = typer.Option(False, "--reset", help="start with empty tables (deletes --data-dir)"),
    template: Path = typer.Option(Path("template.yaml"), help="the SAM template to run"),
    host: str = typer.Option("127.0.0.1", help="interface to listen on (0.0.0.0 for your network)"),
    quiet: bool = typer.Option(False, "--quiet", help="do not print function logs"),
) -> None:
    """Start the local cloud: moto + warm Lambda workers + stream triggers + Step Functions + gateway."""
    options = Options(
        template=template,
        port=port,
        data_dir=data_dir,
        reset=reset,
        host=host,
        region=os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION),
    )

    def echo_engine(line: str) -> None:
        if not quiet:
            print(f"  | {line}", flush=True)

    try:
        run(options, echo_engine, lambda line: print(line, flush=True))
    except StartupError as error:
        print(f"trainbook up: {error}", file=sys.stderr, flush=True)
        raise typer.Exit(code=1) from None
