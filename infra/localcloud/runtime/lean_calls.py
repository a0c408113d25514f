"""Lambda workers' boto3 calls without work whose answer never changes within a worker: the same requests.

Two steps of every call were recomputed from inputs that are the same call after call (measured under
the booking bench, 8 clients, py-spy on the workers):
- urllib3's `PoolManager.connection_from_url` parsed the endpoint's URL and built a pool key to find
  the same connection pool each time (4 % of the workers' CPU). Here a manager remembers its pool per URL
  origin (scheme, host and port as written) and asks urllib3 again once the manager no longer holds that
  pool (dropped to make room, or cleared).
- botocore's `UserAgentString.to_string` joined and sanitized the feature list (`m/...`) twice per call
  (3 %). Here the string is remembered per client by the request-independent parts botocore already
  caches and the set of features in effect: the header is the string botocore would build.
- `http.client.parse_headers` fed every answer's header block to the email parser (5 % of the workers'
  CPU, the engine answering about 85 calls a booking). Here plain `name: value` lines go straight into
  the same `HTTPMessage`, as the engine reads its requests' headers (`http_server.header_message`);
  anything else (a folded or malformed line) takes the standard library's path unchanged.
- botocore's `URLLib3Session.send` went through urllib3's pool, `urlopen` (retry and timeout objects, a
  header copy), its response object and header dict, then botocore's own response wrapper: 28 % of the
  workers' CPU went to the HTTP exchange, about half of it in those layers, not in the socket or the
  status and header parsing. Here a plain `http://` request whose answer is read whole (every JSON call;
  not streamed output, not chunked or `Expect` uploads, not through a proxy, not with a per-request
  timeout: those take urllib3's path unchanged) is written as urllib3 would write it (request line,
  `Host`, `Accept-Encoding: identity`, botocore's headers, the body) in one send on a kept-alive socket
  of the session (a socket the engine closed meanwhile is noticed before reuse, as urllib3 checks),
  read with the standard library's `HTTPResponse`, and handed to botocore as the same `AWSResponse`.
  Its failures are botocore's own exceptions for the same causes (connection refused, timeouts, a
  closed connection), so botocore's retries decide as before; the session's timeouts and socket options
  apply.
Everything else (serialization, endpoint rules, retries, event hooks) runs as on AWS.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any, BinaryIO

from botocore.awsrequest import AWSResponse
from botocore.context import get_context
from botocore.exceptions import (
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)
from botocore.httpsession import URLLib3Session
from botocore.useragent import UserAgentString
from urllib3.poolmanager import PoolManager
from urllib3.util.timeout import Timeout
from urllib3.util.wait import wait_for_read

from localcloud.http_server import header_message

_original_connection_from_url = PoolManager.connection_from_url
_original_to_string = UserAgentString.to_string
_original_parse_headers = http.client.parse_headers
_original_send = URLLib3Session.send
# botocore's "experimental" proxy Host header changes what urllib3 sends: such a process keeps urllib3.
_PROXY_HOST_HEADER = "BOTO_EXPERIMENTAL__ADD_PROXY_HOST_HEADER"
_METHODS_EXPECTING_BODY = frozenset({"PATCH", "POST", "PUT"})


def _origin(url: str) -> str:
    """`scheme://host:port` as written in `url` (everything before the path)."""
    start = url.find("//")
    end = url.find("/", start + 2) if start >= 0 else -1
    return url if end < 0 else url[:end]


def _connection_from_url(self: PoolManager, url: str, pool_kwargs: dict[str, Any] | None = None) -> Any:
    if pool_kwargs is not None:
        return _original_connection_from_url(self, url, pool_kwargs)
    pools: dict[str, Any] = self.__dict__.setdefault("_pools_by_origin", {})
    origin = _origin(url)
    pool = pools.get(origin)
    if pool is not None:
        # The manager holds a few pools (one per endpoint): a look among them, not a key built from the URL.
        with self.pools.lock:
            if any(held is pool for held in self.pools._container.values()):
                return pool
    pool = pools[origin] = _original_connection_from_url(self, url)
    return pool


def _to_string(self: UserAgentString) -> str:
    agent: Any = self  # botocore's private state, untyped in its stubs
    context = get_context()
    features = frozenset(agent._client_features or ()) | (context.features if context else frozenset())
    key = (agent._get_static_parts(), features)
    known: dict[Any, str] = agent.__dict__.setdefault("_known_strings", {})
    found = known.get(key)
    if found is None:
        found = known[key] = _original_to_string(self)
    return found


def _parse_headers(
    fp: BinaryIO, _class: type[http.client.HTTPMessage] = http.client.HTTPMessage
) -> http.client.HTTPMessage:
    lines = http.client._read_headers(fp)  # type: ignore[attr-defined]  # its limits and errors, as is
    return header_message(lines, _class)


class _Whole:
    """What botocore's `AWSResponse` reads of urllib3's response for an answer read whole: `stream()`."""

    __slots__ = ("_data",)

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, amt: int | None = None, decode_content: bool | None = None) -> Iterator[bytes]:
        if self._data:
            yield self._data


class _Sockets:
    """A session's idle kept-alive sockets to one origin, the most recently used first; thread safe."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port, self.limit = host, port, limit
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()

    def take(self) -> socket.socket | None:
        while True:
            with self._lock:
                if not self._idle:
                    return None
                sock = self._idle.pop()
            # A socket with something to read before a request was sent was closed by the server (or is
            # out of step): never reused, as urllib3's `is_connection_dropped` decides.
            if not wait_for_read(sock, timeout=0.0):
                return sock
            sock.close()

    def give_back(self, sock: socket.socket) -> None:
        with self._lock:
            if len(self._idle) < self.limit:
                self._idle.append(sock)
                return
        sock.close()


