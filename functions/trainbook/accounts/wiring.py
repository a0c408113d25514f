"""Object wiring of accounts (once per warm container), and the public function other contexts ask."""

from __future__ import annotations

import os
from functools import cache

from trainbook.accounts.passwords import Passwords
from trainbook.accounts.sessions import Sessions, SignInThrottle
from trainbook.accounts.store.sessions import DynamoFailureCounter, DynamoSessions
from trainbook.accounts.store.users import DynamoUsers
from trainbook.errors import NotFound

passwords = Passwords()


@cache
def users() -> DynamoUsers:
    return DynamoUsers()


@cache
def sessions() -> Sessions:
    return Sessions(DynamoSessions())


@cache
def throttle() -> SignInThrottle:
    return SignInThrottle(
        DynamoFailureCounter(),
        per_account=int(os.environ.get("SIGN_IN_FAILURES_PER_ACCOUNT", "5")),
        per_address=int(os.environ.get("SIGN_IN_FAILURES_PER_ADDRESS", "20")),
    )


def language_of(user_id: str) -> str:
    """The language of a user's notices (Polish unless the account says otherwise, or if it is unknown)."""
    try:
        return users().get(user_id).user.language
    except NotFound:
        return "pl"
