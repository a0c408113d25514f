"""The engine's HTTP server: werkzeug's threaded server with keep-alive and one write per response.

werkzeug's development server (what moto's server uses) closes every connection after one request
(`Connection: close`), so each request costs a TCP handshake, a new thread, a separate write of the
headers and of the body, and a 10 ms wait draining the socket after the answer. Under the booking bench
this was over half of the engine's samples. Here a connection serves requests until the client closes it
or stays idle for IDLE_SECONDS: the request body is read whole before the application runs (so the next
request starts right after it), and the answer goes out in one write with TCP_NODELAY, only after the
application returned (the journal wait of `JournalWsgi` included).

A connection's socket has no timeout. With one, every `recv` and every `sendall` first polls the socket
(the standard library's `sock_call_ex`), releasing the GIL for the poll and taking it back before the
call itself: under 8 booking clients an answer waited for the GIL once more after it was ready and before
it was sent (the 90th percentile of engine-answer-to-client time was 4.5-5.3 ms with the timeout,
1.4-1.9 ms without; docs/benchmarks.md step 58). Idle connections are closed instead by
`IdleConnections`: a connection that waited IDLE_SECONDS for its next request is shut down, and a
request that arrives as it is shut down is never run (the client sees the connection close before any
answer, as with a timeout, and retries).

A plain HTTP/1.1 request's headers are read into the same `HTTPMessage` the standard library builds,
without its email parser (`parse_headers` feeds the block to `email.feedparser`: 3 % of the engine's CPU
under the booking bench). Anything else (another version, a folded or malformed header line) takes the
standard library's path unchanged. The WSGI environ of such a request is built from the same header
pairs (werkzeug's `make_environ` reads them back through the message's `items()`, which runs email's
header policy on each: 2 % of the engine's CPU), with the path's entries remembered per request target.
"""

from __future__ import annotations

import contextlib
import email.parser
import functools
import http.client
import io
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from werkzeug._internal import _wsgi_encoding_dance
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

log = logging.getLogger("localcloud.engine")

IDLE_SECONDS = 300.0  # an idle keep-alive connection is closed after this (its thread ends)
REAP_SECONDS = 10.0  # how often idle connections are looked for
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# A header line the email parser reads as `name: value` and nothing else: its `headerRE` for a field
# with a name, no continuation, and no character it would split a line at (`str.splitlines`) before the
# line's CRLF.
_PLAIN_HEADER = re.compile(rb"[\x21-\x39\x3b-\x7e]+:[^\r\n\x0b\x0c\x1c-\x1e\x85]*\r\n")


def plain_headers(lines: list[bytes]) -> list[tuple[str, str]] | None:
    """The (name, value) pairs of these header lines (read up to the blank one), if all are plain."""
    if not lines or lines[-1] != b"\r\n" or not all(_PLAIN_HEADER.fullmatch(line) for line in lines[:-1]):
        return None
    pairs = []
    for line in lines[:-1]:
        name, value = line.decode("iso-8859-1").split(":", 1)
        pairs.append((name, value.lstrip(" \t").rstrip("\r\n")))  # email's compat32 policy
    return pairs


def header_message(
    lines: list[bytes],
    message_class: type[http.client.HTTPMessage],
    pairs: list[tuple[str, str]] | None = None,
) -> http.client.HTTPMessage:
    """The message `http.client.parse_headers` returns for these lines (read up to the blank one).

    `pairs`: the lines' `plain_headers`, if already found."""
    if pairs is None:
        pairs = plain_headers(lines)
    if pairs is not None:
        message = message_class()
        for name, value in pairs:
            message.set_raw(name, value)
        message.set_payload("")  # the parser's empty body
        return message
    text = b"".join(lines).decode("iso-8859-1")
    parsed: http.client.HTTPMessage = email.parser.Parser(_class=message_class).parsestr(text)
    return parsed


