"""Lambda workers remember connection pools and user agents: the requests they send stay the same."""

from __future__ import annotations

import email.parser
import http.client
import io
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


@pytest.mark.parametrize(
    "block",
    [
        b"Server: Werkzeug\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n"
        b"x-amzn-RequestId: abc\r\nx-amz-crc32: 123\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n",
        b"Content-Length:   7  \r\nX-Empty:\r\n\r\n",  # spaces around a value, an empty value
        b"X-Folded: one\r\n two\r\nContent-Length: 0\r\n\r\n",  # a continuation line
        b"Bad Header: x\r\nContent-Length: 0\r\n\r\n",  # not a header name
        b"X-Bare-Lf: yes\nContent-Length: 0\n\n",  # LF line ends
        b"",  # the connection closed before any header
    ],
)
def test_an_answers_headers_read_as_the_standard_library_reads_them(lean: None, block: bytes) -> None:
    lean_calls.uninstall()
    expected = http.client.parse_headers(io.BytesIO(block))
    lean_calls.install()

    found = http.client.parse_headers(io.BytesIO(block))

    assert type(found) is type(expected)
    assert found.items() == expected.items()
    assert found.get_payload() == expected.get_payload()
    assert [type(d) for d in found.defects] == [type(d) for d in expected.defects]


def test_a_header_block_beyond_the_standard_librarys_limits_is_refused_alike(lean: None) -> None:
    too_long = b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n"
    with pytest.raises(http.client.LineTooLong):
        http.client.parse_headers(io.BytesIO(too_long))
    too_many = b"".join(b"X-%d: v\r\n" % n for n in range(120)) + b"\r\n"
    with pytest.raises(http.client.HTTPException, match="more than 100 headers"):
        http.client.parse_headers(io.BytesIO(too_many))


def test_plain_header_lines_skip_the_email_parser(lean: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> None:
        raise AssertionError("the email parser was used")

    monkeypatch.setattr(email.parser.Parser, "parsestr", refuse)
    found = http.client.parse_headers(
        io.BytesIO(b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n")
    )

    assert found["Content-Length"] == "2"
    with pytest.raises(AssertionError, match="email parser"):
        http.client.parse_headers(io.BytesIO(b"X-Folded: one\r\n two\r\n\r\n"))
