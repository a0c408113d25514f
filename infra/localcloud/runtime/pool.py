"""Warm workers per function: reuse an idle one, start another up to a limit, replace dead ones."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from localcloud.runtime.functions import FunctionSpec, InvokeResult
from localcloud.runtime.worker import COMMAND_LABEL, Worker, WorkerCrashed, worker_environment
from localcloud.runtime.zygote import FORK_SERVERS
from localcloud.stats import STATS

log = logging.getLogger("localcloud.lambda")

# Concurrent executions per function; beyond this, invocations queue (AWS would throttle at the quota).
MAX_WORKERS_PER_FUNCTION = 4
# How much nicer (lower CPU priority) the workers of a background function run: on a saturated machine the
# engine, the API, the saga steps and the broadcaster get the CPU first. LOCALCLOUD_NICE=0 turns it off.
BACKGROUND_NICE = int(os.environ.get("LOCALCLOUD_NICE", "10"))
# How much nicer every other worker runs, unless its function has only answered reads (GET or HEAD
# through the API gateway) so far: the engine, which every request waits for, and the reads' workers get
# the CPU before a saga step or a command. Under 8 booking clients a read spent most of its time waiting
# for the engine's threads to be scheduled (docs/benchmarks.md step 36). LOCALCLOUD_WORKER_NICE=0: off.
FOREGROUND_NICE = int(os.environ.get("LOCALCLOUD_WORKER_NICE", "5"))
READ_METHODS = frozenset({"GET", "HEAD"})

# Called with an invocation's log text and its worker's log stream before the invocation answers
# (`logs/shipping.py` `LogSink`: a subscription filter's matching lines are spooled there).
LogSink = Callable[[str, str], None]


def is_read(event: Any) -> bool:
    """An API Gateway proxy event of a GET or HEAD request."""
    return isinstance(event, dict) and "requestContext" in event and event.get("httpMethod") in READ_METHODS


class FunctionPool:
    """The workers of one function."""

    def __init__(self, spec: FunctionSpec, platform_env: dict[str, str]) -> None:
        self.spec = spec
        self._platform_env = platform_env
        self._idle: list[Worker] = []
        self._count = 0
        self._available = threading.Condition()
        # Whether every invocation so far was a read; the first other one lowers its workers' priority.
        self.reads_only = True
        self._niced: dict[int, int] = {}  # worker pid -> nice steps applied
        self.cold_starts = 0
        self.invocations = 0
        self.log_sink: LogSink | None = None

    def _acquire(self) -> tuple[Worker, bool]:
        with self._available:
            while not self._idle and self._count >= MAX_WORKERS_PER_FUNCTION:
                self._available.wait()
            if self._idle:
                return self._idle.pop(), False
            self._count += 1
        try:
            worker = Worker(self.spec, self._platform_env)
        except BaseException:
            self._forget()
            raise
        self.cold_starts += 1
        return worker, True

    def _prioritize(self, worker: Worker) -> None:
        """Lower the worker's priority to what its function's invocations so far call for (never raise it)."""
        wanted = BACKGROUND_NICE if self.spec.background else 0 if self.reads_only else FOREGROUND_NICE
        applied = self._niced.get(worker.process.pid, 0)
        if wanted > applied:
            lower_priority(worker.process.pid, wanted - applied)
            self._niced[worker.process.pid] = wanted

    def _forget(self) -> None:
        with self._available:
            self._count -= 1
            self._available.notify()

    def _release(self, worker: Worker) -> None:
        with self._available:
            self._idle.append(worker)
            self._available.notify()

    def invoke(self, event: Any) -> InvokeResult:
        request_id = str(uuid.uuid4())
        started = time.perf_counter()
        try:
            worker, cold = self._acquire()
        except (TimeoutError, WorkerCrashed) as error:
            return _failure(self.spec, "Runtime.ExitError", f"worker did not start: {error!r}")
        if self.reads_only and not is_read(event):
            self.reads_only = False  # workers already running are lowered as they are next used
        self._prioritize(worker)
        try:
            result = worker.invoke(event, request_id)
        except TimeoutError:
            self._niced.pop(worker.process.pid, None)
            worker.kill()
            self._forget()
            log.warning("%s timed out after %s s: worker killed", self.spec.name, self.spec.timeout)
            return _failure(
                self.spec,
                "Sandbox.Timedout",
                f"{request_id} Task timed out after {self.spec.timeout:.2f} seconds",
            )
        except WorkerCrashed as error:
            self._niced.pop(worker.process.pid, None)
            worker.kill()
            self._forget()
            return _failure(self.spec, "Runtime.ExitError", f"RequestId: {request_id} Error: {error}")
        sink = self.log_sink
        stream = worker.log_stream if sink is not None else ""
        self._release(worker)
        self.invocations += 1
        if sink is not None and result.logs:
            self._keep_logs(sink, result.logs, stream)
        total = round((time.perf_counter() - started) * 1000, 2)
        STATS.invoked(self.spec.name, self.spec.memory_mb, result.duration_ms, cold)
        STATS.count("internal:LambdaLogBytes", len(result.logs.encode()))
        # A line per invocation was 1.5-1.7 % of the engine's CPU under load (and as much again in the
        # process writing engine.log): the ones worth reading (cold starts, errors) stay at INFO.
        level = logging.INFO if cold or result.function_error else logging.DEBUG
        if log.isEnabledFor(level):
            log.log(
                level,
                "%s %s start %s: %.1f ms%s",
                "cold" if cold else "warm",
                self.spec.name,
                request_id,
                total,
                f" ({result.function_error})" if result.function_error else "",
            )
        return InvokeResult(result.payload, result.function_error, result.logs, cold, total)

    def _keep_logs(self, sink: LogSink, text: str, stream: str) -> None:
        """Spool the subscribed lines before the invocation answers: its caller's answer implies them."""
        try:
            sink(text, stream)
        except Exception:  # a full disk must not fail the function; it is loud instead
            STATS.count("internal:LogEventsLost")
            log.exception("%s: log lines for its subscription filters could not be spooled", self.spec.name)

    def stop(self) -> None:
        with self._available:
            idle, self._idle = self._idle, []
        self._niced.clear()
        for worker in idle:
            worker.stop()