@functools.lru_cache(maxsize=1024)
def path_entries(path: str) -> tuple[str, str, str] | None:
    """PATH_INFO, QUERY_STRING and REQUEST_URI (= RAW_URI) werkzeug's `make_environ` makes of a request
    target that is a path (None for an absolute URL or `//host` form: werkzeug's own path)."""
    request_url = urlsplit(path)
    if request_url.scheme or request_url.netloc:
        return None
    return (
        _wsgi_encoding_dance(unquote(request_url.path)),
        _wsgi_encoding_dance(request_url.query),
        _wsgi_encoding_dance(path),
    )


class IdleConnections:
    """The connections waiting for their next request, since when; `reap` shuts down the stale ones.

    A connection is either waiting (its thread blocked reading the next request) or serving. The two
    sides decide under one lock: a connection the reaper took out of the waiting ones is shut down and
    its next request, if one arrived meanwhile, is not served (`serving` answers False); a connection
    that began serving is not reaped."""

    def __init__(
        self, idle_seconds: float = IDLE_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: dict[socket.socket, float] = {}

    def waiting(self, connection: socket.socket) -> None:
        with self._lock:
            self._waiting[connection] = self._clock()

    def serving(self, connection: socket.socket) -> bool:
        """A request arrived on `connection`: False if it was reaped (the request must not run)."""
        with self._lock:
            return self._waiting.pop(connection, None) is not None

    def gone(self, connection: socket.socket) -> None:
        with self._lock:
            self._waiting.pop(connection, None)

    def reap(self) -> int:
        """Shut down the connections that waited `idle_seconds` or more; how many."""
        now = self._clock()
        with self._lock:
            stale = [c for c, since in self._waiting.items() if now - since >= self.idle_seconds]
            for connection in stale:
                del self._waiting[connection]
        for connection in stale:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)  # its thread's read ends: the connection closes
        return len(stale)


