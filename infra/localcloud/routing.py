"""moto's per-request routing, remembered by what decides it, and a direct path to its JSON handlers.

`DomainDispatcherApplication.get_application` finds a request's backend under one global lock by
matching the host against every service's URL patterns (hundreds of regular expressions), on every
request. For a SigV4-signed request to the services below, moto's own rules pick the backend from the
credential scope's service and region and, for DynamoDB, from the X-Amz-Target prefix
(`DynamoDB_20120810` or `DynamoDBStreams_20120810`), so the first answer for that key is the answer
for every later request with it. Anything else (unsigned, S3, special paths) takes moto's path.

A JSON-protocol call (`POST /` with an X-Amz-Target: DynamoDB, Streams, Step Functions, SSM, ...) then
goes through Flask only to reach the one view its app has for `/`: moto's `convert_to_flask_response`
around the service's `dispatch`. That costs a request context, URL matching, form parsing and CORS
hooks per request. `DirectJson` calls the same `dispatch` with the same request object (moto's
`BackendRequest`, built from the same environ, its URL and header dict made as
`fastpath/request_setup.py` says) and answers with the same `flask.Response` plus the
header flask-cors adds to a request without `Origin`; a Lambda Invoke (`POST
/2015-03-31/functions/<name>/invocations`, REST-JSON) goes the same way to the view its path routes to
(moto's views ignore the URL's arguments: the callback reads the path); any other request takes Flask's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError
from flask import Flask, Response
from moto.core.utils import convert_to_flask_response
from moto.moto_api import recorder
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.settings import DISABLE_GLOBAL_CORS
from werkzeug.exceptions import HTTPException

from localcloud.fastpath.request_setup import DirectRequest, environ_headers, plain_answer
from localcloud.stats import signed_scope

# Services whose backend moto infers from (service, region) alone (plus the target prefix for DynamoDB).
CACHED_SERVICES = frozenset(
    {"dynamodb", "lambda", "states", "sqs", "ssm", "secretsmanager", "sts", "sns", "events", "logs", "kms"}
)
Dispatch = Callable[..., Any]
_NO_DIRECT_PATH: Dispatch | None = None
MAX_DIRECT_ROUTES = 1024  # (route key, path) pairs remembered: one per service and Lambda function


def route_key(environ: dict[str, Any]) -> tuple[str, str, str] | None:
    path = str(environ.get("PATH_INFO", ""))
    if path.startswith(("/moto-api", "/latest/", "/@connections")) or path == "/favicon.ico":
        return None
    region, service = signed_scope(environ)
    service = service.lower()
    if service not in CACHED_SERVICES:
        return None
    return service, region, str(environ.get("HTTP_X_AMZ_TARGET", "")).split(".", 1)[0]


def direct_json_call(environ: dict[str, Any]) -> bool:
    """A JSON-protocol call the direct path serves: POST / with a target, no CORS request."""
    return (
        environ.get("REQUEST_METHOD") == "POST"
        and environ.get("PATH_INFO") == "/"
        and bool(environ.get("HTTP_X_AMZ_TARGET"))
        and "HTTP_ORIGIN" not in environ
        and not environ.get("QUERY_STRING")
    )


def direct_invoke_call(environ: dict[str, Any]) -> bool:
    """A Lambda Invoke the direct path serves: POST /2015-03-31/functions/<name>/invocations, no CORS
    request, no query (a qualifier)."""
    path = str(environ.get("PATH_INFO", ""))
    return (
        environ.get("REQUEST_METHOD") == "POST"
        and path.startswith(_INVOKE_PREFIX)
        and path.endswith(_INVOKE_SUFFIX)
        and path.count("/") == 4
        and "HTTP_ORIGIN" not in environ
        and not environ.get("QUERY_STRING")
    )


_INVOKE_PREFIX, _INVOKE_SUFFIX = "/2015-03-31/functions/", "/invocations"


def root_dispatch(app: Flask, path: str = "/") -> Dispatch | None:
    """The moto `dispatch` behind the app's view for `POST <path>` (None if routed otherwise).

    moto's views (`convert_to_flask_response`) hand the callback the request and its URL and ignore the
    URL's arguments; a `POST /` with arguments is some other routing, left to Flask."""
    try:
        endpoint, arguments = app.url_map.bind("localhost").match(path, method="POST")
    except HTTPException:
        return None
    view = app.view_functions.get(str(endpoint))
    if (arguments and path == "/") or not isinstance(view, convert_to_flask_response):
        return None
    return view.callback


def call_dispatch(dispatch: Dispatch, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
    """What Flask, `convert_to_flask_response` and flask-cors do for one request, without the rest."""
    request = DirectRequest(environ)
    try:
        recorder._record_request(request)
        try:
            result = dispatch(request, request.raw_url, environ_headers(environ))
        except ClientError as error:  # as `convert_to_flask_response` answers it
            result = 400, {}, error.response["Error"]["Message"]
    except HTTPException as error:  # Flask answers these with the exception's own response
        response: Any = error.get_response(environ)
    else:
        status, headers, content = result if len(result) == 3 else (200, {}, result)
        plain = plain_answer(status, headers, content, cors=not DISABLE_GLOBAL_CORS)
        if plain is not None:
            line, listed, body = plain
            start_response(line, listed)
            return [body]
        response = Response(response=content, status=status, headers=headers)
    if not DISABLE_GLOBAL_CORS:
        response.headers["Access-Control-Allow-Origin"] = "*"  # flask-cors, for a request without Origin
    return response(environ, start_response)


class CachedDispatcher(DomainDispatcherApplication):
    """moto's dispatcher with its answer remembered per route key, and JSON calls sent straight to moto."""

    def __init__(self, *args: Any, direct: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._routes: dict[tuple[str, str, str], Flask] = {}
        self._direct: dict[tuple[tuple[str, str, str], str], Dispatch | None] = {}
        self._use_direct = direct

    def get_application(self, environ: dict[str, Any]) -> Flask:
        key = route_key(environ)
        if key is None:
            return super().get_application(environ)
        app = self._routes.get(key)
        if app is None:
            app = self._routes[key] = super().get_application(environ)
        return app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if self._use_direct and (direct_json_call(environ) or direct_invoke_call(environ)):
            key = route_key(environ)
            if key is not None:
                path = str(environ["PATH_INFO"])
                dispatch = self._direct.get((key, path), _NO_DIRECT_PATH)
                if (key, path) not in self._direct:
                    if len(self._direct) >= MAX_DIRECT_ROUTES:
                        self._direct.clear()
                    dispatch = self._direct[(key, path)] = root_dispatch(self.get_application(environ), path)
                if dispatch is not None:
                    answer: Iterable[bytes] = call_dispatch(dispatch, environ, start_response)
                    return answer
        flask_answer: Iterable[bytes] = super().__call__(environ, start_response)
        return flask_answer
