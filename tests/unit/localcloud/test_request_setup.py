"""moto's request set-up pieces the engine remembers answer as moto and werkzeug compute them each time."""

from __future__ import annotations

import io
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlparse

import pytest
from flask import Flask, Response
from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY
from moto.core.responses import BaseResponse
from moto.moto_api._internal import mock_random
from moto.moto_api._internal.moto_random import MotoRandom
from moto.moto_server.werkzeug_app import BackendRequest

from localcloud.fastpath.request_setup import (
    DirectRequest,
    environ_headers,
    fast_parse_qs,
    fast_parse_qsl,
    kept_urlparse,
    patch_access_keys,
    patch_authorization_check,
    patch_backend_lookups,
    patch_random_strings,
    patch_response_enrichment,
    plain_answer,
)
from localcloud.fastpath.request_setup import (
    _urlparse as patched_urlparse,
)
from localcloud.layer.patching import Patches, applied

SIGV4 = (
    "AWS4-HMAC-SHA256 Credential=ASIAQWERTYUIOPASDFGH/20260101/eu-central-1/dynamodb/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64
)


def _environ(**entries: Any) -> dict[str, Any]:
    body = b'{"TableName": "t"}'
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "4566",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_TYPE": "application/x-amz-json-1.0",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": "127.0.0.1:4566",
        "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.GetItem",
        "HTTP_AUTHORIZATION": SIGV4,
        "HTTP_X_AMZ_DATE": "20260101T000000Z",
        "HTTP_AMZ_SDK_INVOCATION_ID": "4f1c",
        "REMOTE_ADDR": "127.0.0.1",
    }
    for name, value in entries.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return environ


ENVIRONS = [
    _environ(),
    _environ(CONTENT_TYPE="", CONTENT_LENGTH=""),  # werkzeug skips empty content headers
    _environ(HTTP_CONTENT_TYPE="text/plain", HTTP_CONTENT_LENGTH="3"),  # and these two always
    _environ(CONTENT_TYPE=None, HTTP_AUTHORIZATION=None),
    _environ(HTTP_X_MOTO_ACCOUNT_ID="111122223333", HTTP_USER_AGENT="Boto3/1 region/eu-west-1"),
    _environ(HTTP_X_AMZ_META_MY_KEY="kept", **{PRESERVED_HEADER_NAMES_ENVIRON_KEY: {}}),
    _environ(
        HTTP_X_AMZ_META_MY_KEY="as sent",
        **{PRESERVED_HEADER_NAMES_ENVIRON_KEY: {"HTTP_X_AMZ_META_MY_KEY": "x-amz-meta-my_key"}},
    ),
    _environ(HTTP_HOST=None),
    _environ(HTTP_HOST=None, SERVER_NAME="10.0.0.1", SERVER_PORT="80"),
    _environ(HTTP_HOST="dynamodb.eu-central-1.amazonaws.com", QUERY_STRING="a=1&b=%20"),
    _environ(**{"wsgi.url_scheme": "https", "SCRIPT_NAME": "/root", "SERVER_PORT": "443"}),
    _environ(PATH_INFO="/some/path", RAW_URI="/some%2Fpath?x=1", QUERY_STRING="x=1"),
    _environ(PATH_INFO="", HTTP_HOST="localhost"),
]


def test_header_dicts_are_the_ones_moto_builds_from_the_environ() -> None:
    for environ in ENVIRONS:
        expected = dict(BackendRequest(environ).headers)
        assert list(environ_headers(environ).items()) == list(expected.items())
    odd = _environ(HTTP_x_odd="lower case")  # werkzeug lists it, then cannot look it up
    with pytest.raises(KeyError):
        dict(BackendRequest(odd).headers)
    with pytest.raises(KeyError):
        environ_headers(odd)


def test_direct_requests_give_moto_s_url_for_every_environ_also_when_remembered() -> None:
    expected = [BackendRequest(environ).raw_url for environ in ENVIRONS]
    assert len(set(expected)) >= 6
    for _ in range(2):  # the second round from the remembered URLs
        assert [DirectRequest(environ).raw_url for environ in ENVIRONS] == expected


