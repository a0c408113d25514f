"""REST API through the gateway: proxy events, authorizers, CORS, routes exactly as the template says."""

from __future__ import annotations

import httpx

from tests.e2e.localcloud.running import RunningCloud

GOOD = {"Authorization": "Bearer good"}


def test_a_rest_call_reaches_dynamodb_through_a_lambda_and_back(cloud: RunningCloud) -> None:
    stored = httpx.post(f"{cloud.url}/test/items/seat-12", json={"car": "7"}, headers=GOOD)
    read = httpx.get(f"{cloud.url}/test/items/seat-12", headers=GOOD)
    assert (stored.status_code, read.status_code) == (201, 200)
    item = read.json()["item"]
    assert (item["pk"], item["car"], item["owner"]) == ("item-seat-12", "7", "alice")
    table = cloud.client("dynamodb").get_item(
        TableName="fixture-test-items", Key={"pk": {"S": "item-seat-12"}, "version": {"N": "1"}}
    )
    assert table["Item"]["car"] == {"S": "7"}


def test_the_authorizer_context_reaches_the_function(cloud: RunningCloud) -> None:
    httpx.post(f"{cloud.url}/test/items/ctx", json={}, headers=GOOD)
    answer = httpx.get(f"{cloud.url}/test/items/ctx", headers=GOOD).json()
    assert answer["authorizer"] == {"user": "alice", "principalId": "user-1"}


def test_a_token_authorizer_refuses_a_bad_token_with_401_and_a_deny_with_403(cloud: RunningCloud) -> None:
    missing = httpx.get(f"{cloud.url}/test/items/1")
    bad = httpx.get(f"{cloud.url}/test/items/1", headers={"Authorization": "Bearer forged"})
    denied = httpx.get(f"{cloud.url}/test/items/1", headers={"Authorization": "Bearer banned"})
    assert (missing.status_code, bad.status_code, denied.status_code) == (401, 401, 403)


def test_a_request_authorizer_reads_its_identity_header(cloud: RunningCloud) -> None:
    allowed = httpx.get(f"{cloud.url}/test/keyed", headers={"X-Api-Key": "secret"})
    refused = httpx.get(f"{cloud.url}/test/keyed", headers={"X-Api-Key": "wrong"})
    absent = httpx.get(f"{cloud.url}/test/keyed")
    assert allowed.json()["authorizer"]["user"] == "key-holder"
    assert (refused.status_code, absent.status_code) == (403, 401)


def test_a_public_greedy_route_gets_path_query_and_body_unchanged(cloud: RunningCloud) -> None:
    answer = httpx.post(f"{cloud.url}/test/public/a/b?x=1&x=2", content=b"plain text")
    body = answer.json()
    assert answer.headers["x-fixture"] == "yes"
    assert (body["proxy"], body["query"], body["method"], body["raw_body"]) == (
        "a/b",
        {"x": "2"},
        "POST",
        "plain text",
    )
    assert body["greeting"] == "dzień dobry"  # an SSM parameter declared in the template
    assert body["request_id"]


def test_a_binary_body_arrives_base64_encoded(cloud: RunningCloud) -> None:
    body = httpx.post(f"{cloud.url}/test/public/upload", content=bytes([0xFF, 0x00, 0xFE])).json()
    assert (body["raw_body"], body["base64"]) == ("/wD+", True)


def test_cors_preflight_answers_what_the_template_declares(cloud: RunningCloud) -> None:
    answer = httpx.options(f"{cloud.url}/test/items/1")
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-methods"] == "GET,POST,OPTIONS"
    assert answer.headers["access-control-allow-origin"] == "*"


def test_an_undeclared_route_is_refused_like_api_gateway(cloud: RunningCloud) -> None:
    assert httpx.delete(f"{cloud.url}/test/items/1", headers=GOOD).status_code == 403


def test_health_reports_every_part(cloud: RunningCloud) -> None:
    health = httpx.get(f"{cloud.url}/health").json()
    assert health["status"] == "ok"
    assert "trainbook-ItemsFunction" in health["engine"]["functions"]
    assert health["engine"]["streams"]["ProjectorFunctionItemsStream"]["alive"]
    assert "GET /items/{id}" in health["rest_routes"]
