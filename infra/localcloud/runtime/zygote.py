"""The Lambda workers' fork server: imports the heavy third-party modules once, then forks each worker.

A spawned worker (`python -m localcloud.runtime.worker_main`) imports boto3, botocore, PynamoDB,
Powertools and pydantic again: about 0.4 CPU-s per cold start, and a fresh start cold starts dozens. The
zygote is one process per local cloud that imports those modules (only modules: no client, socket or
thread exists before a fork) and then waits on a control socket. For each worker the engine sends the
function's environment, working directory and argument list with the two pipe ends of the worker
protocol (SCM_RIGHTS); the zygote forks, and the child does what a cold start does: takes the function's
environment, imports its handler (the function's own init code runs in every worker, as on Lambda) and
serves the pipe protocol of `worker_main`. The zygote reaps its children and tells the engine their exit
codes; the engine kills a worker through the zygote, the only process that knows whether the pid is still
its child (no kill of a recycled pid).

Dying with the cloud: the zygote gets SIGKILL when the engine's spawner thread dies (PDEATHSIG) and also
leaves when its parent pid changes; every child asks for SIGKILL when the zygote dies. So kill -9 of the
engine, or of `trainbook up`, leaves no worker.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from typing import IO, Any

from localcloud.garbage import paused_while_starting

log = logging.getLogger("localcloud.lambda")

# Imported once by the zygote. Each must read no environment variable at import that differs between
# functions, start no thread and open no socket: aws_xray_sdk is left out on purpose (its import builds a
# recorder that creates a botocore client and decides from LAMBDA_TASK_ROOT whether it runs in Lambda).
PRELOADED = (
    "boto3",
    "boto3.session",
    "botocore.session",
    "botocore.client",
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.serialize",
    "botocore.auth",
    "botocore.credentials",
    "botocore.httpsession",
    "botocore.regions",
    "botocore.retries.standard",
    "botocore.response",
    "pydantic",
    "pynamodb.models",
    "pynamodb.attributes",
    "pynamodb.connection",
    "pynamodb.expressions.condition",
    "pynamodb.exceptions",
    "aws_lambda_powertools",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.metrics",
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.event_handler.openapi.models",
    "aws_lambda_powertools.utilities.batch",
    "aws_lambda_powertools.utilities.typing",
    "aws_lambda_powertools.utilities.data_classes",
    "aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event",
    "jwt",
    "argon2",
    "fpdf",
    "localcloud.runtime.worker_main",
    "localcloud.runtime.unsigned",
    "localcloud.runtime.lean_calls",  # with the engine's header reader (werkzeug), 20 ms of imports
)

# Variables that a Python interpreter reads at its start (PYTHON*) or that a preloaded module reads at its
# import. A worker is forked only from a zygote started with the same values; any other is spawned.
IMPORT_TIME_VARIABLES = ("AWS_EXECUTION_ENV", "AWS_LAMBDA_INITIALIZATION_TYPE", "PYNAMODB_CONFIG")

# LOCALCLOUD_WORKERS=spawn: every worker is a fresh interpreter, as before the fork server (to compare).
SPAWN_ONLY = os.environ.get("LOCALCLOUD_WORKERS") == "spawn"
_PR_SET_NAME = 15
_MESSAGE_BYTES = 1 << 20  # a request: the function's environment, up to Lambda's 4 KB and more
_ANSWER_BYTES = 4096  # an answer: a pid or an exit code
READY_SECONDS = 60.0


def import_environment(env: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """What of a worker's environment a forked worker would inherit from its zygote instead of reading."""
    names = sorted(name for name in env if name.startswith("PYTHON") or name in IMPORT_TIME_VARIABLES)
    return tuple((name, env[name]) for name in names)


def fork_supported() -> bool:
    # Linux only: the children's death with their parent rests on PR_SET_PDEATHSIG.
    return hasattr(os, "fork") and hasattr(socket, "send_fds") and sys.platform.startswith("linux")


# ---- the zygote process ------------------------------------------------------------------------------


def _send(control: socket.socket, message: dict[str, Any]) -> None:
    control.sendmsg([json.dumps(message).encode()])


