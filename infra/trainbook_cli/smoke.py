"""`trainbook smoke`: does a deployed Trainbook work? A passenger's journey by its public URLs, as a table."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.table import Table

console = Console()


def _approving_card() -> str:
    """The simulator's approving test card, read from the journey only when the command runs: the journey
    and its HTTP client are not imported whenever the CLI loads (`trainbook up` spawns its engine sooner)."""
    from trainbook_cli.smoke_journey import APPROVE_CARD

    return APPROVE_CARD


def smoke(
    api: str = typer.Option(..., "--api", help="the REST API's base URL, e.g. http://localhost:3000/api"),
    ws: str | None = typer.Option(None, "--ws", help="the WebSocket URL; without it the live steps poll"),
    admin_email: str | None = typer.Option(
        None, "--admin-email", help="an administrator, for the change step"
    ),
    admin_password: str | None = typer.Option(None, "--admin-password", envvar="TRAINBOOK_ADMIN_PASSWORD"),
    read_only: bool = typer.Option(
        False, "--read-only", help="only the steps that change nothing (production)"
    ),
    approve_card: str = typer.Option(
        default_factory=_approving_card,
        show_default="the simulator's approving card",
        help="the test card that must approve",
    ),
    timeout: float = typer.Option(90.0, help="seconds a booking or a notification may take"),
) -> None:
    """Run a passenger's journey against any deployed Trainbook; exit 1 naming the first step that failed.

    Steps: stations, API documents, search, seat map, then (unless --read-only) register, tokenize a test
    card, book, follow the booking to CONFIRMED (live over --ws), ticket and PDF, cancel and refund, a
    declined card ending FAILED with its seat free again, and with admin credentials a schedule change
    that reaches the passenger. Whatever it booked is cancelled at the end, whether or not a step failed.
    """
    import httpx

    from trainbook_cli.smoke_journey import Journey, Options, StepFailed

    options = Options(api.rstrip("/") + "/", ws, admin_email, admin_password, approve_card, timeout)
    table = Table(title=f"trainbook smoke: {api}" + (" (read-only)" if read_only else ""))
    for column in ("step", "result", "time", "detail"):
        table.add_column(column, justify="right" if column == "time" else "left")
    failed: str | None = None
    with httpx.Client(base_url=options.api, timeout=60) as http:
        journey = Journey(options, http)
        try:
            for step in journey.steps():
                if read_only and step.changes_state:
                    continue
                started = time.perf_counter()
                try:
                    detail = step.run()
                    result = "[green]ok[/]"
                except (StepFailed, httpx.HTTPError, OSError, KeyError, ValueError) as error:
                    detail, result, failed = f"{type(error).__name__}: {error}", "[red]FAILED[/]", step.name
                table.add_row(step.name, result, f"{(time.perf_counter() - started) * 1000:.0f} ms", detail)
                if failed:
                    break
        finally:
            for problem in journey.clean_up():
                table.add_row("clean up", "[red]left[/]", "", problem)
    console.print(table)
    if not ws and not read_only:
        console.print("no --ws: the booking was followed by polling; the live (WebSocket) steps were skipped")
    if failed:
        console.print(f"[red]smoke test failed at step: {failed}[/]")
        raise typer.Exit(1)
    console.print("[green]smoke test passed[/]")
