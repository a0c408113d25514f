"""`trainbook up`: run everything template.yaml declares on this machine, with no Docker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from enum import StrEnum
from pathlib import Path

import typer

from localcloud.cloud import DEFAULT_REGION, LocalCloud, Options, engine_call
from localcloud.owner import die_with_parent
from localcloud.serve import StartupError, run


class Fsync(StrEnum):
    """When the journal's writes reach the disk (docs/local-cloud.md says what a power loss can lose)."""

    always = "always"
    batch = "batch"
    off = "off"


def up(
    port: int = typer.Option(3000, help="the one port for REST, WebSocket, @connections and the front end"),
    data_dir: Path = typer.Option(Path(".trainbook"), help="where data survives restarts"),
    reset: bool = typer.Option(False, "--reset", help="start with empty tables (deletes --data-dir)"),
    template: Path = typer.Option(Path("template.yaml"), help="the SAM template to run"),
    host: str = typer.Option("127.0.0.1", help="interface to listen on (0.0.0.0 for your network)"),
    quiet: bool = typer.Option(False, "--quiet", help="do not print function logs"),
    ttl_interval: float = typer.Option(
        30.0, min=0.1, help="seconds between sweeps deleting items whose TTL has passed"
    ),
    fsync: Fsync = typer.Option(
        Fsync.batch,
        help="journal durability: always (fsync before each answer), batch (written before each answer, "
        "fsync every second), off (written just after the answer); see docs/local-cloud.md",
    ),
    timetable_days: int = typer.Option(
        30, min=0, max=366, help="days of the shipped timetable to open for sale at start (0: none)"
    ),
) -> None:
    """Start the local cloud: moto + warm Lambda workers + stream triggers + Step Functions + gateway."""
    options = Options(
        template=template,
        port=port,
        data_dir=data_dir,
        reset=reset,
        host=host,
        ttl_interval=ttl_interval,
        fsync=fsync.value,
        region=os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION),
    )

    def echo_engine(line: str) -> None:
        if not quiet:
            print(f"  | {line}", flush=True)

    def open_timetable(cloud: LocalCloud) -> list[str]:
        if not timetable_days:
            return []
        window = PublishedWindow.of(cloud, timetable_days)
        if window is not None and window.already_open():
            lines = [
                f"  timetable       {timetable_days} days from {window.days[0]} already open (unchanged)"
            ]
        else:
            lines = publish_timetable(cloud, timetable_days)
            if window is not None:
                window.remember()
        cloud.phase_done("timetable")
        lines += wait_for_projections(cloud)
        cloud.phase_done("read models")
        return lines

    try:
        run(options, echo_engine, lambda line: print(line, flush=True), after_start=open_timetable)
    except StartupError as error:
        print(f"trainbook up: {error}", file=sys.stderr, flush=True)
        raise typer.Exit(code=1) from None


def publish_timetable(cloud: LocalCloud, days: int) -> list[str]:
    """Open the shipped timetable's runs for the next `days` days, into the Events table the functions use.

    The table name is read from the functions' own environment (as template.yaml resolves it), and the
    work is done by `trainbook publish-timetable`, exactly as an operator would run it against AWS.
    """
    assert cloud.provisioned is not None and cloud.engine is not None
    tables = {f.environment.get("EVENTS_TABLE") for f in cloud.provisioned.functions} - {None}
    if len(tables) != 1:
        return ["  timetable       not loaded: the template's functions name no single EVENTS_TABLE"]
    env = {
        **os.environ,
        "AWS_ENDPOINT_URL": cloud.engine.url,
        "EVENTS_TABLE": str(tables.pop()),
        "AWS_DEFAULT_REGION": cloud.options.region,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    command = [str(Path(sys.executable).parent / "trainbook"), "publish-timetable", "--days", str(days)]
    parent = os.getpid()
    done = subprocess.run(
        command,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        preexec_fn=lambda: die_with_parent(parent),  # no publisher outlives `trainbook up`
    )
    if done.returncode != 0:
        raise StartupError(f"loading the timetable failed: {(done.stderr or done.stdout).strip()[-300:]}")
    return ["  timetable       " + " ".join(done.stdout.split())]


PUBLISHED_MARKER = "published-timetable.json"


class PublishedWindow:
    """What the last start published into this data dir, so a restart with nothing new skips publishing.

    Kept in `<data-dir>/published-timetable.json`, written only after the publisher succeeded and the
    engine's journal holds its writes: the timetable file's SHA-256, the Events table's name and creation
    time (a table created again is published again) and the days published. A start whose window has a
    day not in it, or whose timetable or table differs, runs `publish-timetable` (which itself writes only
    the runs that are not open)."""

    def __init__(self, cloud: LocalCloud, path: Path, key: dict[str, str], days: list[str]) -> None:
        self._cloud, self.path, self.key, self.days = cloud, path, key, days

    @classmethod
    def of(cls, cloud: LocalCloud, days: int) -> PublishedWindow | None:
        import hashlib
        from datetime import datetime, timedelta

        import boto3

        from timetable_file.location import shipped_timetable_path
        from trainbook.catalog.domain import WARSAW

        data_dir = cloud.options.data_dir
        assert cloud.provisioned is not None and cloud.engine is not None
        tables = {f.environment.get("EVENTS_TABLE") for f in cloud.provisioned.functions} - {None}
        if data_dir is None or len(tables) != 1:
            return None
        table = str(tables.pop())
        # Provisioning described every table: no client to make (it cost ~0.2 s of a restart).
        created = cloud.provisioned.table_created.get(table)
        if created is None:  # a table the template does not declare
            dynamodb = boto3.client(
                "dynamodb",
                endpoint_url=cloud.engine.url,
                region_name=cloud.options.region,
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
            created = str(dynamodb.describe_table(TableName=table)["Table"]["CreationDateTime"])
        key = {
            "timetable_sha256": hashlib.sha256(shipped_timetable_path().read_bytes()).hexdigest(),
            "events_table": table,
            "table_created": created,
        }
        today = datetime.now(WARSAW).date()
        window = [(today + timedelta(days=i)).isoformat() for i in range(days)]
        return cls(cloud, data_dir / PUBLISHED_MARKER, key, window)

    def already_open(self) -> bool:
        try:
            marker = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return False
        return bool(marker.get("key") == self.key and set(self.days) <= set(marker.get("days", [])))

    def remember(self) -> None:
        assert self._cloud.engine is not None
        # Only once the journal holds what was published (with --fsync off it may lag the answers).
        engine_call(self._cloud.engine.url, "flush", timeout=60)
        try:
            marker = json.loads(self.path.read_text())
        except (OSError, ValueError):
            marker = {}
        earlier = marker.get("days", []) if marker.get("key") == self.key else []
        marker = {"key": self.key, "days": sorted(set(earlier) | set(self.days))}
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(marker))
        temporary.replace(self.path)


def wait_for_projections(cloud: LocalCloud, deadline: float = 600.0) -> list[str]:
    """Hold the ready line until every stream trigger has delivered what publishing appended, so the
    first search already sees the whole timetable."""
    assert cloud.engine is not None
    started = time.monotonic()
    backlog = -1
    while time.monotonic() - started < deadline:
        streams = engine_call(cloud.engine.url, "health")["streams"]
        backlog = sum(int(s.get("backlog", 0)) for s in streams.values())
        if backlog == 0:
            return [f"  read models     caught up with the events in {time.monotonic() - started:.1f} s"]
        time.sleep(0.1)  # one cheap health call; the ready line waits on it
    return [f"  read models     still {backlog} records behind after {deadline:.0f} s; they keep catching up"]
