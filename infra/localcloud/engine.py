"""The engine process: moto's server with the correctness layer, Lambda workers and stream delivery.

Run by `trainbook up` as `python -m localcloud.engine --port N --data-dir DIR [--fsync MODE]`; prints
"localcloud engine ready on http://127.0.0.1:N" once it accepts requests.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from localcloud.garbage import FullCollections, paused_while_starting, quiet_garbage_collection
from localcloud.journal.store import DEFAULT_FSYNC

ACCOUNT = "123456789012"
MAINTENANCE_INTERVAL_SECONDS = 1.0
WAIT_POLL_SECONDS = 1.0  # `wait-execution` looks again this often for an end its hook did not signal


class Engine:
    """Owns the server, the runtime, the pollers and the journal of everything they commit."""

    def __init__(
        self,
        port: int,
        data_dir: Path | None,
        region: str,
        fsync: str = DEFAULT_FSYNC,
        ttl_interval: float = 30.0,
    ) -> None:
        # Import moto only here: MOTO_PORT and the config must be set before its modules read them.
        os.environ["MOTO_PORT"] = str(port)  # the Step Functions interpreter calls Lambda on this port
        from localcloud import lean_imports

        lean_imports.preload()  # before any other moto import
        from moto.core.config import default_user_config

        default_user_config["stepfunctions"] = {"execute_state_machine": True}
        from localcloud import fastpath, layer, service_models
        from localcloud.runtime import worker
        from localcloud.runtime.lambda_bridge import patch_lambda_invoke
        from localcloud.runtime.pool import Runtime
        from localcloud.runtime.sfn_bridge import patch_step_functions
        from localcloud.streams.delivery import Deliveries

        self.port = port
        self.region = region
        self.data_dir = data_dir
        self.url = f"http://127.0.0.1:{port}"
        self.patches = layer.install()
        self.runtime = Runtime({})
        patch_lambda_invoke(self.patches, self.runtime)
        patch_step_functions(self.patches, self.runtime)
        fastpath.install(self.patches)
        service_models.load_served_models(self.patches)
        self.deliveries = Deliveries(self.runtime, ACCOUNT, region, self.url)
        self.ttl_interval = ttl_interval
        self.fsync = fsync
        self.log_shipping: Any = None  # logs/shipping.py LogShipping, once `configure` names subscriptions
        self.saved_positions: dict[str, int] = {}
        self.saved_executions: list[dict[str, Any]] = []
        self.restored: dict[str, Any] = {}
        self._stopped = threading.Event()
        self._waiters_lock = threading.Lock()
        self._waiters: dict[str, list[threading.Event]] = {}  # execution ARN -> its `wait_execution`s
        self._notify_ended_executions()
        self.journal: Any = None
        self.capture: Any = None
        if data_dir is not None:
            from localcloud.journal.capture import Capture
            from localcloud.journal.restore import restore, saved_executions
            from localcloud.journal.store import JOURNAL_FILE, Journal
            from localcloud.owner import ENGINE_LOCK, DataDirLock

            worker.COMMAND_LABEL[:] = ["--data-dir", str(data_dir)]
            # The previous engine of this data dir may still be dying (it is SIGKILLed with its parent).
            self._lock = DataDirLock(data_dir, ENGINE_LOCK).acquire(wait_seconds=10)
            self.journal = Journal(data_dir / JOURNAL_FILE, fsync)
            self.restored = restore(self.journal, ACCOUNT, region)
            self.saved_positions = dict(self.restored["positions"])
            self.saved_executions = saved_executions(self.journal)
            self.capture = Capture(self.journal, ACCOUNT, region)
            self.capture.remember_streams()
            self.capture.install(self.patches)

    def _notify_ended_executions(self) -> None:
        """Wake the `wait_execution`s of an execution when it ends (its status is set before the hook
        returns); only those: eight clients' waits are not all woken by each end."""
        from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

        terminated = BaseExecutionWorkerCommunication.terminated

        def notifying_terminated(communication: BaseExecutionWorkerCommunication) -> None:
            terminated(communication)
            arn = getattr(getattr(communication, "execution", None), "exec_arn", None)
            with self._waiters_lock:
                waiting = list(self._waiters.get(str(arn), ()))
            for event in waiting:
                event.set()

        self.patches.replace(BaseExecutionWorkerCommunication, "terminated", notifying_terminated)

    def configure(self, body: dict[str, Any]) -> dict[str, Any]:
        from localcloud.runtime.functions import FunctionSpec
        from localcloud.streams.trigger import StreamTrigger

        self.runtime.platform_env.update(body.get("platform_env", {}))
        for data in body.get("functions", []):
            self.runtime.register(FunctionSpec.from_json(data))
        for data in body.get("triggers", []):
            trigger = StreamTrigger.from_json(data)
            self.deliveries.add(trigger, self.saved_positions.get(trigger.logical_id))
        self._ship_logs(body.get("log_subscriptions", []))
        resumed = self._restore_executions()
        return {**self.health({}), "resumed_executions": resumed}

    def _ship_logs(self, subscriptions: list[dict[str, Any]]) -> None:
        """Spool the subscribed lines of the functions run here and ship them to their destinations,
        invoked here too (every function has workers in the engine)."""
        from localcloud.logs.shipping import LogShipping, LogSubscription, undelivered

        if self.log_shipping is not None:
            self.log_shipping.stop()
            self.log_shipping = None
        if not subscriptions:
            return

        def invoke(function: str, event: dict[str, Any]) -> str | None:
            from localcloud.stats import STATS

            STATS.count("internal:LambdaInvokeFromLogs")  # as Step Functions' in-process invocations are
            return undelivered(self.runtime.invoke(function, event))

        self.log_shipping = LogShipping(
            [LogSubscription.from_json(data) for data in subscriptions],
            self.data_dir / "logs" / "engine" if self.data_dir is not None else None,
            invoke,
            owner=ACCOUNT,
            process="engine",
            fsync=self.fsync,
        )
        self.runtime.attach_log_sinks(self.log_shipping.sink_for)
        self.log_shipping.start()

    def _restore_executions(self) -> list[str]:
        """Put ended executions back with their histories; start the interrupted ones again by name.

        moto cannot resume an interpreter thread, so an execution that was running starts again from its
        first state under the same name and ARN (its history restarts with it). Safe only because every
        task of a Trainbook-style saga is idempotent: a step that already took effect returns its first
        result, so the booking still finishes exactly once."""
        if not self.saved_executions:
            return []
        import boto3
        from moto.stepfunctions.responses import get_backend

        from localcloud.journal.restore import restore_finished_execution

        machines = {machine.arn: machine for machine in get_backend(ACCOUNT, self.region).state_machines}
        sfn = boto3.client(
            "stepfunctions",
            region_name=self.region,
            endpoint_url=self.url,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        resumed = []
        log = logging.getLogger("localcloud.engine")
        for execution in self.saved_executions:
            machine = machines.get(execution["machine_arn"])
            if machine is None:
                continue  # its state machine left the template
            if execution["status"] != "RUNNING":
                restore_finished_execution(machine, execution)
                continue
            try:
                sfn.start_execution(
                    stateMachineArn=execution["machine_arn"],
                    name=execution["name"],
                    input=json.dumps(execution["input"]),
                )
                resumed.append(execution["name"])
            except Exception:
                log.exception("could not resume %s", execution["name"])
        self.saved_executions = []
        return resumed

    def health(self, _: dict[str, Any]) -> dict[str, Any]:
        from moto.dynamodb.models import dynamodb_backends

        tables = dynamodb_backends[ACCOUNT][self.region].tables
        answer: dict[str, Any] = {
            "engine": "ok",
            "url": self.url,
            "tables": sorted(tables),
            "functions": self.runtime.describe(),
            "streams": self.deliveries.describe(),
            "log_subscriptions": self.log_shipping.describe() if self.log_shipping is not None else [],
            "data_dir": str(self.data_dir) if self.data_dir else None,
        }
        if self.journal is not None:
            answer["journal"] = {
                "path": str(self.journal.path),
                "fsync": self.journal.fsync,
                "groups": self.journal.groups,
                "writes": self.journal.ops,
                "restored": {k: v for k, v in self.restored.items() if k != "positions"},
            }
        return answer

    def flush(self, _: dict[str, Any] | None = None) -> dict[str, Any]:
        """Journal stream positions now and wait until everything appended is written."""
        if self.capture is None:
            return {"flushed": False}
        self.capture.journal_stream_progress(self.deliveries.positions())
        self.journal.flush()
        return {"flushed": True, "path": str(self.journal.path)}

    def stats(self, body: dict[str, Any]) -> dict[str, Any]:
        """Counted work since the last reset (`{"reset": true}` starts a new count after reading)."""
        from localcloud.stats import STATS

        answer = STATS.snapshot(reset=bool(body.get("reset")))
        if self.journal is not None:
            answer["journal"] = {"groups": self.journal.groups, "writes": self.journal.ops}
        return answer

    def wait_execution(self, body: dict[str, Any]) -> dict[str, Any]:
        """Long poll for benches: the execution's status once it is no longer RUNNING (or at `timeout`).

        Answered from moto's backend in this process, so waiting costs no request per poll."""
        from moto.stepfunctions.responses import get_backend

        backend = get_backend(ACCOUNT, self.region)
        arn = str(body["arn"])
        deadline = time.monotonic() + float(body.get("timeout", 60))
        ended = threading.Event()
        with self._waiters_lock:
            self._waiters.setdefault(arn, []).append(ended)
        try:
            while True:
                status = str(getattr(backend.describe_execution(arn), "status", ""))
                status = status.rsplit(".", 1)[-1]
                remaining = deadline - time.monotonic()
                if status != "RUNNING" or remaining <= 0:
                    return {"status": status}
                # Set by this execution's end; the timeout covers ends without that hook (a stop).
                ended.wait(min(remaining, WAIT_POLL_SECONDS))
        finally:
            with self._waiters_lock:
                events = self._waiters[arn]
                events.remove(ended)
                if not events:
                    del self._waiters[arn]

    def _maintain(self) -> None:
        """Trim consumed stream records, journal stream positions and trims, and forget the interpreter's
        finished threads every second; collect garbage fully once a minute (`quiet_garbage_collection`)."""
        from localcloud.runtime.sfn_bridge import forget_finished_threads

        collections = FullCollections()
        while not self._stopped.wait(MAINTENANCE_INTERVAL_SECONDS):
            try:
                forget_finished_threads()
                collections.tick()
                self.deliveries.trim_unconsumed()
                if self.capture is not None:
                    self.capture.journal_stream_progress(self.deliveries.positions())
            except Exception:
                logging.getLogger("localcloud.engine").exception("journal maintenance failed")

    def serve(self, ready: Callable[[], None] = lambda: None) -> None:
        """Serve until SIGTERM or SIGINT; `ready` is called just before the ready line is printed."""
        from moto.moto_server.werkzeug_app import create_backend_app

        from localcloud.control import ControlApp, WsgiApp
        from localcloud.http_server import engine_server
        from localcloud.routing import CachedDispatcher

        moto_app: WsgiApp = CachedDispatcher(create_backend_app)
        if self.capture is not None:
            from localcloud.journal.capture import JournalWsgi

            moto_app = JournalWsgi(moto_app, self.capture)
        app = ControlApp(
            moto_app,
            {
                "configure": self.configure,
                "health": self.health,
                "flush": self.flush,
                "stats": self.stats,
                "wait-execution": self.wait_execution,
            },
        )
        server = engine_server("127.0.0.1", self.port, app)

        def stop(signum: int, _: Any) -> None:
            from localcloud.runtime.sfn_bridge import STOPPING

            STOPPING.set()  # executions in flight stay where they are, to resume after the restart
            threading.Thread(target=server.shutdown, daemon=True).start()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        threading.Thread(target=self._maintain, name="journal-maintenance", daemon=True).start()
        from localcloud.layer.ttl import TtlSweeper

        # A client of this server, so its deletions take the path every DeleteItem takes.
        sweeper = TtlSweeper(self.url, self.region, self.ttl_interval, account=ACCOUNT)
        sweeper.start()
        ready()
        quiet_garbage_collection()
        print(f"localcloud engine ready on {self.url}", flush=True)
        try:
            server.serve_forever()
        finally:
            from localcloud.runtime.sfn_bridge import STOPPING

            STOPPING.set()
            sweeper.stop()
            self._stopped.set()
            self.deliveries.stop()
            if self.log_shipping is not None:
                self.log_shipping.stop()
            if self.journal is not None:
                self.flush()
                self.journal.close()
            self.runtime.stop()
            print("localcloud engine stopped", flush=True)


def main(argv: list[str] | None = None) -> None:
    from localcloud.journal.store import FSYNC_MODES

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"))
    parser.add_argument("--fsync", choices=FSYNC_MODES, default=DEFAULT_FSYNC)
    parser.add_argument("--parent-pid", type=int, default=None, help="exit when this process is gone")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--ttl-interval", type=float, default=30.0, help="seconds between TTL sweeps")
    parser.add_argument(
        "--lend-zygote-fd", type=int, default=None, help="a socket to serve the gateway a sibling zygote on"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stdout, format="%(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if args.lend_zygote_fd is not None:
        import socket

        from localcloud.runtime.zygote import FORK_SERVERS

        FORK_SERVERS.lend(socket.socket(fileno=args.lend_zygote_fd))
    if args.parent_pid is not None:
        from localcloud.owner import exit_when_orphaned

        exit_when_orphaned(args.parent_pid)
    with paused_while_starting() as ready:
        try:
            engine = Engine(args.port, args.data_dir, args.region, args.fsync, args.ttl_interval)
        except Exception as error:
            from localcloud.owner import DataDirBusy

            if isinstance(error, DataDirBusy):
                print(f"localcloud engine: data dir {error.path} is in use by pid {error.pid}", flush=True)
                sys.exit(1)
            raise
        engine.serve(ready)


if __name__ == "__main__":
    main()
