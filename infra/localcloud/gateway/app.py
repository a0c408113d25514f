"""The Starlette app on the one port: /health, @connections, WebSockets, REST routes, then the front end."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute, request_response
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from localcloud.gateway.config import GatewayConfig, WebSocketApi
from localcloud.gateway.connections_api import manage_connection
from localcloud.gateway.functions import GatewayFunctions
from localcloud.gateway.invoker import LambdaInvoker
from localcloud.gateway.rest import handle_rest, missing_route
from localcloud.gateway.websocket import Connections, serve_socket
from localcloud.stats import STATS

NOT_BUILT = """<!doctype html><html lang="en"><title>Trainbook: web app not built</title>
<h1>The web app is not built</h1>
<p><code>frontend/dist</code> has no <code>index.html</code>. <code>make up</code> builds it before starting;
by hand: <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>, then reload.</p>
<p>The API works meanwhile: <a href="/api/docs">/api/docs</a>,
<a href="/api/openapi.json">/api/openapi.json</a>, <a href="/health">/health</a>.</p></html>"""

# Vite names every built asset by its content hash: a changed file gets a new name, so a browser may keep
# one for a year. index.html names the current assets, so it must be revalidated on every load.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


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
    config: GatewayConfig,
    engine_url: str,
    frontend_dist: Path | None,
    describe: dict[str, Any],
    functions: GatewayFunctions | None = None,
) -> Starlette:
    invoker = LambdaInvoker(engine_url, functions)
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
                # The subscribed lines of the gateway's functions, spooled and shipped from this process.
                "log_subscriptions": functions.logs.describe() if functions and functions.logs else [],
                "frontend": str(frontend_dist)
                if frontend_dist
                else "not built (cd frontend && npm run build)",
            }
        )

    async def stats(request: Request) -> Response:
        """What this process counted (the gateway's own function invocations), as the engine's
        `POST /_localcloud/stats` answers; `{"reset": true}` starts a new count."""
        body = await request.body()
        reset = bool(json.loads(body).get("reset")) if body else False
        return JSONResponse(STATS.snapshot(reset))

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
        return missing_route(config)  # under a REST stage, as on execute-api: the API's answer, never the app

    def frontend(path: str) -> Response:
        if frontend_dist is None:
            return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": REVALIDATE})
        root = frontend_dist.resolve()
        candidate = (root / path.lstrip("/")).resolve()
        if candidate.is_file() and root in candidate.parents and candidate.name != "index.html":
            hashed = candidate.parent == root / "assets"
            return FileResponse(candidate, headers={"Cache-Control": IMMUTABLE if hashed else REVALIDATE})
        if path.startswith("/assets/"):
            # An asset name of another build: index.html in its place would not parse as a script.
            return PlainTextResponse("not found", status_code=404, headers={"Cache-Control": REVALIDATE})
        # Client-side routes of the single-page app (/search, /runs/..., /bookings/...) all load index.html.
        return FileResponse(root / "index.html", headers={"Cache-Control": REVALIDATE})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        yield
        for connection in list(connections.open.values()):
            await connection.socket.close(code=1001)
        await invoker.close()

    routes: list[Any] = [
        Route("/health", health, methods=["GET"]),
        Route("/_localcloud/stats", stats, methods=["POST"]),
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
