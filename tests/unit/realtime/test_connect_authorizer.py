"""The WebSocket $connect authorizer: anonymous without a token, the user with a good one, else Deny."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.unit.accounts.support import SECRET, LambdaContext, sample_event
from trainbook.accounts.domain import Role
from trainbook.accounts.tokens import AccessTokens
from trainbook.realtime import handlers

TOKENS = AccessTokens(SECRET)


@pytest.fixture(autouse=True)
def signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handlers, "access_tokens", lambda: TOKENS)


def connect(token: str | None) -> dict[str, Any]:
    event = sample_event("authorizer-websocket.json")
    event["queryStringParameters"] = {} if token is None else {"token": token}
    answer: dict[str, Any] = handlers.authorize_connect(event, LambdaContext())  # type: ignore[arg-type]
    return answer


def effect(answer: dict[str, Any]) -> str:
    return str(answer["policyDocument"]["Statement"][0]["Effect"])


def test_a_client_without_a_token_connects_anonymously() -> None:
    answer = connect(None)
    assert effect(answer) == "Allow"
    assert answer["context"] == {"user_id": "", "role": "anonymous"}
    assert handlers.viewer_of({"authorizer": answer["context"]}).signed_in is False


def test_a_good_token_connects_as_its_user() -> None:
    answer = connect(TOKENS.issue("u1", Role.ADMIN).token)
    assert effect(answer) == "Allow"
    assert answer["context"] == {"user_id": "u1", "role": "admin"}
    assert handlers.viewer_of({"authorizer": answer["context"]}).role == "admin"


def test_a_forged_or_expired_token_is_denied() -> None:
    expired = AccessTokens(SECRET, clock=lambda: datetime.now(UTC) - timedelta(hours=1)).issue(
        "u1", Role.PASSENGER
    )
    for token in ("not-a-jwt", TOKENS.issue("u1", Role.PASSENGER).token[:-3] + "abc", expired.token):
        answer = connect(token)
        assert effect(answer) == "Deny"
        assert answer["context"] == {}
