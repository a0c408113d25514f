"""Generated requests from the API's own OpenAPI document: whatever a client sends, never a 5xx.

Schemathesis builds requests (valid and invalid) for every operation; each answer must be a success or a
JSON 4xx error. Bounded: a few examples per operation, so the whole run takes well under a minute.
(Schemathesis' pytest plugin does not support pytest 9 yet, so operations are driven with Hypothesis here.)
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.e2e.booking.conftest import Trainbook

MAX_EXAMPLES = 12


def test_no_generated_request_gets_a_server_error(trainbook: Trainbook) -> None:
    schema = schemathesis.openapi.from_url(f"{trainbook.cloud.api_url}/openapi.json")
    headers = {"Authorization": f"Bearer {trainbook.passenger('Fuzz').token}"}
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: Any) -> None:
            response = case.call(base_url=trainbook.cloud.api_url, headers=headers, timeout=60)
            if response.status_code >= 500 or (response.status_code >= 400 and not _json_error(response)):
                failures.append(
                    f"{case.method} {response.request.url} -> {response.status_code} {response.text[:200]}"
                )

        check()

    assert failures == []


def _json_error(response: Any) -> bool:
    try:
        return bool(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return False
