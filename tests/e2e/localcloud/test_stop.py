"""Stopping `trainbook up`: Ctrl-C the moment the ready line is printed still stops every process."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.localcloud.running import FIXTURE_TEMPLATE, RunningCloud, processes_naming, wait_for

REPO = Path(__file__).resolve().parents[3]


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


def test_a_harness_killed_midway_takes_its_cloud_with_it(tmp_path: Path) -> None:
    """A test run or a bench killed with -9 leaves no `trainbook up`, engine or worker behind it."""
    harness = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from tests.e2e.localcloud.running import FIXTURE_TEMPLATE, RunningCloud\n"
            "RunningCloud(FIXTURE_TEMPLATE, Path(sys.argv[1]))\n"
            "print('started', flush=True)\n"
            "time.sleep(600)\n",
            str(tmp_path),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert harness.stdout is not None
        assert harness.stdout.readline().strip() == "started"
        assert processes_naming(tmp_path)  # the cloud runs (gateway, engine, workers)
    finally:
        harness.kill()
        harness.wait()
    wait_for(lambda: not processes_naming(tmp_path), deadline=20)
