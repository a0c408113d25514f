"""The Starlette app on the one port: /health, @connections, WebSockets, REST routes, then the front end."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route, WebSocketRoute, request_response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from localcloud.gateway.config import GatewayConfig, WebSocketApi
from localcloud.gateway.connections_api import manage_connection
from localcloud.gateway.invoker import LambdaInvoker
from localcloud.gateway.rest import handle_rest, missing_route
from localcloud.gateway.websocket import Connections, serve_socket

BUILD_HINT = """<!doctype html><title>Trainbook</title>
<h1>Trainbook local cloud is running</h1>
<p>No built front end was found in <code>frontend/dist</code>. When the repository has one, build it with
<code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code> and reload this page.</p>
<p>The API is here: <a href="/api/docs">interactive docs</a>, <a href="/api/openapi.json">OpenAPI</a>,
<a href="/api/stations">stations</a>; health: <a href="/health">/health</a>.</p>"""


def websocket_paths(config: GatewayConfig) -> dict[str, WebSocketApi]:
    """/ws for the first WebSocket API, /ws/<LogicalId> for each, and /<stage> (the AWS-shaped URL)."""
    paths: dict[str, WebSocketApi] = {}
    for index, api in enumerate(config.websockets):
        if index == 0:
            paths["/ws"] = api
        paths[f"/ws/{api.logical_id}"] = api
        paths.setdefault(f"/{api.stage}", api)
    return paths


def build_app(
    config: GatewayConfig, engine_url: str, frontend_dist: Path | None, describe: dict[str, Any]
) -> Starlette:
    invoker = LambdaInvoker(engine_url)
    connections = Connections()
    socket_paths = websocket_paths(config)

    async def health(_: Request) -> Response:
        try:
            async with httpx.AsyncClient(timeout=5) as client:
                engine = (await client.post(f"{engine_url}/_localcloud/health")).json()
        except httpx.HTTPError as error:
            return JSONResponse({"status": "degraded", "engine": f"unreachable: {error}"}, status_code=503)
        return JSONResponse(
            {
                "status": "ok",
                "engine": engine,
                **describe,
                "rest_routes": [f"{r.method} {r.resource}" for r in config.rest_routes],
                "websockets": {path: api.logical_id for path, api in socket_paths.items()},
                "open_connections": len(connections.open),
                "frontend": str(frontend_dist)
                if frontend_dist
                else "not built (cd frontend && npm run build)",
            }
        )

    async def connection_endpoint(request: Request) -> Response:
        return await manage_connection(request, connections)

    def socket_endpoint(api: WebSocketApi) -> Any:
        async def endpoint(socket: WebSocket) -> None:
            await serve_socket(socket, api, connections, invoker)

        return endpoint

    async def everything_else(request: Request) -> Response:
        response = await handle_rest(request, config, invoker)
        if response is not None:
            return response
        stage = request.url.path.lstrip("/").partition("/")[0]
        if request.method in ("GET", "HEAD") and stage not in config.rest_stages:
            return frontend(request.url.path)
        return missing_route(config)  # under a stage, an undeclared route is the API's answer, not the app

    def frontend(path: str) -> Response:
        if frontend_dist is None:
            return HTMLResponse(BUILD_HINT) if path in ("/", "/index.html") else missing_route(config)
        candidate = (frontend_dist / path.lstrip("/")).resolve()
        if candidate.is_file() and frontend_dist.resolve() in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(frontend_dist / "index.html")  # client-side routes of the single-page app

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        for connection in list(connections.open.values()):
            await connection.socket.close(code=1001)
        await invoker.close()

    routes: list[Any] = [
        Route("/health", health, methods=["GET"]),
        Route("/@connections/{connection_id}", connection_endpoint, methods=["GET", "POST", "DELETE"]),
        Route(
            "/{prefix:path}/@connections/{connection_id}",
            connection_endpoint,
            methods=["GET", "POST", "DELETE"],
        ),
    ]
    routes += [WebSocketRoute(path, socket_endpoint(api)) for path, api in socket_paths.items()]
    app = Starlette(routes=routes, lifespan=lifespan)
    # Everything else (REST routes, the front end) goes through one handler, whatever the path holds:
    # Starlette's `{path:path}` does not match a decoded newline, and API Gateway routes any path.
    app.router.default = _refusing_websockets(request_response(everything_else))
    return app


def _refusing_websockets(http_handler: ASGIApp) -> ASGIApp:
    """A WebSocket handshake on a path with no WebSocket API gets a clean 403, as on AWS.

    The HTTP handler asserts an HTTP scope: without this a handshake to `/ws` on a template with no
    WebSocket API crashed the request (500 and an AssertionError in the log).
    """

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await WebSocket(scope, receive, send).close(code=1008)  # before accept: HTTP 403
            return
        await http_handler(scope, receive, send)

    return default
