"""Starts `trainbook up` as a real child process for tests, waits for its ready line, stops it by pid.

The cloud dies with the process that started it (`ChildSpawner`: SIGKILL on its parent's death), so a
test run or a bench killed midway leaves no cloud running behind it; its engine and workers follow it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import boto3

from localcloud.owner import ChildSpawner

READY_LINE = "Trainbook local cloud ready on"
FIXTURE_TEMPLATE = (
    Path(__file__).parents[2] / "integration" / "localcloud" / "fixtures" / "app" / "template.yaml"
)
REGION = "eu-central-1"
SPAWNER = ChildSpawner()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RunningCloud:
    """One `trainbook up`; `url` is the gateway, `engine_url` the AWS endpoint boto3 talks to."""

    def __init__(
        self, template: Path, data_dir: Path, *extra: str, deadline: float = 90.0, new_session: bool = False
    ) -> None:
        self.port = free_port()
        self.data_dir = data_dir
        self.url = f"http://localhost:{self.port}"
        self.api_url = f"{self.url}/api"  # the REST API of the real template (its stage is `api`)
        self.output: list[str] = []
        env = dict(os.environ, PYTHONUNBUFFERED="1", NO_PROXY="127.0.0.1,localhost")
        command = [
            str(Path(sys.executable).parent / "trainbook"),
            "up",
            "--port",
            str(self.port),
            "--data-dir",
            str(data_dir),
            "--template",
            str(template),
            *extra,
        ]
        # new_session: its own process group, so a test can kill -9 the whole group and nothing else.
        self.process: subprocess.Popen[str] = SPAWNER.popen(  # type: ignore[assignment]  # text mode
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=template.parent,
            start_new_session=new_session,
        )
        self._ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(deadline) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError("trainbook up did not start:\n" + "".join(self.output[-40:]))
        found = re.search(r"engine \(AWS\)\s+(http://\S+)", "".join(self.output))
        assert found, "".join(self.output)
        self.engine_url = found.group(1)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            # Accumulated output: the ready line may arrive in pieces.
            if READY_LINE in "".join(self.output[-3:]):
                self._ready.set()
        self._ready.set()  # the process ended: stop waiting, __init__ reports its output

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.engine_url,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def processes_naming(path: Path) -> list[tuple[int, str]]:
    """Live processes whose command line names `path` (a data dir): `trainbook up`, its engine, workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if str(path) in command and state != "Z":  # a zombie is dead, only not yet reaped
            found.append((int(entry.name), command.strip()))
    return found


def wait_for(condition: Any, deadline: float = 30.0, interval: float = 0.1) -> Any:
    """Poll `condition` until it returns something truthy; fail with the last value at the deadline."""
    end = time.monotonic() + deadline
    value = None
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {deadline} s (last value: {value!r})")
