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
- `DirectRequest.raw_url` keeps moto's `raw_url` per the environ entries it is made of, its headers
  (`DirectHeaders`) keep the environ key of each header name moto asks for, and a JSON body the
  engine's server read whole is its `data` without werkzeug's stream and form parsing;
- `plain_answer` writes the status line and headers a Flask `Response` would send for an answer of the
  usual kind (werkzeug's response object, its header copies and checks: about 90 µs a request);
- the IAM check's class is imported once, a held account's backend is looked up without moto's set-up
  check, the 52-character request id is drawn without two method calls per character, and an answer
  without a `<RequestId>` element is not searched for one (each function below says why it is equal).

Each is proven equal to moto's, werkzeug's or Flask's by a test (tests/unit/localcloud/test_request_setup.py,
and the direct path against Flask's in tests/integration/localcloud/test_engine_fast_paths.py).
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import string
from random import Random
from typing import Any, ClassVar
from urllib.parse import ParseResult, parse_qs, parse_qsl, urlparse

from flask import Response
from flask.globals import _cv_app as _APP_CONTEXT
from moto.core import request as moto_request
from moto.core import responses as moto_responses
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.base_backend import BackendDict
from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY, EnvironHeaders
from moto.core.responses import BaseResponse
from moto.moto_api._internal.moto_random import MotoRandom
from moto.moto_server.werkzeug_app import BackendRequest
from werkzeug.wrappers import Request as WerkzeugRequest

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


def patch_authorization_check(patches: Patches) -> None:
    """moto's per-request IAM check with its `IAMRequest` class imported once, not by an import statement
    run in every request (the import system's lookup under its lock: 0.7 % of the engine's samples)."""
    from moto.iam.access_control import IAMRequest

    def authorize(self: Any, resource: str = "*") -> None:
        self._authenticate_and_authorize_action(IAMRequest, resource)

    patches.replace(ActionAuthenticatorMixin, "_authenticate_and_authorize_normal_action", authorize)


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


@functools.lru_cache(maxsize=KEPT_TEXTS)
def _environ_key(name: str) -> str:
    """The environ key werkzeug's `EnvironHeaders._get_key` reads a header name from."""
    key = name.upper().replace("-", "_")
    return key if key in _CONTENT_KEYS else f"HTTP_{key}"


class DirectHeaders(EnvironHeaders):
    """moto's headers of an environ, with each name's environ key remembered (moto's set-up looks
    headers up about fifteen times a request, each time upper-casing and replacing the name)."""

    def _get_key(self, key: str) -> str:
        if not isinstance(key, str):
            return super()._get_key(key)  # werkzeug's refusal
        value: str = self.environ[_environ_key(key)]
        return value


# Content types that werkzeug's form parser leaves alone (its body is the request's `data`).
_JSON_TYPES = frozenset({"application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json"})


class DirectRequest(BackendRequest):
    """moto's request for the direct JSON path: its URL remembered per environ entries, its headers
    `DirectHeaders`, and the body of a JSON request, already read whole by the engine's server
    (`http_server.py`), taken as its `data` without werkzeug's stream and form parsing."""

    _urls: ClassVar[dict[tuple[Any, ...], str]] = {}

    def __init__(self, environ: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(environ, *args, **kwargs)
        self.headers = DirectHeaders(self.environ)
        self._take_body()

    def _take_body(self) -> None:
        """What `get_data(parse_form_data=True)` leaves for a JSON body: the body as `data`, no form,
        no files, the input read to its end. Anything else is left to werkzeug."""
        environ = self.environ
        stream = environ.get("wsgi.input")
        if (
            type(stream) is not io.BytesIO
            or environ.get("CONTENT_TYPE") not in _JSON_TYPES
            or environ.get("HTTP_CONTENT_ENCODING")
            or "wsgi.input_terminated" in environ
            or self.shallow
            or self._length_limit is not None
            or stream.tell() != 0
        ):
            return
        body = stream.getvalue()
        if environ.get("CONTENT_LENGTH") != str(len(body)):
            return
        stream.seek(len(body))
        state = self.__dict__
        state["stream"] = io.BytesIO()  # read to its end, as werkzeug's stream is after `data`
        state["form"] = self.parameter_storage_class()
        state["files"] = self.parameter_storage_class()
        if not environ.get("QUERY_STRING"):
            state["args"] = self.parameter_storage_class()  # werkzeug's `args` of an empty query
        self._cached_data = body

    @property
    def _length_limit(self) -> int | None:
        """Flask's `max_content_length`: outside an app context (the direct path has none) and unless set
        on the request, werkzeug's class default, found without `current_app`'s failed proxy lookup."""
        if self._max_content_length is None and _APP_CONTEXT.get(None) is None:
            return WerkzeugRequest.max_content_length
        return self.max_content_length

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


@functools.lru_cache(maxsize=KEPT_TEXTS)
def kept_urlparse(url: str) -> ParseResult:
    """`urlparse(url)` for moto's set-up, kept per text (its answer is an immutable tuple)."""
    return urlparse(url)


def _urlparse(url: Any, scheme: Any = "", allow_fragments: bool = True) -> Any:
    if type(url) is str and scheme == "" and allow_fragments is True:
        return kept_urlparse(url)
    return urlparse(url, scheme, allow_fragments)


def fast_parse_qsl(qs: Any, keep_blank_values: bool = False, *args: Any, **kwargs: Any) -> Any:
    """`urllib.parse.parse_qsl(qs, keep_blank_values=True)` for a text without `%` (moto's set-up parses
    every JSON body as a form): each `&`-separated field, empty ones skipped, split at its first `=` (a
    field without one has an empty value), `+` read as a space. With a `%` (percent-decoding), other
    arguments or another type, urllib's own."""
    if type(qs) is not str or not keep_blank_values or args or kwargs or "%" in qs:
        return parse_qsl(qs, keep_blank_values, *args, **kwargs)
    fields: list[tuple[str, str]] = []
    for field in qs.split("&") if qs else ():
        if field:
            name, _, value = field.partition("=")
            fields.append((name.replace("+", " "), value.replace("+", " ")))
    return fields


def fast_parse_qs(qs: Any, keep_blank_values: bool = False, *args: Any, **kwargs: Any) -> Any:
    """`urllib.parse.parse_qs` with the empty text (a request without a query) answered at once."""
    if qs == "" and type(qs) is str and not args and not kwargs:
        return {}
    return parse_qs(qs, keep_blank_values, *args, **kwargs)


def patch_url_parsing(patches: Patches) -> None:
    """moto's set-up parses its URL twice a request and its JSON body as a form; the same answers faster
    (`kept_urlparse`, `fast_parse_qsl`, `fast_parse_qs`)."""
    patches.replace(moto_responses, "urlparse", _urlparse)
    patches.replace(moto_request, "urlparse", _urlparse)
    patches.replace(moto_responses, "parse_qsl", fast_parse_qsl)
    patches.replace(moto_responses, "parse_qs", fast_parse_qs)


_STATUS_LINES: dict[int, str] = {}  # werkzeug's status line per code, asked once
_UNUSUAL_HEADERS = frozenset({"location", "content-location"})  # werkzeug rewrites these
_NEWLINES = re.compile(r"[\r\n]")  # werkzeug refuses these in a header value


def _status_line(code: int) -> str:
    line = _STATUS_LINES.get(code)
    if line is None:
        line = _STATUS_LINES[code] = str(Response(status=code).status)
    return line


def plain_answer(
    status: Any, headers: Any, content: Any, cors: bool
) -> tuple[str, list[tuple[str, str]], bytes] | None:
    """The status line, header list and body Flask's `Response(content, status, headers)` sends (with
    flask-cors' header for a request without Origin when `cors`), for a plain answer; else None.

    Plain: an int status from 200 to 599 but 204 and 304 (werkzeug's rules for the others differ), a
    str or bytes body, a dict of str names, unique in any case, none a location, with str or int values
    without line breaks. werkzeug then lists the headers as given, adds its default `Content-Type` if
    none was given, and sets `Content-Length` (and the CORS header) in the place of a header of that
    name in any case, spelt its own way, or at the end."""
    if type(status) is not int or not 200 <= status < 600 or status in (204, 304):
        return None
    if type(content) is str:
        body = content.encode()
    elif type(content) is bytes:
        body = content
    else:
        return None
    if type(headers) is not dict:
        return None
    listed: list[tuple[str, str]] = []
    places: dict[str, int] = {}
    for name, value in headers.items():
        if type(name) is not str:
            return None
        folded = name.lower()
        if folded in places or folded in _UNUSUAL_HEADERS:
            return None
        if type(value) is int:
            value = str(value)
        elif type(value) is not str or _NEWLINES.search(value):
            return None
        places[folded] = len(listed)
        listed.append((name, value))
    if "content-type" not in places:
        places["content-type"] = len(listed)
        listed.append(("Content-Type", "text/html; charset=utf-8"))  # Flask's default mimetype
    for name, value in (("Content-Length", str(len(body))), ("Access-Control-Allow-Origin", "*")):
        if name == "Access-Control-Allow-Origin" and not cors:
            continue
        place = places.get(name.lower())
        if place is None:
            listed.append((name, value))
        else:
            listed[place] = (name, value)
    return _status_line(status), listed, body


def patch_random_strings(patches: Patches) -> None:
    """moto's random strings (a 52-character request id per answer) drawn as `Random.choice` draws each
    character, without its two method calls per character (about 2 % of the engine's CPU).

    `choice(pool)` is `pool[_randbelow(len(pool))]`, and `_randbelow` draws `getrandbits(k)` for the
    pool's bit length until a value falls below the pool's size: the loop below does the same draws in the
    same order, so a seeded `mock_random` (moto's `/moto-api/seed`) gives the same strings. A generator
    whose `_randbelow` is another one is left to moto."""
    original = MotoRandom.get_random_string

    def get_random_string(
        self: MotoRandom, length: int = 20, include_digits: bool = True, lower_case: bool = False
    ) -> str:
        if type(self)._randbelow is not Random._randbelow_with_getrandbits:  # type: ignore[attr-defined]
            return original(self, length, include_digits, lower_case)
        pool = string.ascii_letters + string.digits if include_digits else string.ascii_letters
        size = len(pool)
        bits = size.bit_length()
        draw = self.getrandbits
        drawn = []
        for _ in range(length):
            index = draw(bits)
            while index >= size:
                index = draw(bits)
            drawn.append(pool[index])
        text = "".join(drawn)
        return text.lower() if lower_case else text

    patches.replace(MotoRandom, "get_random_string", get_random_string)


_REQUEST_ID_IN_XML = r"(?<=<RequestId>).*(?=<\/RequestId>)"


def patch_response_enrichment(patches: Patches) -> None:
    """moto's `_enrich_response` without its regular-expression pass over a body that has no
    `<RequestId>` element (every JSON answer: the lookbehind is tried at each character of the body)."""

    def enrich(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
        if "status" in headers:
            headers["status"] = str(headers["status"])
        request_id = vars(moto_responses)["gen_amzn_requestid_long"](headers)
        if type(body) is not str or "<RequestId>" in body:  # what the expression can match
            with contextlib.suppress(Exception):  # moto ignores a body it cannot search (bytes, None)
                body = re.sub(_REQUEST_ID_IN_XML, request_id, body)
        return headers, body

    patches.replace(BaseResponse, "_enrich_response", staticmethod(enrich))


def patch_backend_lookups(patches: Patches) -> None:
    """`backends[account]` for an account the BackendDict already holds, without moto's set-up check.

    moto's `__getitem__` first calls `_create_account_specific_backend`, which takes the global backend
    lock, lists the dict's keys and tests the dict against every registered BackendDict with a Python
    `__eq__` (a hundred or so): several times a request (the IAM "last used" mark, each handler's
    backend). Only that method adds an account, and it registers the dict when it does (a reset clears
    both), so a dict that holds the account has nothing to set up; any other lookup goes to moto's."""
    original = BackendDict.__getitem__

    def getitem(self: BackendDict[Any], account_id: str) -> Any:
        if dict.__contains__(self, account_id):
            return dict.__getitem__(self, account_id)
        return original(self, account_id)

    patches.replace(BackendDict, "__getitem__", getitem)
