"""Each REST route of template.yaml goes to a function serving it; the public reads to the query function."""

from __future__ import annotations

import importlib
import os

import yaml
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tests.support.template_tables import TEMPLATE, _CfnLoader

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")

READS = {"GET /stations", "GET /discounts", "GET /runs/{run_id}", "GET /runs/{run_id}/seatmap", "GET /search"}


def routes_by_function() -> dict[str, tuple[str, set[str]]]:
    """Logical id -> (handler, {'METHOD /path'}) for every function with Api events."""
    resources = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)["Resources"]
    found: dict[str, tuple[str, set[str]]] = {}
    for logical_id, resource in resources.items():
        props = resource.get("Properties") or {}
        api = [e["Properties"] for e in props.get("Events", {}).values() if e["Type"] == "Api"]
        if api:
            found[logical_id] = (props["Handler"], {f"{p['Method'].upper()} {p['Path']}" for p in api})
    return found


def served(handler: str) -> set[str]:
    """'METHOD /path' of every route the resolver in the handler's module serves."""
    module = importlib.import_module(handler.rpartition(".")[0])
    resolver = next(v for v in vars(module).values() if isinstance(v, APIGatewayRestResolver))
    routes = resolver._static_routes + resolver._dynamic_routes
    return {f"{r.method} {r.openapi_path}" for r in routes}


def test_every_route_of_the_template_is_served_by_the_function_it_is_sent_to() -> None:
    for logical_id, (handler, routes) in routes_by_function().items():
        assert routes <= served(handler), (logical_id, sorted(routes - served(handler)))


def test_the_public_reads_go_to_the_query_function_and_only_they() -> None:
    functions = routes_by_function()

    assert functions["QueriesFunction"] == ("trainbook.api.queries.handler", READS)
    assert not READS & functions["ApiFunction"][1]