def _become_worker(
    request: dict[str, Any], fds: list[int], control: socket.socket, closing: list[int], zygote: int
) -> None:
    """In the forked child: the function's process from here on; never returns."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        from localcloud.owner import die_with_parent

        die_with_parent(zygote)
        control.close()
        for fd in closing:
            os.close(fd)
        stdin_fd, stdout_fd = fds
        os.dup2(stdin_fd, 0)
        os.dup2(stdout_fd, 1)
        os.close(stdin_fd)
        os.close(stdout_fd)
        os.environ.clear()
        os.environ.update(request["env"])
        time.tzset()  # TZ of the function's environment, as an interpreter reads it at start
        os.chdir(request["cwd"])
        # What `python -m` puts first on the path: the worker's working directory (its CodeUri).
        sys.path[0] = request["cwd"]
        sys.argv = [request["argv"][0], *request["argv"][1:]]
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - the worker's requests
        _name_process(request["env"].get("AWS_LAMBDA_FUNCTION_NAME", "lambda"))
        from localcloud.runtime import worker_main

        worker_main.main()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(code)


def _become_sibling(fds: list[int], control: socket.socket, closing: list[int], zygote: int) -> None:
    """In the forked child: a second zygote, past the imports already, serving the control socket it was
    sent (another process's); it leaves with this zygote, or when that socket closes. Never returns."""
    try:
        from localcloud.owner import die_with_parent

        die_with_parent(zygote)
        # A session of its own, as the gateway's zygote had as `trainbook up`'s child: Linux schedules
        # sessions as groups (autogroup), so its workers do not take their CPU from the engine's group.
        os.setsid()
        control.close()
        for fd in closing:
            os.close(fd)
        signal.set_wakeup_fd(-1)
        serve(socket.socket(fileno=fds[0]))
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(0)


def _name_process(function_name: str) -> None:
    """`ps -o comm` and `top` show the function (15 bytes), not the zygote's name."""
    from localcloud.owner import _LIBC

    if _LIBC is not None:
        _LIBC.prctl(_PR_SET_NAME, function_name[-15:].encode(), 0, 0, 0)


def serve(control: socket.socket) -> None:
    """The zygote's loop: fork on request, kill on request, report every child's exit."""
    parent = os.getppid()
    zygote = os.getpid()
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    children: set[int] = set()
    _send(control, {"ready": True, "pid": zygote, "imports": import_environment(dict(os.environ))})
    while True:
        readable: list[Any] = select.select([control.fileno(), wake_read], [], [], 1.0)[0]
        if os.getppid() != parent:
            os._exit(0)  # the engine is gone (PDEATHSIG is the first line)
        if wake_read in readable:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_read, 512)
        _reap(control, children)
        if control.fileno() not in readable:
            continue
        data, fds, _, _ = socket.recv_fds(control, _MESSAGE_BYTES, 2)
        if not data:
            return  # the engine closed its end: the cloud is stopping
        request = json.loads(data)
        if "kill" in request:
            if request["kill"] in children:  # not yet reaped: the pid is still this child
                os.kill(request["kill"], signal.SIGKILL)
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0 and request.get("sibling"):
            _become_sibling(fds, control, [wake_read, wake_write], zygote)
        if pid == 0:
            _become_worker(request, fds, control, [wake_read, wake_write], zygote)
        for fd in fds:
            os.close(fd)
        children.add(pid)
        _send(control, {"pid": pid})


def _reap(control: socket.socket, children: set[int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        children.discard(pid)
        _send(control, {"exited": pid, "code": os.waitstatus_to_exitcode(status)})


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[sys.argv.index("--control") + 1]))
    # Keep the preloaded objects out of the collector's generations: a collection in a worker then does
    # not touch (and copy) the pages they share with the zygote.
    with paused_while_starting() as ready:
        for name in PRELOADED:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        gc.collect()
        ready()
    serve(control)


# ---- the engine's side ---------------------------------------------------------------------------------


class ForkServerDown(Exception):
    """The zygote is not running (it failed to start or died); the caller spawns instead."""


class ForkedProcess:
    """A worker forked by the zygote, with the part of `subprocess.Popen` the worker handle uses."""

    def __init__(self, server: ForkServer, pid: int, stdin: IO[bytes], stdout: IO[bytes]) -> None:
        self._server = server
        self.pid = pid
        self.stdin: IO[bytes] | None = stdin
        self.stdout: IO[bytes] | None = stdout
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self._server.exit_code(self.pid)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        code = self._server.wait_exit(self.pid, timeout)
        if code is None:
            raise subprocess.TimeoutExpired("lambda worker", timeout or 0.0)
        self.returncode = code
        return code

    def kill(self) -> None:
        if self.poll() is None:
            self._server.kill(self.pid)


