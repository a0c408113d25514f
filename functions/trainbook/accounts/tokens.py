"""Access tokens: short-lived HS256 JWTs that say who the caller is and which role they have.

The signing key is a Secrets Manager secret named by `JWT_SECRET_ARN` (template.yaml generates it),
read once per warm container. A token carries `sub` (user id), `role`, `iat`, `exp`, `iss` and a
`jti`; verification accepts only HS256 with our issuer and every claim present, so an expired,
tampered, foreign or unsigned (`alg: none`) token is refused with InvalidToken.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import jwt

from trainbook.accounts.domain import Role
from trainbook.accounts.errors import InvalidToken

ISSUER = "trainbook"
ALGORITHM = "HS256"
DEFAULT_TTL = timedelta(minutes=15)
MIN_SECRET_LENGTH = 32  # RFC 7518: an HS256 key has at least 256 bits
CLOCK_SKEW = timedelta(seconds=5)  # between the Lambda that issues and the one that verifies
_REQUIRED_CLAIMS = ["sub", "role", "iat", "exp", "iss", "jti"]
_ROLES = frozenset(r.value for r in Role)


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_at: datetime
    expires_in: int  # seconds, as OAuth clients expect


@dataclass(frozen=True)
class Claims:
    user_id: str
    role: Role
    expires_at: datetime
    token_id: str
    session_id: str | None = None  # the sign-in session (refresh token family) it was issued for


class AccessTokens:
    def __init__(
        self,
        secret: str,
        ttl: timedelta = DEFAULT_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(f"the token signing secret must have at least {MIN_SECRET_LENGTH} characters")
        self._secret = secret
        self.ttl = ttl
        self.clock = clock

    def issue(self, user_id: str, role: Role, session_id: str | None = None) -> AccessToken:
        issued_at = self.clock().replace(microsecond=0)
        expires_at = issued_at + self.ttl
        claims = {
            "sub": user_id,
            "role": role.value,
            "iat": int(issued_at.timestamp()),
            "exp": int(expires_at.timestamp()),
            "iss": ISSUER,
            "jti": uuid.uuid4().hex,
        }
        if session_id:
            claims["sid"] = session_id
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return AccessToken(token, expires_at, int(self.ttl.total_seconds()))

    def verify(self, token: str) -> Claims:
        """The token's claims; InvalidToken when it is expired, tampered, foreign or malformed."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                leeway=CLOCK_SKEW,
                options={"require": _REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("the access token has expired: sign in again") from None
        except jwt.InvalidTokenError:
            raise InvalidToken("the access token is not valid: sign in again") from None
        role, subject = claims.get("role"), claims.get("sub")
        if role not in _ROLES or not isinstance(role, str) or not isinstance(subject, str) or not subject:
            raise InvalidToken("the access token is not valid: sign in again")
        return Claims(
            user_id=subject,
            role=Role(role),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
            token_id=str(claims["jti"]),
            session_id=str(claims["sid"]) if isinstance(claims.get("sid"), str) else None,
        )


def signing_secret() -> str:
    """The secret's value from Secrets Manager (JWT_SECRET_ARN is its ARN or name)."""
    from aws_lambda_powertools.utilities import parameters

    name = os.environ.get("JWT_SECRET_ARN")
    if not name:
        raise RuntimeError("JWT_SECRET_ARN is not set: template.yaml sets it to the token signing secret")
    value = parameters.get_secret(name)
    return value if isinstance(value, str) else value.decode()


@cache
def access_tokens() -> AccessTokens:
    """The token issuer and verifier of this container: the secret is fetched once, while warm."""
    ttl = timedelta(seconds=int(os.environ.get("ACCESS_TOKEN_TTL_SECONDS", DEFAULT_TTL.total_seconds())))
    return AccessTokens(signing_secret(), ttl)
