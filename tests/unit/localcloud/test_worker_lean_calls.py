"""Lambda workers remember connection pools and user agents: the requests they send stay the same."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.context import start_as_current_context
from botocore.useragent import register_feature_id
from urllib3.poolmanager import PoolManager

from localcloud.runtime import lean_calls


@pytest.fixture
def lean() -> Iterator[None]:
    lean_calls.install()
    try:
        yield
    finally:
        lean_calls.uninstall()


def user_agent_of(client: Any) -> str:
    return str(client._user_agent_creator.to_string())


def test_a_manager_hands_out_its_pool_per_origin_until_it_closes_it(lean: None) -> None:
    manager = PoolManager(num_pools=2)
    first = manager.connection_from_url("http://127.0.0.1:4566/")
    assert manager.connection_from_url("http://127.0.0.1:4566/@connections/abc") is first
    other = manager.connection_from_url("http://127.0.0.1:4567/")
    assert other is not first and (other.host, other.port) == ("127.0.0.1", 4567)

    manager.clear()  # closes every pool it holds
    again = manager.connection_from_url("http://127.0.0.1:4566/")
    assert again is not first and again.pool is not None


def test_the_user_agent_is_the_one_botocore_builds_with_the_features_in_effect(lean: None) -> None:
    client = boto3.client("dynamodb", region_name="eu-central-1", endpoint_url="http://127.0.0.1:9")
    lean_calls.uninstall()
    plain = user_agent_of(client)
    with start_as_current_context():
        register_feature_id("PAGINATOR")
        plain_with_feature = user_agent_of(client)
    lean_calls.install()

    assert user_agent_of(client) == plain
    assert user_agent_of(client) == plain
    with start_as_current_context():
        register_feature_id("PAGINATOR")
        assert user_agent_of(client) == plain_with_feature
    assert plain_with_feature != plain
