"""Calls the API resolver as API Gateway would, with events shaped like events/accounts-*.json."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

from tests.unit.accounts.support import LambdaContext, sample_event
from trainbook.accounts.api import router
from trainbook.api.app import app
from trainbook.api.routers import ROUTERS

if router not in ROUTERS:  # until template integration adds it to ROUTERS
    app.include_router(router)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def error_code(self) -> str:
        return str(self.body["error"]["code"])


def call(
    method: str,
    path: str,
    body: Any = None,
    caller: tuple[str, str] | None = None,
    session_id: str | None = None,
    source_ip: str | None = None,
    cookie: str | None = None,
) -> Answer:
    """`caller` is the (user_id, role) the authorizer put in the request context, with `session_id`."""
    event = copy.deepcopy(sample_event("accounts-me.json"))
    event.update(httpMethod=method, path=path, resource=path, body=None if body is None else json.dumps(body))
    event["requestContext"].update(httpMethod=method, resourcePath=path, path=f"/dev{path}")
    event["requestContext"].pop("authorizer", None)
    if caller is not None:
        user_id, role = caller
        event["requestContext"]["authorizer"] = {"principalId": user_id, "user_id": user_id, "role": role}
        if session_id:
            event["requestContext"]["authorizer"]["session_id"] = session_id
    if source_ip:
        event["requestContext"]["identity"]["sourceIp"] = source_ip
    if cookie:
        event["headers"]["Cookie"] = cookie
        event["multiValueHeaders"]["Cookie"] = [cookie]
    return _answer(app.resolve(event, LambdaContext()))  # type: ignore[arg-type]


def sample(name: str) -> Answer:
    return _answer(app.resolve(sample_event(name), LambdaContext()))  # type: ignore[arg-type]


def _answer(answer: dict[str, Any]) -> Answer:
    headers = {k: v[-1] for k, v in (answer.get("multiValueHeaders") or {}).items()}
    headers.update(answer.get("headers") or {})
    return Answer(answer["statusCode"], json.loads(answer["body"] or "null"), headers)
