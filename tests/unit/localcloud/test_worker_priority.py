"""Workers of a function that has only answered reads keep the engine's priority; the others run nicer."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from localcloud.runtime import pool as pools
from localcloud.runtime.functions import FunctionSpec, InvokeResult
from localcloud.runtime.pool import BACKGROUND_NICE, FOREGROUND_NICE, FunctionPool, is_read


def proxy_event(method: str) -> dict[str, Any]:
    return {"httpMethod": method, "path": "/search", "headers": {}, "requestContext": {"stage": "api"}}


class Process:
    """A real child process, so its nice value can be read back."""

    def __init__(self) -> None:
        self.child = subprocess.Popen([sys.executable, "-c", "input()"], stdin=subprocess.PIPE)
        self.pid = self.child.pid


class FakeWorker:
    def __init__(self) -> None:
        self.process = Process()

    def invoke(self, event: Any, request_id: str) -> InvokeResult:
        return InvokeResult(b"{}")

    def kill(self) -> None:
        self.process.child.kill()
        self.process.child.wait()


@pytest.fixture
def worker() -> Iterator[FakeWorker]:
    fake = FakeWorker()
    yield fake
    fake.kill()


def pool_with(worker: FakeWorker, background: bool = False) -> FunctionPool:
    arn = "arn:aws:lambda:eu-central-1:1:function:fn"
    pool = FunctionPool(FunctionSpec("Fn", "fn", arn, "h.handler", ".", background=background), {})
    pool._acquire = lambda: (worker, False)  # type: ignore[method-assign]
    pool._release = lambda _: None  # type: ignore[method-assign]
    return pool


def niceness(worker: FakeWorker) -> int:
    return os.getpriority(os.PRIO_PROCESS, worker.process.pid) - os.getpriority(os.PRIO_PROCESS, 0)


@pytest.mark.parametrize(
    ("event", "read"),
    [
        (proxy_event("GET"), True),
        (proxy_event("HEAD"), True),
        (proxy_event("POST"), False),
        ({"booking_id": "b-1", "run_id": "r-1"}, False),  # a Step Functions task's payload
        ({"Records": []}, False),  # a stream batch
        ({"requestContext": {"routeKey": "$connect"}}, False),  # a WebSocket event
        ({"type": "TOKEN", "authorizationToken": "x", "methodArn": "arn"}, False),
        (b"{}", False),
    ],
)
def test_only_api_gets_and_heads_are_reads(event: Any, read: bool) -> None:
    assert is_read(event) == read


def test_workers_keep_their_priority_while_the_function_answers_only_reads(worker: FakeWorker) -> None:
    pool = pool_with(worker)
    pool.invoke(proxy_event("GET"))
    pool.invoke(proxy_event("HEAD"))
    assert pool.reads_only
    assert niceness(worker) == 0


def test_the_first_other_invocation_lowers_the_workers_priority_once(worker: FakeWorker) -> None:
    pool = pool_with(worker)
    pool.invoke(proxy_event("GET"))
    pool.invoke(proxy_event("POST"))
    pool.invoke(proxy_event("GET"))  # a read afterwards changes nothing back, nor lowers it again
    pool.invoke({"booking_id": "b-1"})
    assert not pool.reads_only
    assert niceness(worker) == min(19, FOREGROUND_NICE)


def test_background_workers_run_at_the_background_priority(worker: FakeWorker) -> None:
    pool = pool_with(worker, background=True)
    pool.invoke({"Records": []})
    pool.invoke({"Records": []})
    assert niceness(worker) == min(19, BACKGROUND_NICE)


def test_no_lowering_when_turned_off(worker: FakeWorker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pools, "FOREGROUND_NICE", 0)
    pool = pool_with(worker)
    pool.invoke(proxy_event("POST"))
    assert niceness(worker) == 0
