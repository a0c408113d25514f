"""The engine's HTTP server keeps connections open, answers in one piece, and routes and counts by kind."""

from __future__ import annotations

import email.parser
import http.client
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from localcloud.http_server import IdleConnections, KeepAliveHandler, engine_server, header_message
from localcloud.routing import route_key
from localcloud.stats import Stats, request_kind, signed_scope

SIGNED = "AWS4-HMAC-SHA256 Credential=local/20250101/eu-central-1/{service}/aws4_request, SignedHeaders=host"


def echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/boom":
        raise RuntimeError("the application failed")
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Connection", "close")])
    return [environ["PATH_INFO"].encode(), b":", body]


def _serve(app: Callable[..., Iterable[bytes]], idle: IdleConnections | None = None) -> tuple[Any, int]:
    """An engine server running `app` on a free port, serving on a thread of its own; and that port."""
    running = engine_server("127.0.0.1", 0, app, idle)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    return running, running.server_address[1]


def _stop(running: Any) -> None:
    running.shutdown()
    running.server_close()


@pytest.fixture
def server() -> Iterator[int]:
    running, port = _serve(echo)
    yield port
    _stop(running)


def test_one_connection_serves_many_requests_with_their_bodies(server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    answers = []
    for number in range(3):
        connection.request("POST", f"/call{number}", body=f"body {number}".encode())
        response = connection.getresponse()
        answers.append((response.status, response.read(), response.getheader("Content-Length")))
        socket_used = connection.sock
        assert socket_used is not None  # still open: the server did not close it
    assert answers == [(200, f"/call{n}:body {n}".encode(), str(len(f"/call{n}:body {n}"))) for n in range(3)]


def test_a_failing_application_gets_a_500_and_the_connection_closes(server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.request("GET", "/boom")
    response = connection.getresponse()
    assert (response.status, response.getheader("Connection")) == (500, "close")


def test_signed_requests_are_routed_by_service_region_and_target() -> None:
    def environ(service: str, target: str = "", path: str = "/") -> dict[str, Any]:
        return {
            "PATH_INFO": path,
            "HTTP_AUTHORIZATION": SIGNED.format(service=service),
            "HTTP_X_AMZ_TARGET": target,
        }

    assert route_key(environ("dynamodb", "DynamoDB_20120810.PutItem")) == (
        "dynamodb",
        "eu-central-1",
        "DynamoDB_20120810",
    )
    assert (
        route_key(environ("dynamodb", "DynamoDBStreams_20120810.GetRecords"))[2] == "DynamoDBStreams_20120810"
    )  # type: ignore[index]
    assert route_key(environ("lambda", path="/2015-03-31/functions/f/invocations")) == (
        "lambda",
        "eu-central-1",
        "",
    )
    assert route_key(environ("s3", path="/bucket")) is None  # S3 routing depends on more: moto decides
    assert route_key(environ("execute-api", path="/@connections/abc")) is None
    assert route_key({"PATH_INFO": "/", "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem"}) is None  # unsigned


def test_the_signed_region_and_service_come_from_the_credential_scope_alone() -> None:
    signed = {"HTTP_AUTHORIZATION": SIGNED.format(service="states")}
    assert signed_scope(signed) == ("eu-central-1", "states")
    assert signed_scope({}) == ("", "")
    truncated = {"HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=local/eu-central-1, X=y"}
    assert signed_scope(truncated) == ("", "")
    assert signed_scope({"HTTP_AUTHORIZATION": "Bearer token"}) == ("", "")


def test_requests_are_counted_by_service_and_action() -> None:
    signed = {"HTTP_AUTHORIZATION": SIGNED.format(service="dynamodb")}
    assert request_kind({**signed, "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.TransactWriteItems"}) == (
        "dynamodb:TransactWriteItems"
    )
    lambda_call = {
        "HTTP_AUTHORIZATION": SIGNED.format(service="lambda"),
        "PATH_INFO": "/2015-03-31/functions/trainbook-dev-api/invocations",
    }
    assert request_kind(lambda_call) == "lambda:Invoke"
    query = {"HTTP_AUTHORIZATION": SIGNED.format(service="sqs"), "QUERY_STRING": "Action=SendMessage&x=1"}
    assert request_kind(query) == "sqs:SendMessage"

    stats = Stats()
    stats.count("dynamodb:PutItem")
    stats.count_many({"dynamodb:PutItem": 2, "journal:bytes": 100})
    stats.invoked("f", 256, 12.5, cold=True)
    stats.invoked("f", 256, 7.5, cold=False)
    assert stats.snapshot(reset=True) == {
        "counts": {"dynamodb:PutItem": 3, "journal:bytes": 100},
        "functions": {"f": {"invocations": 2, "duration_ms": 20.0, "cold_starts": 1, "memory_mb": 256}},
    }
    assert stats.snapshot() == {"counts": {}, "functions": {}}


HEADER_BLOCKS = [
    b"Host: 127.0.0.1:4566\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nContent-Length: 12\r\n\r\n",
    b"Authorization: AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=0\r\n\r\n",
    b"A:no space\r\nB:   \t padded \t \r\nEmpty:\r\nDup: 1\r\nDup: 2\r\n\r\n",
    b"Folded: first\r\n  second\r\nNext: x\r\n\r\n",  # continuation: the email parser's path
    b"  leading continuation\r\nA: b\r\n\r\n",
    b": no name\r\nA: b\r\n\r\n",
    b"From someone\r\nA: b\r\n\r\n",
    b"Bad Name: x\r\nA: b\r\n\r\n",
    b"Lf-Only: x\nA: b\n\n",
    b"Stray: a\rb\r\nVt: a\x0bb\r\nNel: a\x85b\r\nLatin: caf\xe9\r\n\r\n",
    b"No-Blank-Line: x\r\n",
    b"\r\n",
]


@pytest.mark.parametrize("block", HEADER_BLOCKS)
def test_headers_are_read_into_the_message_the_standard_library_builds(block: bytes) -> None:
    lines = block.splitlines(keepends=True)
    expected = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(block.decode("iso-8859-1"))
    found = header_message(lines, http.client.HTTPMessage)
    assert type(found) is type(expected)
    assert {k: repr(v) for k, v in vars(found).items()} == {k: repr(v) for k, v in vars(expected).items()}
    assert found.items() == expected.items()


def test_a_request_with_folded_headers_is_served_as_the_standard_library_reads_it(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=10) as raw:
        raw.sendall(b"POST /folded HTTP/1.1\r\nHost: x\r\nX-Note: a\r\n b\r\nContent-Length: 2\r\n\r\nhi")
        raw.sendall(b"POST /plain HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nbye")
        raw.sendall(b"GET //double HTTP/1.0\r\n\r\n")
        answers = b""
        while answers.count(b"HTTP/1.1 200") < 3:
            chunk = raw.recv(65536)
            if not chunk:
                break
            answers += chunk
    assert b"/folded:hi" in answers and b"/plain:bye" in answers and b"/double:" in answers


REQUESTS = [
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1:4566\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"
    b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}",
    b"GET /a%20b/c%2Fd?x=1&y=%20 HTTP/1.1\r\nHost: h\r\nDup: 1\r\nDup: 2\r\nUnder_Score: dropped\r\n\r\n",
    b"GET /caf%C3%A9?q=%C3%A9 HTTP/1.1\r\nHost: h\r\nLatin: caf\xe9\r\nEmpty:\r\n\r\n",
    b"GET /folded HTTP/1.1\r\nHost: h\r\nX-Note: a\r\n b\r\n\r\n",  # the email parser's path
    b"GET http://other:81/abs?z=1 HTTP/1.1\r\nHost: h\r\n\r\n",  # an absolute target: werkzeug's
    b"POST /chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
    b"GET /old HTTP/1.0\r\nHost: h\r\n\r\n",
]
_VOLATILE = {"wsgi.input", "werkzeug.socket", "REMOTE_PORT"}


class ComparingHandler(KeepAliveHandler):
    """Records the environ this server builds beside the one werkzeug's own `make_environ` builds."""

    seen: ClassVar[list[tuple[dict[str, Any], dict[str, Any], bool]]] = []

    def run_wsgi(self) -> None:
        plain = self.plain_headers is not None
        werkzeugs = WSGIRequestHandler.make_environ(self)
        ours = self.make_environ()
        self.seen.append((ours, werkzeugs, plain))
        super().run_wsgi()


def test_environs_are_the_ones_werkzeug_builds_for_every_request() -> None:
    running = make_server("127.0.0.1", 0, echo, threaded=True, request_handler=ComparingHandler)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    try:
        for request in REQUESTS:
            with socket.create_connection(("127.0.0.1", running.server_address[1]), timeout=10) as raw:
                raw.sendall(request + b"GET /next HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                while raw.recv(65536):
                    pass
    finally:
        running.shutdown()
        running.server_close()
    seen = ComparingHandler.seen
    assert len(seen) >= 2 * len(REQUESTS) - 1  # HTTP/1.0 closes after its one request
    for ours, werkzeugs, _ in seen:
        assert {k: v for k, v in ours.items() if k not in _VOLATILE} == {
            k: v for k, v in werkzeugs.items() if k not in _VOLATILE
        }
        assert list(ours) == list(werkzeugs)
    assert sum(plain for _, _, plain in seen) == len(seen) - 2  # all but the folded and HTTP/1.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_connections_have_blocking_sockets_without_a_poll_before_each_read_and_write() -> None:
    timeouts: list[float | None] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        timeouts.append(environ["werkzeug.socket"].gettimeout())
        start_response("200 OK", [])
        return [b"ok"]

    running, port = _serve(app, IdleConnections())
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().read() == b"ok"
    finally:
        _stop(running)
    assert timeouts == [None]


def test_a_connection_idle_for_the_idle_time_is_closed_and_a_busy_one_is_not() -> None:
    clock = Clock()
    idle = IdleConnections(idle_seconds=300, clock=clock)
    serving, release = threading.Event(), threading.Event()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/slow":
            serving.set()
            assert release.wait(10)
        start_response("200 OK", [])
        return [b"done"]

    running, port = _serve(app, idle)
    try:
        waiting = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        waiting.request("GET", "/")
        assert waiting.getresponse().read() == b"done"
        busy = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        busy.request("GET", "/slow")
        assert serving.wait(10)
        clock.now += 299
        assert idle.reap() == 0  # not idle long enough
        clock.now += 1
        assert idle.reap() == 1  # the waiting one, not the one serving its request
        release.set()
        assert busy.getresponse().read() == b"done"
        assert waiting.sock is not None
        assert waiting.sock.recv(1) == b""  # the server closed it
        busy.request("GET", "/")  # the busy one waits for its next request again, open
        assert busy.getresponse().read() == b"done"
    finally:
        release.set()
        _stop(running)


def test_a_request_arriving_as_its_connection_is_reaped_is_not_run() -> None:
    clock = Clock()
    idle = IdleConnections(idle_seconds=300, clock=clock)
    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        idle.waiting(server_side)
        clock.now += 300
        assert idle.reap() == 1
        assert not idle.serving(server_side)  # its handler closes it instead of running the request
        assert client_side.recv(1) == b""
    other, _ = socket.socketpair()
    with other, _:
        idle.waiting(other)
        assert idle.serving(other)  # serving first: the reaper no longer sees it
        clock.now += 1000
        assert idle.reap() == 0
