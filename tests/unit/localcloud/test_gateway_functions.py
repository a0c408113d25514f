"""The gateway's own functions: calls past a function's worker limit wait without holding the threads
another function's calls need."""

from __future__ import annotations

import threading
from typing import Any

import anyio

from localcloud.gateway.functions import GatewayFunctions
from localcloud.runtime import worker
from localcloud.runtime.functions import InvokeResult
from localcloud.runtime.pool import MAX_WORKERS_PER_FUNCTION


class BlockingRuntime:
    """`slow` blocks until released; any other function answers at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.slow_running = 0
        self._lock = threading.Lock()

    def invoke(self, function: str, event: Any) -> InvokeResult:
        if function == "slow":
            with self._lock:
                self.slow_running += 1
            self.release.wait(10)
        return InvokeResult(b'{"from": "%s"}' % function.encode())

    def stop(self) -> None:
        self.release.set()


def test_a_function_s_queued_calls_do_not_hold_up_another_function() -> None:
    functions = GatewayFunctions([], {}, [], lambda line: None)
    runtime = BlockingRuntime()
    functions._runtime = runtime  # type: ignore[assignment]
    functions.names = {"slow", "quick"}
    answers: list[Any] = []

    async def main() -> None:
        async with anyio.create_task_group() as group:
            for _ in range(60):  # more than anyio's 40 default threads, waiting for 4 workers
                group.start_soon(functions.invoke, "slow", {})
            await anyio.sleep(0.2)
            with anyio.fail_after(5):
                answers.append(await functions.invoke("quick", {}))
            assert runtime.slow_running == MAX_WORKERS_PER_FUNCTION  # the rest wait without a thread
            runtime.release.set()

    try:
        anyio.run(main)
    finally:
        functions.stop()
    assert answers == [({"from": "quick"}, None)]


def test_once_stopped_the_process_s_workers_write_where_they_did_before() -> None:
    before = worker.WORKER_STDERR, list(worker.COMMAND_LABEL)
    functions = GatewayFunctions([], {}, ["--data-dir", "/tmp/gateway-test"], lambda line: None)
    assert worker.WORKER_STDERR is not None and worker.COMMAND_LABEL == ["--data-dir", "/tmp/gateway-test"]
    functions.stop()
    assert before == (worker.WORKER_STDERR, worker.COMMAND_LABEL)
