"""The AsyncAPI 3.0 document of the WebSocket protocol, built from the topics and kinds the code declares.

Built from `domain.TOPICS` and `domain.MESSAGE_KINDS`, the same tables the broadcaster's messages are
checked against in tests, so the document cannot drift from what clients receive.
"""

from __future__ import annotations

from typing import Any

from trainbook.realtime.domain import ACTIONS, ERROR_CODES, MESSAGE_KINDS, TOPICS

CHANNEL_OF_KIND = {
    "run": "run:{run_id}",
    "booking": "booking:{booking_id}",
    "user": "user",
    "changes": "changes",
    "analytics": "analytics",
}

DESCRIPTION = """Live updates of Trainbook over one WebSocket.

Connect to `ws://<host>/ws` on `trainbook up` (the stage URL `wss://<api>.execute-api.<region>.amazonaws.com/ws`
on AWS), optionally with `?token=<access token>`. Without a token only public topics (`run:<id>`, `changes`)
can be followed; a bad or expired token is refused at the handshake (HTTP 403).

Send `{"action": "subscribe", "topic": T}`, `{"action": "unsubscribe", "topic": T}` or `{"action": "ping"}`;
each is answered on the same connection with `{"type": "subscribed" | "unsubscribed" | "pong", "topic": T}` or
`{"type": "error", "error": {"code", "message"}}`. A bad message never closes the connection.

Every pushed message is `{"topic", "type", "data", "at", "seq"}`: `seq` increases with every message of a
topic, by one while nothing is missed, so a gap tells a client it may have missed something and should
re-read over the REST API (a gap also follows a restart of the sender, which leaves numbers it took unused).
A message is never newer than what the REST API then returns: seat messages are sent once the seat map
shows them, a `notification` once `GET /me/notifications` lists it, `figures` once `GET /admin/analytics`
counts it."""


def _envelope(kind: str, message_type: str, data: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["topic", "type", "data", "at", "seq"],
        "properties": {
            "topic": {"type": "string", "description": f"the topic, e.g. {CHANNEL_OF_KIND[kind]}"},
            "type": {"type": "string", "const": message_type},
            "data": {"type": "object", "properties": data, "required": required},
            "at": {"type": "string", "format": "date-time", "description": "when it happened, UTC"},
            "seq": {
                "type": "integer",
                "minimum": 1,
                "description": "increases with every message of the topic; a gap means re-read",
            },
        },
    }


def _reply(reply_type: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "type": {"type": "string", "const": reply_type},
        "topic": {"type": "string"},
    }
    required = ["type"]
    if reply_type == "error":
        properties["error"] = {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": list(ERROR_CODES)},
                "message": {"type": "string"},
            },
        }
        required.append("error")
    return {"type": "object", "required": required, "properties": properties}


def _request(action: str) -> dict[str, Any]:
    properties: dict[str, Any] = {"action": {"type": "string", "const": action}}
    required = ["action"]
    if action != "ping":
        properties["topic"] = {"type": "string", "examples": ["run:EIP-5300-2026-12-01", "user"]}
        required.append("topic")
    return {"type": "object", "required": required, "properties": properties}


def asyncapi_document() -> dict[str, Any]:
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for kind, kinds in MESSAGE_KINDS.items():
        address = CHANNEL_OF_KIND[kind]
        channel: dict[str, Any] = {"address": address, "description": TOPICS[address], "messages": {}}
        if "{" in address:
            parameter = address.split("{", 1)[1].rstrip("}")
            channel["parameters"] = {parameter: {"description": f"the {parameter.replace('_', ' ')}"}}
        for message_type, (summary, data, required) in kinds.items():
            message_id = f"{kind}.{message_type}"
            messages[message_id] = {
                "name": message_type,
                "title": message_type.replace("_", " "),
                "summary": summary,
                "contentType": "application/json",
                "payload": _envelope(kind, message_type, data, required),
            }
            channel["messages"][message_type] = {"$ref": f"#/components/messages/{message_id}"}
        channels[kind] = channel
        operations[f"push_{kind}"] = {
            "action": "send",
            "title": f"Push to followers of {address}",
            "channel": {"$ref": f"#/channels/{kind}"},
            "messages": [{"$ref": f"#/channels/{kind}/messages/{t}"} for t in kinds],
        }
    control: dict[str, Any] = {
        "address": "/",
        "description": "What a client sends, and the server's answer on the same connection.",
        "messages": {},
    }
    for action in ACTIONS:
        messages[f"request.{action}"] = {
            "name": action,
            "summary": f"{action} request",
            "contentType": "application/json",
            "payload": _request(action),
        }
        control["messages"][action] = {"$ref": f"#/components/messages/request.{action}"}
    for reply in ("subscribed", "unsubscribed", "pong", "error"):
        messages[f"reply.{reply}"] = {
            "name": reply,
            "summary": f"{reply} reply",
            "contentType": "application/json",
            "payload": _reply(reply),
        }
        control["messages"][reply] = {"$ref": f"#/components/messages/reply.{reply}"}
    channels["control"] = control
    operations["request"] = {
        "action": "receive",
        "title": "Subscribe, unsubscribe, ping",
        "channel": {"$ref": "#/channels/control"},
        "messages": [{"$ref": f"#/channels/control/messages/{a}"} for a in ACTIONS],
        "reply": {
            "channel": {"$ref": "#/channels/control"},
            "messages": [
                {"$ref": f"#/channels/control/messages/{r}"}
                for r in ("subscribed", "unsubscribed", "pong", "error")
            ],
        },
    }
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Trainbook live updates", "version": "1.0.0", "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:3000",
                "pathname": "/ws",
                "protocol": "ws",
                "description": "trainbook up",
                "security": [{"$ref": "#/components/securitySchemes/accessToken"}],
            },
            "aws": {
                "host": "{api_id}.execute-api.{region}.amazonaws.com",
                "pathname": "/ws",
                "protocol": "wss",
                "variables": {
                    "api_id": {"description": "the WebSocket API's id (stack output WebSocketUrl)"},
                    "region": {"default": "eu-central-1"},
                },
                "security": [{"$ref": "#/components/securitySchemes/accessToken"}],
            },
        },
        "channels": channels,
        "operations": operations,
        "components": {
            "messages": messages,
            "securitySchemes": {
                "accessToken": {
                    "type": "httpApiKey",
                    "name": "token",
                    "in": "query",
                    "description": "Optional access token (/auth/login); without it, public topics only.",
                }
            },
        },
    }
