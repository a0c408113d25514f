"""A function pool hands each invocation's log text to its log sink before the invocation answers."""

from __future__ import annotations

from typing import Any

from localcloud.runtime.functions import FunctionSpec, InvokeResult
from localcloud.runtime.pool import FunctionPool
from localcloud.stats import STATS

LOGS = '{"message": "search"}\nplain line\n'


class LoggingWorker:
    log_stream = "2026/12/03/[$LATEST]abc"

    class process:  # the attribute a Worker has (its pid is read)
        pid = -1

    def invoke(self, event: Any, request_id: str) -> InvokeResult:
        return InvokeResult(b"{}", None, LOGS)


def pool_with_sink(sink: Any) -> FunctionPool:
    spec = FunctionSpec("Fn", "fn", "arn:aws:lambda:eu-central-1:1:function:fn", "h.handler", ".")
    pool = FunctionPool(spec, {})
    pool._acquire = lambda: (LoggingWorker(), False)  # type: ignore[method-assign,assignment]
    pool._release = lambda _: None  # type: ignore[method-assign]
    pool._prioritize = lambda _: None  # type: ignore[method-assign]
    pool.log_sink = sink
    return pool


def test_the_sink_has_the_logs_and_the_worker_s_stream_when_invoke_returns() -> None:
    kept: list[tuple[str, str]] = []

    result = pool_with_sink(lambda text, stream: kept.append((text, stream))).invoke({})

    assert kept == [(LOGS, "2026/12/03/[$LATEST]abc")]
    assert result.logs == LOGS


def test_a_sink_that_fails_does_not_fail_the_invocation_and_is_counted() -> None:
    def full_disk(text: str, stream: str) -> None:
        raise OSError(28, "No space left on device")

    before = STATS.snapshot()["counts"].get("internal:LogEventsLost", 0)

    result = pool_with_sink(full_disk).invoke({})

    assert result.function_error is None
    assert STATS.snapshot()["counts"]["internal:LogEventsLost"] == before + 1
