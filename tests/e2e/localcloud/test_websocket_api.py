"""WebSocket API: $connect with query-string authorizer, routes, @connections push, Gone after close."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.e2e.localcloud.running import RunningCloud, wait_for


def _ws(cloud: RunningCloud, token: str) -> str:
    return f"{cloud.url.replace('http', 'ws', 1)}/ws?token={token}"


def _notify(cloud: RunningCloud, connection_id: str, text: str) -> dict[str, object]:
    answer = cloud.client("lambda").invoke(
        FunctionName="trainbook-NotifyFunction",
        Payload=json.dumps({"connection_id": connection_id, "text": text}),
    )
    result: dict[str, object] = json.loads(answer["Payload"].read())
    return result


def _connection_state(cloud: RunningCloud, connection_id: str) -> str | None:
    item = (
        cloud.client("dynamodb")
        .get_item(TableName="trainbook-ConnectionsTable", Key={"connection_id": {"S": connection_id}})
        .get("Item")
    )
    return None if item is None else item["state"]["S"]


def test_a_client_receives_what_a_function_posts_and_a_closed_connection_is_gone(cloud: RunningCloud) -> None:
    async def scenario() -> tuple[dict[str, str], str, dict[str, str]]:
        async with websockets.connect(_ws(cloud, "good")) as socket:
            await socket.send(json.dumps({"action": "echo", "text": "peron 3"}))
            echo = json.loads(await asyncio.wait_for(socket.recv(), 10))
            pushed = await asyncio.to_thread(_notify, cloud, echo["connection"], "opóźnienie 5 min")
            assert pushed == {"sent": True}
            received = await asyncio.wait_for(socket.recv(), 10)
            await socket.send("not json")
            fallback = json.loads(await asyncio.wait_for(socket.recv(), 10))
        return echo, str(received), fallback

    echo, received, fallback = asyncio.run(scenario())
    assert echo["echo"] == "peron 3"
    assert received == "opóźnienie 5 min"
    assert fallback == {"default_route": "not json"}
    connection_id = echo["connection"]
    wait_for(lambda: _connection_state(cloud, connection_id) == "closed")  # $disconnect ran
    assert _notify(cloud, connection_id, "too late") == {"sent": False, "gone": True}


def test_connect_runs_the_authorizer_with_the_query_string(cloud: RunningCloud) -> None:
    async def refused() -> None:
        async with websockets.connect(_ws(cloud, "forged")):
            pass

    with pytest.raises(InvalidStatus) as refusal:
        asyncio.run(refused())
    assert refusal.value.response.status_code in (401, 403)


def test_the_authorizer_context_reaches_connect(cloud: RunningCloud) -> None:
    async def connect() -> str:
        async with websockets.connect(_ws(cloud, "good")) as socket:
            await socket.send(json.dumps({"action": "echo", "text": "?"}))
            return str(json.loads(await asyncio.wait_for(socket.recv(), 10))["connection"])

    connection_id = asyncio.run(connect())
    item = cloud.client("dynamodb").get_item(
        TableName="trainbook-ConnectionsTable", Key={"connection_id": {"S": connection_id}}
    )["Item"]
    assert item["connection_id"] == {"S": connection_id}


def test_many_clients_at_once_each_get_their_own_echo(cloud: RunningCloud) -> None:
    async def one(number: int) -> str:
        async with websockets.connect(_ws(cloud, "good")) as socket:
            await socket.send(json.dumps({"action": "echo", "text": f"client {number}"}))
            return str(json.loads(await asyncio.wait_for(socket.recv(), 20))["echo"])

    async def many() -> list[str]:
        return list(await asyncio.gather(*(one(number) for number in range(12))))

    assert asyncio.run(many()) == [f"client {number}" for number in range(12)]
