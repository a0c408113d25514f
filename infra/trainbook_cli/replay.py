"""`trainbook replay`: rebuild a read model from the events table (placeholder until projections land)."""

from __future__ import annotations

import typer


def replay(read_model: str = typer.Argument(..., help="read model to rebuild")) -> None:
    """Rebuild READ_MODEL from every event in the events table."""
    raise typer.Exit(code=2)
