"""How `trainbook up` serves the web app beside the API: real URLs, cache headers, API paths kept apart."""

from __future__ import annotations

import re

import httpx
from starlette.testclient import TestClient

from localcloud.gateway.app import build_app
from localcloud.gateway.config import GatewayConfig
from tests.e2e.webapp.conftest import WebApp


def test_a_client_route_gets_the_app_revalidated_and_its_assets_cached_for_a_year(webapp: WebApp) -> None:
    page = httpx.get(f"{webapp.url}/search?from=GDG&to=KRK&date=2026-12-02&passengers=2&class=2")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"
    asset = re.search(r'src="(/assets/[^"]+\.js)"', page.text)
    assert asset, page.text

    script = httpx.get(f"{webapp.url}{asset.group(1)}")
    assert script.status_code == 200
    assert "immutable" in script.headers["cache-control"]
    assert "max-age=31536000" in script.headers["cache-control"]

    for route in ("/runs/run-1?from=GDG&to=KRK", "/bookings/abc", "/admin/sales", "/"):
        assert httpx.get(f"{webapp.url}{route}").text == page.text


def test_a_missing_asset_is_a_404_not_the_app(webapp: WebApp) -> None:
    answer = httpx.get(f"{webapp.url}/assets/index-0000000.js")
    assert answer.status_code == 404
    assert "<html" not in answer.text


def test_paths_under_the_api_stage_are_the_apis_even_when_no_route_matches(webapp: WebApp) -> None:
    assert webapp.http.get("/stations").status_code == 200
    missing = httpx.get(f"{webapp.url}/api/no-such-route")
    assert missing.status_code == 404  # the template's GatewayResponses for an undeclared route
    assert missing.json()["error"]["code"] == "no_such_route"


def test_without_a_build_every_app_path_says_how_to_build_it_and_the_api_is_untouched() -> None:
    app = build_app(GatewayConfig(rest_stages={"api"}), "http://127.0.0.1:9", None, {})
    client = TestClient(app)
    page = client.get("/search?from=GDG")
    assert page.status_code == 503
    assert "npm run build" in page.text and "make up" in page.text
    assert "<html" not in client.get("/api/stations").text  # the API's answer for an undeclared route
