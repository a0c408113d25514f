"""The gateway on a template with no WebSocket API: a handshake gets a clean 403, never a crash."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from localcloud.gateway.app import build_app
from localcloud.gateway.config import GatewayConfig


@pytest.mark.parametrize("path", ["/ws", "/dev", "/anything/else"])
def test_a_websocket_handshake_without_a_websocket_api_is_refused(path: str) -> None:
    app = build_app(GatewayConfig(), "http://127.0.0.1:9", None, {})
    with TestClient(app, raise_server_exceptions=True) as client:
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(path):
            pass
        assert refused.value.code == 1008  # closed before accept: the client sees HTTP 403
        assert client.get("/health").status_code in (200, 503)  # plain HTTP still served
