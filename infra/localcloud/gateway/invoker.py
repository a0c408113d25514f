"""Calls functions: the gateway's own (`gateway/functions.py`), or through the engine's Lambda Invoke API,
the path boto3 and Step Functions use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from localcloud.gateway.functions import GatewayFunctions


@dataclass(frozen=True)
class Invocation:
    payload: Any
    function_error: str | None

    @property
    def error_message(self) -> str:
        if isinstance(self.payload, dict):
            return str(self.payload.get("errorMessage", ""))
        return ""


class LambdaInvoker:
    """The gateway's functions on its own workers (`functions`); any other through one pooled async HTTP
    client to the engine."""

    def __init__(self, engine_url: str, functions: GatewayFunctions | None = None) -> None:
        self._functions = functions
        self._engine_url = engine_url
        # Made on first use: with its own workers the gateway never needs it, and making it (its TLS
        # context) took 0.2-0.5 s of every start.
        self._client: httpx.AsyncClient | None = None

    def _engine_client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(960.0),
                headers={
                    "Authorization": "AWS4-HMAC-SHA256 Credential=local/20250101/eu-central-1/lambda/"
                    "aws4_request"
                },
            )
        return self._client

    async def invoke(self, function: str, event: dict[str, Any]) -> Invocation:
        if self._functions is not None and self._functions.hosts(function):
            return Invocation(*await self._functions.invoke(function, event))
        url = f"{self._engine_url}/2015-03-31/functions/{quote(function, safe='')}/invocations"
        response = await self._engine_client().post(url, content=json.dumps(event))
        if response.status_code != 200:
            return Invocation(
                {"errorType": "ServiceException", "errorMessage": response.text[:500]}, "Unhandled"
            )
        try:
            payload = json.loads(response.content) if response.content else None
        except ValueError:
            payload = response.text
        return Invocation(payload, response.headers.get("x-amz-function-error"))

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
