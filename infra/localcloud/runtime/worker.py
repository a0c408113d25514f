"""A handle on one warm worker process: start it, send one invocation, enforce the timeout, kill it."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import subprocess
import sys
import time
import uuid
from typing import IO, Any, Protocol

from localcloud.owner import ChildSpawner
from localcloud.runtime.functions import FunctionSpec, InvokeResult
from localcloud.runtime.zygote import FORK_SERVERS, ForkServerDown

log = logging.getLogger("localcloud.lambda")

# What every worker sees besides the template's variables (AWS sets the same names).
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "SYSTEMROOT", "TMPDIR", "VIRTUAL_ENV")


# Workers die with the engine (parent-death signal, forked from one long-lived thread).
SPAWNER = ChildSpawner()
# Extra arguments on each worker's command line, unused by the worker: the engine puts its data dir
# there so that `ps` (and the orphan tests) can tell which local cloud a worker belongs to.
COMMAND_LABEL: list[str] = []
# Where workers (and their zygote) write their logs: None, this process's stderr (the engine's goes to
# the engine log); the gateway points its own workers at a pipe it relays to that log.
WORKER_STDERR: int | None = None
# LOCALCLOUD_SIGV4=full: workers compute real SigV4 signatures (to compare; see runtime/unsigned.py).
SIGNING_FLAGS = ["--full-sigv4"] if os.environ.get("LOCALCLOUD_SIGV4") == "full" else []


class WorkerProcess(Protocol):
    """What a worker handle needs of its process: a spawned `Popen` or a `zygote.ForkedProcess`."""

    pid: int
    stdin: IO[bytes] | None
    stdout: IO[bytes] | None

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


class WorkerCrashed(Exception):
    """The worker process exited or stopped answering."""


class EncodedEvent(dict[str, Any]):
    """An event with its JSON text already made (`json.dumps` of it, one line): the request to the worker
    splices that text instead of encoding the event again. It reads as the dict it holds.

    A stream record goes to every trigger of its table (eight on the Events table); encoding each batch
    whole was 2 % of the engine's CPU under the booking bench, so the pollers encode a record once and
    join the texts (`streams/delivery.py`)."""

    __slots__ = ("text",)

    def __init__(self, event: dict[str, Any], text: str) -> None:
        super().__init__(event)
        self.text = text


def event_of(payload: str) -> Any:
    """The event a JSON payload holds (`{}` for none); an object on one line keeps its text."""
    if not payload:
        return {}
    event = json.loads(payload)
    if type(event) is dict and "\n" not in payload:
        return EncodedEvent(event, payload)
    return event


def request_line(request_id: str, event: Any, function_arn: str, deadline: float) -> bytes:
    """The line the worker reads: `json.dumps` of the request, with an `EncodedEvent`'s text as it is."""
    # ASCII only, as `json.dumps` writes: a spawned worker reads its stdin in the locale's encoding.
    spliced = isinstance(event, EncodedEvent) and event.text.isascii()
    event_text = event.text if spliced else json.dumps(event)
    identifier = json.dumps(request_id)
    return (
        f'{{"id": {identifier}, "request_id": {identifier}, "event": {event_text}, '
        f'"function_arn": {json.dumps(function_arn)}, "deadline": {json.dumps(deadline)}}}\n'
    ).encode()


def worker_environment(spec: FunctionSpec, platform: dict[str, str]) -> dict[str, str]:
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    env.update(platform)
    env.update(
        {
            "_HANDLER": spec.handler,
            "LAMBDA_TASK_ROOT": spec.code_dir,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(spec.timeout),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.group,
            "AWS_LAMBDA_LOG_STREAM_NAME": f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(spec.environment)
    return env


def start_process(spec: FunctionSpec, env: dict[str, str]) -> tuple[WorkerProcess, bool]:
    """Fork the worker from the zygote when one serves this environment, else spawn it; True if forked."""
    server = FORK_SERVERS.server_for(env, COMMAND_LABEL)
    if server is not None:
        try:
            return server.fork(env, spec.code_dir, ["worker_main", *SIGNING_FLAGS, *COMMAND_LABEL]), True
        except ForkServerDown as error:
            log.warning("%s: %s; spawning the worker", spec.name, error)
    process: WorkerProcess = SPAWNER.popen(
        [sys.executable, "-m", "localcloud.runtime.worker_main", *SIGNING_FLAGS, *COMMAND_LABEL],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=WORKER_STDERR,
        env=env,
        cwd=spec.code_dir,
    )
    return process, False


class Worker:
    """One process running one function's handler, kept warm between invocations."""

    def __init__(self, spec: FunctionSpec, platform_env: dict[str, str]) -> None:
        self.spec = spec
        started = time.perf_counter()
        environment = worker_environment(spec, platform_env)
        self.log_stream = environment["AWS_LAMBDA_LOG_STREAM_NAME"]  # its lines' stream in the log group
        self.process, self.forked = start_process(spec, environment)
        self.invocations = 0
        try:
            # A slow import gets at least 10 s (AWS's init phase limit), however short the timeout.
            ready = self._read(time.time() + max(spec.timeout, 10))
        except BaseException:
            self.kill()
            raise
        self.init_ms = round((time.perf_counter() - started) * 1000, 1)
        log.info(
            "cold start %s: worker pid %s %s, ready in %.0f ms (import %s ms)",
            spec.name,
            self.process.pid,
            "forked" if self.forked else "spawned",
            self.init_ms,
            ready.get("init_ms"),
        )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def _read(self, deadline: float) -> dict[str, Any]:
        stdout = self.process.stdout
        assert stdout is not None
        remaining = deadline - time.time()
        if remaining <= 0 or not select.select([stdout], [], [], remaining)[0]:
            raise TimeoutError
        line = stdout.readline()
        if not line:
            raise WorkerCrashed(f"worker exited with code {self.process.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def invoke(self, event: Any, request_id: str) -> InvokeResult:
        deadline = time.time() + self.spec.timeout
        line = request_line(request_id, event, self.spec.arn, deadline)
        stdin = self.process.stdin
        assert stdin is not None
        started = time.perf_counter()
        try:
            stdin.write(line)
            stdin.flush()
            answer = self._read(deadline)
        except (BrokenPipeError, ValueError) as error:
            raise WorkerCrashed(str(error)) from error
        self.invocations += 1
        duration = round((time.perf_counter() - started) * 1000, 2)
        if "error" in answer:
            return InvokeResult(
                json.dumps(answer["error"]).encode(),
                "Unhandled",
                answer.get("logs", ""),
                duration_ms=duration,
            )
        return InvokeResult(
            json.dumps(answer.get("result")).encode(), None, answer.get("logs", ""), duration_ms=duration
        )

    def kill(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):  # a request still buffered for a dead worker
                    stream.close()

    def stop(self) -> None:
        """Close stdin so the worker leaves its loop; kill it if it does not go."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
