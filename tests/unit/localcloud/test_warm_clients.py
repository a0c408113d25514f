"""Provisioning's clients, warmed while the engine starts, are made later without reading a model again."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.loaders import JSONFileLoader

from localcloud.provision import PROVISIONING_SERVICES, provisioning_session, warm_clients


def test_after_the_warm_up_every_provisioning_client_is_made_without_reading_a_model_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warm_clients("eu-west-3")

    def no_file(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a model file was read again: {args[1:]}")

    monkeypatch.setattr(JSONFileLoader, "load_file", no_file)
    session = provisioning_session("eu-west-3")
    for service in PROVISIONING_SERVICES:
        client = session.client(service, endpoint_url="http://127.0.0.1:9")  # type: ignore[call-overload]
        assert client.meta.service_model.service_name == service
        assert client.meta.region_name == "eu-west-3"


def test_one_session_serves_every_provisioning_of_a_region() -> None:
    assert provisioning_session("eu-west-3") is provisioning_session("eu-west-3")
    assert provisioning_session("eu-west-3") is not provisioning_session("eu-north-1")
