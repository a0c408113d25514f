"""The `trainbook` command: operator tools for the local cloud, read models, timetable and scraper."""

from __future__ import annotations

import typer

from trainbook.tables import MissingTableVariable
from trainbook_cli import admin, import_gtfs, invoke, publish, replay, saga, scrape, smoke, up

app = typer.Typer(
    help="Trainbook: train booking on serverless AWS. Run `trainbook COMMAND --help` for details.",
    no_args_is_help=True,
    add_completion=False,
)

app.command("replay")(replay.replay)
app.add_typer(admin.app, name="admin")
app.command("publish-timetable")(publish.publish_timetable)
app.command("up")(up.up)
app.command("invoke")(invoke.invoke)
app.command("saga")(saga.saga)
app.command("scrape")(scrape.scrape)
app.command("import-gtfs")(import_gtfs.import_gtfs)
app.command("smoke")(smoke.smoke)


def main() -> None:
    """The console script: a table variable that is not set is one clear line, not a traceback."""
    try:
        app()
    except MissingTableVariable as missing:
        typer.secho(f"trainbook: {missing}", err=True, fg=typer.colors.RED)
        raise SystemExit(2) from None