AUTHORIZATIONS = [
    SIGV4,
    SIGV4.replace("ASIAQWERTYUIOPASDFGH", "AKIAIOSFODNN7EXAMPLE"),
    "AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=",  # SigV2
    "AWS4-HMAC-SHA256 Credential=short/20260101/eu-central-1/s3/aws4_request",  # no key in it
    "Bearer something",
    "AWS4 Credential=AKIAIOSFODNN7EXAMPLE/AKIAIOSFODNN7EXAMPL2/x",  # two keys: the last one wins
    "",
]


def _access_keys() -> list[tuple[str, str]]:
    found = []
    for authorization in [*AUTHORIZATIONS, None]:
        for querystring in ({}, {"AWSAccessKeyId": ["AKIAFROMQUERYSTRING1"]}, {"AWSAccessKeyId": [""]}):
            environ = _environ(HTTP_AUTHORIZATION=authorization)
            response = BaseResponse("dynamodb")
            response.headers = BackendRequest(environ).headers
            response.querystring = OrderedDict(querystring)
            found.append((response.get_access_key(), response.get_current_account()))
    return found


def test_access_keys_are_found_as_moto_finds_them_also_when_remembered() -> None:
    expected = _access_keys()
    assert {key for key, _ in expected} >= {"ASIAQWERTYUIOPASDFGH", "AKIAFROMQUERYSTRING1", "AKIAEXAMPLE"}
    with applied(patch_access_keys):
        assert _access_keys() == expected
        assert _access_keys() == expected  # now from the remembered header texts


ANSWERS: list[tuple[Any, Any, Any]] = [
    (200, {"server": "amazon.com", "x-amzn-RequestId": "r-1", "x-amz-crc32": 12345}, '{"Item": {}}'),
    (200, {"Content-Type": "application/x-amz-json-1.0", "status": "200"}, b'{"a": "\\u017c"}'),
    (400, {"server": "amazon.com", "status": "400"}, '{"__type": "ValidationException", "message": "żółć"}'),
    (404, {}, ""),
    (500, {"content-length": "999", "Other": "x", "CONTENT-TYPE": "text/plain"}, "boom"),
    (200, {"access-control-allow-origin": "https://example.org", "a": "b"}, "cors"),
    (599, {"x": "1"}, "unknown code"),
    # Not plain: werkzeug's own path (each must be refused, never answered differently).
    (204, {}, ""),
    (304, {}, ""),
    (101, {}, ""),
    ("200 OK", {}, "text status"),
    (200, {"Location": "/elsewhere"}, ""),
    (200, {"a": "1", "A": "2"}, "same name twice"),
    (200, {"a": ["1", "2"]}, "listed values"),
    (200, {"a": True}, "bool value"),
    (200, {"a": "line\nbreak"}, "refused by werkzeug"),
    (200, {}, ["iterable"]),
    (200, {}, bytearray(b"bytes")),
]


