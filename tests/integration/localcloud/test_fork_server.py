"""Workers forked from the zygote behave as spawned ones: own environment and init, crash, timeout, death."""

from __future__ import annotations

import json
import os
import signal
import socket
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from localcloud.runtime import worker as worker_module
from localcloud.runtime.functions import FunctionSpec
from localcloud.runtime.pool import FunctionPool
from localcloud.runtime.zygote import FORK_SERVERS, ForkServers
from tests.e2e.localcloud.running import wait_for

HANDLER = textwrap.dedent(
    """
    import os, sys, time
    from botocore.auth import SigV4Auth

    with open(os.path.join(os.environ["INIT_LOG"]), "a") as log:  # the function's init, once per worker
        log.write(os.environ["AWS_LAMBDA_FUNCTION_NAME"] + "\\n")

    def handler(event, context):
        if event.get("exit"):
            os._exit(event["exit"])
        time.sleep(event.get("sleep", 0))
        return {
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "only_mine": sorted(name for name in os.environ if name.startswith("ONLY_")),
            "cwd": os.getcwd(),
            "path0": sys.path[0],
            "memory": context.memory_limit_in_mb,
            "signs_fully": SigV4Auth.add_auth.__name__ == "add_auth",
        }
    """
)
PLATFORM = {"AWS_REGION": "eu-central-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


@pytest.fixture
def code_dir(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "fork_probe.py").write_text(HANDLER)
    yield tmp_path
    FORK_SERVERS.stop()


def _pool(code_dir: Path, name: str, timeout: int = 10, **env: str) -> FunctionPool:
    spec = FunctionSpec(
        logical_id=name,
        name=name,
        arn=f"arn:aws:lambda:eu-central-1:123456789012:function:{name}",
        handler="fork_probe.handler",
        code_dir=str(code_dir),
        timeout=timeout,
        memory_mb=256,
        environment={"INIT_LOG": str(code_dir / "init.log"), **env},
    )
    return FunctionPool(spec, PLATFORM)


def _call(pool: FunctionPool, event: dict[str, Any] | None = None) -> dict[str, Any]:
    result = pool.invoke(event or {})
    answer: dict[str, Any] = json.loads(result.payload)
    if result.function_error:
        return {"error": answer}
    return answer


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


def test_each_forked_worker_runs_its_own_function_environment_and_init(code_dir: Path) -> None:
    first = _pool(code_dir, "first", ONLY_FIRST="1")
    second = _pool(code_dir, "second", ONLY_SECOND="1")
    answers = [_call(first), _call(second)]
    zygote_threads = os.listdir(f"/proc/{answers[0]['ppid']}/task")
    first.stop()
    second.stop()
    zygote = {answer["ppid"] for answer in answers}
    assert len(zygote) == 1 and zygote != {os.getpid()}  # both forked, from one zygote
    assert len(zygote_threads) == 1  # it forks: nothing but its main thread may exist
    assert [answer["only_mine"] for answer in answers] == [["ONLY_FIRST"], ["ONLY_SECOND"]]
    assert {(answer["cwd"], answer["path0"], answer["memory"]) for answer in answers} == {
        (str(code_dir), str(code_dir), 256)
    }
    assert (code_dir / "init.log").read_text().split() == ["first", "second"]
    assert not any(answer["signs_fully"] for answer in answers)


def test_a_worker_that_exits_is_reported_as_runtime_exit_error_and_replaced(code_dir: Path) -> None:
    pool = _pool(code_dir, "crashing")
    crashed = _call(pool, {"exit": 3})
    after = _call(pool)
    pool.stop()
    assert crashed["error"]["errorType"] == "Runtime.ExitError"
    assert "exited with code 3" in crashed["error"]["errorMessage"]
    assert "pid" in after and (code_dir / "init.log").read_text().split() == ["crashing", "crashing"]


def test_a_forked_worker_past_its_timeout_is_killed(code_dir: Path) -> None:
    pool = _pool(code_dir, "slow", timeout=1)
    before = _call(pool)
    timed_out = _call(pool, {"sleep": 5})
    pool.stop()
    assert "Task timed out after 1.00 seconds" in timed_out["error"]["errorMessage"]
    wait_for(lambda: _gone(before["pid"]))


def test_workers_die_with_their_zygote_and_the_next_cold_start_gets_a_new_one(code_dir: Path) -> None:
    pool = _pool(code_dir, "orphan")
    before = _call(pool)
    os.kill(before["ppid"], signal.SIGKILL)
    wait_for(lambda: _gone(before["pid"]))
    failed = _call(pool)  # the warm worker is gone: the call fails as a crash
    after = _call(pool)
    pool.stop()
    assert failed["error"]["errorType"] == "Runtime.ExitError"
    assert after["ppid"] not in (before["ppid"], os.getpid())


def test_workers_are_spawned_when_fork_is_unavailable(
    code_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FORK_SERVERS, "enabled", False)
    pool = _pool(code_dir, "spawned", ONLY_SPAWNED="1")
    answer = _call(pool)
    pool.stop()
    assert answer["ppid"] == os.getpid()
    assert answer["only_mine"] == ["ONLY_SPAWNED"]


def test_full_signing_reaches_a_forked_worker(code_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_module, "SIGNING_FLAGS", ["--full-sigv4"])
    pool = _pool(code_dir, "signing")
    answer = _call(pool)
    pool.stop()
    assert answer["signs_fully"] and answer["ppid"] != os.getpid()


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.fixture
def lent() -> Iterator[tuple[ForkServers, ForkServers]]:
    """Two processes' zygotes as `trainbook up` pairs them: the engine's lends, the gateway's adopts."""
    engine, gateway = ForkServers(), ForkServers()
    ours, engines = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    engine.lend(engines)
    gateway.adopt(ours)
    yield engine, gateway
    gateway.stop()
    engine.stop()


def test_the_gateway_forks_its_workers_from_a_sibling_of_the_engines_zygote(
    code_dir: Path, lent: tuple[ForkServers, ForkServers], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, gateway = lent
    env = worker_module.worker_environment(_pool(code_dir, "probe").spec, PLATFORM)
    engines_zygote = engine.server_for(env, [])
    assert engines_zygote is not None and engines_zygote.process is not None

    monkeypatch.setattr(worker_module, "FORK_SERVERS", gateway)
    pool = _pool(code_dir, "gateway-side")
    answer = _call(pool)
    sibling = answer["ppid"]
    assert sibling not in (engines_zygote.pid, os.getpid())
    assert _parent_of(sibling) == engines_zygote.pid  # forked by the engine's zygote, not spawned
    assert answer["only_mine"] == [] and answer["cwd"] == str(code_dir)

    gateway.stop()  # the gateway closes its end: the sibling leaves, and its worker with it
    wait_for(lambda: _gone(sibling) and _gone(answer["pid"]))
    pool.stop()
    assert engines_zygote.alive


def test_without_a_sibling_the_gateway_starts_its_own_zygote(
    code_dir: Path, lent: tuple[ForkServers, ForkServers], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, gateway = lent
    engine.stop()  # the engine stops before it had a zygote (or its zygote could not start)
    monkeypatch.setattr(worker_module, "FORK_SERVERS", gateway)
    pool = _pool(code_dir, "own-zygote")
    answer = _call(pool)
    pool.stop()
    assert answer["ppid"] != os.getpid() and _parent_of(answer["ppid"]) == os.getpid()
