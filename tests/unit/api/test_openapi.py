"""The OpenAPI document says what the API really answers: success codes, errors, which routes are public."""

from __future__ import annotations

import json
import os

import yaml

from tests.support.template_tables import TEMPLATE, _CfnLoader

os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")

from trainbook.api.app import app
from trainbook.api.openapi import PUBLIC_OPERATIONS, complete


def document() -> dict[str, object]:
    return complete(json.loads(app.get_openapi_json_schema(title="Trainbook API")))


def template_routes() -> dict[str, bool]:
    """'METHOD /path' -> public, for every Api event of template.yaml."""
    resources = yaml.load(TEMPLATE.read_text(), Loader=_CfnLoader)["Resources"]
    routes: dict[str, bool] = {}
    for resource in resources.values():
        for event in (resource.get("Properties") or {}).get("Events", {}).values():
            if event["Type"] == "Api":
                props = event["Properties"]
                public = (props.get("Auth") or {}).get("Authorizer") == "NONE"
                routes[f"{props['Method'].upper()} {props['Path']}"] = public
    return routes


def test_the_public_routes_of_the_document_are_the_templates() -> None:
    routes = template_routes()
    documented = {
        f"{method.upper()} {path}"
        for path, operations in document()["paths"].items()  # type: ignore[attr-defined]
        for method in operations
    }

    assert documented <= set(routes), sorted(documented - set(routes))
    assert {r for r, public in routes.items() if public and r in documented} == PUBLIC_OPERATIONS & documented


def test_commands_document_202_and_every_route_its_errors_in_the_one_shape() -> None:
    paths = document()["paths"]

    assert "202" in paths["/bookings"]["post"]["responses"]  # type: ignore[index]
    assert "202" in paths["/bookings/{booking_id}"]["delete"]["responses"]  # type: ignore[index]
    for path, operations in paths.items():  # type: ignore[attr-defined]
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "422" not in responses, (method, path)
            errors = {code: r for code, r in responses.items() if code >= "400"}
            assert "500" in errors, (method, path)
            if f"{method.upper()} {path}" not in PUBLIC_OPERATIONS:
                assert "401" in errors and operation["security"] == [{"bearer": []}], (method, path)
            for answer in errors.values():
                assert answer["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"
                }