def _plain_target(session: URLLib3Session, url: str) -> tuple[_Sockets, str, str] | None:
    """(the session's sockets to the URL's origin, `Host` value, request target) for a plain request."""
    state: Any = session  # botocore's private state, untyped in its stubs
    start = url.find("/", 7)
    origin, target = (url, "/") if start < 0 else (url[:start], url[start:])
    known: dict[str, _Sockets | None] = state.__dict__.setdefault("_lean_origins", {})
    if origin not in known:
        proxied = state._proxy_config.proxy_url_for(url) is not None or os.environ.get(_PROXY_HOST_HEADER)
        host, _, port = origin[7:].rpartition(":")
        plain = not proxied and port.isdigit() and host and "@" not in host and "[" not in host
        limit = int(state._max_pool_connections)
        known[origin] = _Sockets(host, int(port), limit) if plain else None
    sockets = known[origin]
    return None if sockets is None else (sockets, origin[7:], target)


def _seconds(value: object) -> float | None:
    """A timeout in seconds; urllib3's "default" marker means the socket's default (none), as in urllib3."""
    return float(value) if isinstance(value, int | float) else None


def _send(self: URLLib3Session, request: Any) -> AWSResponse:
    url: str = request.url
    body = request.body
    headers = request.headers
    if (
        not url.startswith("http://")
        or request.stream_output
        or not (body is None or isinstance(body, bytes | str))
        or "Transfer-Encoding" in headers
        or "Expect" in headers
        or (getattr(request, "context", None) or {}).get("read_timeout") is not None
    ):
        return _original_send(self, request)
    plain = _plain_target(self, url)
    if plain is None:
        return _original_send(self, request)
    sockets, host, target = plain
    payload = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    lines = [f"{request.method} {target} HTTP/1.1"]
    if "Host" not in headers:
        lines.append(f"Host: {host}")
    if "Accept-Encoding" not in headers:
        lines.append("Accept-Encoding: identity")
    for name, value in headers.items():
        lines.append(f"{name}: {value.decode('latin-1') if isinstance(value, bytes) else value}")
    if "Content-Length" not in headers and (payload or request.method in _METHODS_EXPECTING_BODY):
        lines.append(f"Content-Length: {len(payload)}")  # as urllib3 adds it
    message = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload
    timeout: Any = self._timeout  # type: ignore[attr-defined]
    if isinstance(timeout, Timeout):
        connect_timeout, read_timeout = _seconds(timeout.connect_timeout), _seconds(timeout.read_timeout)
    else:
        connect_timeout = read_timeout = _seconds(timeout)
    sock = sockets.take()
    if sock is None:
        try:
            sock = socket.create_connection((sockets.host, sockets.port), timeout=connect_timeout)
        except TimeoutError as error:
            raise ConnectTimeoutError(endpoint_url=url, error=error) from None
        except OSError as error:
            raise EndpointConnectionError(endpoint_url=url, error=error) from None
        for option in self._socket_options:  # type: ignore[attr-defined]
            sock.setsockopt(*option)
    try:
        sock.settimeout(read_timeout)
        sock.sendall(message)
        answer = http.client.HTTPResponse(sock, method=request.method)
        answer.begin()
        data = answer.read()
    except TimeoutError as error:
        sock.close()
        raise ReadTimeoutError(endpoint_url=url, error=error) from None
    except (http.client.HTTPException, ConnectionError) as error:
        sock.close()
        raise ConnectionClosedError(error=error, request=request, endpoint_url=url) from None
    except Exception as error:
        sock.close()
        raise HTTPClientError(error=error) from None
    if answer.will_close:
        sock.close()
    else:
        sockets.give_back(sock)
    merged: dict[str, str] = {}
    for name, value in answer.msg.items():  # repeated names joined, as urllib3's header dict does
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    response = AWSResponse(url, answer.status, merged, _Whole(data))  # type: ignore[arg-type]
    response._content = data  # type: ignore[attr-defined]  # read whole, as urllib3's path forces it
    return response


def install() -> None:
    """Remember pools and user agents, read plain headers plainly, send plain requests on kept sockets,
    in this process (a Lambda worker only)."""
    PoolManager.connection_from_url = _connection_from_url  # type: ignore[method-assign]
    UserAgentString.to_string = _to_string  # type: ignore[method-assign]
    http.client.parse_headers = _parse_headers  # type: ignore[assignment]
    URLLib3Session.send = _send  # type: ignore[method-assign]


def uninstall() -> None:
    PoolManager.connection_from_url = _original_connection_from_url  # type: ignore[method-assign]
    UserAgentString.to_string = _original_to_string  # type: ignore[method-assign]
    http.client.parse_headers = _original_parse_headers
    URLLib3Session.send = _original_send  # type: ignore[method-assign]
