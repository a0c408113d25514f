"""The query function answers the public reads exactly as the API function does, errors included."""

from __future__ import annotations

import copy
import io
import json
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from timetable_file import location, reading
from trainbook.api import app as api
from trainbook.api import queries
from trainbook.catalog.runs import TrainRuns, today_in_poland
from trainbook.eventstore.store import EventStore
from trainbook.projections.search_index import SearchIndexProjection
from trainbook.projections.seat_map import SeatMapProjection

pytestmark = pytest.mark.usefixtures("aws")

EVENTS = Path(__file__).resolve().parents[3] / "events"


class Context:
    function_name = "queries"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:queries"
    aws_request_id = "test"


def get(
    resource: str, path: str, query: dict[str, str], params: dict[str, str] | None = None
) -> dict[str, Any]:
    """A GET as API Gateway sends it (the shape of events/api-search.json)."""
    event: dict[str, Any] = copy.deepcopy(json.loads((EVENTS / "api-search.json").read_text()))
    event.update(
        resource=resource,
        path=path,
        queryStringParameters=query or None,
        multiValueQueryStringParameters={k: [v] for k, v in query.items()} or None,
        pathParameters=params,
    )
    event["requestContext"].update(resourcePath=resource, path=f"/api{path}")
    return event


def both(event: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    by_queries = queries.handler(copy.deepcopy(event), Context())
    by_api = api.handler(copy.deepcopy(event), Context())
    return by_queries, by_api


def published_tomorrow() -> date:
    """Tomorrow's runs of the shipped timetable on sale, in the search index and the seat maps."""
    day = today_in_poland() + timedelta(days=1)
    store = EventStore()
    TrainRuns(store).publish(reading.read(location.shipped_timetable_path()), [day])
    search, seat_map = SearchIndexProjection(SeatMapProjection()), SeatMapProjection()
    for recorded in store.all_events():
        search.apply(recorded)
        seat_map.apply(recorded)
    return day


def pages_of(day: date, run_id: str) -> list[dict[str, Any]]:
    """A passenger's views of one journey: the search, the run's page, its seat map."""
    return [
        get("/search", "/search", {"from": "WAW", "to": "KRK", "date": day.isoformat()}),
        get("/runs/{run_id}", f"/runs/{run_id}", {}, {"run_id": run_id}),
        get(
            "/runs/{run_id}/seatmap",
            f"/runs/{run_id}/seatmap",
            {"from": "WAW", "to": "KRK"},
            {"run_id": run_id},
        ),
    ]


def test_every_public_read_answers_the_same_from_the_query_function_as_from_the_api() -> None:
    day = published_tomorrow()
    found, _ = both(get("/search", "/search", {"from": "WAW", "to": "KRK", "date": day.isoformat()}))
    run_id = json.loads(found["body"])["departures"][0]["run_id"]
    requests = [
        get("/stations", "/stations", {}),
        get("/discounts", "/discounts", {}),
        *pages_of(day, run_id),
        # Refusals: an unknown station, a day outside the sales window, a missing parameter, an unknown run.
        get("/search", "/search", {"from": "XXX", "to": "KRK", "date": day.isoformat()}),
        get(
            "/search",
            "/search",
            {"from": "WAW", "to": "KRK", "date": (day + timedelta(days=400)).isoformat()},
        ),
        get("/search", "/search", {"from": "WAW", "date": day.isoformat()}),
        get("/runs/{run_id}", "/runs/nope", {}, {"run_id": "nope"}),
    ]

    answers = [both(request) for request in requests]

    assert [a["statusCode"] for a, _ in answers] == [200, 200, 200, 200, 200, 404, 400, 400, 404]
    for by_queries, by_api in answers:
        assert by_queries["statusCode"] == by_api["statusCode"]
        assert json.loads(by_queries["body"]) == json.loads(by_api["body"])
        assert by_queries["multiValueHeaders"] == by_api["multiValueHeaders"]
    for by_queries, _ in answers[5:]:
        assert set(json.loads(by_queries["body"])["error"]) == {"code", "message"}


def test_a_search_logs_one_line_for_the_counter_and_writes_nothing() -> None:
    from trainbook.analytics.store import SearchCount

    day = today_in_poland() + timedelta(days=1)
    logged = io.StringIO()
    handler = queries.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    kept = handler.setStream(logged)
    try:
        searched = queries.handler(
            get("/search", "/search", {"from": "WAW", "to": "KRK", "date": str(day)}), Context()
        )
        refused = queries.handler(
            get("/search", "/search", {"from": "XXX", "to": "KRK", "date": str(day)}), Context()
        )
    finally:
        handler.setStream(kept)

    assert (searched["statusCode"], refused["statusCode"]) == (200, 404)
    lines = [json.loads(text) for text in logged.getvalue().splitlines()]
    # What the subscription filter `{ $.message = "search" }` matches and the counter reads: once, for the
    # search answered; the refused one is not a search.
    found = [line for line in lines if line.get("message") == "search"]
    assert [(line["route"], line["counted_on"]) for line in found] == [
        ("WAW-KRK", today_in_poland().isoformat())
    ]
    assert found[0]["service"] == "queries"
    assert list(SearchCount.scan()) == []


def test_the_public_reads_read_eventually_consistently_so_any_replica_may_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A search, a run's page and a seat map are views: DynamoDB may answer their reads from any replica of
    the partition, at half the read units. The commands' reads stay consistent (their own tests)."""
    from botocore.client import BaseClient

    day = published_tomorrow()
    found = queries.handler(
        get("/search", "/search", {"from": "WAW", "to": "KRK", "date": str(day)}), Context()
    )
    run_id = json.loads(found["body"])["departures"][0]["run_id"]
    reads: list[tuple[str, dict[str, Any]]] = []
    make_call = BaseClient._make_api_call

    def recorded_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if operation in {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}:
            reads.append((operation, params))
        return make_call(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded_call)
    pages = pages_of(day, run_id)

    assert [queries.handler(page, Context())["statusCode"] for page in pages] == [200, 200, 200]
    assert {operation for operation, _ in reads} >= {"Query", "BatchGetItem"}
    consistent = [
        (operation, params)
        for operation, params in reads
        if operation == "TransactGetItems"
        or params.get("ConsistentRead")
        or any(table.get("ConsistentRead") for table in params.get("RequestItems", {}).values())
    ]
    assert consistent == []
