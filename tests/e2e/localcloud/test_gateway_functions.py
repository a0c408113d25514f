"""The gateway runs the functions its routes and authorizers name on workers of its own: an API call does
not cross the engine's Lambda Invoke API, is still counted, and its function's logs reach the engine log."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.e2e.localcloud.running import RunningCloud, wait_for

GOOD = {"Authorization": "Bearer good"}


def _stats(base_url: str) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.post(f"{base_url}/_localcloud/stats", json={}, timeout=30).json()
    return answer


def _grew(before: dict[str, Any], after: dict[str, Any], kind: str) -> float:
    return float(after["counts"].get(kind, 0) - before["counts"].get(kind, 0))


def _invocations(stats: dict[str, Any], function: str) -> int:
    return int(stats["functions"].get(function, {}).get("invocations", 0))


def test_an_api_call_runs_its_authorizer_and_function_in_the_gateway_and_is_counted_there(
    cloud: RunningCloud,
) -> None:
    engine, gateway = _stats(cloud.engine_url), _stats(cloud.url)
    assert httpx.get(f"{cloud.url}/test/items/counted-1", headers=GOOD).status_code == 404

    engine_after, gateway_after = _stats(cloud.engine_url), _stats(cloud.url)
    assert _grew(engine, engine_after, "lambda:Invoke") == 0
    assert _grew(gateway, gateway_after, "lambda:Invoke") == 2  # the token authorizer, then the function
    assert (
        _invocations(gateway_after, "trainbook-ItemsFunction")
        == _invocations(gateway, "trainbook-ItemsFunction") + 1
    )


def test_the_same_function_invoked_through_the_engine_runs_there(cloud: RunningCloud) -> None:
    engine = _stats(cloud.engine_url)
    event = {"resource": "/items/{id}", "httpMethod": "GET", "pathParameters": {"id": "direct"}}
    answer = cloud.client("lambda").invoke(
        FunctionName="trainbook-ItemsFunction", Payload=json.dumps({**event, "requestContext": {}})
    )
    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert _grew(engine, _stats(cloud.engine_url), "lambda:Invoke") == 1


def test_a_gateway_worker_s_log_line_is_in_the_engine_log(cloud: RunningCloud) -> None:
    assert httpx.get(f"{cloud.url}/test/public/logged/line-7").status_code == 200
    log = cloud.data_dir / "engine.log"
    wait_for(lambda: "fixture rest GET /public/logged/line-7" in log.read_text(errors="replace"), deadline=10)
