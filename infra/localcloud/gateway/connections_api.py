"""API Gateway's management API (`POST/GET/DELETE /@connections/{id}`), so apigatewaymanagementapi works."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from localcloud.gateway.websocket import Connections


def _gone(connection_id: str) -> Response:
    # boto3 reads the error code from this header: the caller gets GoneException, as on AWS.
    return JSONResponse(
        {"message": f"connection {connection_id} is gone"},
        status_code=410,
        headers={"x-amzn-ErrorType": "GoneException"},
    )


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


async def manage_connection(request: Request, connections: Connections) -> Response:
    connection_id = request.path_params["connection_id"]
    connection = connections.get(connection_id)
    if connection is None:
        return _gone(connection_id)
    if request.method == "POST":
        data = await request.body()
        try:
            await connection.socket.send_text(data.decode("utf-8"))
        except UnicodeDecodeError:
            await connection.socket.send_bytes(data)
        except Exception:  # the socket closed between lookup and send
            connections.open.pop(connection_id, None)
            return _gone(connection_id)
        return Response(status_code=200)
    if request.method == "DELETE":
        connections.open.pop(connection_id, None)
        await connection.socket.close()
        return Response(status_code=204)
    return JSONResponse(
        {
            "ConnectedAt": _iso(connection.connected_at),
            "LastActiveAt": _iso(connection.last_active_at),
            "Identity": {"SourceIp": connection.source_ip, "UserAgent": connection.user_agent},
        }
    )
