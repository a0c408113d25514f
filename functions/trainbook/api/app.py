"""The API function: routes of every context on one resolver, validation, OpenAPI, JSON errors.

Each context contributes a Powertools `Router` (catalog, accounts, bookings, ...). Errors are mapped
once (`trainbook.web.errors`): every 4xx and 5xx is `{"error": {"code", "message"}}`; a body that is
not JSON, not UTF-8 or too large is refused before any route reads it. The public reads (stations,
discounts, runs, search, seat maps) have a function of their own (`api/queries.py`, where API
Gateway sends their paths); this resolver keeps their routers too, so its OpenAPI document describes
every route of the API.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.api.openapi import complete
from trainbook.api.resolver import rest_resolver
from trainbook.api.routers import ROUTERS
from trainbook.web.errors import refusal

logger = Logger(service="api")
tracer = Tracer(service="api")

app = rest_resolver(ROUTERS, logger)
# Relative link: it resolves beside /docs wherever the API's base is (`/` or `/api/`).
DESCRIPTION = (
    "Trainbook's REST API. Live updates (seat maps, booking progress, schedule changes) come over a "
    "WebSocket, described by the [AsyncAPI document](asyncapi.json)."
)
app.enable_swagger(path="/docs", title="Trainbook API", version="1.0.0", description=DESCRIPTION)


@app.get("/openapi.json", include_in_schema=False)
def openapi() -> Response[Any]:
    document = json.loads(
        app.get_openapi_json_schema(title="Trainbook API", version="1.0.0", description=DESCRIPTION)
    )
    return Response(200, content_types.APPLICATION_JSON, complete(document))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return refusal(event) or app.resolve(event, context)
