"""The routers the API serves, one per bounded context (each lives in its context's `api` module)."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

ROUTERS: list[Router] = []
