"""Sign-in sessions: rotating refresh tokens, reuse detection, sign-out, and failed sign-in throttling.

A sign-in starts a session ("family"). Its refresh token is opaque (`rt_` + 256 random bits), stored
only as a SHA-256 hash, and valid 30 days; every refresh spends it and answers a new one. A spent token
presented again means it was stolen or leaked: the whole family is revoked, so neither the thief nor
the passenger can refresh with it any more. Sign-out revokes the family; a password change revokes
every other family of the user (a per-user `sessions_epoch` that families must match).

Failed sign-ins count per account (the e-mail as typed, whether or not it has an account, so the
answer tells nothing) and per client address, in fixed windows; over a limit, sign-in answers 429
with Retry-After until the window ends.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from trainbook.accounts.errors import InvalidRefreshToken
from trainbook.errors import TooManyRequests

REFRESH_TTL = timedelta(days=30)
THROTTLE_WINDOW_SECONDS = 15 * 60


def new_refresh_token() -> str:
    return f"rt_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    # A fast hash is enough: the token has 256 random bits, nothing to guess or look up.
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class RefreshRecord:
    token_hash: str
    family_id: str
    user_id: str
    expires_at: datetime
    spent: bool = False


@dataclass(frozen=True)
class Family:
    family_id: str
    user_id: str
    epoch: int  # the user's sessions_epoch when the family was (re)confirmed
    revoked: bool = False


@dataclass(frozen=True)
class Session:
    """A refresh token as given to the client, and its family (the access token's `sid`)."""

    refresh_token: str
    family_id: str
    user_id: str
    expires_at: datetime


class SessionStore(Protocol):
    def record(self, token_hash: str) -> RefreshRecord | None: ...

    def family(self, family_id: str) -> Family | None: ...

    def start(self, family: Family, first: RefreshRecord) -> None: ...

    def rotate(self, spent: RefreshRecord, new: RefreshRecord) -> bool:
        """Spend `spent` and save `new` at once; False (nothing written) if it was already spent or the
        family was revoked meanwhile."""
        ...

    def revoke(self, family_id: str) -> None: ...

    def sessions_epoch(self, user_id: str) -> int: ...

    def revoke_others(self, user_id: str, keep_family: str | None) -> None:
        """Bump the user's sessions_epoch; `keep_family` (if any) is moved to the new epoch."""
        ...


@dataclass
class Sessions:
    store: SessionStore
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    new_token: Callable[[], str] = new_refresh_token

    def start(self, user_id: str) -> Session:
        family = Family(uuid.uuid4().hex, user_id, self.store.sessions_epoch(user_id))
        session, record = self._issue(family)
        self.store.start(family, record)
        return session

    def refresh(self, token: str) -> Session:
        """A new session token for a valid one; reuse of a spent one revokes its whole family."""
        record = self.store.record(token_hash(token))
        if record is None or record.expires_at <= self.clock():
            raise InvalidRefreshToken("the refresh token is not valid or has expired: sign in again")
        family = self.store.family(record.family_id)
        if family is None or family.revoked or family.epoch < self.store.sessions_epoch(family.user_id):
            raise InvalidRefreshToken("this session was signed out: sign in again")
        if record.spent:
            self.store.revoke(family.family_id)
            raise InvalidRefreshToken(
                "this refresh token was already used, so it may have been stolen: the session is signed "
                "out everywhere; sign in again"
            )
        session, new = self._issue(family)
        if not self.store.rotate(record, new):
            self.store.revoke(family.family_id)  # two clients spent it at once: treat as reuse
            raise InvalidRefreshToken("this refresh token was already used: sign in again")
        return session

    def end(self, token: str) -> None:
        """Sign out the token's session; an unknown token has nothing to sign out."""
        record = self.store.record(token_hash(token))
        if record is not None:
            self.store.revoke(record.family_id)

    def _issue(self, family: Family) -> tuple[Session, RefreshRecord]:
        token = self.new_token()
        expires_at = self.clock() + REFRESH_TTL
        record = RefreshRecord(token_hash(token), family.family_id, family.user_id, expires_at)
        return Session(token, family.family_id, family.user_id, expires_at), record


class FailureCounter(Protocol):
    def failures(self, key: str) -> int: ...

    def count_failure(self, key: str, expires: int) -> int: ...


@dataclass
class SignInThrottle:
    counter: FailureCounter
    per_account: int = 5
    per_address: int = 20
    clock: Callable[[], float] = lambda: datetime.now(UTC).timestamp()

    def check(self, email: str, address: str) -> None:
        """TooManyRequests while the account or the address is over its limit in this window."""
        account_key, address_key, window_ends = self._keys(email, address)
        if (
            self.counter.failures(account_key) >= self.per_account
            or self.counter.failures(address_key) >= self.per_address
        ):
            raise TooManyRequests(
                "too many failed sign-ins: wait before trying again", int(window_ends - self.clock()) + 1
            )

    def failed(self, email: str, address: str) -> None:
        account_key, address_key, window_ends = self._keys(email, address)
        for key in (account_key, address_key):
            self.counter.count_failure(key, int(window_ends) + THROTTLE_WINDOW_SECONDS)

    def _keys(self, email: str, address: str) -> tuple[str, str, float]:
        window = int(self.clock() // THROTTLE_WINDOW_SECONDS)
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return (
            f"account#{account}#{window}",
            f"address#{address}#{window}",
            (window + 1) * THROTTLE_WINDOW_SECONDS,
        )
