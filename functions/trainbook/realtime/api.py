"""REST route of live updates: the AsyncAPI document of the WebSocket protocol, beside /openapi.json."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router

from trainbook.realtime.asyncapi import asyncapi_document

router = Router()


@router.get("/asyncapi.json", include_in_schema=False)
def asyncapi() -> Response[Any]:
    return Response(200, content_types.APPLICATION_JSON, asyncapi_document())
