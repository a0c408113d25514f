"""API Gateway's own answers as a REST API's GatewayResponses declare them, with API Gateway's fallbacks."""

from __future__ import annotations

import json

from localcloud.gateway.gateway_responses import gateway_response, read_gateway_responses

DEFAULT_4XX = '{"error": {"code": "bad_request", "message": $context.error.messageString}}'
BODY = {
    "x-amazon-apigateway-gateway-responses": {
        "UNAUTHORIZED": {
            "statusCode": "401",
            "responseTemplates": {
                "application/json": '{"error": {"code": "unauthenticated", "message": "sign in"}}'
            },
            "responseParameters": {"gatewayresponse.header.WWW-Authenticate": "'Bearer'"},
        },
        "MISSING_AUTHENTICATION_TOKEN": {
            "statusCode": "404",
            "responseTemplates": {
                "application/json": '{"error": {"code": "no_such_route", "message": "no"}}'
            },
        },
        "DEFAULT_4XX": {"responseTemplates": {"application/json": DEFAULT_4XX}},
    }
}


def test_a_declared_response_sets_status_body_and_headers() -> None:
    answer = gateway_response(read_gateway_responses(BODY), "UNAUTHORIZED")

    assert answer.status_code == 401
    assert json.loads(answer.body) == {"error": {"code": "unauthenticated", "message": "sign in"}}
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_a_declared_status_overrides_api_gateways_own() -> None:
    answer = gateway_response(read_gateway_responses(BODY), "MISSING_AUTHENTICATION_TOKEN")

    assert answer.status_code == 404 and json.loads(answer.body)["error"]["code"] == "no_such_route"


def test_an_undeclared_4xx_falls_back_to_default_4xx_with_the_message_quoted() -> None:
    answer = gateway_response(read_gateway_responses(BODY), "REQUEST_TOO_LARGE")

    assert answer.status_code == 413
    assert json.loads(answer.body) == {"error": {"code": "bad_request", "message": "Request Too Long"}}


def test_without_any_declaration_api_gateways_own_body_is_answered() -> None:
    answer = gateway_response({}, "ACCESS_DENIED")

    assert answer.status_code == 403
    assert json.loads(answer.body) == {
        "message": "User is not authorized to access this resource with an explicit deny"
    }
