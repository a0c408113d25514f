"""The engine's HTTP server: werkzeug's threaded server with keep-alive and one write per response.

werkzeug's development server (what moto's server uses) closes every connection after one request
(`Connection: close`), so each request costs a TCP handshake, a new thread, a separate write of the
headers and of the body, and a 10 ms wait draining the socket after the answer. Under the booking bench
this was over half of the engine's samples. Here a connection serves requests until the client closes it
or stays idle for IDLE_SECONDS: the request body is read whole before the application runs (so the next
request starts right after it), and the answer goes out in one write with TCP_NODELAY, only after the
application returned (the journal wait of `JournalWsgi` included).

A plain HTTP/1.1 request's headers are read into the same `HTTPMessage` the standard library builds,
without its email parser (`parse_headers` feeds the block to `email.feedparser`: 3 % of the engine's CPU
under the booking bench). Anything else (another version, a folded or malformed header line) takes the
standard library's path unchanged.
"""

from __future__ import annotations

import email.parser
import http.client
import io
import logging
import re
import socket
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

log = logging.getLogger("localcloud.engine")

IDLE_SECONDS = 300.0  # an idle keep-alive connection is closed after this (its thread ends)
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive"}

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# A header line the email parser reads as `name: value` and nothing else: its `headerRE` for a field
# with a name, no continuation, and no character it would split a line at (`str.splitlines`) before the
# line's CRLF.
_PLAIN_HEADER = re.compile(rb"[\x21-\x39\x3b-\x7e]+:[^\r\n\x0b\x0c\x1c-\x1e\x85]*\r\n")


def header_message(
    lines: list[bytes], message_class: type[http.client.HTTPMessage]
) -> http.client.HTTPMessage:
    """The message `http.client.parse_headers` returns for these lines (read up to the blank one)."""
    if lines and lines[-1] == b"\r\n" and all(_PLAIN_HEADER.fullmatch(line) for line in lines[:-1]):
        message = message_class()
        for line in lines[:-1]:
            name, value = line.decode("iso-8859-1").split(":", 1)
            message.set_raw(name, value.lstrip(" \t").rstrip("\r\n"))  # email's compat32 policy
        message.set_payload("")  # the parser's empty body
        return message
    text = b"".join(lines).decode("iso-8859-1")
    parsed: http.client.HTTPMessage = email.parser.Parser(_class=message_class).parsestr(text)
    return parsed


class KeepAliveHandler(WSGIRequestHandler):
    """One connection's thread: reads a request, runs the app, writes the whole answer, repeats."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def parse_request(self) -> bool:
        """`BaseHTTPRequestHandler.parse_request` for `METHOD /path HTTP/1.1`, headers without email."""
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
        self.headers = header_message(lines, self.MessageClass)
        connection = self.headers.get("Connection", "").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive" and self.protocol_version >= "HTTP/1.1":
            self.close_connection = False
        expect = self.headers.get("Expect", "")
        if expect.lower() == "100-continue" and self.protocol_version >= "HTTP/1.1":
            return bool(self.handle_expect_100())
        return True

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


def engine_server(host: str, port: int, app: WsgiApp) -> BaseWSGIServer:
    return make_server(host, port, app, threaded=True, request_handler=KeepAliveHandler)
