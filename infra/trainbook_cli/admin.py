"""`trainbook admin create`: make an administrator (create the account, or promote an existing one)."""

from __future__ import annotations

import os

import typer
from rich.console import Console

console = Console()

app = typer.Typer(no_args_is_help=True)


@app.callback()
def admin() -> None:
    """Administrators: create or promote the accounts that run Trainbook."""


@app.command("create")
def create(
    email: str = typer.Option(..., "--email", help="the administrator's e-mail (the sign-in name)"),
    name: str | None = typer.Option(None, "--name", help="full name; asked for when a new account needs one"),
    password: str | None = typer.Option(
        None, "--password", help="password of a new account; asked for (hidden) when omitted"
    ),
    reset_password: bool = typer.Option(
        False, "--reset-password", help="also set the password of an account that already exists"
    ),
) -> None:
    """Create an administrator with EMAIL, or promote the passenger who already has it.

    Writes to the Users and Events tables named by USERS_TABLE and EVENTS_TABLE, at the endpoint
    of AWS_ENDPOINT_URL (unset: real AWS), as template.yaml configures the functions. An existing
    account keeps its password unless --reset-password is given.
    """
    from pynamodb.exceptions import PynamoDBException

    from trainbook.accounts.domain import normalize_email
    from trainbook.accounts.passwords import Passwords
    from trainbook.accounts.service import AdminOutcome, make_admin
    from trainbook.accounts.store.users import DynamoUsers, UserRecord
    from trainbook.errors import DomainError
    from trainbook.eventstore.events import Meta

    where = f"table {UserRecord.Meta.table_name} at {UserRecord.Meta.host or 'AWS'}"
    users = DynamoUsers()
    try:
        exists = users.by_email(normalize_email(email)) is not None
        if not exists and not name:
            name = typer.prompt("Full name")
        if (not exists or reset_password) and not password:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        result = make_admin(
            users,
            Passwords(),
            email=email,
            password=password,
            name=name,
            reset_password=reset_password,
            meta=Meta(actor=f"trainbook admin create ({os.environ.get('USER', 'operator')})"),
        )
    except DomainError as error:
        console.print(f"[red]refused[/]: {error.message}")
        raise typer.Exit(code=1) from None
    except PynamoDBException as error:
        console.print(
            f"[red]could not reach the {where}[/]: {error.msg}\n"
            "Is the cloud running (`trainbook up`), and are USERS_TABLE, EVENTS_TABLE and "
            "AWS_ENDPOINT_URL set as for the functions?"
        )
        raise typer.Exit(code=2) from None
    user = result.user
    if result.outcome is AdminOutcome.CREATED:
        console.print(f"[green]created[/] administrator {user.email} (user id {user.id}) in {where}")
    elif result.outcome is AdminOutcome.PROMOTED:
        console.print(f"[green]promoted[/] {user.email} (user id {user.id}) to administrator in {where}")
    else:
        console.print(f"{user.email} (user id {user.id}) is already an administrator; role unchanged")
    if result.outcome is not AdminOutcome.CREATED:
        console.print("password changed" if result.password_changed else "password unchanged")
    console.print("Next: sign in with POST /auth/login to get an admin access token.")