def lower_priority(pid: int, steps: int) -> None:
    """Raise the nice value of every thread of a process by `steps` (Linux keeps one per thread).

    Threads the process starts later inherit it from the thread that starts them. Lowering one's own
    children's priority needs no privilege; where it fails (no such process, no /proc) nothing changes.
    """
    if steps <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        threads = [int(task) for task in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        threads = [pid]
    for thread in threads:
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + steps))


def _failure(spec: FunctionSpec, error_type: str, message: str) -> InvokeResult:
    payload = {"errorType": error_type, "errorMessage": message}
    return InvokeResult(json.dumps(payload).encode(), "Unhandled")


class Runtime:
    """Every function of the template, by name and by ARN."""

    def __init__(self, platform_env: dict[str, str]) -> None:
        self.platform_env = platform_env
        self._pools: dict[str, FunctionPool] = {}
        self._lock = threading.Lock()
        self._log_sinks: Callable[[str], LogSink | None] = lambda _: None

    def register(self, spec: FunctionSpec) -> None:
        with self._lock:
            old = self._pools.get(spec.name)
            pool = self._pools[spec.name] = FunctionPool(spec, self.platform_env)
            pool.log_sink = self._log_sinks(spec.group)
        if old is not None:
            old.stop()
        # The fork server imports while the rest of the start goes on, so the first cold start finds it up.
        env = worker_environment(spec, self.platform_env)
        threading.Thread(
            target=FORK_SERVERS.server_for, args=(env, COMMAND_LABEL), name="zygote-start", daemon=True
        ).start()

    def attach_log_sinks(self, sink_for: Callable[[str], LogSink | None]) -> None:
        """Each function's log sink by its log group (None: no subscription filter on it), now and for
        functions registered later."""
        with self._lock:
            self._log_sinks = sink_for
            for pool in self._pools.values():
                pool.log_sink = sink_for(pool.spec.group)

    def pool(self, name_or_arn: str) -> FunctionPool | None:
        name = name_or_arn.split(":")[6] if name_or_arn.startswith("arn:") else name_or_arn
        return self._pools.get(name)

    def invoke(self, name_or_arn: str, event: Any) -> InvokeResult:
        pool = self.pool(name_or_arn)
        if pool is None:
            raise KeyError(name_or_arn)
        return pool.invoke(event)

    def describe(self) -> dict[str, dict[str, Any]]:
        return {
            name: {
                "logical_id": pool.spec.logical_id,
                "invocations": pool.invocations,
                "cold_starts": pool.cold_starts,
                "timeout": pool.spec.timeout,
                "memory_mb": pool.spec.memory_mb,
            }
            for name, pool in self._pools.items()
        }

    def stop(self) -> None:
        for pool in list(self._pools.values()):
            pool.stop()
        FORK_SERVERS.stop()
