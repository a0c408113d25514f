"""`trainbook up` on the repository's own template.yaml: every function, table, trigger and machine runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from localcloud.template.loader import load_template
from tests.e2e.localcloud.running import RunningCloud, wait_for
from trainbook.accounts.events import UserRegistered
from trainbook.eventstore.events import NO_META, PendingEvent
from trainbook.eventstore.store import item_of

REPO_TEMPLATE = Path(__file__).parents[3] / "template.yaml"


@pytest.fixture(scope="module")
def repo_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    running = RunningCloud(REPO_TEMPLATE, tmp_path_factory.mktemp("repo-cloud"), "--quiet")
    yield running
    running.stop()


def _declared(kind: str) -> set[str]:
    resources = load_template(REPO_TEMPLATE)["Resources"]
    return {logical_id for logical_id, resource in resources.items() if resource["Type"] == kind}


def test_every_function_of_the_template_gets_a_warm_worker_pool(repo_cloud: RunningCloud) -> None:
    engine = httpx.get(f"{repo_cloud.url}/health").json()["engine"]
    assert {f["logical_id"] for f in engine["functions"].values()} >= _declared("AWS::Serverless::Function")


def test_every_table_and_state_machine_exists_in_the_engine(repo_cloud: RunningCloud) -> None:
    tables = repo_cloud.client("dynamodb").list_tables()["TableNames"]
    machines = repo_cloud.client("stepfunctions").list_state_machines()["stateMachines"]
    assert len(tables) == len(_declared("AWS::DynamoDB::Table"))
    assert len(machines) == len(_declared("AWS::Serverless::StateMachine"))


def test_every_stream_trigger_consumes_the_events_stream(repo_cloud: RunningCloud) -> None:
    health = httpx.get(f"{repo_cloud.url}/health").json()
    streams = health["engine"]["streams"]
    assert streams and all(stream["alive"] for stream in streams.values())
    before = {key: stream["position"] for key, stream in streams.items()}
    events_table = next(t for t in repo_cloud.client("dynamodb").list_tables()["TableNames"] if "events" in t)
    # A well-formed event (one the broadcaster decodes, and for which it has no message) on a stream no
    # projector reads: a malformed one would be retried with backoff and would only move on after that.
    probe = PendingEvent("localcloud-probe", 1, UserRegistered(user_id="probe", role="passenger"), NO_META)
    repo_cloud.client("dynamodb").put_item(TableName=events_table, Item=item_of(probe, datetime.now(UTC)))

    def all_moved_on() -> bool:
        # Each trigger moves past the probe: the broadcaster by delivering it, the others by their
        # FilterCriteria dropping it (no projector reads a stream named `localcloud-probe`).
        positions = httpx.get(f"{repo_cloud.url}/health").json()["engine"]["streams"]
        return all(
            stream["position"] > before[key] and stream["backlog"] == 0 for key, stream in positions.items()
        )

    wait_for(all_moved_on, deadline=60)
    sqs = repo_cloud.client("sqs")
    failures = next(url for url in sqs.list_queues()["QueueUrls"] if "failures" in url)
    waiting = sqs.get_queue_attributes(QueueUrl=failures, AttributeNames=["ApproximateNumberOfMessages"])
    assert waiting["Attributes"]["ApproximateNumberOfMessages"] == "0"  # delivered, not given up on


def test_the_shipped_timetable_is_loaded_and_searchable_when_ready(repo_cloud: RunningCloud) -> None:
    from datetime import date, timedelta

    output = "".join(repo_cloud.output)
    assert "train runs for sale" in output and "caught up" in output
    day = (date.today() + timedelta(days=29)).isoformat()  # the last day of the 30-day window
    answer = httpx.get(f"{repo_cloud.url}/api/search", params={"from": "WAW", "to": "GDG", "date": day})
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["departures"]) >= 4


def _workers_by_function(repo_cloud: RunningCloud) -> dict[str, list[int]]:
    """The pids of each function's workers: the cloud's processes named after the function (15 bytes)."""
    functions = httpx.get(f"{repo_cloud.url}/health").json()["engine"]["functions"]
    by_comm = {name[-15:]: name for name in functions}
    found: dict[str, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                comm = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if comm in by_comm and _descends_from(int(entry.name), repo_cloud.process.pid):
                found.setdefault(by_comm[comm], []).append(int(entry.name))
    return found


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        try:
            pid = int((Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return False
    return False


def test_workers_run_below_the_engine_unless_they_only_answered_reads(repo_cloud: RunningCloud) -> None:
    import os

    httpx.get(f"{repo_cloud.url}/api/stations").raise_for_status()  # the query function answers it
    # Both projectors of the runs applied the published timetable before the ready line, so both have a
    # worker: the search index with a batching window, analytics without.
    workers = _workers_by_function(repo_cloud)
    windowed = next(pids for name, pids in workers.items() if name.endswith("search-index-projector"))
    live = next(pids for name, pids in workers.items() if name.endswith("analytics-projector"))
    reads = next(pids for name, pids in workers.items() if name.endswith("-queries"))
    engine_nice = os.getpriority(os.PRIO_PROCESS, repo_cloud.process.pid)
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in reads} == {engine_nice}
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in live} == {min(19, engine_nice + 5)}
    assert {os.getpriority(os.PRIO_PROCESS, pid) for pid in windowed} == {min(19, engine_nice + 10)}
