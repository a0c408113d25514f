"""How a Trainbook REST function builds its resolver: validation, CORS, the one error shape, alike."""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig
from aws_lambda_powertools.event_handler.api_gateway import Router

from trainbook.web.errors import install_error_handlers


def rest_resolver(routers: list[Router], logger: Logger) -> APIGatewayRestResolver:
    """A resolver serving `routers`, validating requests and answers, every error in the one shape."""
    app = APIGatewayRestResolver(
        enable_validation=True,
        cors=CORSConfig(
            allow_origin=os.environ.get("CORS_ALLOW_ORIGIN", "*"),
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Location", "Retry-After"],
            max_age=600,
        ),
    )
    for router in routers:
        app.include_router(router)
    install_error_handlers(app, logger)
    return app
