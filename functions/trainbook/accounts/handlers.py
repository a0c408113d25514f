"""The Lambda authorizer (REQUEST type) in front of every non-public REST route and the WebSocket $connect.

The access token comes from `Authorization: Bearer <jwt>` (REST) or, on a WebSocket $connect where
browsers cannot set headers, the `token` query string parameter. A valid token is allowed on every
route of the API's stage, so API Gateway's authorizer cache (keyed by the token) never refuses the
next route the same user calls; what a role may do is checked by the routes themselves. The caller
reaches the function as `requestContext.authorizer.user_id` and `.role`. A missing, expired or
invalid token raises "Unauthorized", which API Gateway answers with a 401.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.accounts.errors import InvalidToken
from trainbook.accounts.tokens import Claims, access_tokens
from trainbook.web.identity import stage_wildcard

UNAUTHORIZED = "Unauthorized"  # the exact message API Gateway turns into a 401

logger = Logger(service="authorizer")


class Unauthorized(Exception):
    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    token = token_of(event)
    if token is None:
        logger.info("refused: no access token")
        raise Unauthorized()
    try:
        claims = access_tokens().verify(token)
    except InvalidToken as error:
        logger.info("refused", extra={"reason": error.message})
        raise Unauthorized() from None
    resource = stage_wildcard(str(event.get("methodArn", "")))
    if resource is None:
        logger.warning("refused: unexpected methodArn", extra={"method_arn": event.get("methodArn")})
        raise Unauthorized()
    return allow(claims, resource)


def token_of(event: Mapping[str, Any]) -> str | None:
    """The bearer token of a REST request, or the `token` query parameter of a WebSocket $connect."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items() if v is not None}
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    if _is_websocket_connect(event):
        # Only on $connect: elsewhere a token in the URL would end up in access logs.
        query = event.get("queryStringParameters") or {}
        value = query.get("token")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def allow(claims: Claims, resource: str) -> dict[str, Any]:
    return {
        "principalId": claims.user_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}],
        },
        # Context values must be strings, numbers or booleans; they reach the function as strings.
        "context": {
            "user_id": claims.user_id,
            "role": claims.role.value,
            **({"session_id": claims.session_id} if claims.session_id else {}),
        },
    }


def _is_websocket_connect(event: Mapping[str, Any]) -> bool:
    request_context = event.get("requestContext") or {}
    return request_context.get("eventType") == "CONNECT" or request_context.get("routeKey") == "$connect"