class ForkServer:
    """One zygote process, as the engine sees it: start it, ask it for workers, learn their exits."""

    def __init__(self, control: socket.socket, process: subprocess.Popen[bytes] | None) -> None:
        """`process`: the zygote, when this process spawned it (None: a sibling another process asked for)."""
        self._control = control
        self._exits: dict[int, int] = {}
        self._replies: list[dict[str, Any]] = []
        self._changed = threading.Condition()
        self._asking = threading.Lock()
        self.alive = True
        self.process = process
        self._reader = threading.Thread(target=self._read, name="zygote-reader", daemon=True)
        self._reader.start()
        try:
            ready = self._reply(time.monotonic() + READY_SECONDS)
            if not ready.get("ready"):
                raise ForkServerDown(f"the fork server did not start: {ready}")
        except ForkServerDown:
            self.stop()  # closes the socket (and ends a spawned zygote) that will not be used
            raise
        self.pid = int(ready["pid"])
        self.imports = tuple(tuple(pair) for pair in ready.get("imports", ()))

    @classmethod
    def spawn(cls, env: dict[str, str], label: list[str]) -> ForkServer:
        """Start a zygote process and wait until it has imported."""
        from localcloud.runtime import worker

        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [sys.executable, "-m", "localcloud.runtime.zygote", "--control", str(theirs.fileno())]
        try:
            process = worker.SPAWNER.popen(
                [*command, *label],
                env=env,
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=worker.WORKER_STDERR,
                cwd="/",  # nothing of the engine's directory on the zygote's path; each child sets its own
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        return cls(ours, process)

    def fork_sibling(self, control: socket.socket) -> None:
        """Have the zygote fork a second zygote serving `control`, whose other end another process holds
        (the gateway's): that process gets a zygote without importing everything again. The sibling is
        this zygote's child and dies with it; it leaves when `control`'s other end closes."""
        try:
            with self._asking:
                if not self.alive:
                    raise ForkServerDown("the fork server is not running")
                socket.send_fds(self._control, [json.dumps({"sibling": True}).encode()], [control.fileno()])
                self._reply(time.monotonic() + READY_SECONDS)
        finally:
            control.close()

    def _read(self) -> None:
        while True:
            try:
                data = self._control.recv(_ANSWER_BYTES)
            except OSError:
                data = b""
            with self._changed:
                if not data:
                    self.alive = False
                    self._changed.notify_all()
                    return
                message = json.loads(data)
                if "exited" in message:
                    self._exits[message["exited"]] = message["code"]
                else:
                    self._replies.append(message)
                self._changed.notify_all()

    def _reply(self, deadline: float) -> dict[str, Any]:
        with self._changed:
            while not self._replies:
                remaining = deadline - time.monotonic()
                if not self.alive or remaining <= 0:
                    raise ForkServerDown("the fork server is not answering")
                self._changed.wait(remaining)
            return self._replies.pop(0)

    def fork(self, env: dict[str, str], cwd: str, argv: list[str]) -> ForkedProcess:
        request = json.dumps({"env": env, "cwd": cwd, "argv": argv}).encode()
        stdin_read, stdin_write = os.pipe()
        stdout_read, stdout_write = os.pipe()
        try:
            with self._asking:
                if not self.alive:
                    raise ForkServerDown("the fork server is not running")
                try:
                    socket.send_fds(self._control, [request], [stdin_read, stdout_write])
                except OSError as error:
                    raise ForkServerDown(f"the fork server is not running: {error}") from error
                answer = self._reply(time.monotonic() + READY_SECONDS)
        except BaseException:
            for fd in (stdin_write, stdout_read):
                os.close(fd)
            raise
        finally:
            os.close(stdin_read)
            os.close(stdout_write)
        pid = int(answer["pid"])
        return ForkedProcess(self, pid, open(stdin_write, "wb"), open(stdout_read, "rb"))

    def exit_code(self, pid: int) -> int | None:
        with self._changed:
            if pid in self._exits:
                return self._exits[pid]
            # Without its zygote a worker is gone too: its parent-death signal killed it.
            return None if self.alive else -signal.SIGKILL

    def wait_exit(self, pid: int, timeout: float | None) -> int | None:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while pid not in self._exits and self.alive:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return None
                self._changed.wait(remaining)
            return self._exits.get(pid, -signal.SIGKILL)

    def kill(self, pid: int) -> None:
        with self._asking, contextlib.suppress(OSError):
            self._control.sendmsg([json.dumps({"kill": pid}).encode()])

    def stop(self) -> None:
        """Close the control socket: the zygote leaves its loop; its remaining children die with it."""
        with contextlib.suppress(OSError):
            self._control.shutdown(socket.SHUT_RDWR)
        self._control.close()
        if self.process is None:
            return  # a sibling: its parent, another process's zygote, reaps it
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class ForkServers:
    """A process's zygotes, one per import environment (normally one); spawning when none can serve.

    `trainbook up` runs Lambda workers in two processes, the engine and the gateway, and each would
    import the same modules into a zygote of its own (about 1.3 CPU-s of every start). Instead the
    engine lends the gateway a sibling of its zygote: `up` hands the engine one end of a socket pair
    (`lend`, before the engine's functions are registered) and keeps the other (`adopt`); once the
    engine's zygote has imported, it forks a second zygote serving that socket, and the gateway takes
    it as its own. A sibling that does not come (the engine's zygote failed) or was made for other
    import-time variables is not used: the gateway spawns its zygote as before."""

    def __init__(self) -> None:
        self._servers: dict[tuple[tuple[str, str], ...], ForkServer] = {}
        self._broken: set[tuple[tuple[str, str], ...]] = set()
        self._lock = threading.Lock()
        self.enabled = fork_supported() and not SPAWN_ONLY
        self._lent: socket.socket | None = None  # for a sibling of this process's first zygote
        self._adopted: socket.socket | None = None  # a sibling forked by another process's zygote

    def lend(self, control: socket.socket) -> None:
        """Fork a sibling of the first zygote this process starts, serving `control`."""
        with self._lock:
            self._lent = control

    def adopt(self, control: socket.socket) -> None:
        """Use the zygote that will answer on `control` (another process's sibling) before spawning one."""
        with self._lock:
            self._adopted = control

    def server_for(self, env: dict[str, str], label: list[str]) -> ForkServer | None:
        """The running zygote for this environment, started on first use; None: spawn instead."""
        if not self.enabled:
            return None
        key = import_environment(env)
        with self._lock:
            server = self._servers.get(key)
            if server is not None and server.alive:
                return server
            if key in self._broken:
                return None
            server = self._adopted_server(key)
            if server is None:
                from localcloud.runtime.worker import PASSED_THROUGH

                zygote_env = {name: env[name] for name in PASSED_THROUGH if name in env}
                zygote_env.update(dict(key))
                try:
                    server = ForkServer.spawn(zygote_env, label)
                except (OSError, ForkServerDown) as error:
                    # Once only: a zygote that cannot start would cost every cold start its timeout.
                    log.warning("fork server unavailable (%s): Lambda workers are spawned", error)
                    self._broken.add(key)
                    self._close_lent()  # the other process spawns its own
                    return None
                log.info("fork server for Lambda workers: pid %s", server.pid)
            self._servers[key] = server
            self._lend_to(server)
            return server

    def _adopted_server(self, key: tuple[tuple[str, str], ...]) -> ForkServer | None:
        if self._adopted is None:
            return None
        control, self._adopted = self._adopted, None
        try:
            server = ForkServer(control, None)
        except ForkServerDown as error:
            log.info("no sibling fork server from the engine (%s): starting one", error)
            return None
        if server.imports != key:
            server.stop()
            return None
        log.info("fork server for Lambda workers: pid %s, a sibling of the engine's", server.pid)
        return server

    def _lend_to(self, server: ForkServer) -> None:
        if self._lent is None:
            return
        control, self._lent = self._lent, None
        try:
            server.fork_sibling(control)
        except (OSError, ForkServerDown) as error:
            log.warning("no sibling fork server for the gateway (%s)", error)

    def _close_lent(self) -> None:
        if self._lent is not None:
            self._lent.close()
            self._lent = None

    def stop(self) -> None:
        with self._lock:
            servers, self._servers = list(self._servers.values()), {}
            self._close_lent()
            if self._adopted is not None:
                self._adopted.close()
                self._adopted = None
        for server in servers:
            server.stop()


# The engine's zygotes (the runtime stops them with the workers).
FORK_SERVERS = ForkServers()

if __name__ == "__main__":
    main()
