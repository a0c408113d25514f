"""Stopping `trainbook up`: Ctrl-C the moment the ready line is printed still stops every process."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from tests.e2e.localcloud.running import FIXTURE_TEMPLATE, RunningCloud, processes_naming, wait_for


def test_ctrl_c_right_after_the_ready_line_stops_the_engine_the_gateway_and_the_workers(
    tmp_path: Path,
) -> None:
    cloud = RunningCloud(FIXTURE_TEMPLATE, tmp_path)
    cloud.process.send_signal(signal.SIGINT)  # as soon as the ready line is read, before serving settles
    try:
        code = cloud.process.wait(30)
    except subprocess.TimeoutExpired:
        cloud.process.kill()
        raise AssertionError("the Ctrl-C was lost: `trainbook up` kept serving") from None

    assert code == 0, "".join(cloud.output[-20:])
    wait_for(lambda: not processes_naming(tmp_path), deadline=20)
