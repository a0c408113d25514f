"""The functions the gateway integrates with, run by warm workers of the gateway's own process.

On AWS, API Gateway invokes its integrations itself. Here every API request went through the engine's
Lambda Invoke API: three waits for the engine's interpreter lock on the way (the request read, the
worker's answer, the response written), which under 8 booking clients were 8 ms of a seat map's 20 at
the median (docs/benchmarks.md). The gateway now keeps workers of the functions its routes and
authorizers name, with the engine's pool code (`runtime/pool.py`: the same environment, concurrency,
timeouts, crash handling and priorities). The engine still has every function: Step Functions, stream
triggers and any other caller invoke them there. These invocations are counted in this process's
`STATS` (`lambda:Invoke` per call, usage per function), read at the gateway's `POST /_localcloud/stats`.
Subscription filters on these functions' log groups are spooled and shipped from this process
(`ship_logs`), since their lines are captured here.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import anyio

from localcloud.logs.shipping import Invoke, LogShipping, LogSubscription, undelivered
from localcloud.runtime import worker
from localcloud.runtime.functions import FunctionSpec, InvokeResult
from localcloud.runtime.pool import MAX_WORKERS_PER_FUNCTION, Runtime
from localcloud.runtime.zygote import FORK_SERVERS
from localcloud.stats import STATS
from localcloud.template.stack import ACCOUNT_ID


class GatewayFunctions:
    """Warm workers of the gateway's functions. `output`: where their log lines go (the engine log's
    writer, so a function's lines are in one place whoever invoked it)."""

    def __init__(
        self,
        specs: Iterable[FunctionSpec],
        platform_env: dict[str, str],
        label: list[str],
        output: Callable[[str], None],
    ) -> None:
        reading, writing = os.pipe()
        # This process's workers (and zygote) write to the pipe and carry the label, until `stop`.
        self._before = worker.WORKER_STDERR, list(worker.COMMAND_LABEL)
        worker.WORKER_STDERR = writing
        worker.COMMAND_LABEL[:] = label
        self._relay = threading.Thread(target=_relay, args=(reading, output), name="gateway-workers-output")
        self._relay.daemon = True
        self._relay.start()
        self._writing = writing
        self._runtime = Runtime(platform_env)
        # A thread per invocation running, none per invocation waiting: past a function's worker limit its
        # calls wait here, in the event loop, and never hold threads another function's calls need.
        self._limiters: dict[str, anyio.CapacityLimiter] = {}
        self.names: set[str] = set()
        self.groups: set[str] = set()  # the log groups these functions write
        for spec in specs:
            self._runtime.register(spec)
            self.names |= {spec.name, spec.arn}
            self.groups.add(spec.group)
        self.logs: LogShipping | None = None

    def ship_logs(
        self, subscriptions: list[LogSubscription], directory: Path | None, through_engine: Invoke, fsync: str
    ) -> None:
        """Spool the lines of these functions' subscribed log groups and ship them: to a destination this
        process hosts directly, to any other through the engine (`through_engine`)."""
        mine = [s for s in subscriptions if s.log_group in self.groups]
        if not mine:
            return

        def invoke(function: str, event: dict[str, Any]) -> str | None:
            if not self.hosts(function):
                return through_engine(function, event)
            STATS.count("lambda:Invoke")
            return undelivered(self._runtime.invoke(function, event))

        self.logs = LogShipping(mine, directory, invoke, owner=ACCOUNT_ID, process="gateway", fsync=fsync)
        self._runtime.attach_log_sinks(self.logs.sink_for)
        self.logs.start()

    def hosts(self, function: str) -> bool:
        return function in self.names

    async def invoke(self, function: str, event: dict[str, Any]) -> tuple[Any, str | None]:
        """(the payload, FunctionError) as Lambda's Invoke API answers them."""
        STATS.count("lambda:Invoke")
        limiter = self._limiters.get(function)
        if limiter is None:
            limiter = self._limiters[function] = anyio.CapacityLimiter(MAX_WORKERS_PER_FUNCTION)
        result: InvokeResult = await anyio.to_thread.run_sync(
            self._runtime.invoke, function, event, limiter=limiter
        )
        return (json.loads(result.payload) if result.payload else None), result.function_error

    def stop(self) -> None:
        if self.logs is not None:
            self.logs.stop()  # before the workers: what is not delivered stays spooled
        self._runtime.stop()
        FORK_SERVERS.stop()
        worker.WORKER_STDERR, worker.COMMAND_LABEL[:] = self._before
        os.close(self._writing)  # the relay reads to the end of what the workers wrote, then stops
        self._relay.join(timeout=2)


def _relay(reading: int, output: Callable[[str], None]) -> None:
    with os.fdopen(reading, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            output(line.rstrip("\n"))
