"""moto's per-request set-up, with the parts that depend only on repeated text remembered.

Every request to moto builds a `BaseResponse` (`setup_class`) before its action runs. Part of that cost
repeats the same work on the same text request after request: the access key is found in the
`Authorization` header by a regular expression with a greedy `.*` (three times per request: for the key,
for the account, for the IAM "last used" mark), and the direct JSON path (`routing.py`) rebuilt the
request's URL (werkzeug's host and root computation) and a dict of its headers (werkzeug's case folding,
one environ lookup per header) from the WSGI environ. Each is a pure function of its text, so:

- `access_key_in` keeps the regular expression's answer per header text (a Lambda worker's header is
  the same on every call: its signature is a fixed placeholder, `runtime/unsigned.py`);
- `environ_headers` builds the dict `dict(EnvironHeaders(environ))` builds, in one pass, with the name
  each environ key becomes and the key that name is looked up by remembered per environ key;
- `DirectRequest.raw_url` keeps moto's `raw_url` per the environ entries it is made of.

Each is proven equal to moto's and werkzeug's by a test (tests/integration/localcloud).
"""

from __future__ import annotations

import functools
import re
from typing import Any, ClassVar

from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY
from moto.core.responses import BaseResponse
from moto.moto_server.werkzeug_app import BackendRequest

from localcloud.layer.patching import Patches

KEPT_TEXTS = 4096  # distinct header texts, URLs and environ keys remembered (a few dozen in use)

# The environ entries werkzeug's `root_url` and moto's `raw_path` / `raw_url` read.
URL_ENTRIES = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "PATH_INFO",
    "RAW_URI",
    "QUERY_STRING",
)


@functools.lru_cache(maxsize=KEPT_TEXTS)
def access_key_in(pattern: re.Pattern[str], authorization: str) -> str | None:
    """The access key `BaseResponse.get_access_key` finds in this header text, or None."""
    match = pattern.search(authorization)
    return match.group(1) if match else None


def patch_access_keys(patches: Patches) -> None:
    """`get_access_key` with the header's answer remembered; the rest exactly as moto 5.2.5's."""

    def get_access_key(self: BaseResponse) -> str:
        headers: Any = self.headers
        if "Authorization" in headers:
            found = access_key_in(self.access_key_regex, headers["Authorization"])
            if found is not None:
                return found
        if self.querystring.get("AWSAccessKeyId"):
            return str(self.querystring["AWSAccessKeyId"][0])
        return "AKIAEXAMPLE"

    patches.replace(BaseResponse, "get_access_key", get_access_key)


_CONTENT_KEYS = ("CONTENT_TYPE", "CONTENT_LENGTH")


@functools.lru_cache(maxsize=KEPT_TEXTS)
def _header_of(key: str) -> tuple[str, str] | None:
    """The header name werkzeug gives this environ key, and the environ key it reads that name from."""
    if key.startswith("HTTP_") and key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
        name = key[5:].replace("_", "-").title()
    elif key in _CONTENT_KEYS:
        name = key.replace("_", "-").title()
    else:
        return None
    looked_up = name.upper().replace("-", "_")  # werkzeug's `EnvironHeaders._get_key`
    return name, looked_up if looked_up in _CONTENT_KEYS else f"HTTP_{looked_up}"


def environ_headers(environ: dict[str, Any]) -> dict[str, Any]:
    """`dict(moto.core.request.EnvironHeaders(environ))`: the same names, values and order."""
    if environ.get(PRESERVED_HEADER_NAMES_ENVIRON_KEY):  # names moto reports as sent: its own path
        return dict(BackendRequest(environ).headers)
    headers: dict[str, Any] = {}
    for key, value in environ.items():
        header = _header_of(key)
        if header is None or (not value and key in _CONTENT_KEYS):  # werkzeug skips an empty one
            continue
        name, looked_up = header
        headers[name] = environ[looked_up]  # a missing key raises as werkzeug's lookup does
    return headers


class DirectRequest(BackendRequest):
    """moto's request for the direct JSON path, with its URL remembered per environ entries."""

    _urls: ClassVar[dict[tuple[Any, ...], str]] = {}

    @property
    def raw_url(self) -> str:
        if self.trusted_hosts is not None:
            return str(super().raw_url)
        environ = self.environ
        key = tuple(environ.get(entry) for entry in URL_ENTRIES)
        url = self._urls.get(key)
        if url is None:
            url = str(super().raw_url)
            if len(self._urls) >= KEPT_TEXTS:
                self._urls.clear()
            self._urls[key] = url
        return url
