"""Starts the engine as a child process and waits, with a deadline, for its ready line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from localcloud.owner import die_with_parent

READY_MARK = "localcloud engine ready on "
START_DEADLINE_SECONDS = 30.0


class EngineFailed(Exception):
    """The engine did not come up; the message is the reason to show the user."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


class EngineProcess:
    """The child running `python -m localcloud.engine`; its output goes to a log and to `echo`."""

    def __init__(
        self,
        data_dir: Path | None,
        region: str,
        log_path: Path | None,
        echo: Callable[[str], None] | None = None,
        fsync: str = "batch",
        ttl_interval: float | None = None,
        lend_zygote: socket.socket | None = None,
    ) -> None:
        """`lend_zygote`: a socket the engine's first zygote is to serve a sibling on (ForkServers.lend);
        the engine gets it, this process no longer holds it."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "localcloud.engine", "--port", str(self.port), "--region", region]
        if data_dir is not None:
            command += ["--data-dir", str(data_dir), "--fsync", fsync]
        parent = os.getpid()
        command += ["--parent-pid", str(parent)]
        if ttl_interval is not None:
            command += ["--ttl-interval", str(ttl_interval)]
        passed = [lend_zygote.fileno()] if lend_zygote is not None else []
        if lend_zygote is not None:
            command += ["--lend-zygote-fd", str(lend_zygote.fileno())]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self._log = log_path.open("a", encoding="utf-8") if log_path else None
        self._echo = echo
        self._writing = threading.Lock()
        self._output: list[str] = []
        self._ready = threading.Event()
        try:
            self.process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=env,
                text=True,
                bufsize=1,
                pass_fds=passed,
                # Own session: Ctrl-C in the terminal reaches only `trainbook up`, which stops the engine
                # in order. The engine still dies with `trainbook up` however that ends (parent-death signal).
                start_new_session=True,
                preexec_fn=lambda: die_with_parent(parent),
            )
        finally:
            if lend_zygote is not None:
                lend_zygote.close()
        self._reader = threading.Thread(target=self._read_output, name="engine-output", daemon=True)
        self._reader.start()

    def _read_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._output.append(line)
            self.write_line(line.rstrip("\n"))
            # Lines can arrive in pieces: look at everything read so far, not only this line.
            if not self._ready.is_set() and READY_MARK in "".join(self._output[-5:]):
                self._ready.set()
        self._ready.set()

    def write_line(self, line: str) -> None:
        """One line of the engine's output, or of another process's that belongs beside it (the gateway's
        Lambda workers), to the log and to `echo`."""
        with self._writing:
            if self._log is not None and not self._log.closed:
                self._log.write(line + "\n")
                self._log.flush()
            if self._echo is not None:
                self._echo(line)

    def wait_ready(self, deadline_seconds: float = START_DEADLINE_SECONDS) -> None:
        started = time.monotonic()
        if not self._ready.wait(deadline_seconds) or self.process.poll() is not None:
            tail = "".join(self._output[-15:]).strip()
            self.stop()
            waited = time.monotonic() - started
            raise EngineFailed(
                f"the engine did not start within {waited:.0f} s: {tail[-600:] or 'no output'}"
            )

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM (the engine saves its data and stops its workers), then SIGKILL after `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._reader.join(timeout=2)
        if self._log is not None:
            with self._writing:
                self._log.close()
        return int(self.process.returncode)
