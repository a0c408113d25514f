"""Generated requests from the API's own OpenAPI document: whatever a client sends, never a 5xx.

Schemathesis builds requests (valid and invalid) for every operation; then every operation that takes
a body also gets bytes that are not UTF-8, a body over API Gateway's 10 MB limit and a body of the wrong
content type. Each answer must be a success or a 4xx in the one error shape, and its status must be one
the document declares for that operation. Bounded: a few examples per operation.
(Schemathesis' pytest plugin does not support pytest 9 yet, so operations are driven with Hypothesis here.)
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.e2e.booking.conftest import Trainbook

MAX_EXAMPLES = 12
HOSTILE_BODIES: list[tuple[str, bytes, str]] = [
    ("not UTF-8", b'{"email": "\xe9\xff", "password": "\xc3\x28"}', "application/json"),
    ("over 10 MB", b'{"x": "' + b"a" * (10 * 1024 * 1024 + 16) + b'"}', "application/json"),
    ("form", b"email=a%40b.pl&password=x", "application/x-www-form-urlencoded"),
    ("text", b"hello", "text/plain"),
    ("xml", b"<booking/>", "application/xml"),
    (
        "multipart",
        b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--",
        "multipart/form-data; boundary=x",
    ),
]


def test_no_generated_request_gets_a_server_error_or_an_undocumented_answer(trainbook: Trainbook) -> None:
    base = str(trainbook.http.base_url).rstrip("/")
    schema = schemathesis.openapi.from_dict(trainbook.http.get("/openapi.json").json())
    headers = {"Authorization": f"Bearer {trainbook.passenger('Fuzz').token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: Any) -> None:
            response = case.call(base_url=base, headers=headers, timeout=60)
            problem = _problem(response.status_code, response, _documented(case.operation))
            if problem:
                failures.append(f"{case.method} {response.request.url} -> {problem} {response.text[:200]}")

        check()
        if "requestBody" not in operation.definition.raw:
            continue
        path = re.sub(r"\{[^}]+\}", "x", operation.path)
        for what, body, content_type in HOSTILE_BODIES:
            answer = trainbook.http.request(
                operation.method.upper(),
                path,
                content=body,
                headers={**headers, "Content-Type": content_type},
            )
            problem = _problem(answer.status_code, answer, _documented(operation), expect_4xx=True)
            if problem:
                failures.append(
                    f"{operation.method.upper()} {path} with a {what} body -> {problem} {answer.text[:200]}"
                )

    assert failures == []


def _documented(operation: Any) -> set[str]:
    return set(operation.definition.raw.get("responses", {}))


def _problem(status: int, response: Any, documented: set[str], expect_4xx: bool = False) -> str | None:
    if status >= 500 or (expect_4xx and not 400 <= status < 500):
        return f"{status} (not a 4xx)"
    if status >= 400 and not _json_error(response):
        return f"{status} not in the error shape"
    if str(status) not in documented:
        return f"{status} not documented (documented: {sorted(documented)})"
    return None


def _json_error(response: httpx.Response | Any) -> bool:
    try:
        error = response.json()["error"]
        return bool(error["code"]) and isinstance(error["message"], str) and set(error) == {"code", "message"}
    except (ValueError, KeyError, TypeError):
        return False
