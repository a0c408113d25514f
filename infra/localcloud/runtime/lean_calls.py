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
Everything else (serialization, endpoint rules, retries, event hooks, the HTTP exchange) runs as on AWS.
"""

from __future__ import annotations

import http.client
from typing import Any, BinaryIO

from botocore.context import get_context
from botocore.useragent import UserAgentString
from urllib3.poolmanager import PoolManager

from localcloud.http_server import header_message

_original_connection_from_url = PoolManager.connection_from_url
_original_to_string = UserAgentString.to_string
_original_parse_headers = http.client.parse_headers


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


def install() -> None:
    """Remember pools and user agents, read plain headers plainly, in this process (a Lambda worker only)."""
    PoolManager.connection_from_url = _connection_from_url  # type: ignore[method-assign]
    UserAgentString.to_string = _to_string  # type: ignore[method-assign]
    http.client.parse_headers = _parse_headers  # type: ignore[assignment]


def uninstall() -> None:
    PoolManager.connection_from_url = _original_connection_from_url  # type: ignore[method-assign]
    UserAgentString.to_string = _original_to_string  # type: ignore[method-assign]
    http.client.parse_headers = _original_parse_headers
