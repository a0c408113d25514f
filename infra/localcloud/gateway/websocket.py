"""WebSocket APIs: $connect (query string + authorizer), routes by selection expression, $disconnect."""

from __future__ import annotations

import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from localcloud.gateway.authorizers import decide, identity_present
from localcloud.gateway.config import WebSocketApi
from localcloud.gateway.invoker import LambdaInvoker
from localcloud.template.stack import ACCOUNT_ID

log = logging.getLogger("localcloud.websocket")

# API Gateway's quota: a message of more than 128 KB closes the connection with 1009 (message too big).
MAX_MESSAGE_BYTES = 128 * 1024
MESSAGE_TOO_BIG = 1009


@dataclass
class Connection:
    connection_id: str
    socket: WebSocket
    api: WebSocketApi
    connected_at: float = field(default_factory=time.time)
    last_active_at: float = field(default_factory=time.time)
    authorizer: dict[str, Any] | None = None
    source_ip: str = "127.0.0.1"
    user_agent: str = ""


class Connections:
    """Open connections by id; what `@connections` posts to."""

    def __init__(self) -> None:
        self.open: dict[str, Connection] = {}

    def get(self, connection_id: str) -> Connection | None:
        return self.open.get(connection_id)


def _request_context(connection: Connection, route_key: str, event_type: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "messageDirection": "IN",
        "extendedRequestId": uuid.uuid4().hex,
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "stage": connection.api.stage,
        "connectedAt": int(connection.connected_at * 1000),
        "requestTimeEpoch": int(time.time() * 1000),
        "requestId": str(uuid.uuid4()),
        "domainName": "localhost",
        "connectionId": connection.connection_id,
        "apiId": connection.api.api_id,
        "identity": {"sourceIp": connection.source_ip, "userAgent": connection.user_agent},
    }
    if route_key not in ("$connect", "$disconnect"):
        context["messageId"] = uuid.uuid4().hex
    if connection.authorizer is not None:
        context["authorizer"] = connection.authorizer
    return context


def select_route(api: WebSocketApi, text: str) -> str | None:
    """Evaluate `$request.body.<path>` on a JSON message; fall back to $default."""
    key: Any = None
    prefix = "$request.body."
    if api.selection_expression.startswith(prefix):
        try:
            key = json.loads(text)
            for part in api.selection_expression[len(prefix) :].split("."):
                key = key.get(part) if isinstance(key, dict) else None
        except ValueError:
            key = None
    if isinstance(key, str) and key in api.routes:
        return key
    return "$default" if "$default" in api.routes else None


async def serve_socket(
    socket: WebSocket, api: WebSocketApi, connections: Connections, invoker: LambdaInvoker
) -> None:
    connection = Connection(
        uuid.uuid4().hex[:12] + "=",
        socket,
        api,
        source_ip=socket.client.host if socket.client else "127.0.0.1",
        user_agent=socket.headers.get("user-agent", ""),
    )
    headers = dict(socket.headers)
    query = dict(socket.query_params)
    multi_query: dict[str, list[str]] = {}
    for key, value in socket.query_params.multi_items():
        multi_query.setdefault(key, []).append(value)
    handshake = {
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "isBase64Encoded": False,
    }
    authorizer = api.connect_authorizer
    if authorizer is not None:
        if not identity_present(authorizer, headers, query):
            await socket.close(code=1008)  # before accept: the client sees HTTP 403
            return
        method_arn = f"arn:aws:execute-api:local:{ACCOUNT_ID}:{api.api_id}/{api.stage}/$connect"
        event = {
            "type": "REQUEST",
            "methodArn": method_arn,
            **handshake,
            "requestContext": _request_context(connection, "$connect", "CONNECT"),
        }
        decision = await decide(invoker, authorizer, event)
        if not decision.allowed:
            log.info("$connect refused by %s (%s)", authorizer.name, decision.status)
            await socket.close(code=1008)
            return
        connection.authorizer = decision.context
    if "$connect" in api.routes:
        event = {**handshake, "requestContext": _request_context(connection, "$connect", "CONNECT")}
        result = await invoker.invoke(api.routes["$connect"], event)
        status = result.payload.get("statusCode", 200) if isinstance(result.payload, dict) else 200
        if result.function_error or not 200 <= int(status) < 300:
            await socket.close(code=1008)
            return
    await socket.accept()
    connections.open[connection.connection_id] = connection
    try:
        while True:
            frame = await socket.receive()
            if frame["type"] == "websocket.disconnect":
                break
            raw = frame.get("text")
            text = raw if raw is not None else (frame.get("bytes") or b"").decode("utf-8", "replace")
            connection.last_active_at = time.time()
            if len(text.encode("utf-8")) > MAX_MESSAGE_BYTES:
                log.info("closing %s: a message over %d bytes", connection.connection_id, MAX_MESSAGE_BYTES)
                await socket.close(code=MESSAGE_TOO_BIG, reason="Message too big")
                break
            route_key = select_route(api, text)
            if route_key is None:
                await socket.send_text(
                    json.dumps({"message": "Forbidden", "connectionId": connection.connection_id})
                )
                continue
            event = {
                "requestContext": _request_context(connection, route_key, "MESSAGE"),
                "body": text,
                "isBase64Encoded": False,
            }
            result = await invoker.invoke(api.routes[route_key], event)
            if result.function_error:
                await socket.send_text(
                    json.dumps({"message": "Internal server error", "connectionId": connection.connection_id})
                )
    except WebSocketDisconnect:
        pass
    finally:
        connections.open.pop(connection.connection_id, None)
        if "$disconnect" in api.routes:
            event = {
                "headers": headers,
                "requestContext": _request_context(connection, "$disconnect", "DISCONNECT"),
                "isBase64Encoded": False,
            }
            await invoker.invoke(api.routes["$disconnect"], event)