class KeepAliveHandler(WSGIRequestHandler):
    """One connection's thread: reads a request, runs the app, writes the whole answer, repeats."""

    protocol_version = "HTTP/1.1"
    timeout = None  # blocking socket: no poll before each read and write (idle: `IdleConnections`)
    plain_headers: list[tuple[str, str]] | None = None

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def idle(self) -> IdleConnections | None:
        """The server's idle connections (`engine_server`; None on a server made otherwise)."""
        idle: IdleConnections | None = getattr(self.server, "idle_connections", None)
        return idle

    def handle_one_request(self) -> None:
        if self.idle is not None:
            self.idle.waiting(self.connection)
        super().handle_one_request()

    def finish(self) -> None:
        if self.idle is not None:
            self.idle.gone(self.connection)
        super().finish()

    def parse_request(self) -> bool:
        """`BaseHTTPRequestHandler.parse_request` for `METHOD /path HTTP/1.1`, headers without email."""
        if self.idle is not None and not self.idle.serving(self.connection):
            self.close_connection = True  # reaped as the request arrived: closed without running it
            return False
        self.plain_headers = None  # this request's, once read (a kept connection serves many)
        requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
        words = requestline.split()
        if len(words) != 3 or words[2] != "HTTP/1.1" or words[1].startswith("//"):
            return bool(super().parse_request())
        self.request_version = "HTTP/1.1"
        self.requestline = requestline
        self.command, self.path = words[0], words[1]
        self.close_connection = self.protocol_version < "HTTP/1.1"
        try:
            lines = http.client._read_headers(self.rfile)  # type: ignore[attr-defined]
        except http.client.LineTooLong as error:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Line too long", str(error))
            return False
        except http.client.HTTPException as error:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many headers", str(error))
            return False
        self.plain_headers = plain_headers(lines)
        self.headers = header_message(lines, self.MessageClass, self.plain_headers)
        connection = self.headers.get("Connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive" and self.protocol_version >= "HTTP/1.1":
            self.close_connection = False
        expect = self.headers.get("Expect", "")
        if expect.lower() == "100-continue" and self.protocol_version >= "HTTP/1.1":
            return bool(self.handle_expect_100())
        return True

    def make_environ(self) -> dict[str, Any]:
        """werkzeug's `make_environ`, from the plain header pairs read (the message's `items()` runs
        email's header policy per header) and the request target's entries remembered per path."""
        pairs = self.plain_headers
        entries = path_entries(self.path) if pairs is not None else None
        if (
            entries is None
            or pairs is None
            or self.server.ssl_context is not None
            or not isinstance(self.client_address, tuple)
            or not self.client_address
            or any(name.lower() == "transfer-encoding" for name, _ in pairs)
        ):
            self.plain_headers = None
            environ: dict[str, Any] = super().make_environ()
            return environ
        path_info, query, uri = entries
        environ = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": self.rfile,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": self.server.multithread,
            "wsgi.multiprocess": self.server.multiprocess,
            "wsgi.run_once": False,
            "werkzeug.socket": self.connection,
            "SERVER_SOFTWARE": self.server_version,
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": path_info,
            "QUERY_STRING": query,
            "REQUEST_URI": uri,
            "RAW_URI": uri,
            "REMOTE_ADDR": self.address_string(),
            "REMOTE_PORT": self.port_integer(),
            "SERVER_NAME": self.server.server_address[0],
            "SERVER_PORT": str(self.server.server_address[1]),
            "SERVER_PROTOCOL": self.request_version,
        }
        for name, value in pairs:
            if "_" in name:
                continue
            key = name.upper().replace("-", "_")
            value = value.replace("\r\n", "")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = f"HTTP_{key}"
                if key in environ:
                    value = f"{environ[key]},{value}"
            environ[key] = value
        return environ

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Nothing per request (werkzeug's access log is off in the engine anyway)."""

    def run_wsgi(self) -> None:
        if self.headers.get("Expect", "").lower().strip() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        environ = self.make_environ()
        # The whole body now: the next request on this connection begins right after it.
        if environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read()  # chunked: werkzeug's DechunkedInput
            del environ["wsgi.input_terminated"]
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        else:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = io.BytesIO(body)
        status, headers, content = self._call(environ)
        head = [f"HTTP/1.1 {status}\r\n"]
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                head.append(f"{name}: {value}\r\n")
        head.append(f"Content-Length: {len(content)}\r\n")
        if self.close_connection:
            head.append("Connection: close\r\n")
        head.append("\r\n")
        payload = "".join(head).encode("latin-1")
        if self.command != "HEAD":
            payload += content
        self.wfile.write(payload)

    def _call(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        started: list[Any] = []
        written: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return written.append

        app: WsgiApp = self.server.app
        try:
            result = app(environ, start_response)
            try:
                written.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception:
            method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
            log.exception("engine request %s %s failed", method, path)
            self.close_connection = True
            return "500 Internal Server Error", [("Content-Type", "text/plain")], b"Internal Server Error"
        if not started:
            self.close_connection = True
            return "500 Internal Server Error", [("Content-Type", "text/plain")], b"no response"
        return started[0], started[1], b"".join(written)


def engine_server(host: str, port: int, app: WsgiApp, idle: IdleConnections | None = None) -> BaseWSGIServer:
    """The threaded keep-alive server, and a thread that closes its idle connections until it closes."""
    server = make_server(host, port, app, threaded=True, request_handler=KeepAliveHandler)
    connections = idle or IdleConnections()
    closed = threading.Event()
    server.idle_connections = connections  # type: ignore[attr-defined]  # read by its handlers
    close = server.server_close

    def server_close() -> None:
        closed.set()
        close()

    def reap() -> None:
        while not closed.wait(min(REAP_SECONDS, connections.idle_seconds)):
            connections.reap()

    server.server_close = server_close  # type: ignore[method-assign]
    threading.Thread(target=reap, name="idle-connections", daemon=True).start()
    return server