def _flask_answer(status: Any, headers: Any, content: Any, cors: bool) -> tuple[str, list[Any], bytes]:
    response = Response(response=content, status=status, headers=headers)
    if cors:
        response.headers["Access-Control-Allow-Origin"] = "*"
    started: list[Any] = []

    def start_response(line: str, listed: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.extend([line, listed])
        return None

    body = b"".join(response(_environ(), start_response))
    return started[0], list(started[1]), body


def test_plain_answers_are_sent_as_flask_sends_them_and_the_rest_is_left_to_flask() -> None:
    plain = 0
    for cors in (True, False):
        for status, headers, content in ANSWERS:
            fast = plain_answer(status, dict(headers), content, cors)
            if fast is None:
                continue
            plain += 1
            assert fast == _flask_answer(status, dict(headers), content, cors), (status, headers)
    assert plain == 14  # the first seven, with and without CORS
    for status, headers, content in ANSWERS[7:]:
        assert plain_answer(status, dict(headers), content, True) is None, (status, headers, content)


def test_the_iam_check_is_asked_with_moto_s_request_class_and_resource() -> None:
    asked: list[tuple[Any, str]] = []

    class Checked(BaseResponse):
        def _authenticate_and_authorize_action(self, iam_request_cls: type, resource: str = "*") -> None:
            asked.append((iam_request_cls, resource))

    Checked()._authenticate_and_authorize_normal_action()
    Checked()._authenticate_and_authorize_normal_action("arn:aws:dynamodb:::table/t")
    with applied(patch_authorization_check):
        Checked()._authenticate_and_authorize_normal_action()
        Checked()._authenticate_and_authorize_normal_action("arn:aws:dynamodb:::table/t")
    assert asked[2:] == asked[:2] and asked[0][0].__name__ == "IAMRequest"


BODIES = [
    _environ(),
    _environ(CONTENT_TYPE="application/x-amz-json-1.1"),
    _environ(CONTENT_TYPE="application/json"),
    _environ(QUERY_STRING="a=1&b=%20&c"),  # its body taken, its query parsed by werkzeug
    # Left to werkzeug: a form, no type, another type, a compressed or chunked body, a wrong length.
    _environ(
        CONTENT_TYPE="application/x-www-form-urlencoded",
        CONTENT_LENGTH="7",
        **{"wsgi.input": io.BytesIO(b"a=1&b=2")},
    ),
    _environ(CONTENT_TYPE=None),
    _environ(CONTENT_TYPE="text/plain"),
    _environ(HTTP_CONTENT_ENCODING="gzip"),
    _environ(CONTENT_LENGTH="5"),
]


def _body_state(request: Any) -> tuple[Any, ...]:
    data = request.data
    return (
        data,
        request.get_data(),
        request.form.to_dict(flat=False),
        request.files.to_dict(flat=False),
        request.values.to_dict(flat=False),
        type(request.args),
        request.args.to_dict(flat=False),
        request.stream.read(),
        request.environ["wsgi.input"].read(),
    )


def test_a_direct_request_s_body_and_form_are_werkzeug_s() -> None:
    taken = 0
    for environ in BODIES:
        theirs = dict(environ, **{"wsgi.input": io.BytesIO(environ["wsgi.input"].getvalue())})
        ours = DirectRequest(environ)
        taken += "_cached_data" in vars(ours)
        assert _body_state(ours) == _body_state(BackendRequest(theirs)), environ.get("CONTENT_TYPE")
    assert taken == 4  # the four JSON bodies, without werkzeug's parsing


def test_a_body_limit_set_in_flask_s_config_or_on_the_request_leaves_the_body_to_werkzeug() -> None:
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    with app.app_context():
        ours = DirectRequest(_environ())
        assert "_cached_data" not in vars(ours)
        assert _body_state(ours) == _body_state(BackendRequest(_environ()))
    app.config["MAX_CONTENT_LENGTH"] = None
    with app.app_context():
        assert "_cached_data" in vars(DirectRequest(_environ()))

    class Limited(DirectRequest):
        _max_content_length = 10_000

    assert "_cached_data" not in vars(Limited(_environ()))
    assert "_cached_data" in vars(DirectRequest(_environ()))


QUERY_TEXTS = [
    "",
    "a",
    "&",
    "&&a&",
    "a=1",
    "a=1&b=2&a=3",
    "a==b=c&=x&y=",
    "a+b=c+d&e+=+",
    '{"TableName": "t", "Key": {"k": {"S": "a+b=c&d"}}, "ConditionExpression": "#a = :b"}',
    '{"Item": {"k": {"S": "50% off"}}}',  # percent-decoding: urllib's own
    "caf\u00e9=\u00fc&\u2028",
]


def test_bodies_and_queries_parse_as_urllib_parses_them() -> None:
    for text in QUERY_TEXTS:
        assert fast_parse_qsl(text, keep_blank_values=True) == parse_qsl(text, keep_blank_values=True), text
        assert fast_parse_qsl(text) == parse_qsl(text), text
        assert fast_parse_qsl(text, True, False, "latin-1") == parse_qsl(text, True, False, "latin-1")
        assert fast_parse_qs(text, keep_blank_values=True) == parse_qs(text, keep_blank_values=True)
        assert fast_parse_qs(text) == parse_qs(text)
    assert fast_parse_qsl(b"a=1&b", keep_blank_values=True) == parse_qsl(b"a=1&b", keep_blank_values=True)
    assert fast_parse_qs(b"", keep_blank_values=True) == parse_qs(b"", keep_blank_values=True)


def test_urls_parse_as_urllib_parses_them_also_when_kept() -> None:
    urls = [
        "http://127.0.0.1:4566/",
        "https://dynamodb.eu-central-1.amazonaws.com/a;p?q=1#f",
        "/some%2Fpath?x=1",
        "//double/slash",
    ]
    for url in [*urls, *urls]:
        assert kept_urlparse(url) == urlparse(url)
        assert patched_urlparse(url) == urlparse(url)
        assert patched_urlparse(url, "https") == urlparse(url, "https")
        assert patched_urlparse(url, allow_fragments=False) == urlparse(url, allow_fragments=False)
    assert patched_urlparse(b"http://h/p") == urlparse(b"http://h/p")


HEADER_NAMES = [
    "Authorization",
    "authorization",
    "X-Amz-Target",
    "x-amz-target",
    "Content-Type",
    "content-length",
]
HEADER_NAMES += ["Host", "x-moto-account-id", "User-Agent", "X_Amz_Date", "Missing", "Content_Type", ""]


def _lookups(headers: Any) -> list[Any]:
    found: list[Any] = []
    for name in [*HEADER_NAMES, 42]:
        found.append((name in headers, headers.get(name), headers.get(name, "default")))
        try:
            found.append(headers[name])
        except KeyError as missing:
            found.append(type(missing).__name__)
    found.append(list(headers.items()))
    return found


def test_direct_request_headers_answer_every_lookup_as_moto_s() -> None:
    for environ in ENVIRONS:
        assert _lookups(DirectRequest(environ).headers) == _lookups(BackendRequest(environ).headers)


def _random_strings() -> list[str]:
    drawn = []
    for seed in (0, 42):
        generator = MotoRandom(seed)
        for length, digits, lower in [
            (52, True, False),
            (20, True, False),
            (8, False, True),
            (1, True, True),
        ]:
            drawn.append(generator.get_random_string(length, digits, lower))
        drawn.append(generator.get_random_string())
        drawn.append(str(generator.random()))  # the generator's state after: the same draws were made
    return drawn


def test_random_strings_are_the_strings_moto_draws_from_the_same_seed() -> None:
    expected = _random_strings()
    assert len(set(expected)) == len(expected)
    with applied(patch_random_strings):
        assert _random_strings() == expected


ENRICHED: list[tuple[dict[str, Any], Any]] = [
    ({"status": 200, "server": "amazon.com"}, '{"Items": [{"pk": {"S": "<RequestId>"}}]}'),
    ({"server": "amazon.com"}, "<Response><RequestId>old</RequestId><Other/></Response>"),
    ({}, '{"plain": "json"}'),
    ({"status": "400"}, b"<RequestId>bytes</RequestId>"),
    ({}, None),
    ({}, ""),
]


def _enriched() -> list[Any]:
    answers = []
    for headers, body in ENRICHED:
        mock_random.seed(7)
        answers.append(BaseResponse._enrich_response(dict(headers), body))
    return answers


def test_answers_are_enriched_as_moto_enriches_them() -> None:
    expected = _enriched()
    assert "<RequestId>old</RequestId>" not in expected[1][1]  # moto wrote the new id there
    with applied(patch_response_enrichment):
        assert _enriched() == expected


def test_backends_held_are_looked_up_without_set_up_and_new_accounts_are_set_up_by_moto() -> None:
    from moto.core.base_backend import BackendDict
    from moto.ssm.models import SimpleSystemManagerBackend

    backends = BackendDict(SimpleSystemManagerBackend, "ssm")
    set_up: list[str] = []
    moto_set_up = BackendDict._create_account_specific_backend

    def counting(self: Any, account_id: str) -> None:
        set_up.append(account_id)
        moto_set_up(self, account_id)

    patches = Patches()
    patches.replace(BackendDict, "_create_account_specific_backend", counting)
    patch_backend_lookups(patches)
    try:
        first = backends["111122223333"]
        again = backends["111122223333"]
        other = backends["444455556666"]
        assert first is again and other is not first and set(backends) == {"111122223333", "444455556666"}
        assert set_up == ["111122223333", "444455556666"]  # once per account, by moto's own method
        assert backends in vars(BackendDict)["_instances"]  # registered as moto registers it
        dict.clear(backends)  # as moto's reset leaves it
        assert backends["111122223333"] is not first and set_up[-1] == "111122223333"
    finally:
        patches.undo()
        vars(BackendDict)["_instances"].remove(backends)
