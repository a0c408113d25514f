"""The Lambda authorizer, fed the sample events API Gateway sends for REST routes and WebSocket $connect."""

from __future__ import annotations

import fnmatch
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.unit.accounts.support import SECRET, LambdaContext, sample_event
from trainbook.accounts import handlers as authorizer
from trainbook.accounts.domain import Role
from trainbook.accounts.tokens import AccessTokens

TOKENS = AccessTokens(SECRET)


@pytest.fixture(autouse=True)
def signing_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(authorizer, "access_tokens", lambda: TOKENS)


def rest_request(authorization: str | None) -> dict[str, Any]:
    event = sample_event("authorizer-rest.json")
    event["headers"] = {"Host": event["headers"]["Host"]}
    if authorization is not None:
        event["headers"]["Authorization"] = authorization
    return event


def websocket_connect(token: str | None) -> dict[str, Any]:
    event = sample_event("authorizer-websocket.json")
    event["queryStringParameters"] = {} if token is None else {"token": token}
    return event


def decide(event: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = authorizer.handler(event, LambdaContext())  # type: ignore[arg-type]
    return answer


def allowed_resources(answer: dict[str, Any]) -> list[str]:
    return [s["Resource"] for s in answer["policyDocument"]["Statement"] if s["Effect"] == "Allow"]


def test_a_valid_bearer_token_is_allowed_with_the_callers_id_role_and_session() -> None:
    answer = decide(rest_request(f"Bearer {TOKENS.issue('u1', Role.ADMIN, 'family-1').token}"))
    assert answer["principalId"] == "u1"
    assert answer["context"] == {"user_id": "u1", "role": "admin", "session_id": "family-1"}
    assert allowed_resources(answer) == ["arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/*"]


def test_the_allow_covers_every_route_of_the_stage_so_a_cached_answer_never_blocks_the_next_route() -> None:
    answer = decide(rest_request(f"Bearer {TOKENS.issue('u1', Role.PASSENGER).token}"))
    [resource] = allowed_resources(answer)
    arn = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234"
    assert fnmatch.fnmatchcase(f"{arn}/dev/DELETE/bookings/b-42", resource)
    assert not fnmatch.fnmatchcase(f"{arn}/prod/GET/me", resource)


def test_the_header_name_and_scheme_are_case_insensitive() -> None:
    event = rest_request(None)
    event["headers"]["authorization"] = f"bearer {TOKENS.issue('u1', Role.PASSENGER).token}"
    assert decide(event)["context"]["user_id"] == "u1"


def test_a_websocket_connect_is_allowed_with_the_token_in_the_query_string() -> None:
    answer = decide(websocket_connect(TOKENS.issue("u7", Role.PASSENGER).token))
    assert answer["context"] == {"user_id": "u7", "role": "passenger"}
    assert allowed_resources(answer) == ["arn:aws:execute-api:eu-central-1:123456789012:wsapi12345/dev/*"]


def expired() -> str:
    return (
        AccessTokens(SECRET, clock=lambda: datetime.now(UTC) - timedelta(hours=1))
        .issue("u1", Role.ADMIN)
        .token
    )


def tampered() -> str:
    header, payload, signature = TOKENS.issue("u1", Role.PASSENGER).token.split(".")
    return f"{header}.{payload}.{signature[:-4]}AAAA"


@pytest.mark.parametrize(
    "event",
    [
        pytest.param(lambda: rest_request(None), id="no header"),
        pytest.param(lambda: rest_request("Bearer "), id="empty bearer"),
        pytest.param(lambda: rest_request(f"Basic {TOKENS.issue('u1', Role.ADMIN).token}"), id="not bearer"),
        pytest.param(lambda: rest_request(f"Bearer {expired()}"), id="expired"),
        pytest.param(lambda: rest_request(f"Bearer {tampered()}"), id="tampered"),
        pytest.param(
            lambda: rest_request("Bearer REPLACE_WITH_ACCESS_TOKEN_FROM_POST_auth_login"), id="garbage"
        ),
        pytest.param(lambda: websocket_connect(None), id="socket without token"),
        pytest.param(lambda: websocket_connect(expired()), id="socket expired"),
    ],
)
def test_a_missing_or_invalid_token_is_unauthorized(event: Any) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        decide(event())


def test_a_rest_request_never_takes_its_token_from_the_query_string() -> None:
    event = rest_request(None)
    event["queryStringParameters"] = {"token": TOKENS.issue("u1", Role.ADMIN).token}
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        decide(event)
