"""Lambda workers remember connection pools and user agents and send plain calls on kept sockets: the
requests they send and the answers they read stay the same."""

from __future__ import annotations

import email.parser
import http.client
import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.context import start_as_current_context
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError
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


ANSWER = b'{"Item":{"pk":{"S":"a"},"n":{"N":"1"}}}'


class RawServer:
    """A loopback HTTP/1.1 server that records each request's bytes and each connection it accepts."""

    def __init__(self, answer: bool = True, close_after_answer: bool = False) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[bytes] = []
        self.connections = 0
        self.answer, self.close_after_answer = answer, close_after_answer
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._talk, args=(conn,), daemon=True).start()

    def _talk(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        with conn, reader:
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
                self.requests.append(head + reader.read(length))
                if not self.answer:
                    time.sleep(2)
                    return
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                    b"x-amzn-RequestId: r1\r\nX-Twice: a\r\nX-Twice: b\r\n"
                    + b"Content-Length: %d\r\n\r\n" % len(ANSWER)
                    + ANSWER
                )
                if self.close_after_answer:
                    return

    def close(self) -> None:
        self.listener.close()


def dynamodb(url: str, **config: Any) -> Any:
    return boto3.client(
        "dynamodb",
        region_name="eu-central-1",
        endpoint_url=url,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(**config),
    )


def get_item(client: Any) -> dict[str, Any]:
    answer: dict[str, Any] = client.get_item(TableName="t", Key={"pk": {"S": "a"}}, ConsistentRead=True)
    return answer


def parts(request: bytes) -> tuple[bytes, list[bytes], dict[bytes, bytes], bytes]:
    """Request line, header names in order, values of the headers that do not change per call, body."""
    head, _, body = request.partition(b"\r\n\r\n")
    line, *fields = head.split(b"\r\n")
    pairs = [field.split(b": ", 1) for field in fields]
    changing = {b"X-Amz-Date", b"amz-sdk-invocation-id", b"Authorization"}
    return line, [n for n, _ in pairs], {n: v for n, v in pairs if n not in changing}, body


def test_a_plain_call_sends_the_bytes_urllib3_sends_and_reads_the_same_answer(lean: None) -> None:
    server = RawServer()
    try:
        lean_calls.uninstall()
        through_urllib3 = get_item(dynamodb(server.url))
        lean_calls.install()
        kept = dynamodb(server.url)
        lean_answers = [get_item(kept) for _ in range(3)]
    finally:
        server.close()

    first, *lean_requests = server.requests
    assert all(parts(request) == parts(first) for request in lean_requests)
    assert [{**a, "ResponseMetadata": {}} for a in lean_answers] == [
        {**through_urllib3, "ResponseMetadata": {}}
    ] * 3
    metadata = lean_answers[0]["ResponseMetadata"]
    assert metadata["HTTPHeaders"] == through_urllib3["ResponseMetadata"]["HTTPHeaders"]
    assert metadata["HTTPHeaders"]["x-twice"] == "a, b"
    assert server.connections == 2  # one for urllib3's call, one kept for the three after it


def test_a_socket_the_server_closed_is_not_reused(lean: None) -> None:
    server = RawServer(close_after_answer=True)
    client = dynamodb(server.url, retries={"max_attempts": 1})
    try:
        answers = [get_item(client) for _ in range(3)]
    finally:
        server.close()

    assert [a["Item"] for a in answers] == [{"pk": {"S": "a"}, "n": {"N": "1"}}] * 3
    assert server.connections == 3


def test_failures_are_botocores_exceptions_for_the_same_causes(lean: None) -> None:
    refused = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{refused.getsockname()[1]}"
    refused.close()
    with pytest.raises(EndpointConnectionError):
        get_item(dynamodb(url, retries={"max_attempts": 1}))

    silent = RawServer(answer=False)
    try:
        with pytest.raises(ReadTimeoutError):
            get_item(dynamodb(silent.url, read_timeout=0.3, retries={"max_attempts": 1}))
    finally:
        silent.close()
