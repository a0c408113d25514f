"""The query function: the public reads (stations, discounts, runs, search, seat maps) on their own workers.

Reads and commands scale and fail apart (CQRS at the edge): a search never waits for a worker busy
starting a booking saga, registering a password or rendering a ticket, on AWS (each function's own
concurrency) as on `trainbook up` (each function's own warm workers). The routes, their answers and
their errors are the API function's, from the same routers and the same resolver settings; API
Gateway sends these paths here (template.yaml), and the API function's OpenAPI document keeps them.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from trainbook.api.resolver import rest_resolver
from trainbook.catalog.api import router as catalog
from trainbook.projections.api import router as read_models

# Every route of these routers is a GET that changes no state (a search is counted from its log line).
QUERY_ROUTERS: list[Router] = [catalog, read_models]

logger = Logger(service="queries")
tracer = Tracer(service="queries")

app = rest_resolver(QUERY_ROUTERS, logger)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
