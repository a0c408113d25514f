"""Access tokens: what they say, how long they live, and every way a forged one is refused."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from tests.unit.accounts.support import SECRET
from trainbook.accounts.domain import Role
from trainbook.accounts.errors import InvalidToken
from trainbook.accounts.tokens import AccessTokens


def issued_at(when: datetime) -> AccessTokens:
    return AccessTokens(SECRET, clock=lambda: when)


def claims_of(token: str) -> dict[str, object]:
    decoded: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def test_a_token_names_the_user_and_role_and_lives_fifteen_minutes() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    issued = issued_at(now).issue("u1", Role.PASSENGER)
    claims = claims_of(issued.token)
    assert jwt.get_unverified_header(issued.token)["alg"] == "HS256"
    assert (claims["sub"], claims["role"], claims["iss"]) == ("u1", "passenger", "trainbook")
    assert (claims["iat"], claims["exp"]) == (int(now.timestamp()), int(now.timestamp()) + 900)
    assert issued.expires_in == 900 and issued.expires_at == now + timedelta(minutes=15)
    verified = AccessTokens(SECRET).verify(issued.token)
    assert (verified.user_id, verified.role, verified.expires_at) == ("u1", Role.PASSENGER, issued.expires_at)


def test_every_token_has_its_own_id() -> None:
    tokens = AccessTokens(SECRET)
    first, second = tokens.issue("u1", Role.ADMIN), tokens.issue("u1", Role.ADMIN)
    assert claims_of(first.token)["jti"] != claims_of(second.token)["jti"]


def test_an_expired_token_is_refused() -> None:
    old = issued_at(datetime.now(UTC) - timedelta(minutes=16)).issue("u1", Role.PASSENGER)
    with pytest.raises(InvalidToken, match="expired"):
        AccessTokens(SECRET).verify(old.token)


def test_a_token_whose_payload_was_changed_is_refused() -> None:
    header, payload, signature = AccessTokens(SECRET).issue("u1", Role.PASSENGER).token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidToken):
        AccessTokens(SECRET).verify(f"{header}.{forged}.{signature}")


def test_a_token_signed_with_another_secret_is_refused() -> None:
    foreign = AccessTokens("another-secret-that-is-also-long-enough-to-sign").issue("u1", Role.ADMIN)
    with pytest.raises(InvalidToken):
        AccessTokens(SECRET).verify(foreign.token)


def _claims(**changes: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, object] = {
        "sub": "u1",
        "role": "admin",
        "iat": now,
        "exp": now + 600,
        "iss": "trainbook",
        "jti": "j1",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_an_unsigned_alg_none_token_is_refused() -> None:
    unsigned = jwt.encode(_claims(), "", algorithm="none")
    with pytest.raises(InvalidToken):
        AccessTokens(SECRET).verify(unsigned)


@pytest.mark.parametrize(
    "claims",
    [
        _claims(iss="someone-else"),
        _claims(jti=None),
        _claims(role="conductor"),
        _claims(sub=""),
    ],
    ids=["foreign issuer", "no token id", "unknown role", "empty subject"],
)
def test_a_correctly_signed_token_with_wrong_claims_is_refused(claims: dict[str, object]) -> None:
    with pytest.raises(InvalidToken):
        AccessTokens(SECRET).verify(jwt.encode(claims, SECRET, algorithm="HS256"))


def test_a_token_signed_with_another_algorithm_is_refused() -> None:
    token = jwt.encode(_claims(), SECRET, algorithm="HS512")
    with pytest.raises(InvalidToken):
        AccessTokens(SECRET).verify(token)


@pytest.mark.parametrize("garbage", ["", "not-a-jwt", "a.b.c"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidToken):
        AccessTokens(SECRET).verify(garbage)


def test_a_short_signing_secret_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="at least 32 characters"):
        AccessTokens("short")
